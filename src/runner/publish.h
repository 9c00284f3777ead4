/* publish.h - runner --publish: upload a Redshift folder's jsonpaths files.
 *
 * Each COPY of a NN_load_* step whose plan entry names FORMAT AS JSON
 * 's3://...' gets "<dir>/<table>.jsonpaths.json" uploaded to that URI.  Every
 * file is read, checked (a valid jsonpaths document) and its URI parsed before
 * the first upload; no database is involved.
 */
#ifndef STARGEN_PUBLISH_H
#define STARGEN_PUBLISH_H

#include "config.h"
#include "plan.h"

/* Publishes (or, with dry, lists) the jsonpaths files of plan.  Prints
 * progress unless quiet and errors as "runner: error: ...".  Returns a
 * RUNNER_EXIT_* code. */
int publish_run(const Plan *plan, const Config *cfg, int dry, int no_sign, int quiet);

#endif
