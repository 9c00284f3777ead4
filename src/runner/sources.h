/* sources.h - the files a COPY directive's source names.
 *
 * source= is a path relative to the data root: one file, or a folder read
 * recursively.  Only regular files ending in ".json" are taken, ordered by
 * the byte order of their path (S3 key order).  Symbolic links are followed,
 * but a folder that is its own ancestor (a link loop) is skipped.
 */
#ifndef STARGEN_SOURCES_H
#define STARGEN_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"

typedef struct SourceFile {
    char *display; /* source-relative path for messages: "log_data/2018/11/x.json" */
    char *path;    /* data_root + "/" + display, for open() */
    uint64_t size;
} SourceFile;

typedef struct SourceList {
    SourceFile *files;
    size_t n, cap;
    uint64_t total_bytes;
} SourceList;

/* Lists the files of source under data_root.  Returns 0, or -1 with a message
 * when the source does not exist or cannot be read.  An existing folder with
 * no .json files is not an error (n = 0).  Free with sources_free. */
int sources_list(const char *data_root, const char *source, SourceList *out, Buf *err);
void sources_free(SourceList *l);

#endif
