/* execute.h - the execute phase: every step of the plan, one function.
 *
 * execute_step() runs one step of either kind and records it:
 * - a SQL step runs in its own transaction: BEGIN, its statements
 *   (client-side COPYs through copy.h), the success row in stargen_history,
 *   COMMIT.  On any error: ROLLBACK, the failure row (autocommit), and an
 *   error that points at file:line:col of the failing statement.  A step
 *   marked `-- stargen:no-transaction` runs statement by statement in
 *   autocommit.
 * - a checks step runs its data checks (datachecks.h) outside a transaction
 *   and records one row: success, or error with the number of failed checks.
 * - the publish step (STEP_PUBLISH) runs like a SQL step, but when the checks
 *   step follows it in the run, its data checks run inside the publish
 *   transaction, after the swap: the transaction commits when no
 *   error-severity check failed (or publish_on_check_failure), else it rolls
 *   back and the previous tables stay (out->unpublished; exit 4).
 */
#ifndef STARGEN_EXECUTE_H
#define STARGEN_EXECUTE_H

#include <libpq-fe.h>
#include <signal.h>

#include "output.h"
#include "placeholder.h"
#include "plan.h"
#include "s3.h"
#include "session.h"

typedef struct ExecOpts {
    const char *data_root; /* --data: a folder or s3://bucket/prefix */
    const S3Config *s3;    /* set when any source is read from S3 */
    int model_uris;        /* --s3: read each source's s3= URI */
    const PhVars *vars;
    const char *run_id;
    int quiet;                    /* -q: errors only */
    int tty;                      /* stdout is a terminal: live COPY progress */
    int redshift;                 /* target is Redshift */
    size_t first, last;           /* inclusive range of step indexes to run */
    int publish_on_check_failure; /* commit the publish step even if error checks fail */
    int full_reload; /* --full-reload: incremental sources stage every file (ledger.h) */
    int delay_ms;    /* tests only (STARGEN_TEST_STEP_DELAY_MS): pause before each statement */
    /* --jobs N (1..SESSION_CONNS_MAX): independent steps side by side (jobs.h), on
     * connections session_open_extra() opens when a step needs one */
    int jobs;
    Session *session;
    /* where the lines a step prints while it runs go (its tables' counts): NULL =
     * stdout at once; under --jobs, collected and printed with its step line */
    Buf *lines;
} ExecOpts;

/* What the run leaves besides the per-step results. */
typedef struct ExecOutcome {
    int failed;         /* a step failed (or the run was interrupted) */
    int check_failures; /* failed error-severity data checks (+ checks that could not run) */
    char *checks_json;  /* the data checks as a JSON array (malloc), or NULL */
    int unpublished;    /* the publish step rolled back because error checks failed */
} ExecOutcome;

/* Set by the SIGINT/SIGTERM handler; checked between batches and steps. */
extern volatile sig_atomic_t runner_interrupted;

/* Fills sqlstate, message, detail, hint and context from a failed result
 * (or a generic message when r is NULL). */
void step_error_from_result(StepError *e, const PGresult *r);

/* Runs step i of either kind on connection c and records it in stargen_history
 * (on c); fills *res.  Returns 0 when the step ran (its data checks may have
 * failed), -1 when it failed (res->err says why; a SQL step is rolled back).
 * Safe to call from several threads at once for different SQL steps, each on its
 * own connection with its own res (out is then read, not written). */
int execute_step(PGconn *c, const Plan *plan, size_t i, const ExecOpts *o, StepResult *res,
                 ExecOutcome *out);

/* Runs the steps in o->first..o->last through execute_step(), filling res[]
 * (plan->n entries; the others are marked skipped) and out.  Prints progress
 * and errors; stops at the first failed step.  With o->jobs > 1, each stretch of
 * two or more SQL steps runs through jobs_run() (jobs.h); the publish and checks
 * steps always run alone, on c.  Returns 0 when every step ran,
 * else -1 (the failed step's res has the error).  Failed data checks are not
 * a failed step: they are counted in out->check_failures. */
int execute_steps(PGconn *c, const Plan *plan, const ExecOpts *o, StepResult *res,
                  ExecOutcome *out);

/* Maps a 1-based character position in the text sent for a statement back
 * to the step file's line and column, undoing placeholder substitution. */
void run_map_position(const Step *s, const Statement *st, const char *sent, size_t sent_len,
                      const PhMap *map, long pos, int *line, int *col);

#endif
