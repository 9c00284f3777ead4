/* sources.h - the files a COPY directive's source names.
 *
 * source= is a path relative to the data root: one file, or a folder read
 * recursively.  Every regular file is taken, whatever its name, as Redshift's
 * COPY reads every key under its prefix (copy-parameters-data-source-s3),
 * ordered by the byte order of their path (S3 key order).  Symbolic links
 * are followed, but a folder that is its own ancestor (a link loop) is
 * skipped.  A dangling link, an unreadable entry, something that is neither
 * file nor folder, or nesting deeper than 4096 folders is an error naming it:
 * never a file silently left out.
 *
 * An S3 source is an s3://bucket/prefix URI: every object whose key starts
 * with the prefix, exactly as Redshift's COPY reads them (so "log_data" also
 * takes "log_data_old/..."; end folder prefixes with '/'), in byte order of
 * the key.  Either kind is read through a SourceReader, a JsonReadFn over a
 * file descriptor or an S3 stream (s3.h), gunzipped when the directive says
 * compression=gzip (COPY GZIP).  Without it a file starting with the gzip
 * magic bytes is an error, never parsed as garbage.
 */
#ifndef STARGEN_SOURCES_H
#define STARGEN_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "json.h"
#include "s3.h"
#include "sha256.h"

typedef struct SourceFile {
    char *display; /* source-relative path for messages: "log_data/2018/11/x.json" */
    char *path;    /* data_root + "/" + display, for open(); for S3 the object key */
    uint64_t size;
    char *version; /* "mtime:S.NS" (local) or "etag:\"...\"" (S3): changes with the content */
} SourceFile;

typedef struct SourceList {
    SourceFile *files;
    size_t n, cap;
    uint64_t total_bytes;
    char *s3_bucket;    /* non-NULL: the files are objects of this bucket */
    const S3Config *s3; /* how to reach them */
    int gzip;           /* set by the caller: every file is gzip-compressed */
} SourceList;

/* Lists the files of source under data_root.  Returns 0, or -1 with a message
 * when the source does not exist or cannot be read.  An existing folder with
 * no files is not an error (n = 0).  Free with sources_free. */
int sources_list(const char *data_root, const char *source, SourceList *out, Buf *err);
void sources_free(SourceList *l);

/* Lists the objects under uri ("s3://bucket/prefix").  Display names are
 * "s3://bucket/key".  A prefix with no object at all is an error (as for
 * Redshift's COPY). */
int sources_list_s3(const S3Config *c, const char *uri, SourceList *out, Buf *err);

/* "ROOT/SOURCE" with ROOT's trailing slashes dropped: the location of source
 * under a data root (a folder or an s3:// URI).  Malloc'ed. */
char *sources_join(const char *data_root, const char *source);

#define SOURCE_ZCHUNK ((size_t)64 << 10)

/* Reads one file of a list. */
typedef struct SourceReader {
    JsonReadFn read;
    void *ctx;
    int fd;
    S3Reader *s3;
    int gzip, started, in_eof, z_end;
    struct z_stream_s *z;
    char *zbuf;
    char why[200]; /* why the last read failed, when the source knows */
    Sha256 *hash;  /* set by the caller after source_open: every raw byte read */
} SourceReader;
/* Opens file i of l.  -1 with "DISPLAY: cannot open: ..." in err. */
int source_open(const SourceList *l, size_t i, SourceReader *r, Buf *err);
/* Why the last read failed, if the source knows better than errno (S3), else NULL. */
const char *source_error(const SourceReader *r);
void source_close(SourceReader *r);

#endif
