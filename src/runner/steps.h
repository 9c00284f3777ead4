/* steps.h - the input folder: step files, their statements and directives.
 *
 * A step folder (out/postgres, out/redshift; docs/out-format.md) holds
 * NN_name.sql files run in sorted name order.  This module lists them, reads
 * each file, computes its SHA-256, splits it into statements (respecting
 * strings, quoted identifiers, comments and dollar quoting) and parses the
 * `-- stargen:copy` and `-- stargen:no-transaction` directives.  No database
 * access happens here.  Everything lives in the StepSet's arena.
 */
#ifndef STARGEN_STEPS_H
#define STARGEN_STEPS_H

#include <stddef.h>

#include "../common/arena.h"

typedef struct CopyDirective {
    const char *source;     /* relative to the data root; required */
    const char *s3;         /* may be NULL */
    const char *jsonpaths;  /* file name in the step folder; required */
    const char *timeformat; /* "epochmillisecs", "epochsecs", "auto" or NULL */
    int emptyasnull, blanksasnull;
    int line; /* line of the directive in the step file */
} CopyDirective;

typedef struct Statement {
    size_t off, len;           /* byte range in Step.text, without the closing ';' */
    int line, col;             /* 1-based position of the first character */
    const CopyDirective *copy; /* non-NULL: a client-side COPY ... FROM STDIN */
} Statement;

typedef struct Step {
    const char *file; /* "05_load_users.sql" */
    const char *stem; /* "05_load_users" */
    const char *name; /* "load_users" */
    long number;      /* 5 */
    const char *path; /* dir + "/" + file, as the user will read it in messages */
    const char *text; /* whole file, NUL-terminated */
    size_t len;
    char checksum[65]; /* sha256 hex of the file bytes */
    int no_transaction;
    Statement *stmts;
    size_t nstmts;
} Step;

typedef struct StepSet {
    Arena arena;
    const char *dir;     /* as given, without trailing '/' */
    const char *dialect; /* from the header line, else the folder's base name */
    Step *steps;
    size_t n;
} StepSet;

/* Lists, reads and splits every step of dir.  Returns 0, or -1 with a
 * one-line message (no trailing newline) appended to err; on failure set is
 * still safe to steps_free(). */
int steps_load(StepSet *set, const char *dir, Buf *err);
void steps_free(StepSet *set);

/* Splits text into statements (allocated in a); path is used in messages.
 * Returns 0 or -1 with a message "path:LINE: ..." in err. */
int steps_split(Arena *a, const char *path, const char *text, size_t len, Statement **out,
                size_t *n, int *no_transaction, Buf *err);

/* Finds a step by name ("load_users"), stem ("05_load_users") or number
 * ("5", "05").  Returns its index, -1 if none matches, -2 if ambiguous. */
long steps_find(const StepSet *set, const char *key);

/* 1-based line and column (in UTF-8 characters) of byte offset off in text. */
void steps_line_col(const char *text, size_t off, int *line, int *col);

#endif
