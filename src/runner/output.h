/* output.h - what the runner prints while it runs.
 *
 * Progress lines per step and a live COPY display on terminals, the error
 * block for a failed step ("runner: error: step X failed" + file:line:col),
 * Redshift load-error lines; StepError/StepResult, what a step leaves behind.
 * Nothing here talks to the database; every function takes plain values so
 * the unit tests can pin the exact text.  (The end-of-run summary and the
 * --json report are summary.h; runner --report is queries.h.)
 */
#ifndef STARGEN_OUTPUT_H
#define STARGEN_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "../common/arena.h"
#include "plan.h"
#include "runner.h"

typedef struct StepError {
    char sqlstate[6];                        /* "" for client-side errors */
    char *message, *detail, *hint, *context; /* owned, may be NULL */
    char *file;                              /* step file or data file; owned */
    int line, col;                           /* 0 = unknown */
    char *statement; /* the failing statement, placeholders unresolved; owned */
    char *extra;     /* further lines (Redshift load errors); owned */
} StepError;

void step_error_free(StepError *e);
/* Replaces e->message with a printf-formatted text. */
void step_error_set(StepError *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef enum StepStatus { ST_NOT_RUN, ST_SKIPPED, ST_SUCCESS, ST_ERROR } StepStatus;

typedef struct StepResult {
    StepStatus status;
    long long rows;
    double seconds;
    char started_at[32]; /* UTC ISO-8601 */
    int has_error;
    StepError err;
    Buf warnings; /* load warnings, one a line (zeroed = none); also printed */
    /* kept tables (issue 14 item 6), from `-- stargen:count` statements */
    int counted;
    long long inserted, updated, unchanged; /* rows new, replaced, kept as stored */
    long long inferred; /* late-arriving dimension members created (keys only) */
    long long skipped;  /* staged rows not loaded (execute.c count_rows) ... */
    int skipped_known;  /* ... when some counted table's staging rows were known */
} StepResult;

/* Appends text from outside (a server message, a data file or S3 key name
 * inside a message, a step name) so that it cannot forge a line or break a
 * terminal: valid printable UTF-8 and backslashes are copied as they are
 * (messages may already hold the runner's own \xNN escapes), control bytes
 * and invalid UTF-8 are escaped by utf8_escape_display().  A newline becomes
 * "\n" when nl_prefix is NULL, else a line break followed by nl_prefix (an
 * indented continuation can never start with "error:").  NULL appends nothing. */
void put_display_text(Buf *out, const char *s, const char *nl_prefix);

/* "[ 3/9] load_staging_events ........ ok   8056 rows   0.12 s" */
void report_step_line(Buf *out, size_t idx, size_t n, const char *name, const char *status,
                      long long rows, double seconds);

/* The multi-line error block for a failed step (ends with a newline). */
void report_error(Buf *out, const Step *s, const StepError *e);

/* One Redshift load error (sys_load_error_detail / stl_load_errors row) as
 * "  load error: FILE:LINE column COL: REASON (raw value \"RAW\")".  Any
 * argument may be NULL or empty. */
void report_load_error(Buf *out, const char *file, const char *line, const char *col,
                       const char *raw, const char *reason, const char *code);

/* Live COPY progress on a terminal: at most 10 updates a second. */
typedef struct Progress {
    int enabled; /* stdout is a terminal and not -q */
    const char *label;
    double t0, last;
    int shown;
} Progress;
void progress_start(Progress *p, int enabled, const char *label);
void progress_tick(Progress *p, uint64_t bytes, uint64_t total_bytes, uint64_t rows);
void progress_clear(Progress *p);

/* Monotonic seconds, and the current UTC time as ISO-8601 with milliseconds. */
double now_seconds(void);
void utc_now_iso(char out[32]);

#endif
