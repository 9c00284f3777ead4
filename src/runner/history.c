/* history.c - the stargen_history table; see history.h. */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "../common/utf8.h"
#include "conn.h"
#include "output.h"

/* The count columns (issue 14 item 6), added after the first release of the
 * table: an older runner's table gets them in place (history_ensure). */
static const char *const count_columns[] = {"inserted", "updated", "unchanged", "skipped"};
#define NCOUNT (sizeof count_columns / sizeof count_columns[0])

int history_ensure(PGconn *c, Buf *msg)
{
    if (conn_exec(c,
                  "CREATE TABLE IF NOT EXISTS stargen_history ("
                  "run_id VARCHAR(64) NOT NULL, step VARCHAR(256) NOT NULL, "
                  "file VARCHAR(256) NOT NULL, checksum CHAR(64) NOT NULL, rows BIGINT, "
                  "seconds DOUBLE PRECISION, status VARCHAR(16) NOT NULL, "
                  "started_at TIMESTAMP NOT NULL, error VARCHAR(4096), inserted BIGINT, "
                  "updated BIGINT, unchanged BIGINT, skipped BIGINT)",
                  msg))
        return -1;
    /* An older table lacks the count columns.  Redshift's ADD COLUMN has no IF NOT
     * EXISTS and adds one column per statement (docs.aws.amazon.com/redshift/latest/dg/
     * r_ALTER_TABLE.html), so both engines read the catalog first and add each missing
     * column by itself.  The table is the one the unqualified INSERT reaches (regclass
     * resolves it by the search path; Redshift has both, c_join_PG_examples.html); the run
     * lock is held, so nobody races us. */
    PGresult *r = PQexec(c, "SELECT attname FROM pg_attribute "
                            "WHERE attrelid = 'stargen_history'::regclass AND attnum > 0 "
                            "AND NOT attisdropped");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        conn_put_error(msg, c, r);
        PQclear(r);
        return -1;
    }
    int rc = 0;
    for (size_t k = 0; k < NCOUNT && rc == 0; k++) {
        int have = 0;
        for (int i = 0; i < PQntuples(r) && !have; i++)
            have = strcmp(PQgetvalue(r, i, 0), count_columns[k]) == 0;
        if (have)
            continue;
        char sql[128];
        snprintf(sql, sizeof sql, "ALTER TABLE stargen_history ADD COLUMN %s BIGINT",
                 count_columns[k]);
        rc = conn_exec(c, sql, msg);
    }
    PQclear(r);
    return rc;
}

/* The text of a count, or NULL (SQL NULL) when it was not measured. */
static const char *count_text(char *buf, size_t n, int known, long long v)
{
    if (!known)
        return NULL;
    snprintf(buf, n, "%lld", v);
    return buf;
}

int history_insert(PGconn *c, const HistoryRow *h, Buf *msg)
{
    return history_insert_counts(c, h, NULL, msg);
}

int history_insert_counts(PGconn *c, const HistoryRow *h, const HistoryCounts *k, Buf *msg)
{
    static const HistoryCounts none;
    if (!k)
        k = &none;
    char rows[32], secs[32];
    snprintf(rows, sizeof rows, "%lld", h->rows);
    snprintf(secs, sizeof secs, "%.6f", h->seconds);
    /* names and messages come from outside (file names, server and data
     * messages): stored escaped, so invalid UTF-8 cannot make the INSERT fail
     * and a control byte cannot forge a line when the table is printed */
    Buf step, file, eb;
    buf_init(&step);
    buf_init(&file);
    buf_init(&eb);
    utf8_escape_display_str(&step, h->step);
    utf8_escape_display_str(&file, h->file);
    char *err = NULL;
    if (h->error) {
        put_display_text(&eb, h->error, NULL);
        /* the error column is VARCHAR(4096): cut on a UTF-8 boundary */
        size_t n = eb.len;
        if (n > 4000) {
            n = 4000;
            while (n && ((unsigned char)eb.data[n] & 0xC0) == 0x80)
                n--;
        }
        err = xmalloc(n + 1);
        memcpy(err, eb.data, n);
        err[n] = '\0';
    }
    char ins[32], upd[32], unch[32], skip[32];
    const char *vals[13] = {h->run_id,
                            step.data,
                            file.data,
                            h->checksum,
                            rows,
                            secs,
                            h->status,
                            h->started_at,
                            err,
                            count_text(ins, sizeof ins, k->counted, k->inserted),
                            count_text(upd, sizeof upd, k->counted, k->updated),
                            count_text(unch, sizeof unch, k->counted, k->unchanged),
                            count_text(skip, sizeof skip, k->skipped_known, k->skipped)};
    PGresult *r = PQexecParams(c,
                               "INSERT INTO stargen_history (run_id, step, file, checksum, rows, "
                               "seconds, status, started_at, error, inserted, updated, unchanged, "
                               "skipped) VALUES ($1, $2, $3, $4, $5::BIGINT, $6::DOUBLE PRECISION, "
                               "$7, $8::TIMESTAMP, $9, $10::BIGINT, $11::BIGINT, $12::BIGINT, "
                               "$13::BIGINT)",
                               13, NULL, vals, NULL, NULL, 0);
    free(err);
    buf_free(&step);
    buf_free(&file);
    buf_free(&eb);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        conn_put_error(msg, c, r);
    PQclear(r);
    return ok ? 0 : -1;
}

int history_last(PGconn *c, const char *step, char checksum[65], char started[40])
{
    Buf name;
    buf_init(&name);
    utf8_escape_display_str(&name, step); /* stored escaped, see history_insert */
    const char *vals[1] = {name.data};
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
    buf_free(&name);
    return rc;
}

void history_new_run_id(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)(rand() ^ getpid() >> (i % 8));
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}
