/* copysend.h - the thread that sends COPY data while the caller parses more.
 *
 * The parser fills sender_buf(); when it holds SEND_BYTES or more it calls
 * sender_submit(), which hands it to the thread (PQputCopyData) and returns a
 * free buffer; sender_finish() sends the rest (or discards it) and joins.
 */
#ifndef STARGEN_COPYSEND_H
#define STARGEN_COPYSEND_H

#include <libpq-fe.h>
#include <pthread.h>

#include "convert.h"

#define SEND_BYTES ((size_t)1 << 20)
#define SEND_BUFS  4

/* A ring of buffers between the parsing thread (fills bufs[w % N]) and the
 * sender thread (sends bufs[r % N]); r <= w <= r + N - 1 while filling. */
typedef struct Sender {
    PGconn *conn;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t can_fill, can_send;
    CopyBuf bufs[SEND_BUFS];
    unsigned long r, w;
    int closed, failed, started;
} Sender;

/* Starts the thread on connection c.  0, or -1 (then sender_finish() still frees). */
int sender_start(Sender *s, PGconn *c);
/* The buffer the parser writes into now. */
CopyBuf *sender_buf(Sender *s);
/* Hands the current buffer to the sender and waits for a free one.  -1 once a
 * send has failed. */
int sender_submit(Sender *s);
/* Sends what is left (unless discard), stops the thread and frees the buffers.
 * Returns -1 if any send failed. */
int sender_finish(Sender *s, int discard);

#endif
