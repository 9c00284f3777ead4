/* summary.h - the report phase: what a finished run tells people and machines.
 *
 * The closing line ("done: ...", "failed: ...", the data-check error) and the
 * --json run report (dbt run_results.json-like: every step with status, rows,
 * seconds and error, then the data checks), written atomically
 * (write_file_atomic).  json_quote() is the one JSON string writer.
 */
#ifndef STARGEN_SUMMARY_H
#define STARGEN_SUMMARY_H

#include "../common/arena.h"
#include "output.h"
#include "plan.h"

typedef struct RunInfo {
    const char *run_id, *started_at, *target, *dialect, *folder, *status;
    double seconds;
    const char *checks_json; /* a JSON array of check results (checks_json()), or NULL */
} RunInfo;

/* Writes the JSON report to path via a temp file and rename.  0 or -1 with
 * a message in err. */
int report_json_write(const char *path, const RunInfo *info, const Plan *set, const StepResult *res,
                      Buf *err);

/* JSON string literal (with quotes) of s, or null for NULL. */
void json_quote(Buf *out, const char *s);

/* The closing line of a run to stdout/stderr; returns the exit code
 * (RUNNER_EXIT_OK, _STEP_FAILED or _CHECKS) and sets info->status. */
int summary_print(RunInfo *info, const StepResult *res, size_t nsteps, size_t first, size_t last,
                  int failed, int check_failures, int unpublished, int quiet, double seconds,
                  int interrupted);

#endif
