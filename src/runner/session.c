/* session.c - connect, lock, history table and signal handling; see session.h. */
#include "session.h"

#include "../common/message.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "conn.h"
#include "execute.h"
#include "history.h"
#include "lock.h"
#include "runner.h"
#include "tuning.h"

/* Each connection's cancel handle, for the signal handler (the one piece of
 * file-scope state: a signal handler has no other way in); [0] is the main
 * connection's, [k] that of s->extra[k - 1]. */
static PGcancel *volatile g_cancel[SESSION_CONNS_MAX];

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno; /* PQcancel may set it; the interrupted code may be about to read it */
    runner_interrupted = 1;
    for (int i = 0; i < SESSION_CONNS_MAX; i++) {
        PGcancel *c = g_cancel[i];
        if (c) {
            char eb[256];
            PQcancel(c, eb, sizeof eb);
        }
    }
    errno = saved;
}

/* The session settings of a loading run's connection (PostgreSQL). */
static void load_settings(PGconn *c)
{
    /* PostgreSQL >= 14: notice a vanished client (a SIGKILLed runner) during a long
     * statement within a second, so its session ends and the lock frees itself.
     * Older servers reject the name; that is harmless. */
    conn_exec(c, "SET client_connection_check_interval = 1000", NULL);
    tuning_open(c); /* tuning.h: work_mem, jit, measured in BENCH.md */
}

int session_open(Session *s, const char *conninfo, const Config *cfg, int quiet, int load)
{
    memset(s, 0, sizeof *s);
    s->conninfo = conninfo;
    s->cfg = cfg;
    s->quiet = quiet;
    Buf err;
    buf_init(&err);
    ConnFailure why;
    s->conn = conn_open(conninfo, cfg, quiet, &why, &err);
    if (!s->conn) {
        msg_error("%s", err.data);
        buf_free(&err);
        /* a -d string libpq cannot parse is bad usage, not a failed connection */
        return why == CONN_FAIL_BAD_CONNINFO ? RUNNER_EXIT_USAGE : RUNNER_EXIT_CONNECT;
    }
    s->redshift = conn_is_redshift(s->conn);
    if (!load) {
        buf_free(&err);
        return RUNNER_EXIT_OK;
    }
    if (!s->redshift)
        load_settings(s->conn);
    bool held;
    if (lock_acquire(s->conn, s->redshift, &held, &err)) {
        msg_error("%s%s", held ? "refusing to run: " : "could not take the lock: ", err.data);
        buf_free(&err);
        return RUNNER_EXIT_CONNECT;
    }
    s->locked = 1;
    buf_reset(&err);
    if (history_ensure(s->conn, &err)) {
        msg_error("cannot create stargen_history: %s", err.data);
        buf_free(&err);
        return RUNNER_EXIT_CONNECT;
    }
    buf_free(&err);
    g_cancel[0] = PQgetCancel(s->conn);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return RUNNER_EXIT_OK;
}

void session_close(Session *s)
{
    if (!s->conn)
        return;
    for (int i = 0; i < SESSION_CONNS_MAX; i++) {
        PGcancel *c = g_cancel[i];
        g_cancel[i] = NULL;
        if (c)
            PQfreeCancel(c);
    }
    for (int i = 0; i < s->nextra; i++)
        PQfinish(s->extra[i]);
    if (s->locked)
        lock_release(s->conn, s->redshift);
    PQfinish(s->conn);
    memset(s, 0, sizeof *s);
}

PGconn *session_open_extra(Session *s, Buf *err)
{
    if (!s->conn || s->nextra >= SESSION_CONNS_MAX - 1) {
        buf_printf(err, "no more than %d connections", SESSION_CONNS_MAX);
        return NULL;
    }
    ConnFailure why;
    PGconn *c = conn_open(s->conninfo, s->cfg, s->quiet, &why, err);
    if (!c)
        return NULL;
    if (!s->redshift)
        load_settings(c);
    s->extra[s->nextra++] = c;
    g_cancel[s->nextra] = PQgetCancel(c);
    return c;
}
