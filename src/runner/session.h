/* session.h - the database side of a run: connect, lock, history table, signals.
 *
 * session_open() connects (conn.h), notes whether the target is Redshift and,
 * for a loading run, takes the run lock (lock.h), makes sure stargen_history
 * exists (history.h) and installs the SIGINT/SIGTERM handler that cancels the
 * running statement.  session_close() undoes all of it.
 * session_open_extra() opens one more connection for runner --jobs, with the
 * same parameters and session settings; the signal handler cancels the running
 * statement of every connection.
 */
#ifndef STARGEN_SESSION_H
#define STARGEN_SESSION_H

#include <libpq-fe.h>

#include "config.h"

/* The most connections a run opens (runner --jobs N: N at most this). */
#define SESSION_CONNS_MAX 32

typedef struct Session {
    PGconn *conn; /* the main connection: it holds the run lock */
    int redshift;
    int locked;
    /* how session_open() connected, for session_open_extra() */
    const char *conninfo;
    const Config *cfg;
    int quiet;
    PGconn *extra[SESSION_CONNS_MAX - 1];
    int nextra;
} Session;

/* Connects; with load set also locks, ensures the history table and installs
 * the signal handlers.  Prints the failure as "runner: error: ..." and returns
 * a RUNNER_EXIT_* code (RUNNER_EXIT_OK on success).  s is safe to
 * session_close() either way. */
int session_open(Session *s, const char *conninfo, const Config *cfg, int quiet, int load);
void session_close(Session *s);

/* One more connection like s->conn (the same parameters, the PostgreSQL session
 * settings of a loading run, cancelled by SIGINT/SIGTERM), owned by s and closed
 * by session_close().  Returns it, or NULL with the reason in err (also when
 * SESSION_CONNS_MAX connections are open).  Call it from one thread at a time. */
PGconn *session_open_extra(Session *s, Buf *err);

#endif
