/* lock.c - one runner per database at a time; see lock.h. */
#include "lock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "runner.h"

static int lock_pg(PGconn *c, bool *held, Buf *msg)
{
    PGresult *r = PQexec(c, "SELECT pg_try_advisory_lock(" RUNNER_LOCK_KEY ")");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        conn_put_error(msg, c, r);
        PQclear(r);
        return -1;
    }
    int got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (got)
        return 0;
    buf_puts(msg, "another runner holds the lock on this database");
    r = PQexec(c, "SELECT a.pid, coalesce(a.application_name, ''), "
                  "to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), "
                  "coalesce(a.client_addr::text, 'local') "
                  "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                  "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                  "AND l.classid::bigint = (" RUNNER_LOCK_KEY "::bigint >> 32) "
                  "AND l.objid::bigint = (" RUNNER_LOCK_KEY "::bigint & 4294967295)");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
        buf_printf(msg, " (pid %s, application_name '%s', connected since %s, from %s)",
                   PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
                   PQgetvalue(r, 0, 3));
    PQclear(r);
    *held = true;
    return -1;
}

static int lock_redshift(PGconn *c, bool *held, Buf *msg)
{
    if (conn_exec(c, "CREATE TABLE IF NOT EXISTS stargen_lock (holder INTEGER, started TIMESTAMP)",
                  msg))
        return -1;
    if (conn_exec(c, "BEGIN", msg))
        return -1;
    if (conn_exec(c, "LOCK stargen_lock", msg))
        goto fail;
    PGresult *r = PQexec(c, "SELECT l.holder, l.started, "
                            "(SELECT count(*) FROM stv_sessions s WHERE s.process = l.holder) "
                            "FROM stargen_lock l WHERE l.holder <> pg_backend_pid()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        conn_put_error(msg, c, r);
        PQclear(r);
        goto fail;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (atol(PQgetvalue(r, i, 2)) > 0) {
            buf_printf(msg, "another runner holds the lock on this database (pid %s, since %s)",
                       PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
            PQclear(r);
            conn_exec(c, "ROLLBACK", NULL);
            *held = true;
            return -1;
        }
    }
    if (PQntuples(r) > 0)
        fprintf(stderr, "note: taking over a stale stargen_lock (holder pid %s is gone)\n",
                PQgetvalue(r, 0, 0));
    PQclear(r);
    if (conn_exec(c, "DELETE FROM stargen_lock", msg) ||
        conn_exec(c, "INSERT INTO stargen_lock VALUES (pg_backend_pid(), getdate())", msg) ||
        conn_exec(c, "COMMIT", msg))
        goto fail;
    return 0;
fail:
    conn_exec(c, "ROLLBACK", NULL);
    return -1;
}

int lock_acquire(PGconn *c, int redshift, bool *held, Buf *msg)
{
    *held = false;
    return redshift ? lock_redshift(c, held, msg) : lock_pg(c, held, msg);
}

void lock_release(PGconn *c, int redshift)
{
    if (!c || PQstatus(c) != CONNECTION_OK)
        return;
    /* leave any aborted transaction first */
    if (PQtransactionStatus(c) != PQTRANS_IDLE)
        conn_exec(c, "ROLLBACK", NULL);
    if (redshift)
        conn_exec(c, "DELETE FROM stargen_lock WHERE holder = pg_backend_pid()", NULL);
    else
        conn_exec(c, "SELECT pg_advisory_unlock(" RUNNER_LOCK_KEY ")", NULL);
}
