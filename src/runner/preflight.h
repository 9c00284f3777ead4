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

#include <libpq-fe.h>

#include "config.h"
#include "placeholder.h"
#include "plan.h"
#include "s3.h"

/* What the command line asked for (main.c fills it). */
typedef struct RunRequest {
    const char *conninfo, *config_path, *data_root, *from, *only, *json_path, *csv_dir;
    int dry, quiet, model_s3, no_sign, publish, report;
    int publish_on_check_failure;
    int full_reload; /* --full-reload (ledger.h) */
} RunRequest;

/* What preflight settles for the later phases. */
typedef struct Preflight {
    size_t first, last; /* inclusive range of step indexes to run */
    PhVars vars;        /* placeholder values from the config (the environment is read live) */
    S3Config s3;        /* loaded when need_s3 */
    int need_s3;        /* a source is read from S3 (--s3 or an s3:// data root) */
    int s3_ok;          /* s3 holds loaded settings */
} Preflight;

/* The S3 URI a COPY directive reads under the run's settings (malloc'ed:
 * the directive's s3= URI with --s3, DATA_ROOT/SOURCE under an s3:// data
 * root), or NULL for a local source; -1 with a message when it cannot be
 * known (--s3 and no s3= URI).  The one rule: preflight checks with it, the
 * COPY (copy.c) and --dry-run read with it. */
int source_uri(const CopyDirective *d, const char *data_root, int model_uris, char **uri, Buf *err);

/* Settles the steps to run and the placeholder values (all a dry run needs).
 * Returns 0, or -1 after printing "runner: error: ..." and the valid steps.
 * pf is safe to preflight_free() either way. */
int preflight_select(const Plan *plan, const RunRequest *req, const Config *cfg, Preflight *pf);

/* The checks before a real run: placeholders, S3 settings, every source of
 * every step to run (exists, readable, at least one data file; S3 prefixes are
 * listed), and (--report) the queries.  Every problem is printed, then a count;
 * returns 0, or -1 (exit 2, nothing touched). */
int preflight_check(Plan *plan, const RunRequest *req, const Config *cfg, Preflight *pf);
/* The placeholder part alone: prints the missing names; returns 0 or 1. */
int preflight_placeholders(const Plan *plan, const RunRequest *req, const Preflight *pf);
/* The sources part alone: prints each problem, returns how many.  dry: send
 * no S3 request (S3 prefixes are not listed). */
int preflight_sources(const Plan *plan, const RunRequest *req, const Preflight *pf, int dry);
/* After connecting and locking, before anything changes: a run that starts
 * after step 0 (--from) builds on what the skipped steps left.  For each
 * skipped SQL step that fills a table (Step.fills), that table must still hold
 * the rows its last successful run recorded in stargen_history (a server crash
 * empties UNLOGGED staging tables; a publish renames the shadows away).  When
 * one does not, the run starts earlier, at the first such step (at step 0 for
 * a staging table that is gone), after a warning for each, and the inputs of
 * the steps added are checked like the others.  --only is not checked.
 * Returns 0 (pf->first possibly moved) or -1 (exit 2, nothing changed). */
int preflight_resume(PGconn *c, const Plan *plan, const RunRequest *req, Preflight *pf);
void preflight_free(Preflight *pf);

#endif
