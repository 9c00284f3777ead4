/* tempfile.h - writing a file atomically, the one way the project does it (git's lockfile API).
 *
 * A TempFile is a new file beside its destination, created under a unique name with
 * O_CREAT|O_EXCL|O_NOFOLLOW (so a symlink or a file someone else left at that name is never
 * written through), filled, fsync'd, then renamed over the destination in one step: a
 * reader sees the old file or the new one, never a half. Until commit the destination is
 * untouched; rollback removes the temp file. Errors return -1 with errno set, and the
 * caller words the message (the path it was writing is t->path).
 */
#ifndef STARGEN_TEMPFILE_H
#define STARGEN_TEMPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct TempFile {
    char *path; /* the destination (owned copy) */
    char *tmp;  /* the temp file's name, NULL once committed or rolled back */
    int fd;     /* open until tempfile_close(), else -1 */
} TempFile;

/* Creates the temp file "DIR/.NAME.stargen-PID-N" beside path with mode (the umask
 * applies). Returns 0, or -1 with errno set and *t inert. */
int tempfile_create(TempFile *t, const char *path, mode_t mode);

/* Appends n bytes (retries short writes and EINTR). 0 or -1 with errno. */
int tempfile_write(TempFile *t, const void *data, size_t n);

/* fsync and close the temp file (commit does this when still open). 0 or -1. */
int tempfile_close(TempFile *t);

/* For writers of many files, where one fsync per file costs more than the whole job: close
 * without fsync, then make every file durable at once with tempfile_sync_fs() before the
 * first commit, and commit with tempfile_commit_nosync() followed by one more
 * tempfile_sync_fs(). 0 or -1 with errno. */
int tempfile_close_nosync(TempFile *t);
int tempfile_commit_nosync(TempFile *t);
/* syncfs() of the file system that holds path (a file or folder). 0 or -1 with errno. */
int tempfile_sync_fs(const char *path);

/* Renames the temp file over the destination and fsyncs the folder. On failure the temp
 * file is removed and the destination is as it was. Frees t's names either way. */
int tempfile_commit(TempFile *t);

/* Closes and removes the temp file, if any; frees t's names. Safe to call twice and after
 * a commit. Keeps errno. */
void tempfile_rollback(TempFile *t);

/* The whole job in one call: path gets exactly data[0..n) or stays as it was. */
int write_file_atomic(const char *path, const void *data, size_t n, mode_t mode);

/* True when name (a file name, not a path) is one of our temp files. */
bool tempfile_is_temp_name(const char *name);

#endif
