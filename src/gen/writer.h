/* writer.h - puts an OutSet on disk atomically, or compares it with what is there.
 *
 * Only changed files are rewritten (temp file + rename in the same folder);
 * files in an owned folder that the set no longer holds are removed.  All
 * temp files are written before any rename, so a failure while writing leaves
 * the output folder exactly as it was.
 */
#ifndef STARGEN_WRITER_H
#define STARGEN_WRITER_H

#include <stdio.h>

#include "emit.h"

typedef struct WriteStats {
    int written, unchanged, removed;
} WriteStats;

/* Writes set under outdir.  Returns 0, or -1 after printing an I/O error to err. */
int writer_write(const char *outdir, const OutSet *set, WriteStats *st, FILE *err);

/* Compares set with outdir; prints one line per difference to err.
 * Returns the number of differences, or -1 on an I/O error. */
int writer_check(const char *outdir, const OutSet *set, FILE *err);

#endif
