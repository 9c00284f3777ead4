/* copyload.h - one client-side COPY: JSON source files -> COPY FROM STDIN.
 *
 * For a statement carrying a `-- stargen:copy` directive: parse the COPY's
 * table and column list, read the jsonpaths file beside the step, learn the
 * columns' types from pg_attribute (inside the step's transaction, so tables
 * the step just created are visible), list the source files, then stream
 * them: JsonReader -> conv_row -> 1 MiB CopyBuf -> PQputCopyData.  A data
 * error aborts the COPY with PQputCopyEnd(conn, message), so the server
 * rolls the statement back and the caller rolls back the step.
 * Memory is bounded by one 256 KiB read chunk, the largest object (<= 4 MB)
 * and the 1 MiB send buffer, whatever the input size.
 */
#ifndef STARGEN_COPYLOAD_H
#define STARGEN_COPYLOAD_H

#include <libpq-fe.h>
#include <signal.h>

#include "report.h"
#include "s3.h"
#include "steps.h"

typedef struct CopyJob {
    PGconn *conn;
    const Step *step;
    const Statement *st;
    const char *sql;       /* the statement as sent (placeholders filled) */
    const char *data_root; /* --data */
    const char *step_dir;  /* folder holding the jsonpaths file */
    Progress *progress;
    volatile sig_atomic_t *interrupted;
} CopyJob;

/* Runs the COPY.  Returns 0 with *rows set, or -1 with e filled (e->file is
 * the data file and line for data errors; the step file otherwise). */
int copy_run(const CopyJob *job, long long *rows, StepError *e);

/* The parts of a "COPY t (a, b) FROM STDIN WITH (FORMAT text)" statement.
 * table is the table text as written (quotes kept, for ::regclass); columns
 * are folded like SQL identifiers.  Returns 0 or -1 with a message. */
typedef struct CopyStmt {
    char *table;
    char **cols;
    int ncols;
    int binary, csv;
} CopyStmt;
int copy_parse_stmt(Arena *a, const char *sql, CopyStmt *out, Buf *err);

/* Lists what --dry-run shows for a COPY directive: the source files it would
 * read (or that the source is missing) and the jsonpaths file. */
void copy_describe(Buf *out, const CopyDirective *d, const char *data_root, const char *step_dir);

/* Where S3 sources come from, for every later copy_run/copy_describe: a
 * data root "s3://bucket/prefix" always reads S3 (c must be set then);
 * model_uris (--s3) reads each directive's s3= URI instead of the data root.
 * c must outlive the runs. */
void copy_set_s3(const S3Config *c, int model_uris);

/* --publish: the jsonpaths files a Redshift folder's COPY statements name.
 * For each statement `COPY table ... FORMAT [AS] JSON 's3://...'` of a
 * NN_load_* step: file = "<dir>/<table>.jsonpaths.json", uri = that S3 URI
 * (COPYs with JSON 'auto' have nothing to publish).  -1 with a message if
 * there is none. */
typedef struct PublishItem {
    char *table, *file, *uri;
} PublishItem;
typedef struct PublishPlan {
    PublishItem *v;
    size_t n;
} PublishPlan;
int copy_publish_plan(const StepSet *set, PublishPlan *out, Buf *err);
void copy_publish_free(PublishPlan *p);

#endif
