/* dryrun.h - runner --dry-run: print the plan, connect to nothing.
 *
 * The migrations in the folder (migrate_describe: applied before the steps,
 * those not recorded in stargen_history); for each selected step: its file,
 * checksum and statements (placeholders unresolved), and for each COPY the
 * source files it would read; then the placeholders that have no value yet.
 */
#ifndef STARGEN_DRYRUN_H
#define STARGEN_DRYRUN_H

#include "preflight.h"

void dry_run(const Plan *plan, const Preflight *pf, const RunRequest *req, const char *target);

#endif
