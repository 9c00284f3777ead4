/* conn.c - libpq connection setup; see conn.h. */
#include "conn.h"

#include "../common/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Params {
    const char *keys[64];
    const char *vals[64];
    int n;
    PQconninfoOption *parsed; /* owns the -d values */
} Params;

static void put(Params *p, const char *k, const char *v)
{
    if (!v || p->n >= 62)
        return;
    p->keys[p->n] = k;
    p->vals[p->n] = v;
    p->n++;
}

static void put_message(Buf *out, const char *msg);

static int build(Params *p, const char *conninfo, const Config *cfg, Buf *err)
{
    memset(p, 0, sizeof *p);
    if (cfg) {
        put(p, "host", cfg->host);
        put(p, "port", cfg->port);
        put(p, "dbname", cfg->dbname);
        put(p, "user", cfg->user);
        put(p, "password", cfg->password);
    }
    if (conninfo && *conninfo) {
        int full = strchr(conninfo, '=') || strncmp(conninfo, "postgresql://", 13) == 0 ||
                   strncmp(conninfo, "postgres://", 11) == 0;
        if (full) {
            char *msg = NULL;
            p->parsed = PQconninfoParse(conninfo, &msg);
            if (!p->parsed) {
                /* libpq quotes a bad URI whole: conn_open scrubs the password */
                buf_puts(err, "invalid -d connection string: ");
                put_message(err, msg ? msg : "out of memory");
                PQfreemem(msg);
                return -1;
            }
            for (PQconninfoOption *o = p->parsed; o->keyword; o++)
                if (o->val && *o->val)
                    put(p, o->keyword, o->val);
        } else {
            put(p, "dbname", conninfo);
        }
    }
    put(p, "application_name", "stargen-runner");
    put(p, "client_encoding", "UTF8");
    p->keys[p->n] = NULL;
    p->vals[p->n] = NULL;
    return 0;
}

/* Replaces every occurrence of secret in b by "***". */
static void scrub(Buf *b, const char *secret, size_t n)
{
    if (!n || !b->len)
        return;
    Buf out;
    buf_init(&out);
    const char *q = b->data, *end = b->data + b->len, *hit;
    while ((hit = memmem(q, (size_t)(end - q), secret, n)) != NULL) {
        buf_putn(&out, q, (size_t)(hit - q));
        buf_puts(&out, "***");
        q = hit + n;
    }
    if (q == b->data) {
        buf_free(&out);
        return;
    }
    buf_putn(&out, q, (size_t)(end - q));
    buf_free(b);
    *b = out;
}

/* libpq's messages are meant to hold no password, but a URI it cannot parse is
 * quoted whole ("... in URI: \"postgresql://u:PASSWORD@[::1/db\"").  Takes out
 * every password the runner was given: PGPASSWORD, the config's, a
 * password=... of the -d string and the user:PASSWORD@ of a URI. */
static void scrub_secrets(Buf *b, const char *conninfo, const Config *cfg)
{
    const char *env = getenv("PGPASSWORD");
    if (env)
        scrub(b, env, strlen(env));
    if (cfg && cfg->password)
        scrub(b, cfg->password, strlen(cfg->password));
    if (!conninfo)
        return;
    const char *u = strstr(conninfo, "://");
    if (u) {
        u += 3;
        size_t span = strcspn(u, "@");
        const char *colon = memchr(u, ':', span);
        if (u[span] == '@' && colon)
            scrub(b, colon + 1, (size_t)(u + span - colon - 1));
    }
    for (const char *k = conninfo; (k = strstr(k, "password=")) != NULL;) {
        k += 9;
        char q = (*k == '\'' || *k == '"') ? *k++ : 0;
        size_t n = q ? strcspn(k, q == '\'' ? "'" : "\"") : strcspn(k, " &\t");
        scrub(b, k, n);
    }
}

static void release(Params *p)
{
    if (p->parsed)
        PQconninfoFree(p->parsed);
}

int conn_is_transient(const char *msg)
{
    static const char *const words[] = {"Connection refused",
                                        "No such file or directory",
                                        "the database system is starting up",
                                        "the database system is not yet accepting connections",
                                        "the database system is shutting down",
                                        "too many clients already"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (msg && strstr(msg, words[i]))
            return 1;
    return 0;
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* One line of libpq's message (libpq may add several lines and a newline). */
static void put_message(Buf *out, const char *msg)
{
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    for (size_t i = 0; i < n; i++) {
        if (msg[i] != '\n') {
            buf_putc(out, msg[i]);
            continue;
        }
        buf_puts(out, "; ");
        while (i + 1 < n && (msg[i + 1] == ' ' || msg[i + 1] == '\t'))
            i++;
    }
}

/* Server notices: NOTICE/INFO (e.g. "table does not exist, skipping") are
 * noise in a progress display; WARNING and above go to stderr. */
static void on_notice(void *arg, const PGresult *r)
{
    (void)arg;
    const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (sev && (strcmp(sev, "NOTICE") == 0 || strcmp(sev, "INFO") == 0 ||
                strcmp(sev, "DEBUG") == 0 || strcmp(sev, "LOG") == 0))
        return;
    const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    msg_warning("server: %s", m ? m : PQresultErrorMessage(r));
}

PGconn *conn_open(const char *conninfo, const Config *cfg, int quiet, ConnFailure *why, Buf *err)
{
    Params p;
    *why = CONN_FAIL_CONNECT;
    if (build(&p, conninfo, cfg, err)) {
        *why = CONN_FAIL_BAD_CONNINFO;
        scrub_secrets(err, conninfo, cfg);
        release(&p);
        return NULL;
    }
    static const double backoff[] = {0.5, 1.0, 2.0};
    const int tries = 1 + (int)(sizeof backoff / sizeof backoff[0]);
    PGconn *c = NULL;
    for (int attempt = 1; attempt <= tries; attempt++) {
        c = PQconnectdbParams(p.keys, p.vals, 0);
        if (c && PQstatus(c) == CONNECTION_OK)
            break;
        const char *msg = c ? PQerrorMessage(c) : "out of memory";
        if (attempt == tries || !conn_is_transient(msg)) {
            buf_puts(err, "could not connect: ");
            put_message(err, msg);
            buf_puts(err, " (target: ");
            conn_describe(conninfo, cfg, err);
            buf_puts(err, ")");
            scrub_secrets(err, conninfo, cfg);
            PQfinish(c);
            c = NULL;
            break;
        }
        if (!quiet) {
            Buf line;
            buf_init(&line);
            put_message(&line, msg);
            scrub_secrets(&line, conninfo, cfg);
            fprintf(stderr, "note: connection failed (%s); retrying in %.1f s (attempt %d of %d)\n",
                    line.data, backoff[attempt - 1], attempt + 1, tries);
            buf_free(&line);
        }
        PQfinish(c);
        c = NULL;
        sleep_seconds(backoff[attempt - 1]);
    }
    release(&p);
    if (c) {
        PQsetNoticeReceiver(c, on_notice, NULL);
        /* gen's PostgreSQL SQL doubles quotes and leaves backslashes alone, which
         * is only right with standard_conforming_strings on (the default since
         * 9.1).  Were it off (PGOPTIONS, ALTER ROLE/DATABASE ... SET), '\' would
         * escape the quote after it and a model literal could end its string
         * early; turn it back on for the session.  Redshift always treats the
         * backslash as an escape and gen doubles it there. */
        const char *scs = PQparameterStatus(c, "standard_conforming_strings");
        if (scs && strcmp(scs, "on") != 0 && !conn_is_redshift(c)) {
            PGresult *r = PQexec(c, "SET standard_conforming_strings = on");
            PQclear(r);
        }
        /* Redshift's session defaults (TimeZone UTC, DateStyle ISO, MDY): a
         * timestamptz without an offset is UTC and 05/03 is May 3, whatever
         * the database's settings (issue 12, item 15). */
        if (!conn_is_redshift(c))
            PQclear(PQexec(c, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'"));
    }
    return c;
}

void conn_describe(const char *conninfo, const Config *cfg, Buf *out)
{
    const char *want[] = {"host", "port", "dbname", "user"};
    const char *got[4] = {NULL, NULL, NULL, NULL};
    PQconninfoOption *defs = PQconndefaults();
    Params p;
    Buf ignore;
    buf_init(&ignore);
    int ok = build(&p, conninfo, cfg, &ignore) == 0;
    buf_free(&ignore);
    for (int i = 0; i < 4; i++) {
        for (PQconninfoOption *o = defs; o && o->keyword; o++)
            if (strcmp(o->keyword, want[i]) == 0 && o->val && *o->val)
                got[i] = o->val;
        for (int k = 0; ok && k < p.n; k++)
            if (strcmp(p.keys[k], want[i]) == 0)
                got[i] = p.vals[k];
    }
    if (!got[0])
        got[0] = "(default socket)";
    if (!got[1])
        got[1] = "5432";
    if (!got[3])
        got[3] = "(current user)";
    if (!got[2])
        got[2] = got[3];
    buf_printf(out, "host=%s port=%s dbname=%s user=%s", got[0], got[1], got[2], got[3]);
    release(&p);
    if (defs)
        PQconninfoFree(defs);
}

void conn_target(PGconn *c, Buf *out)
{
    buf_printf(out, "host=%s port=%s dbname=%s user=%s", PQhost(c), PQport(c), PQdb(c), PQuser(c));
}

int conn_is_redshift(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT version()");
    int rs = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
             strstr(PQgetvalue(r, 0, 0), "Redshift") != NULL;
    PQclear(r);
    return rs;
}

void conn_put_error(Buf *msg, PGconn *c, const PGresult *r)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    size_t n = strlen(m);
    while (n && m[n - 1] == '\n')
        n--;
    buf_putn(msg, m, n);
}

int conn_exec(PGconn *c, const char *sql, Buf *msg)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    if (!ok && msg)
        conn_put_error(msg, c, r);
    PQclear(r);
    return ok ? 0 : -1;
}
