/* files.c - buffered writer, mkdir -p and rm -rf; see files.h. */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/arena.h"

void out_init(Out *o, size_t cap)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->cap = cap < 4096 ? 4096 : cap;
    o->buf = xmalloc(o->cap);
}

void out_free(Out *o)
{
    if (o->fd >= 0)
        close(o->fd);
    free(o->buf);
    o->buf = NULL;
    o->fd = -1;
}

static void write_all(Out *o, const char *s, size_t n)
{
    while (n > 0 && !o->failed) {
        ssize_t w = write(o->fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "sparkify-data: cannot write '%s': %s\n", o->path, strerror(errno));
            o->failed = 1;
            return;
        }
        s += w;
        n -= (size_t)w;
        o->bytes += (uint64_t)w;
    }
}

void out_spill(Out *o, const char *s, size_t n)
{
    write_all(o, o->buf, o->len);
    o->len = 0;
    if (n >= o->cap) {
        write_all(o, s, n);
    } else {
        memcpy(o->buf, s, n);
        o->len = n;
    }
}

int files_mkdirs(const char *path)
{
    char tmp[FILES_PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp) {
        fprintf(stderr, "sparkify-data: bad folder name '%s'\n", path);
        return -1;
    }
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        char saved = tmp[i];
        tmp[i] = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "sparkify-data: cannot create folder '%s': %s\n", tmp, strerror(errno));
            return -1;
        }
        tmp[i] = saved;
    }
    return 0;
}

int out_open(Out *o, const char *path)
{
    size_t n = strlen(path);
    if (n >= sizeof o->path) {
        fprintf(stderr, "sparkify-data: path too long: '%s'\n", path);
        return -1;
    }
    memcpy(o->path, path, n + 1);
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t dn = (size_t)(slash - path);
        if (strncmp(o->lastdir, path, dn) != 0 || o->lastdir[dn] != '\0') {
            memcpy(o->lastdir, path, dn);
            o->lastdir[dn] = '\0';
            if (files_mkdirs(o->lastdir) != 0) {
                o->lastdir[0] = '\0';
                return -1;
            }
        }
    }
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (o->fd < 0) {
        fprintf(stderr, "sparkify-data: cannot create '%s': %s\n", path, strerror(errno));
        return -1;
    }
    o->failed = 0;
    o->len = 0;
    o->files++;
    return 0;
}

int out_close(Out *o)
{
    if (o->fd < 0)
        return -1;
    write_all(o, o->buf, o->len);
    o->len = 0;
    if (close(o->fd) != 0 && !o->failed) {
        fprintf(stderr, "sparkify-data: cannot write '%s': %s\n", o->path, strerror(errno));
        o->failed = 1;
    }
    o->fd = -1;
    return o->failed ? -1 : 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    if (remove(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "sparkify-data: cannot remove '%s': %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int files_remove_tree(const char *path)
{
    if (!files_exists(path))
        return 0;
    return nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int files_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}
