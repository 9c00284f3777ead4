/* datachecks.h - the data checks of a checks step (the last step gen writes).
 *
 * A statement preceded by `-- stargen:check name=N severity=error|warn` (read
 * into Statement.check by the plan) returns the rows that break a rule
 * (docs/out-format.md).  The runner counts them (SELECT count(*) FROM (check)
 * AS c) and shows a few (LIMIT).  "check" alone means gen's semantic analysis;
 * these are data checks.
 */
#ifndef STARGEN_DATACHECKS_H
#define STARGEN_DATACHECKS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "plan.h"

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

/* Runs every check of step s (outside any transaction; checks only read), printing a
 * line per check and the sample rows of failed ones to out unless quiet.  Fills run
 * (free with checks_free).  Returns the number of failed error-severity checks plus
 * checks that could not run. */
int checks_run(PGconn *c, const Step *s, FILE *out, bool quiet, CheckRun *run);
void checks_free(CheckRun *run);

/* Appends the results as a JSON array: name, severity, status (pass, fail, warn,
 * error), failing_rows, seconds, error. */
void checks_json(Buf *b, const CheckRun *run);

#endif
