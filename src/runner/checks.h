/* checks.h - data checks and analytics queries from a step folder.
 *
 * Checks: a statement preceded by `-- stargen:check name=N severity=error|warn`
 * returns the rows that break a rule (docs/out-format.md).  The runner counts
 * them (SELECT count(*) FROM (check) AS c) and shows a few (LIMIT).
 * Queries: out/<dialect>/queries/NN_name.sql, one SELECT each, printed as
 * aligned tables (and CSV files) by `runner --report`.
 */
#ifndef STARGEN_CHECKS_H
#define STARGEN_CHECKS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "steps.h"

#define CHECK_SAMPLE_ROWS 5

typedef struct CheckResult {
    char *name;        /* malloc */
    bool warn;         /* severity warn */
    long long failing; /* offending rows; -1 when the check itself failed to run */
    double seconds;
    char *sample; /* malloc: up to CHECK_SAMPLE_ROWS rows as an aligned table, or NULL */
    char *error;  /* malloc: the server's message when the check could not run */
} CheckResult;

typedef struct CheckRun {
    CheckResult *results;
    size_t n;
    int failed_errors, failed_warnings, broken;
} CheckRun;

/* True if statement st of step s carries a check directive; fills name/warn. */
bool check_directive(const Step *s, const Statement *st, char *name, size_t namelen, bool *warn);

/* True if any statement of s is a check. */
bool step_has_checks(const Step *s);

/* Runs every check of step s (outside any transaction; checks only read), printing a
 * line per check and the sample rows of failed ones to out unless quiet.  Fills run
 * (free with checks_free).  Returns the number of failed error-severity checks plus
 * checks that could not run. */
int checks_run(PGconn *c, const Step *s, FILE *out, bool quiet, CheckRun *run);
void checks_free(CheckRun *run);

/* Appends the results as a JSON array: name, severity, status (pass, fail, warn,
 * error), failing_rows, seconds, error. */
void checks_json(Buf *b, const CheckRun *run);

/* Renders a result set as an aligned text table (numbers right-aligned, NULL empty)
 * into b, at most max_rows rows (0 = all). */
void format_table(Buf *b, const PGresult *r, int max_rows);

/* Appends r as RFC 4180 CSV (header line, then rows; NULL as an empty field). */
void format_csv(Buf *b, const PGresult *r);

/* Runs every dir/queries/NN_name.sql in order, printing each as a titled aligned
 * table to out; with csv_dir, also writes csv_dir/name.csv.  Returns 0, or -1 after
 * appending a message to err. */
int report_queries(PGconn *c, const char *dir, const char *csv_dir, FILE *out, Buf *err);

#endif
