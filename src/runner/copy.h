/* copy.h - one client-side COPY: JSON source files -> COPY FROM STDIN.
 *
 * For a statement carrying a `-- stargen:copy` directive (its COPY already
 * parsed by the plan: table, column list, options): read the jsonpaths file
 * beside the step, learn the columns' types from pg_attribute (inside the
 * step's transaction, so tables the step just created are visible), list the
 * source files (sources.h; local or S3), then stream them: JsonReader ->
 * conv_row -> 1 MiB CopyBuf -> sender thread (copysend.h) -> PQputCopyData.
 * When every column's type has an exact binary encoding (conv_binary_oid) the
 * statement is sent with FORMAT binary and rows go through conv_row_binary
 * (one header, the rows of every file, one trailer): the server's parse of
 * text is the bottleneck of a staging load.  STARGEN_COPY_FORMAT=text (for
 * tests only) keeps text; any other value but "auto" is an error.
 * A data error aborts the COPY with PQputCopyEnd(conn, message), so the
 * server rolls the statement back and the caller rolls back the step.
 * Memory is bounded by one 256 KiB read chunk, the largest object (<= 4 MB)
 * and the send buffers, whatever the input size.
 */
#ifndef STARGEN_COPY_H
#define STARGEN_COPY_H

#include <libpq-fe.h>
#include <signal.h>

#include "output.h"
#include "plan.h"
#include "s3.h"

typedef struct CopyJob {
    PGconn *conn;
    const Step *step;
    const Statement *st;   /* st->copy and st->copy_stmt are set */
    const char *sql;       /* the statement as sent (placeholders filled) */
    const char *data_root; /* --data: a folder, or s3://bucket/prefix */
    const S3Config *s3;    /* S3 settings when a source is read from S3, else NULL */
    int model_uris;        /* --s3: read each directive's s3= URI instead of the data root */
    const char *step_dir;  /* folder holding the jsonpaths file */
    Progress *progress;
    volatile sig_atomic_t *interrupted;
    Buf *warnings; /* may be NULL: warnings (one a line) also go here; always printed */
    /* incremental sources (ledger.h) */
    const char *run_id; /* recorded with each staged file */
    int full_reload;    /* --full-reload: stage every file, loaded or not */
    int quiet;          /* -q: no line saying which files are new */
} CopyJob;

/* Runs the COPY.  Returns 0 with *rows set, or -1 with e filled (e->file is
 * the data file and line for data errors; the step file otherwise). */
int copy_run(const CopyJob *job, long long *rows, StepError *e);

/* Lists what --dry-run shows for a COPY directive: the source files it would
 * read (or that the source is missing) and the jsonpaths file.  model_uris as
 * in CopyJob. */
void copy_describe(Buf *out, const CopyDirective *d, const char *data_root, int model_uris,
                   const char *step_dir);

#endif
