/* queries.h - the analytics queries (runner --report).
 *
 * out/<dialect>/queries/NN_name.sql, read by plan_load_queries(), one SELECT
 * each, printed in name order as titled aligned tables; with --csv DIR each is
 * also written (atomically) to DIR/name.csv.  Read-only: no lock, no history.
 */
#ifndef STARGEN_QUERIES_H
#define STARGEN_QUERIES_H

#include <libpq-fe.h>
#include <stdio.h>

#include "plan.h"

/* Runs every query of plan (plan_load_queries() done), printing each to out;
 * with csv_dir, also writes csv_dir/name.csv.  Returns 0, or -1 after
 * appending a message to err. */
int report_queries(PGconn *c, const Plan *plan, const char *csv_dir, FILE *out, Buf *err);

#endif
