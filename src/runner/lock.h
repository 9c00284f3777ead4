/* lock.h - the run lock: one runner per database at a time.
 *
 * On PostgreSQL a session-level pg_try_advisory_lock(RUNNER_LOCK_KEY), freed
 * by the server when the session ends (also after a SIGKILL).  Redshift has no
 * advisory locks: a one-row table stargen_lock (holder pid, started) is taken
 * under LOCK stargen_lock; a row whose holder is not alive is stale and taken
 * over.  Alive: a provisioned cluster lists the session in STV_SESSIONS (column
 * process); Redshift Serverless has no STV views (c_intro_system_views), so
 * there a holder is alive while SYS_SESSION_HISTORY shows its session_id
 * without an end_time.  The runner probes STV_SESSIONS and falls back.  SYS
 * views show a regular user only its own sessions: run every runner of one
 * database as one user, or a holder of another user looks gone.
 *
 * Before the lock, a Redshift database created COLLATE CASE_INSENSITIVE is
 * refused (r_CREATE_DATABASE: =, GROUP BY, PARTITION BY, ORDER BY, DISTINCT,
 * IN and LIKE ignore case there; the PostgreSQL twin cannot give those rows).
 * The probe is behavioural: a temporary VARCHAR column takes the database's
 * collation, and 'a' = 'A' is tested on it.
 */
#ifndef STARGEN_LOCK_H
#define STARGEN_LOCK_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "../common/arena.h"

/* 0 = locked; -1 with a message in msg: *held is true when the run must be
 * refused (another runner holds the lock - who, in msg - or the Redshift
 * database is case-insensitive), false for any other error. */
int lock_acquire(PGconn *c, int redshift, bool *held, Buf *msg);
/* Best effort; safe to call when not held. */
void lock_release(PGconn *c, int redshift);

#endif
