/* sources.c - recursive, sorted listing of a COPY source; see sources.h. */
#include "sources.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct Ancestor {
    dev_t dev;
    ino_t ino;
} Ancestor;

static void add(SourceList *l, const char *display, const char *path, uint64_t size)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->files = xrealloc(l->files, l->cap * sizeof *l->files);
    }
    l->files[l->n].display = xstrdup(display);
    l->files[l->n].path = xstrdup(path);
    l->files[l->n].size = size;
    l->n++;
    l->total_bytes += size;
}

static int ends_with_json(const char *s)
{
    size_t n = strlen(s);
    return n > 5 && strcmp(s + n - 5, ".json") == 0;
}

static int walk(SourceList *l, const char *path, const char *display, Ancestor *anc, int depth,
                Buf *err)
{
    if (depth >= 64)
        return 0;
    DIR *d = opendir(path);
    if (!d) {
        buf_printf(err, "cannot read folder %s: %s", display, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t pl = strlen(path), dl = strlen(display), nl = strlen(e->d_name);
        char *p = xmalloc(pl + nl + 2), *q = xmalloc(dl + nl + 2);
        memcpy(p, path, pl);
        p[pl] = '/';
        memcpy(p + pl + 1, e->d_name, nl + 1);
        if (dl && display[dl - 1] != '/') {
            memcpy(q, display, dl);
            q[dl] = '/';
            memcpy(q + dl + 1, e->d_name, nl + 1);
        } else {
            memcpy(q, display, dl);
            memcpy(q + dl, e->d_name, nl + 1);
        }
        struct stat st;
        if (stat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                int loop = 0;
                for (int i = 0; i <= depth; i++)
                    if (anc[i].dev == st.st_dev && anc[i].ino == st.st_ino)
                        loop = 1;
                if (!loop) {
                    anc[depth + 1].dev = st.st_dev;
                    anc[depth + 1].ino = st.st_ino;
                    rc = walk(l, p, q, anc, depth + 1, err);
                }
            } else if (S_ISREG(st.st_mode) && ends_with_json(e->d_name)) {
                add(l, q, p, (uint64_t)st.st_size);
            }
        }
        free(p);
        free(q);
    }
    closedir(d);
    return rc;
}

static int cmp_display(const void *a, const void *b)
{
    return strcmp(((const SourceFile *)a)->display, ((const SourceFile *)b)->display);
}

int sources_list(const char *data_root, const char *source, SourceList *out, Buf *err)
{
    memset(out, 0, sizeof *out);
    size_t rl = strlen(data_root);
    while (rl > 1 && data_root[rl - 1] == '/')
        rl--;
    Buf path;
    buf_init(&path);
    buf_putn(&path, data_root, rl);
    buf_putc(&path, '/');
    buf_puts(&path, source);
    struct stat st;
    int rc = 0;
    if (stat(path.data, &st) != 0) {
        buf_printf(err, "source %s not found under the data root %.*s (%s; set --data or "
                        "STARGEN_DATA)", source, (int)rl, data_root, strerror(errno));
        rc = -1;
    } else if (S_ISREG(st.st_mode)) {
        add(out, source, path.data, (uint64_t)st.st_size);
    } else if (S_ISDIR(st.st_mode)) {
        Ancestor anc[65];
        anc[0].dev = st.st_dev;
        anc[0].ino = st.st_ino;
        rc = walk(out, path.data, source, anc, 0, err);
        if (rc == 0)
            qsort(out->files, out->n, sizeof *out->files, cmp_display);
    } else {
        buf_printf(err, "source %s is neither a file nor a folder", source);
        rc = -1;
    }
    buf_free(&path);
    if (rc)
        sources_free(out);
    return rc;
}

void sources_free(SourceList *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->files[i].display);
        free(l->files[i].path);
    }
    free(l->files);
    memset(l, 0, sizeof *l);
}
