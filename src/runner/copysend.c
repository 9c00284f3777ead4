/* copysend.c - the COPY sender thread; see copysend.h.
 *
 * Full buffers go to a sender thread (a ring of SEND_BUFS buffers) that blocks
 * in PQputCopyData, so the server always has data while the parsing thread
 * reads the next megabyte: with a single thread, client parsing and server
 * inserting took turns (the socket buffer is far smaller than a batch) and the
 * load ran ~1.6x slower.  Only the sender thread touches the connection while
 * it runs; joining it is the hand-back.
 */
#include "copysend.h"

#include <string.h>

static void *sender_main(void *arg)
{
    Sender *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (s->r == s->w && !s->closed)
            pthread_cond_wait(&s->can_send, &s->mu);
        if (s->r == s->w) { /* closed and drained */
            pthread_mutex_unlock(&s->mu);
            return NULL;
        }
        CopyBuf *b = &s->bufs[s->r % SEND_BUFS];
        int failed = s->failed;
        pthread_mutex_unlock(&s->mu);
        if (!failed && PQputCopyData(s->conn, b->p, (int)b->len) != 1)
            failed = 1;
        pthread_mutex_lock(&s->mu);
        s->failed |= failed;
        b->len = 0;
        s->r++;
        pthread_cond_signal(&s->can_fill);
        pthread_mutex_unlock(&s->mu);
    }
}

int sender_start(Sender *s, PGconn *c)
{
    memset(s, 0, sizeof *s);
    s->conn = c;
    for (int i = 0; i < SEND_BUFS; i++)
        cb_init(&s->bufs[i], SEND_BYTES + (SEND_BYTES >> 2));
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->can_fill, NULL);
    pthread_cond_init(&s->can_send, NULL);
    s->started = pthread_create(&s->thread, NULL, sender_main, s) == 0;
    return s->started ? 0 : -1;
}

/* The buffer the parser writes into now. */
CopyBuf *sender_buf(Sender *s)
{
    return &s->bufs[s->w % SEND_BUFS];
}

/* Hands the current buffer to the sender and waits for a free one.
 * Returns -1 once a send has failed. */
int sender_submit(Sender *s)
{
    pthread_mutex_lock(&s->mu);
    s->w++;
    pthread_cond_signal(&s->can_send);
    while (s->w - s->r >= SEND_BUFS)
        pthread_cond_wait(&s->can_fill, &s->mu);
    int failed = s->failed;
    pthread_mutex_unlock(&s->mu);
    return failed ? -1 : 0;
}

/* Sends what is left (unless discard), stops the thread and frees the
 * buffers.  Returns -1 if any send failed. */
int sender_finish(Sender *s, int discard)
{
    if (!s->started) {
        for (int i = 0; i < SEND_BUFS; i++)
            cb_free(&s->bufs[i]);
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    if (discard)
        s->failed |= 2; /* stop sending; just drain */
    else if (s->bufs[s->w % SEND_BUFS].len)
        s->w++;
    s->closed = 1;
    pthread_cond_signal(&s->can_send);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    int failed = s->failed & 1;
    for (int i = 0; i < SEND_BUFS; i++)
        cb_free(&s->bufs[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->can_fill);
    pthread_cond_destroy(&s->can_send);
    return failed ? -1 : 0;
}
