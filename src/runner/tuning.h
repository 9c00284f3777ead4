/* tuning.h - session settings and fresh statistics for the embedded PostgreSQL
 * target, chosen by measurement (BENCH.md, "Directions").
 *
 * A loading run on PostgreSQL is a few large set-based statements on one
 * connection, which PostgreSQL's compiled-in defaults size for hundreds of small
 * concurrent queries.  tuning_session() raises the few settings that measurably
 * change the runner's plans, and only those still at their compiled-in default:
 * a value a DBA or user chose (postgresql.conf, ALTER ROLE/DATABASE, PGOPTIONS)
 * is never overridden.  tuning_analyze_loaded() gives the planner statistics of
 * the staging tables a COPY step has just filled, instead of leaving the plans
 * of the transforms to the guesses it makes for never-analyzed tables (or to
 * whenever autovacuum's ANALYZE happens to run, which makes plans vary from one
 * run to the next).  Neither does anything on Redshift.
 */
#ifndef STARGEN_TUNING_H
#define STARGEN_TUNING_H

#include <libpq-fe.h>

#include "../common/arena.h"
#include "plan.h"

/* One setting tuning_session() may apply. */
typedef struct TuningSetting {
    const char *name;  /* a PostgreSQL GUC name */
    const char *value; /* as SET takes it (quoted when it has a unit) */
} TuningSetting;

/* The settings, in the order they are applied; *n receives their count. */
const TuningSetting *tuning_settings(size_t *n);

/* Applies each setting whose pg_settings.source is 'default' with a
 * session-level SET.  Returns 0, or -1 with the server's message appended to err
 * (the session is still usable: the caller warns and carries on).  *applied, when
 * not NULL, receives how many were SET. */
int tuning_session(PGconn *c, int *applied, Buf *err);

/* tuning_session() for session_open(): a failure is a warning on stderr, not an
 * error (the run goes on with the server's own settings). */
void tuning_open(PGconn *c);

/* After a step that loaded tables by COPY FROM STDIN (in the same transaction or
 * after its COMMIT): ANALYZE each table it loaded.  Steps without such a COPY
 * are left alone.  Returns 0, or -1 with the server's message appended to err. */
int tuning_analyze_loaded(PGconn *c, const Step *s, Buf *err);

#endif
