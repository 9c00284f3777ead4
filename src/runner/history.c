/* history.c - run lock and history table; see history.h. */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

static void put_result_error(Buf *msg, PGconn *c, PGresult *r)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    size_t n = strlen(m);
    while (n && m[n - 1] == '\n')
        n--;
    buf_putn(msg, m, n);
}

static int exec_ok(PGconn *c, const char *sql, Buf *msg)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    if (!ok && msg)
        put_result_error(msg, c, r);
    PQclear(r);
    return ok ? 0 : -1;
}

static int lock_pg(PGconn *c, Buf *msg)
{
    PGresult *r = PQexec(c, "SELECT pg_try_advisory_lock(" RUNNER_LOCK_KEY ")");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        put_result_error(msg, c, r);
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
    return 1;
}

static int lock_redshift(PGconn *c, Buf *msg)
{
    if (exec_ok(c, "CREATE TABLE IF NOT EXISTS stargen_lock (holder INTEGER, started TIMESTAMP)",
                msg))
        return -1;
    if (exec_ok(c, "BEGIN", msg))
        return -1;
    if (exec_ok(c, "LOCK stargen_lock", msg))
        goto fail;
    PGresult *r = PQexec(c, "SELECT l.holder, l.started, "
                            "(SELECT count(*) FROM stv_sessions s WHERE s.process = l.holder) "
                            "FROM stargen_lock l WHERE l.holder <> pg_backend_pid()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        put_result_error(msg, c, r);
        PQclear(r);
        goto fail;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (atol(PQgetvalue(r, i, 2)) > 0) {
            buf_printf(msg, "another runner holds the lock on this database (pid %s, since %s)",
                       PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
            PQclear(r);
            exec_ok(c, "ROLLBACK", NULL);
            return 1;
        }
    }
    if (PQntuples(r) > 0)
        fprintf(stderr, "note: taking over a stale stargen_lock (holder pid %s is gone)\n",
                PQgetvalue(r, 0, 0));
    PQclear(r);
    if (exec_ok(c, "DELETE FROM stargen_lock", msg) ||
        exec_ok(c, "INSERT INTO stargen_lock VALUES (pg_backend_pid(), getdate())", msg) ||
        exec_ok(c, "COMMIT", msg))
        goto fail;
    return 0;
fail:
    exec_ok(c, "ROLLBACK", NULL);
    return -1;
}

int lock_acquire(PGconn *c, int redshift, Buf *msg)
{
    return redshift ? lock_redshift(c, msg) : lock_pg(c, msg);
}

void lock_release(PGconn *c, int redshift)
{
    if (!c || PQstatus(c) != CONNECTION_OK)
        return;
    /* leave any aborted transaction first */
    if (PQtransactionStatus(c) != PQTRANS_IDLE)
        exec_ok(c, "ROLLBACK", NULL);
    if (redshift)
        exec_ok(c, "DELETE FROM stargen_lock WHERE holder = pg_backend_pid()", NULL);
    else
        exec_ok(c, "SELECT pg_advisory_unlock(" RUNNER_LOCK_KEY ")", NULL);
}

int history_ensure(PGconn *c, Buf *msg)
{
    return exec_ok(c,
                   "CREATE TABLE IF NOT EXISTS stargen_history ("
                   "run_id VARCHAR(64) NOT NULL, step VARCHAR(256) NOT NULL, "
                   "file VARCHAR(256) NOT NULL, checksum CHAR(64) NOT NULL, rows BIGINT, "
                   "seconds DOUBLE PRECISION, status VARCHAR(16) NOT NULL, "
                   "started_at TIMESTAMP NOT NULL, error VARCHAR(4096))",
                   msg);
}

int history_insert(PGconn *c, const HistoryRow *h, Buf *msg)
{
    char rows[32], secs[32];
    snprintf(rows, sizeof rows, "%lld", h->rows);
    snprintf(secs, sizeof secs, "%.6f", h->seconds);
    /* the error column is VARCHAR(4096): cut on a UTF-8 boundary */
    char *err = NULL;
    if (h->error) {
        size_t n = strlen(h->error);
        if (n > 4000) {
            n = 4000;
            while (n && ((unsigned char)h->error[n] & 0xC0) == 0x80)
                n--;
        }
        err = xmalloc(n + 1);
        memcpy(err, h->error, n);
        err[n] = '\0';
    }
    const char *vals[9] = {h->run_id, h->step,   h->file,       h->checksum, rows,
                           secs,      h->status, h->started_at, err};
    PGresult *r = PQexecParams(c,
                               "INSERT INTO stargen_history (run_id, step, file, checksum, rows, "
                               "seconds, status, started_at, error) VALUES ($1, $2, $3, $4, "
                               "$5::BIGINT, $6::DOUBLE PRECISION, $7, $8::TIMESTAMP, $9)",
                               9, NULL, vals, NULL, NULL, 0);
    free(err);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        put_result_error(msg, c, r);
    PQclear(r);
    return ok ? 0 : -1;
}

int history_last(PGconn *c, const char *step, char checksum[65], char started[40])
{
    const char *vals[1] = {step};
    PGresult *r = PQexecParams(c,
                               "SELECT checksum, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') "
                               "FROM stargen_history WHERE step = $1 AND status = 'success' "
                               "ORDER BY started_at DESC LIMIT 1",
                               1, NULL, vals, NULL, NULL, 0);
    int rc = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        rc = PQntuples(r) > 0;
        if (rc) {
            snprintf(checksum, 65, "%s", PQgetvalue(r, 0, 0));
            snprintf(started, 40, "%s", PQgetvalue(r, 0, 1));
        }
    }
    PQclear(r);
    return rc;
}
