/* migrate.h - the migrations of kept tables, applied before the steps.
 *
 * gen writes out/<dialect>/migrations/NNNN_name.sql and schema.state (the
 * physical schema the folder leads to, and for each migration the tables as they
 * were before it: ../common/schema_state.h).  Before any step runs, migrate_run():
 *   1. validates: a migration recorded in stargen_history (step
 *      "migration:NNNN_name") whose file is now missing or has another checksum is
 *      refused (Flyway's validate), and so is every live kept table whose columns
 *      (names, types, nullability from information_schema.columns) differ from what
 *      the state says they are before the pending migrations (drift).  Every
 *      problem is listed, with a readable diff, and nothing is changed;
 *   2. applies each pending migration in order, once, in its own transaction with
 *      its history row (status success, the file's checksum).  A migration whose
 *      tables do not exist yet (a fresh database: create_star will make them with
 *      the current columns) is recorded with status skipped.
 */
#ifndef STARGEN_RUNNER_MIGRATE_H
#define STARGEN_RUNNER_MIGRATE_H

#include <libpq-fe.h>

#include "../common/arena.h"

/* dir: the step folder (out/postgres).  Returns a RUNNER_EXIT_* code: OK, USAGE
 * (a refusal: edited or missing migration, drift, a bad state file) or STEP_FAILED
 * (a migration's SQL failed; it was rolled back). */
int migrate_run(PGconn *c, const char *dir, const char *run_id, int quiet);

/* What --dry-run shows (it connects to nothing, so it cannot know which ones
 * stargen_history already records): every migration in dir/migrations, in the
 * order a run applies them, with its checksum and statements, and a note that
 * a run applies only those not recorded yet.  Appends nothing when the folder
 * has none.  Returns 0, or -1 with err filled (an unreadable migration). */
int migrate_describe(Buf *out, const char *dir, Buf *err);

#endif
