/* conn.h - connecting the libpq way, with the config file and retries.
 *
 * Connection parameters, lowest priority first: libpq's own defaults (PG*
 * variables, ~/.pgpass, service files), the [CLUSTER] section of --config,
 * then -d (a conninfo string, a postgresql:// URI, or a bare database name).
 * application_name is always stargen-runner and client_encoding UTF8.
 * Transient failures (connection refused, socket missing, server starting
 * up) are retried 3 times after 0.5 s, 1 s and 2 s, with a note on stderr.
 * A PostgreSQL session always gets standard_conforming_strings = on (the
 * generated literals rely on it).  Nothing here prints or returns a password.
 */
#ifndef STARGEN_CONN_H
#define STARGEN_CONN_H

#include <libpq-fe.h>

#include "../common/arena.h"
#include "config.h"

/* Why conn_open() failed: the caller maps it to an exit code. */
typedef enum ConnFailure {
    CONN_FAIL_BAD_CONNINFO, /* -d is a string libpq cannot parse: bad usage */
    CONN_FAIL_CONNECT       /* the server could not be reached or refused us */
} ConnFailure;

/* Returns a connected PGconn, or NULL with *why set and libpq's message (which
 * never holds the password) and the target appended to err. */
PGconn *conn_open(const char *conninfo, const Config *cfg, int quiet, ConnFailure *why, Buf *err);

/* Appends "host=H port=P dbname=D user=U" for the parameters libpq would use,
 * without connecting (for --dry-run and failed connections). */
void conn_describe(const char *conninfo, const Config *cfg, Buf *out);

/* Same, from a live connection. */
void conn_target(PGconn *c, Buf *out);

/* 1 when a backslash in a '...' literal is an escape on this connection: the
 * server does not report standard_conforming_strings=on (Redshift, whose
 * QUOTE_LITERAL doubles backslashes; PostgreSQL with it off). */
int conn_backslash_escapes(PGconn *c);

/* 1 when version() says Redshift. */
int conn_is_redshift(PGconn *c);

/* Appends the message of a failed result (or of the connection when r is
 * NULL), without its final newline. */
void conn_put_error(Buf *msg, PGconn *c, const PGresult *r);

/* Runs sql; 0 when it succeeded (command or rows), else -1 with the server's
 * message appended to msg (msg may be NULL). */
int conn_exec(PGconn *c, const char *sql, Buf *msg);

/* 1 when libpq's failure message describes a condition worth retrying. */
int conn_is_transient(const char *msg);

#endif
