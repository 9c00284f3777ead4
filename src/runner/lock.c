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

/* 1 when the database compares strings case-insensitively, 0 when not, -1 on error. */
static int redshift_case_insensitive(PGconn *c, Buf *msg)
{
    if (conn_exec(c, "CREATE TEMP TABLE stargen_collation_probe (v VARCHAR(8))", msg))
        return -1;
    PGresult *r = NULL;
    int ci = -1;
    if (!conn_exec(c, "INSERT INTO stargen_collation_probe VALUES ('a')", msg)) {
        r = PQexec(c, "SELECT count(*) FROM stargen_collation_probe WHERE v = 'A'");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            ci = atol(PQgetvalue(r, 0, 0)) > 0;
        else
            conn_put_error(msg, c, r);
        PQclear(r);
    }
    conn_exec(c, "DROP TABLE stargen_collation_probe", NULL);
    return ci;
}

/* The session liveness view: STV_SESSIONS on a provisioned cluster, SYS_SESSION_HISTORY on
 * Serverless (which has no STV views).  The probe runs outside any transaction. */
static const char *live_holder_sql(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT 1 FROM stv_sessions LIMIT 1");
    int stv = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    return stv ? "(SELECT count(*) FROM stv_sessions s WHERE s.process = l.holder)"
               : "(SELECT count(*) FROM sys_session_history s "
                 "WHERE s.session_id = l.holder AND s.end_time IS NULL)";
}

static int lock_redshift(PGconn *c, bool *held, Buf *msg)
{
    int ci = redshift_case_insensitive(c, msg);
    if (ci < 0)
        return -1;
    if (ci) {
        buf_puts(msg, "this Redshift database compares strings case-insensitively (created "
                      "COLLATE CASE_INSENSITIVE): keys, joins, GROUP BY and ORDER BY would not "
                      "give the PostgreSQL twin's rows (r_CREATE_DATABASE); load into a "
                      "database created COLLATE CASE_SENSITIVE, the default");
        *held = true;
        return -1;
    }
    const char *alive = live_holder_sql(c);
    if (conn_exec(c, "CREATE TABLE IF NOT EXISTS stargen_lock (holder INTEGER, started TIMESTAMP)",
                  msg))
        return -1;
    if (conn_exec(c, "BEGIN", msg))
        return -1;
    if (conn_exec(c, "LOCK stargen_lock", msg))
        goto fail;
    Buf q;
    buf_init(&q);
    buf_printf(&q,
               "SELECT l.holder, l.started, %s FROM stargen_lock l "
               "WHERE l.holder <> pg_backend_pid()",
               alive);
    PGresult *r = PQexec(c, q.data);
    buf_free(&q);
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
