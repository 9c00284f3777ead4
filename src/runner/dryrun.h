/* dryrun.h - runner --dry-run: print the plan, connect to nothing.
 *
 * For each selected step: its file, checksum and statements (placeholders
 * unresolved), and for each COPY the source files it would read; then the
 * placeholders that have no value yet.
 */
#ifndef STARGEN_DRYRUN_H
#define STARGEN_DRYRUN_H

#include "preflight.h"

void dry_run(const Plan *plan, const Preflight *pf, const RunRequest *req, const char *target);

#endif
