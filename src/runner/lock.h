/* lock.h - the run lock: one runner per database at a time.
 *
 * On PostgreSQL a session-level pg_try_advisory_lock(RUNNER_LOCK_KEY), freed
 * by the server when the session ends (also after a SIGKILL).  Redshift has no
 * advisory locks: a one-row table stargen_lock (holder pid, started) is taken
 * under LOCK stargen_lock; a row whose holder is not alive in stv_sessions is
 * stale and taken over.
 */
#ifndef STARGEN_LOCK_H
#define STARGEN_LOCK_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "../common/arena.h"

/* 0 = locked; -1 with a message in msg: *held is true when another runner
 * holds the lock (who, in msg), false for any other error. */
int lock_acquire(PGconn *c, int redshift, bool *held, Buf *msg);
/* Best effort; safe to call when not held. */
void lock_release(PGconn *c, int redshift);

#endif
