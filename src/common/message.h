/* message.h - how both programs speak on stderr, and how functions report failure.
 *
 * Message style (PostgreSQL's): "PROGRAM: error: short lowercase message", then
 * optional "detail:"/"hint:" lines in full sentences. Model diagnostics keep the
 * compiler form "schema.yaml:LINE:COL: error: ... [check]" (gen/diag.c); everything
 * else goes through these functions, so both programs look alike.
 *
 * Return convention (git's usage.c): a function that can fail returns 0 on success and
 * -1 on failure. Library code that must not print writes its message into a Buf *err
 * supplied by the caller (one sentence, no prefix, no newline); the caller decides
 * where it goes (msg_error("%s", err.data)). error() itself returns -1 so that
 * "return msg_error(...)" reads naturally.
 */
#ifndef STARGEN_MESSAGE_H
#define STARGEN_MESSAGE_H

#include <stdio.h>

/* Sets the program name printed before every message ("gen", "runner"). Call once
 * in main(); until then messages carry "stargen". */
void msg_set_program(const char *name);
const char *msg_program(void);

/* Redirects messages (tests; gen's writer API takes a FILE *). NULL means stderr. */
void msg_set_stream(FILE *f);

/* "PROGRAM: error: ..." + newline. Returns -1. */
int msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROGRAM: warning: ..." + newline. */
void msg_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROGRAM: ..." + newline: information (summaries, what was written). */
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "detail: ..." / "hint: ..." lines that follow an error or warning, indented two spaces. */
void msg_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
