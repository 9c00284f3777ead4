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

int history_ensure(PGconn *c, Buf *msg)
{
    return conn_exec(c,
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
    const char *vals[9] = {h->run_id, step.data, file.data,     h->checksum, rows,
                           secs,      h->status, h->started_at, err};
    PGresult *r = PQexecParams(c,
                               "INSERT INTO stargen_history (run_id, step, file, checksum, rows, "
                               "seconds, status, started_at, error) VALUES ($1, $2, $3, $4, "
                               "$5::BIGINT, $6::DOUBLE PRECISION, $7, $8::TIMESTAMP, $9)",
                               9, NULL, vals, NULL, NULL, 0);
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
