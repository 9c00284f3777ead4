/* copyload.c - stream JSON sources into COPY FROM STDIN; see copyload.h.
 *
 * The hot loop is jr_next() + conv_row() writing into a CopyBuf; no
 * allocation happens per object or per field.  Full 1 MiB buffers go to a
 * sender thread (a ring of SEND_BUFS buffers) that blocks in PQputCopyData,
 * so the server always has data while this thread parses the next megabyte:
 * with a single thread, client parsing and server inserting took turns
 * (the socket buffer is far smaller than a batch) and the load ran ~1.6x
 * slower.  Only the sender thread touches the connection while it runs;
 * joining it is the hand-back.
 */
#include "copyload.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "convert.h"
#include "json.h"
#include "run.h"
#include "sources.h"

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

static int sender_start(Sender *s, PGconn *c)
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
static CopyBuf *sender_buf(Sender *s)
{
    return &s->bufs[s->w % SEND_BUFS];
}

/* Hands the current buffer to the sender and waits for a free one.
 * Returns -1 once a send has failed. */
static int sender_submit(Sender *s)
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
static int sender_finish(Sender *s, int discard)
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

static const char *skip_space(const char *p)
{
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        return p;
    }
}

static int is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Reads one identifier (quoted or not) at *pp into a folded copy. */
static char *read_ident(Arena *a, const char **pp)
{
    const char *p = *pp;
    Buf b;
    buf_init(&b);
    if (*p == '"') {
        p++;
        while (*p) {
            if (*p == '"' && p[1] == '"') {
                buf_putc(&b, '"');
                p += 2;
            } else if (*p == '"') {
                break;
            } else {
                buf_putc(&b, *p++);
            }
        }
        if (*p != '"') {
            buf_free(&b);
            return NULL;
        }
        p++;
    } else {
        if (!is_word_char(*p) || isdigit((unsigned char)*p)) {
            buf_free(&b);
            return NULL;
        }
        while (is_word_char(*p))
            buf_putc(&b, (char)tolower((unsigned char)*p++));
    }
    *pp = p;
    char *s = arena_strdup(a, b.data);
    buf_free(&b);
    return s;
}

static int keyword(const char **pp, const char *kw)
{
    size_t n = strlen(kw);
    if (strncasecmp(*pp, kw, n) == 0 && !is_word_char((*pp)[n])) {
        *pp += n;
        return 1;
    }
    return 0;
}

int copy_parse_stmt(Arena *a, const char *sql, CopyStmt *out, Buf *err)
{
    memset(out, 0, sizeof *out);
    const char *p = skip_space(sql);
    if (!keyword(&p, "copy"))
        goto bad;
    p = skip_space(p);
    const char *tstart = p;
    for (;;) {
        if (!read_ident(a, &p))
            goto bad;
        if (*p != '.')
            break;
        p++;
    }
    out->table = arena_strndup(a, tstart, (size_t)(p - tstart));
    p = skip_space(p);
    if (*p == '(') {
        int cap = 16;
        out->cols = arena_alloc(a, (size_t)cap * sizeof *out->cols);
        p++;
        for (;;) {
            p = skip_space(p);
            char *c = read_ident(a, &p);
            if (!c)
                goto bad;
            if (out->ncols == cap) {
                char **nc = arena_alloc(a, (size_t)cap * 2 * sizeof *nc);
                memcpy(nc, out->cols, (size_t)cap * sizeof *nc);
                out->cols = nc;
                cap *= 2;
            }
            out->cols[out->ncols++] = c;
            p = skip_space(p);
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == ')') {
                p++;
                break;
            }
            goto bad;
        }
    }
    p = skip_space(p);
    if (!keyword(&p, "from"))
        goto bad;
    p = skip_space(p);
    if (!keyword(&p, "stdin"))
        goto bad;
    /* options: look for the words binary / csv */
    while (*p) {
        if (is_word_char(*p) && (p == sql || !is_word_char(p[-1]))) {
            if (keyword(&p, "binary")) {
                out->binary = 1;
                continue;
            }
            if (keyword(&p, "csv")) {
                out->csv = 1;
                continue;
            }
        }
        p++;
    }
    return 0;
bad:
    buf_puts(err, "expected COPY table [(columns)] FROM STDIN [WITH (FORMAT text)] after a "
                  "stargen:copy directive");
    return -1;
}

static long fd_read(void *ctx, char *buf, size_t cap)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n < 0 && errno == EINTR)
            continue;
        return (long)n;
    }
}

static char *read_small_file(const char *path, size_t *len, Buf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        buf_printf(err, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    Buf b;
    buf_init(&b);
    char tmp[8192];
    long n;
    while ((n = fd_read(&fd, tmp, sizeof tmp)) > 0)
        buf_putn(&b, tmp, (size_t)n);
    close(fd);
    if (n < 0) {
        buf_printf(err, "cannot read %s: %s", path, strerror(errno));
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b, len);
}

static void at_directive(StepError *e, const CopyJob *job)
{
    free(e->file);
    e->file = xstrdup(job->step->path);
    e->line = job->st->copy->line;
    e->col = 1;
}

/* Drains every pending result; returns the first error result (caller
 * clears) or NULL. */
static PGresult *drain(PGconn *c, long long *rows)
{
    PGresult *r, *bad = NULL;
    while ((r = PQgetResult(c)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_COMMAND_OK && rows) {
            *rows = atoll(PQcmdTuples(r));
        } else if (s != PGRES_COMMAND_OK && !bad) {
            bad = r;
            continue;
        }
        PQclear(r);
    }
    return bad;
}

/* Where S3 sources come from; set once by main before any step runs. */
static const S3Config *g_s3;
static int g_model_uris;

void copy_set_s3(const S3Config *c, int model_uris)
{
    g_s3 = c;
    g_model_uris = model_uris;
}

/* The S3 URI a directive reads under the current settings (malloc'ed), or
 * NULL for a local source; -1 with a message if it cannot be known. */
static int source_uri(const CopyDirective *d, const char *data_root, char **uri, Buf *err)
{
    *uri = NULL;
    if (g_model_uris) {
        if (!d->s3) {
            buf_printf(err, "--s3: the stargen:copy directive of source %s has no s3= URI",
                       d->source);
            return -1;
        }
        *uri = xstrdup(d->s3);
    } else if (strncmp(data_root, "s3://", 5) == 0) {
        *uri = sources_join(data_root, d->source);
    }
    return 0;
}

static int list_source(const CopyDirective *d, const char *data_root, SourceList *out, Buf *err)
{
    char *uri;
    if (source_uri(d, data_root, &uri, err))
        return -1;
    if (!uri)
        return sources_list(data_root, d->source, out, err);
    int rc;
    if (!g_s3) {
        buf_printf(err, "%s: S3 is not configured in this program", uri);
        rc = -1;
    } else {
        rc = sources_list_s3(g_s3, uri, out, err);
    }
    free(uri);
    return rc;
}

typedef struct Setup {
    Arena a;
    CopyStmt cs;
    JsonPaths jp;
    int have_jp;
    ColSpec *cols;
    SourceList src;
    ConvOpts opts;
} Setup;

static int setup(const CopyJob *job, Setup *su, StepError *e)
{
    const CopyDirective *d = job->st->copy;
    Buf msg;
    buf_init(&msg);
    int rc = -1;
    if (copy_parse_stmt(&su->a, job->sql, &su->cs, &msg))
        goto fail_at_stmt;
    if (su->cs.binary || su->cs.csv) {
        buf_puts(&msg, "the runner produces COPY FORMAT text only; write WITH (FORMAT text)");
        goto fail_at_stmt;
    }
    /* jsonpaths */
    Buf jpath;
    buf_init(&jpath);
    buf_printf(&jpath, "%s/%s", job->step_dir, d->jsonpaths);
    size_t jlen;
    char *jtext = read_small_file(jpath.data, &jlen, &msg);
    char **paths = NULL;
    int npaths = -1;
    if (jtext) {
        Buf perr;
        buf_init(&perr);
        npaths = jsonpaths_parse_doc(&su->a, jtext, jlen, &paths, &perr);
        if (npaths < 0)
            buf_printf(&msg, "%s: %s", jpath.data, perr.data);
        buf_free(&perr);
        free(jtext);
    }
    buf_free(&jpath);
    if (npaths < 0)
        goto fail_at_directive;
    if (jsonpaths_compile(&su->jp, (const char *const *)paths, npaths, &msg))
        goto fail_at_directive;
    su->have_jp = 1;

    /* column types, from inside the step's transaction */
    const char *params[1] = {su->cs.table};
    PGresult *r = PQexecParams(job->conn,
                               "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
                               "a.atttypid, a.atttypmod FROM pg_attribute a "
                               "WHERE a.attrelid = $1::regclass AND a.attnum > 0 "
                               "AND NOT a.attisdropped ORDER BY a.attnum",
                               1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        step_error_from_result(e, r);
        PQclear(r);
        at_directive(e, job);
        buf_free(&msg);
        return -1;
    }
    int ncat = PQntuples(r);
    int ncols = su->cs.ncols ? su->cs.ncols : ncat;
    su->cols = arena_alloc(&su->a, (size_t)(ncols ? ncols : 1) * sizeof *su->cols);
    for (int i = 0; i < ncols; i++) {
        int row = su->cs.ncols ? -1 : i;
        for (int k = 0; row < 0 && k < ncat; k++)
            if (strcmp(PQgetvalue(r, k, 0), su->cs.cols[i]) == 0)
                row = k;
        if (row < 0) {
            buf_printf(&msg, "column \"%s\" of the COPY is not in table %s", su->cs.cols[i],
                       su->cs.table);
            PQclear(r);
            goto fail_at_stmt;
        }
        ColSpec *c = &su->cols[i];
        c->name = arena_strdup(&su->a, PQgetvalue(r, row, 0));
        c->type = conv_type_from_oid((unsigned)strtoul(PQgetvalue(r, row, 2), NULL, 10),
                                     atoi(PQgetvalue(r, row, 3)), &c->maxlen);
    }
    PQclear(r);
    if (npaths != ncols) {
        buf_printf(&msg, "%s has %d paths but the COPY loads %d columns", d->jsonpaths, npaths,
                   ncols);
        goto fail_at_directive;
    }
    su->cs.ncols = ncols;
    if (list_source(d, job->data_root, &su->src, &msg))
        goto fail_at_directive;
    su->opts.emptyasnull = d->emptyasnull;
    su->opts.blanksasnull = d->blanksasnull;
    su->opts.timeformat = !d->timeformat                                 ? TF_NONE
                          : strcmp(d->timeformat, "epochmillisecs") == 0 ? TF_EPOCHMILLIS
                          : strcmp(d->timeformat, "epochsecs") == 0      ? TF_EPOCHSECS
                                                                         : TF_AUTO;
    rc = 0;
    buf_free(&msg);
    return rc;
fail_at_stmt:
    step_error_set(e, "%s", msg.data);
    free(e->file);
    e->file = xstrdup(job->step->path);
    e->line = job->st->line;
    e->col = job->st->col;
    buf_free(&msg);
    return -1;
fail_at_directive:
    step_error_set(e, "%s", msg.data);
    at_directive(e, job);
    buf_free(&msg);
    return -1;
}

/* Adds "row N is object K of FILE" from a server CONTEXT "COPY t, line N". */
static void locate_row(StepError *e, const SourceList *src, const long long *first_row,
                       size_t nfiles)
{
    const char *ctx = e->context ? strstr(e->context, ", line ") : NULL;
    if (!ctx)
        return;
    long long row = atoll(ctx + 7);
    if (row <= 0)
        return;
    for (size_t i = nfiles; i-- > 0;) {
        if (first_row[i] < row) {
            Buf b;
            buf_init(&b);
            buf_printf(&b, "  data: COPY row %lld is object %lld of %s\n", row, row - first_row[i],
                       src->files[i].display);
            free(e->extra);
            e->extra = buf_detach(&b, NULL);
            return;
        }
    }
}

int copy_run(const CopyJob *job, long long *rows_out, StepError *e)
{
    Setup su;
    memset(&su, 0, sizeof su);
    arena_init(&su.a);
    int rc = -1;
    *rows_out = 0;
    if (setup(job, &su, e))
        goto done;

    PGresult *r = PQexec(job->conn, job->sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
            step_error_set(e, "the statement after stargen:copy is not a COPY FROM STDIN");
        else
            step_error_from_result(e, r);
        PQclear(r);
        free(e->file);
        e->file = xstrdup(job->step->path);
        e->line = job->st->line;
        e->col = job->st->col;
        goto done;
    }
    PQclear(r);

    JsonReader jr;
    jr_init(&jr, &su.jp, 0, 0);
    Sender snd;
    int thread_failed = sender_start(&snd, job->conn) != 0;
    CopyBuf *out = sender_buf(&snd);
    long long *first_row = xcalloc(su.src.n ? su.src.n : 1, sizeof *first_row);
    long long rows = 0;
    int data_error = 0, send_failed = 0;
    Buf msg;
    buf_init(&msg);
    if (thread_failed) {
        buf_puts(&msg, "cannot start the sender thread");
        data_error = 1;
    }
    /* S3: the live progress label also counts objects ("load_x: object 3/40") */
    const char *label0 = job->progress ? job->progress->label : NULL;
    Buf label;
    buf_init(&label);
    for (size_t i = 0; i < su.src.n && !data_error && !send_failed; i++) {
        const SourceFile *f = &su.src.files[i];
        first_row[i] = rows;
        if (su.src.s3_bucket && job->progress) {
            buf_reset(&label);
            buf_printf(&label, "%s: object %zu/%zu", label0 ? label0 : "copy", i + 1, su.src.n);
            job->progress->label = label.data;
        }
        SourceReader rd;
        if (source_open(&su.src, i, &rd, &msg)) {
            data_error = 1;
            break;
        }
        jr_open(&jr, rd.read, rd.ctx);
        for (;;) {
            int k = jr_next(&jr);
            if (k == 0)
                break;
            if (k < 0) {
                const char *why = source_error(&rd);
                buf_printf(&msg, "%s:%ld: %s", f->display, jr.err_line, why ? why : jr.err);
                data_error = 1;
                break;
            }
            size_t mark = msg.len;
            if (conv_row(out, su.cols, su.cs.ncols, su.jp.col_slot, jr.vals, &su.opts, &msg)) {
                /* prefix the file and line of the object */
                char *why = xstrdup(msg.data + mark);
                msg.len = mark;
                msg.data[mark] = '\0';
                buf_printf(&msg, "%s:%ld: %s", f->display, jr.obj_line, why);
                free(why);
                data_error = 1;
                break;
            }
            rows++;
            if (out->len >= SEND_BYTES) {
                if (sender_submit(&snd)) {
                    send_failed = 1;
                    break;
                }
                out = sender_buf(&snd);
                progress_tick(job->progress, jr.bytes, su.src.total_bytes, (uint64_t)rows);
                if (job->interrupted && *job->interrupted) {
                    buf_puts(&msg, "interrupted");
                    data_error = 1;
                    break;
                }
            }
        }
        source_close(&rd);
    }
    if (sender_finish(&snd, data_error || send_failed))
        send_failed = !data_error;
    progress_clear(job->progress);
    if (job->progress)
        job->progress->label = label0;
    buf_free(&label);

    if (data_error) {
        PQputCopyEnd(job->conn, "stargen runner: invalid source data (see the runner's output)");
        PGresult *bad = drain(job->conn, NULL);
        PQclear(bad);
        step_error_set(e, "%s", msg.data);
        free(e->context);
        Buf ctx;
        buf_init(&ctx);
        char *uri = NULL;
        Buf ignore;
        buf_init(&ignore);
        source_uri(job->st->copy, job->data_root, &uri, &ignore);
        buf_free(&ignore);
        if (uri)
            buf_printf(&ctx, "COPY %s at %s:%d, source %s", su.cs.table, job->step->path,
                       job->st->line, uri);
        else
            buf_printf(&ctx, "COPY %s at %s:%d, source %s under %s", su.cs.table, job->step->path,
                       job->st->line, job->st->copy->source, job->data_root);
        free(uri);
        e->context = buf_detach(&ctx, NULL);
        free(e->file);
        e->file = NULL; /* the message carries the data file and line */
        e->line = e->col = 0;
        free(e->statement);
        e->statement = NULL;
    } else {
        if (!send_failed)
            PQputCopyEnd(job->conn, NULL);
        long long n = -1;
        PGresult *bad = drain(job->conn, &n);
        if (bad || send_failed) {
            if (bad)
                step_error_from_result(e, bad);
            else
                step_error_set(e, "COPY failed: %s", PQerrorMessage(job->conn));
            PQclear(bad);
            free(e->file);
            e->file = xstrdup(job->step->path);
            e->line = job->st->line;
            e->col = job->st->col;
            locate_row(e, &su.src, first_row, su.src.n);
        } else {
            *rows_out = n >= 0 ? n : rows;
            rc = 0;
        }
    }
    buf_free(&msg);
    free(first_row);
    jr_free(&jr);
done:
    if (su.have_jp)
        jsonpaths_free(&su.jp);
    sources_free(&su.src);
    arena_free(&su.a);
    return rc;
}

void copy_describe(Buf *out, const CopyDirective *d, const char *data_root, const char *step_dir)
{
    buf_printf(out, "    copy: source=%s jsonpaths=%s/%s", d->source, step_dir, d->jsonpaths);
    if (d->timeformat)
        buf_printf(out, " timeformat=%s", d->timeformat);
    buf_printf(out, " emptyasnull=%s blanksasnull=%s\n", d->emptyasnull ? "on" : "off",
               d->blanksasnull ? "on" : "off");
    SourceList l;
    Buf err;
    buf_init(&err);
    char *uri = NULL;
    if (source_uri(d, data_root, &uri, &err)) {
        buf_printf(out, "    reads: MISSING: %s\n", err.data);
        buf_free(&err);
        return;
    }
    if (uri) {
        buf_printf(out,
                   "    reads: the objects under %s whose keys end in .json, in key order "
                   "(listed when the step runs; --dry-run sends no request)\n",
                   uri);
        free(uri);
        buf_free(&err);
        return;
    }
    if (sources_list(data_root, d->source, &l, &err)) {
        buf_printf(out, "    reads: MISSING: %s\n", err.data);
    } else {
        buf_printf(out, "    reads: %zu file%s, %llu bytes, under %s\n", l.n, l.n == 1 ? "" : "s",
                   (unsigned long long)l.total_bytes, data_root);
        for (size_t i = 0; i < l.n; i++) {
            if (i == 20) {
                buf_printf(out, "      ... and %zu more\n", l.n - 20);
                break;
            }
            buf_printf(out, "      %s\n", l.files[i].display);
        }
        sources_free(&l);
    }
    buf_free(&err);
}

/* Reads a '...' literal at *pp (doubled quotes undone) into b. */
static int read_string(const char **pp, Buf *b)
{
    const char *p = *pp;
    if (*p != '\'')
        return -1;
    p++;
    for (;;) {
        if (!*p)
            return -1;
        if (*p == '\'' && p[1] == '\'') {
            buf_putc(b, '\'');
            p += 2;
        } else if (*p == '\'') {
            break;
        } else {
            buf_putc(b, *p++);
        }
    }
    *pp = p + 1;
    return 0;
}

static void plan_add(PublishPlan *pl, const char *table, const char *file, const char *uri)
{
    pl->v = xrealloc(pl->v, (pl->n + 1) * sizeof *pl->v);
    pl->v[pl->n].table = xstrdup(table);
    pl->v[pl->n].file = xstrdup(file);
    pl->v[pl->n].uri = xstrdup(uri);
    pl->n++;
}

int copy_publish_plan(const StepSet *set, PublishPlan *out, Buf *err)
{
    memset(out, 0, sizeof *out);
    Arena a;
    arena_init(&a);
    Buf text, lit;
    buf_init(&text);
    buf_init(&lit);
    int rc = 0;
    for (size_t i = 0; i < set->n && rc == 0; i++) {
        const Step *s = &set->steps[i];
        if (strncmp(s->name, "load_", 5) != 0)
            continue;
        for (size_t k = 0; k < s->nstmts && rc == 0; k++) {
            const Statement *st = &s->stmts[k];
            buf_reset(&text);
            buf_putn(&text, s->text + st->off, st->len);
            const char *p = skip_space(text.data);
            if (!keyword(&p, "copy"))
                continue;
            p = skip_space(p);
            char *table = NULL;
            for (;;) {
                table = read_ident(&a, &p);
                if (!table || *p != '.')
                    break;
                p++;
            }
            if (!table)
                continue;
            /* find JSON '<literal>' outside strings and comments */
            while (*p) {
                if (*p == '\'') {
                    buf_reset(&lit);
                    if (read_string(&p, &lit))
                        break;
                    continue;
                }
                if (p[0] == '-' && p[1] == '-') {
                    p = skip_space(p);
                    continue;
                }
                if (is_word_char(*p) && (p == text.data || !is_word_char(p[-1])) &&
                    keyword(&p, "json")) {
                    p = skip_space(p);
                    buf_reset(&lit);
                    if (*p == '\'' && read_string(&p, &lit) == 0 &&
                        strncmp(lit.data, "s3://", 5) == 0) {
                        char *file = arena_printf(&a, "%s/%s.jsonpaths.json", set->dir, table);
                        plan_add(out, table, file, lit.data);
                    }
                    break;
                }
                p++;
            }
        }
    }
    if (rc == 0 && out->n == 0) {
        buf_printf(err,
                   "no COPY ... FORMAT AS JSON 's3://...' statement in the load steps of %s "
                   "(nothing to publish; is it a Redshift folder?)",
                   set->dir);
        rc = -1;
    }
    buf_free(&text);
    buf_free(&lit);
    arena_free(&a);
    if (rc)
        copy_publish_free(out);
    return rc;
}

void copy_publish_free(PublishPlan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].table);
        free(p->v[i].file);
        free(p->v[i].uri);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}
