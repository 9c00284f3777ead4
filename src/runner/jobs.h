/* jobs.h - runner --jobs N: independent steps side by side, each on its own connection.
 *
 * jobs_run() runs a stretch of SQL steps (never the publish or checks step) the
 * way make -j does: a step starts once every step it depends on (Step.deps, from
 * its `-- stargen:after` line; without one, every earlier step) has succeeded;
 * among the steps ready at once, file order decides.  At most o->jobs steps run
 * at a time: the first on the main connection (the one that holds the run lock),
 * the others on connections opened by session_open_extra() when a step first
 * needs one and kept for the rest of the run.  Each step runs through the same
 * execute_step() as a serial run, in a thread of its own, and records its own
 * stargen_history row on its connection.
 *
 * Output stays readable: each step prints its step line (and the lines it
 * collected while it ran, o->lines) whole when it finishes, from one thread; no
 * live COPY progress.  After a failure (or SIGINT/SIGTERM, which cancels every
 * connection's statement) no new step starts; the running ones finish, and every
 * failed step's error block is printed as a serial run prints it.
 */
#ifndef STARGEN_JOBS_H
#define STARGEN_JOBS_H

#include <libpq-fe.h>

#include "execute.h"

/* Runs steps lo..hi (SQL steps, within o->first..o->last) on c and the extra
 * connections of o->session, filling res[lo..hi] (a step not started stays
 * ST_NOT_RUN).  Returns 0 when every step succeeded, else -1. */
int jobs_run(PGconn *c, const Plan *plan, const ExecOpts *o, StepResult *res, size_t lo, size_t hi);

#endif
