/* session.h - the database side of a run: connect, lock, history table, signals.
 *
 * session_open() connects (conn.h), notes whether the target is Redshift and,
 * for a loading run, takes the run lock (lock.h), makes sure stargen_history
 * exists (history.h) and installs the SIGINT/SIGTERM handler that cancels the
 * running statement.  session_close() undoes all of it.
 */
#ifndef STARGEN_SESSION_H
#define STARGEN_SESSION_H

#include <libpq-fe.h>

#include "config.h"

typedef struct Session {
    PGconn *conn;
    int redshift;
    int locked;
} Session;

/* Connects; with load set also locks, ensures the history table and installs
 * the signal handlers.  Prints the failure as "runner: error: ..." and returns
 * a RUNNER_EXIT_* code (RUNNER_EXIT_OK on success).  s is safe to
 * session_close() either way. */
int session_open(Session *s, const char *conninfo, const Config *cfg, int quiet, int load);
void session_close(Session *s);

#endif
