/* check.h - the named checks that run on a loaded model before anything is written.
 *
 * check_model() parses and types every column type and expression, resolves
 * every reference, runs each named check (the name appears in its messages,
 * e.g. [dist-key], [load-cycle]) and computes the load order.  It reports
 * every problem it finds; the caller stops when d->errors > 0.
 */
#ifndef STARGEN_CHECK_H
#define STARGEN_CHECK_H

#include "model.h"

void check_model(Arena *a, Diag *d, Model *m);

#endif
