/* files.h - the only file-system code of the data generator: a buffered
 * writer that makes parent folders on demand, recursive removal, and
 * existence tests.  Every failure prints one "sparkify-data: ..." line to
 * stderr naming the path and the system error; callers only check the
 * return value.
 */
#ifndef SPARKIFY_FILES_H
#define SPARKIFY_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FILES_PATH_MAX 4096

/* One writer serves many files in turn (open, put..., close, open...), so
 * its buffer is allocated once.  bytes and files count everything written
 * since out_init(). */
typedef struct Out {
    int fd;
    int failed; /* a write failed on the current file (already reported) */
    char *buf;
    size_t len, cap;
    uint64_t bytes, files;
    char path[FILES_PATH_MAX];
    char lastdir[FILES_PATH_MAX]; /* last folder known to exist */
} Out;

/* cap: buffer size in bytes (at least 4096).  Does not open anything. */
void out_init(Out *o, size_t cap);
/* Creates (truncates) path, making its parent folders first.  Returns 0 or -1. */
int out_open(Out *o, const char *path);
/* Flushes and closes the current file.  Returns 0, or -1 when any write
 * or the close failed. */
int out_close(Out *o);
void out_free(Out *o);

/* Writes the buffer out and copies s[0..n) after it; for out_put(). */
void out_spill(Out *o, const char *s, size_t n);

/* Appends s[0..n) to the current file.  Never fails here: a write error is
 * reported once and returned by out_close(). */
static inline void out_put(Out *o, const char *s, size_t n)
{
    if (o->cap - o->len >= n) {
        memcpy(o->buf + o->len, s, n);
        o->len += n;
    } else {
        out_spill(o, s, n);
    }
}

/* out_put() of a string literal. */
#define OUT_LIT(o, lit) out_put((o), (lit), sizeof(lit) - 1)

/* mkdir -p.  Returns 0 or -1. */
int files_mkdirs(const char *path);
/* rm -rf of path (symlinks removed, not followed).  A missing path is fine.
 * Returns 0 or -1. */
int files_remove_tree(const char *path);
/* 1 if something (anything, even a dangling symlink) is at path. */
int files_exists(const char *path);

#endif
