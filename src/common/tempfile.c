/* tempfile.c - see tempfile.h. */
#include "tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"

#define TEMP_TAG ".stargen-"

static void free_names(TempFile *t)
{
    free(t->path);
    free(t->tmp);
    t->path = t->tmp = NULL;
}

int tempfile_create(TempFile *t, const char *path, mode_t mode)
{
    static unsigned long counter;
    t->path = xstrdup(path);
    t->tmp = NULL;
    t->fd = -1;
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    for (int tries = 0; tries < 1000; tries++) {
        char *tmp;
        if (asprintf(&tmp, "%.*s.%s" TEMP_TAG "%ld-%lu", dirlen, path, base, (long)getpid(),
                     __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED)) < 0)
            abort();
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0) {
            t->tmp = tmp;
            t->fd = fd;
            return 0;
        }
        int e = errno;
        free(tmp);
        if (e != EEXIST) {
            free_names(t);
            errno = e;
            return -1;
        }
    }
    free_names(t);
    errno = EEXIST;
    return -1;
}

int tempfile_write(TempFile *t, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(t->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int tempfile_close(TempFile *t)
{
    if (t->fd < 0)
        return 0;
    int rc = 0;
    if (fsync(t->fd) != 0 && errno != EINVAL)
        rc = -1;
    int e = errno;
    if (close(t->fd) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    t->fd = -1;
    errno = e;
    return rc;
}

int tempfile_close_nosync(TempFile *t)
{
    if (t->fd < 0)
        return 0;
    int rc = close(t->fd);
    t->fd = -1;
    return rc;
}

int tempfile_sync_fs(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = syncfs(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

static void fsync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir)
        abort();
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: the rename itself is what readers see */
        close(fd);
    }
    free(dir);
}

int tempfile_commit(TempFile *t)
{
    if (!t->tmp) {
        errno = EINVAL;
        return -1;
    }
    if (tempfile_close(t) != 0 || rename(t->tmp, t->path) != 0) {
        tempfile_rollback(t);
        return -1;
    }
    fsync_dir_of(t->path);
    free_names(t);
    return 0;
}

int tempfile_commit_nosync(TempFile *t)
{
    if (!t->tmp) {
        errno = EINVAL;
        return -1;
    }
    if (tempfile_close_nosync(t) != 0 || rename(t->tmp, t->path) != 0) {
        tempfile_rollback(t);
        return -1;
    }
    free_names(t);
    return 0;
}

void tempfile_rollback(TempFile *t)
{
    int e = errno;
    if (t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
    if (t->tmp)
        unlink(t->tmp);
    free_names(t);
    errno = e;
}

int write_file_atomic(const char *path, const void *data, size_t n, mode_t mode)
{
    TempFile t;
    if (tempfile_create(&t, path, mode) != 0)
        return -1;
    if (tempfile_write(&t, data, n) != 0) {
        tempfile_rollback(&t);
        return -1;
    }
    return tempfile_commit(&t);
}

bool tempfile_is_temp_name(const char *name)
{
    return name[0] == '.' && strstr(name, TEMP_TAG) != NULL;
}
