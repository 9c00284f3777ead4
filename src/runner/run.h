/* run.h - executing steps against a live connection.
 *
 * Each step runs in its own transaction: BEGIN, its statements (client-side
 * COPYs through copyload), the success row in stargen_history, COMMIT.  On
 * any error: ROLLBACK, the failure row (autocommit), and an error that
 * points at file:line:col of the failing statement.  A step marked
 * `-- stargen:no-transaction` runs statement by statement in autocommit.
 */
#ifndef STARGEN_RUN_H
#define STARGEN_RUN_H

#include <libpq-fe.h>
#include <signal.h>

#include "placeholder.h"
#include "report.h"
#include "steps.h"

typedef struct RunOpts {
    const char *data_root;
    const PhVars *vars;
    const char *run_id;
    int quiet;          /* -q: errors only */
    int tty;            /* stdout is a terminal: live COPY progress */
    int redshift;       /* target is Redshift */
    size_t first, last; /* inclusive range of step indexes to run */
} RunOpts;

/* Set by the SIGINT/SIGTERM handler; checked between batches and steps. */
extern volatile sig_atomic_t runner_interrupted;

/* Fills sqlstate, message, detail, hint and context from a failed result
 * (or a generic message when r is NULL). */
void step_error_from_result(StepError *e, const PGresult *r);

/* Runs the steps in o->first..o->last, filling res[] (set->n entries; the
 * others are marked skipped).  Prints progress and errors.  Returns 0 when
 * every step succeeded, else -1 (the failed step's res has the error). */
int run_steps(PGconn *c, const StepSet *set, const RunOpts *o, StepResult *res);

/* Maps a 1-based character position in the text sent for a statement back
 * to the step file's line and column, undoing placeholder substitution. */
void run_map_position(const Step *s, const Statement *st, const char *sent, size_t sent_len,
                      const PhMap *map, long pos, int *line, int *col);

#endif
