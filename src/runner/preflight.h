/* preflight.h - everything checked before the first statement runs.
 *
 * After the plan is read and before any database work: which steps run
 * (--from/--only), the placeholder values (environment, then the config), that
 * every placeholder of those steps has a value, the S3 settings when a source
 * is read from S3, and (runner --report) the analytics queries.  A failure here
 * exits 2 with nothing run.  Later checks that need the plan (sources present,
 * tables expected) belong here too.
 */
#ifndef STARGEN_PREFLIGHT_H
#define STARGEN_PREFLIGHT_H

#include "config.h"
#include "placeholder.h"
#include "plan.h"
#include "s3.h"

/* What the command line asked for (main.c fills it). */
typedef struct RunRequest {
    const char *conninfo, *config_path, *data_root, *from, *only, *json_path, *csv_dir;
    int dry, quiet, model_s3, no_sign, publish, report;
} RunRequest;

/* What preflight settles for the later phases. */
typedef struct Preflight {
    size_t first, last; /* inclusive range of step indexes to run */
    PhVars vars;        /* placeholder values from the config (the environment is read live) */
    S3Config s3;        /* loaded when need_s3 */
    int need_s3;        /* a source is read from S3 (--s3 or an s3:// data root) */
} Preflight;

/* Settles the steps to run and the placeholder values (all a dry run needs).
 * Returns 0, or -1 after printing "runner: error: ..." and the valid steps.
 * pf is safe to preflight_free() either way. */
int preflight_select(const Plan *plan, const RunRequest *req, const Config *cfg, Preflight *pf);

/* The checks before a real run, in order: placeholders, S3 settings, queries.
 * Returns 0, or -1 after printing the first failure. */
int preflight_check(Plan *plan, const RunRequest *req, const Config *cfg, Preflight *pf);
void preflight_free(Preflight *pf);

#endif
