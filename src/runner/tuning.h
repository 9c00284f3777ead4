/* tuning.h - session settings and fresh statistics for the embedded PostgreSQL
 * target, chosen by measurement (BENCH.md, "Directions").
 *
 * A loading run on PostgreSQL is a few large set-based statements on one
 * connection, which PostgreSQL's compiled-in defaults size for hundreds of small
 * concurrent queries.  tuning_session() raises the few settings that measurably
 * change the runner's plans, and only those still at their compiled-in default:
 * a value a DBA or user chose (postgresql.conf, ALTER ROLE/DATABASE, PGOPTIONS)
 * is never overridden.  session_open() calls it for loading runs on PostgreSQL
 * only (never on Redshift, never for --report).
 */
#ifndef STARGEN_TUNING_H
#define STARGEN_TUNING_H

#include <libpq-fe.h>

#include "../common/arena.h"

/* Applies each setting whose pg_settings.source is 'default' with a
 * session-level SET.  Returns 0, or -1 with the server's message appended to err
 * (the session is still usable: the caller warns and carries on).  *applied, when
 * not NULL, receives how many were SET. */
int tuning_session(PGconn *c, int *applied, Buf *err);

/* tuning_session() for session_open(): a failure is a warning on stderr, not an
 * error (the run goes on with the server's own settings). */
void tuning_open(PGconn *c);

#endif
