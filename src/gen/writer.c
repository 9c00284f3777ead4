/* writer.c - atomic, minimal writes of generated files (see writer.h). */
#include "writer.h"

#include "../common/readfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_PREFIX ".stargen-tmp-"

static bool same(const char *path, const OutFile *f)
{
    size_t n;
    char *old = read_whole_file(path, 0, &n);
    bool eq = old && n == f->len && memcmp(old, f->data, n) == 0;
    free(old);
    return eq;
}

static int mkdirs(const char *path, FILE *err)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            fprintf(err, "gen: cannot create %s: %s\n", p, strerror(errno));
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = 0;
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        fprintf(err, "gen: cannot create %s: %s\n", p, strerror(errno));
        rc = -1;
    }
    free(p);
    return rc;
}

/* The names of the files the set holds directly in dir ("" is the output folder
 * itself), sorted for bsearch. */
static const char **names_in(const OutSet *set, const char *dir, size_t *n)
{
    size_t dl = strlen(dir);
    const char **v = xmalloc((set->len + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < set->len; i++) {
        const char *p = set->files[i].path;
        if (!dl && !strchr(p, '/'))
            v[(*n)++] = p;
        else if (dl && !strncmp(p, dir, dl) && p[dl] == '/' && !strchr(p + dl + 1, '/'))
            v[(*n)++] = p + dl + 1;
    }
    return v;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *dir_path(const char *outdir, const char *dir)
{
    char *p;
    if (asprintf(&p, *dir ? "%s/%s" : "%s%s", outdir, dir) < 0)
        abort();
    return p;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files (sorted) in outdir/dir that the set does not hold, or leftovers of a crashed run. */
static char **stale_files(const char *outdir, const char *dir, const OutSet *set, size_t *n)
{
    *n = 0;
    char *path = dir_path(outdir, dir);
    DIR *dp = opendir(path);
    if (!dp) {
        free(path);
        return NULL;
    }
    size_t cap = 8, nheld;
    char **names = xmalloc(cap * sizeof *names);
    const char **held = names_in(set, dir, &nheld);
    qsort(held, nheld, sizeof *held, cmp_cstr);
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        const char *key = de->d_name;
        if (nheld && bsearch(&key, held, nheld, sizeof *held, cmp_cstr))
            continue;
        struct stat st;
        if (fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode))
            continue; /* folders (e.g. queries/) are not files to remove */
        if (*n == cap) {
            cap *= 2;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[(*n)++] = xstrdup(de->d_name);
    }
    closedir(dp);
    free(path);
    free(held);
    qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static char *tmp_path(const char *outdir, const char *rel)
{
    const char *slash = strrchr(rel, '/');
    char *p;
    int rc =
        slash ? asprintf(&p, "%s/%.*s/" TMP_PREFIX "%s", outdir, (int)(slash - rel), rel, slash + 1)
              : asprintf(&p, "%s/" TMP_PREFIX "%s", outdir, rel);
    if (rc < 0)
        abort();
    return p;
}

static int write_file(const char *path, const OutFile *f, FILE *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        fprintf(err, "gen: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < f->len) {
        ssize_t w = write(fd, f->data + off, f->len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            fprintf(err, "gen: cannot write %s: %s\n", path, strerror(errno));
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (close(fd) != 0) {
        fprintf(err, "gen: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int writer_write(const char *outdir, const OutSet *set, WriteStats *st, FILE *err)
{
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < set->dirs.len; i++) {
        char *p = dir_path(outdir, set->dirs.items[i]);
        int rc = mkdirs(p, err);
        free(p);
        if (rc)
            return -1;
    }
    bool *changed = xcalloc(set->len, sizeof *changed);
    int rc = 0;
    size_t i;
    for (i = 0; i < set->len; i++) {
        char *final;
        if (asprintf(&final, "%s/%s", outdir, set->files[i].path) < 0)
            abort();
        changed[i] = !same(final, &set->files[i]);
        free(final);
        if (!changed[i])
            continue;
        char *tmp = tmp_path(outdir, set->files[i].path);
        rc = write_file(tmp, &set->files[i], err);
        free(tmp);
        if (rc)
            break;
    }
    if (rc) { /* undo: remove every temp file written so far */
        for (size_t k = 0; k <= i && k < set->len; k++) {
            if (!changed[k])
                continue;
            char *tmp = tmp_path(outdir, set->files[k].path);
            unlink(tmp);
            free(tmp);
        }
        free(changed);
        return -1;
    }
    for (i = 0; i < set->len; i++) {
        if (!changed[i]) {
            st->unchanged++;
            continue;
        }
        char *tmp = tmp_path(outdir, set->files[i].path), *final;
        if (asprintf(&final, "%s/%s", outdir, set->files[i].path) < 0)
            abort();
        if (rename(tmp, final) != 0) {
            fprintf(err, "gen: cannot rename %s to %s: %s\n", tmp, final, strerror(errno));
            rc = -1;
        } else {
            st->written++;
        }
        free(tmp);
        free(final);
    }
    free(changed);
    for (size_t d = 0; d < set->dirs.len; d++) {
        const char *dir = set->dirs.items[d];
        size_t n;
        char **names = stale_files(outdir, dir, set, &n);
        for (size_t k = 0; k < n; k++) {
            char *dp = dir_path(outdir, dir), *p;
            if (asprintf(&p, "%s/%s", dp, names[k]) < 0)
                abort();
            free(dp);
            if (unlink(p) != 0) {
                fprintf(err, "gen: cannot remove %s: %s\n", p, strerror(errno));
                rc = -1;
            } else {
                st->removed++;
            }
            free(p);
        }
        free_names(names, n);
    }
    return rc;
}

int writer_check(const char *outdir, const OutSet *set, FILE *err)
{
    int diffs = 0;
    for (size_t i = 0; i < set->len; i++) {
        const OutFile *f = &set->files[i];
        char *path;
        if (asprintf(&path, "%s/%s", outdir, f->path) < 0)
            abort();
        size_t n;
        char *old = read_whole_file(path, 0, &n);
        if (!old) {
            fprintf(err, "%s: missing (gen would create it)\n", path);
            diffs++;
        } else if (n != f->len || memcmp(old, f->data, n) != 0) {
            int line = 1;
            size_t k = 0;
            while (k < n && k < f->len && old[k] == f->data[k]) {
                if (old[k] == '\n')
                    line++;
                k++;
            }
            fprintf(err, "%s: differs from the model from line %d on\n", path, line);
            diffs++;
        }
        free(old);
        free(path);
    }
    for (size_t d = 0; d < set->dirs.len; d++) {
        const char *dir = set->dirs.items[d];
        size_t n;
        char **names = stale_files(outdir, dir, set, &n);
        char *dp = dir_path(outdir, dir);
        for (size_t k = 0; k < n; k++) {
            fprintf(err, "%s/%s: stale (gen would remove it)\n", dp, names[k]);
            diffs++;
        }
        free(dp);
        free_names(names, n);
    }
    return diffs;
}
