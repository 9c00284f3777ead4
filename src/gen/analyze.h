/* analyze.h - semantic analysis: the named checks that run on a loaded model before
 * anything is written (analyze.c, analyze_loads.c, analyze_datachecks.c, resolve*.c).
 *
 * analyze_model() parses and types every column type and expression, resolves
 * every reference, runs each named check (the name appears in its messages,
 * e.g. [dist-key], [load-cycle]) and computes the load order.  It reports
 * every problem it finds; the caller stops when d->errors > 0.
 */
#ifndef STARGEN_ANALYZE_H
#define STARGEN_ANALYZE_H

#include "model.h"

void analyze_model(Arena *a, Diag *d, Model *m);

#endif
