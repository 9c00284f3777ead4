/* conn.c - libpq connection setup; see conn.h. */
#include "conn.h"

#include "../common/message.h"
#include "../common/utf8.h"

#include <stdbool.h>
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

static bool is_uri(const char *s)
{
    return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
}

/* A URI whose password is ambiguous: libpq takes the user:password@ up to the
 * first '@', and stops looking at the first '/', so a password holding '@' or
 * '/' becomes part of the host or the database name, which messages and the
 * --json target print.  Refused: more than one '@' before the query, or an '@'
 * after the first '/' of the authority. */
static bool uri_ambiguous(const char *s)
{
    const char *a = strstr(s, "://") + 3;
    size_t n = strcspn(a, "?");
    const char *at = memchr(a, '@', n);
    if (!at)
        return false;
    size_t rest = n - (size_t)(at + 1 - a);
    const char *slash = memchr(a, '/', n);
    return memchr(at + 1, '@', rest) != NULL || (slash && slash < at);
}

/* libpq reads a dbname holding '=' or starting like a URI as a connection string. */
static bool dbname_is_conninfo(const char *v)
{
    return strchr(v, '=') || is_uri(v);
}

/* Nothing of the -d string is ever echoed: any part of it may be a password
 * (libpq quotes the string, or the word it stopped at, in its parse errors). */
static void bad_conninfo(Buf *err, const char *conninfo)
{
    if (is_uri(conninfo))
        buf_puts(err, "invalid -d connection string: not a valid URI "
                      "postgresql://[user[:password]@][host][:port][/dbname][?key=value&...] "
                      "(percent-encode @ : / ? & % in a user or password as %40 %3A %2F %3F %26 "
                      "%25); the string is not shown, it may hold a password");
    else
        buf_puts(err, "invalid -d connection string: expected key=value words separated by "
                      "spaces, e.g. host=H port=P dbname=D user=U (quote a value with spaces in "
                      "'...'; a backslash escapes the next character); the string is not shown, "
                      "it may hold a password");
}

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
        int full = strchr(conninfo, '=') || is_uri(conninfo);
        if (full) {
            char *msg = NULL;
            p->parsed = is_uri(conninfo) && uri_ambiguous(conninfo)
                            ? NULL
                            : PQconninfoParse(conninfo, &msg);
            PQfreemem(msg); /* never shown: it quotes the string */
            if (!p->parsed) {
                bad_conninfo(err, conninfo);
                return -1;
            }
            for (PQconninfoOption *o = p->parsed; o->keyword; o++)
                if (o->val && *o->val)
                    put(p, o->keyword, o->val);
        } else {
            put(p, "dbname", conninfo);
        }
    }
    /* libpq expands a dbname that is itself a connection string and quotes it
     * in its errors: check it the same way, here, where nothing is echoed */
    for (int i = 0; i < p->n; i++) {
        if (strcmp(p->keys[i], "dbname") != 0 || !dbname_is_conninfo(p->vals[i]))
            continue;
        char *msg = NULL;
        PQconninfoOption *o = is_uri(p->vals[i]) && uri_ambiguous(p->vals[i])
                                  ? NULL
                                  : PQconninfoParse(p->vals[i], &msg);
        PQfreemem(msg);
        if (!o) {
            bad_conninfo(err, p->vals[i]);
            return -1;
        }
        PQconninfoFree(o);
    }
    put(p, "application_name", "stargen-runner");
    put(p, "client_encoding", "UTF8");
    p->keys[p->n] = NULL;
    p->vals[p->n] = NULL;
    return 0;
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
            PQfinish(c);
            c = NULL;
            break;
        }
        if (!quiet) {
            Buf line;
            buf_init(&line);
            put_message(&line, msg);
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

/* "host=H port=P dbname=D user=U", each value escaped for display (control
 * bytes and invalid UTF-8 as \xNN: they come from the command line or a file). */
static void put_target(Buf *out, const char *host, const char *port, const char *db,
                       const char *user)
{
    const char *keys[] = {"host", "port", "dbname", "user"};
    const char *vals[] = {host, port, db, user};
    for (int i = 0; i < 4; i++) {
        buf_printf(out, "%s%s=", i ? " " : "", keys[i]);
        const char *v = vals[i] ? vals[i] : "";
        utf8_escape_display(out, v, strlen(v));
    }
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
    if (dbname_is_conninfo(got[2]))
        got[2] = "(a connection string, not shown)";
    put_target(out, got[0], got[1], got[2], got[3]);
    release(&p);
    if (defs)
        PQconninfoFree(defs);
}

void conn_target(PGconn *c, Buf *out)
{
    const char *db = PQdb(c);
    put_target(out, PQhost(c), PQport(c),
               db && dbname_is_conninfo(db) ? "(a connection string, not shown)" : db, PQuser(c));
}

int conn_backslash_escapes(PGconn *c)
{
    const char *scs = PQparameterStatus(c, "standard_conforming_strings");
    return !(scs && strcmp(scs, "on") == 0);
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
