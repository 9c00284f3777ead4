/* diag.h - located diagnostics for the model: `schema.yaml:LINE:COL: error: … [check]`.
 *
 * Messages are collected and printed to the stream given at diag_init (stderr
 * in gen) by diag_flush(), sorted by position, so a phase reports its errors in
 * file order whatever order the checks ran in; the caller flushes and stops
 * between phases when diag.errors > 0.  Format:
 *
 *   schema.yaml:42:18: error: unknown column "userid" in "e" (staging_events) [resolve-column]
 *       e.userid + 1
 *       ^~~~~~~~
 *   hint: did you mean "user_id"?
 *
 * Lines and columns are 1-based; columns count characters (UTF-8), as libyaml does.
 *
 * Cost: reporting k errors in a scalar of n bytes costs O(n + k log k): positions are
 * found by walks that resume where the previous one stopped, and an expression line
 * longer than DIAG_LINE_MAX bytes is reprinted as a window around the caret.
 */
#ifndef STARGEN_DIAG_H
#define STARGEN_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Longer expression lines are reprinted as a window around the caret, "..." on each cut side. */
#define DIAG_LINE_MAX      300
#define DIAG_WINDOW_BEFORE 100 /* bytes of context kept before the caret in a window */

typedef struct Mark {
    int line, col; /* 1-based; 0 when unknown */
} Mark;

/* A YAML scalar with where it stands in the source (for expressions: the
 * offset of value byte k is mapped back to the source by diag). */
typedef struct Scalar {
    const char *s; /* decoded value, NUL-terminated */
    size_t len;
    Mark mark; /* the scalar's start (its quote or block indicator) */
    int style; /* SCALAR_PLAIN … SCALAR_FOLDED */
} Scalar;

enum { SCALAR_PLAIN, SCALAR_SINGLE, SCALAR_DOUBLE, SCALAR_LITERAL, SCALAR_FOLDED };

typedef struct DiagEntry {
    int line, col, seq;
    char *text; /* the whole diagnostic, lines included (malloc) */
    size_t len;
} DiagEntry;

typedef struct Diag {
    const char *file; /* as the user named it */
    const char *src;  /* the whole source text (may be NULL) */
    size_t srclen;
    size_t *lines; /* byte offset of each line start */
    int nlines;
    int errors, warnings;
    FILE *out;
    int max_errors;     /* stop printing after this many (0 = no limit) */
    DiagEntry *pending; /* reported, not yet printed */
    int npending, cap, seq;
    int printed_errors;
    struct DiagCache *cache; /* resumable position walks (diag.c): O(n) over a scalar's errors */
} Diag;

void diag_init(Diag *d, const char *file, FILE *out);
/* Keeps a pointer to src (the caller keeps it alive) and indexes its lines. */
void diag_set_source(Diag *d, const char *src, size_t len);
/* Prints the collected diagnostics in (line, column, report order) and forgets them. */
void diag_flush(Diag *d);
void diag_free(Diag *d);

/* An error at a model position, from the check named `check` (may be NULL). */
void diag_error(Diag *d, Mark m, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_warning(Diag *d, Mark m, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a "hint: …" line to the diagnostic just reported. */
void diag_hint(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error inside an expression held by scalar s, at value bytes [start, end):
 * located at the exact source position, with the expression line and a caret. */
void diag_expr_error(Diag *d, const Scalar *s, int start, int end, const char *check,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* An error about a whole file or the command line (no position). */
void diag_file_error(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The source position of value byte `off` of scalar s. */
Mark diag_scalar_pos(const Diag *d, const Scalar *s, int off);

#endif
