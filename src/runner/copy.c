/* copy.c - drive one client-side COPY: JSON sources -> COPY FROM STDIN; see copy.h.
 *
 * The hot loop is jr_next() + conv_row() writing into a CopyBuf; no
 * allocation happens per object or per field.  Full buffers go to the sender
 * thread (copysend.h), so the server always has data while this thread parses
 * the next megabyte.  A COPY whose columns all have a binary encoding goes
 * in FORMAT binary (binary_statement(), conv_row_binary): measured on
 * PostgreSQL 15, the server's COPY FROM of 1M staging_events rows takes
 * 2.80 s in text and 2.04 s in binary, and the server is the bottleneck.
 */
#include "copy.h"

#include "../common/message.h"
#include "../common/readfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "copysend.h"
#include "execute.h"
#include "json.h"
#include "ledger.h"
#include "preflight.h"
#include "sources.h"

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

static int list_source(const CopyJob *job, S3Config *s3, SourceList *out, Buf *err)
{
    const CopyDirective *d = job->st->copy;
    char *uri;
    if (source_uri(d, job->data_root, job->model_uris, &uri, err))
        return -1;
    if (!uri)
        return sources_list(job->data_root, d->source, out, err);
    int rc;
    if (!job->s3) {
        buf_printf(err, "%s: S3 is not configured in this program", uri);
        rc = -1;
    } else {
        /* the source's bucket is in the model's region (the COPY's REGION): sign for it */
        *s3 = *job->s3;
        if (d->region && d->s3 && strncmp(uri, d->s3, strlen(d->s3)) == 0)
            s3->region = (char *)d->region;
        rc = sources_list_s3(s3, uri, out, err);
    }
    free(uri);
    return rc;
}

typedef struct Setup {
    Arena a;
    const CopyStmt *cs;
    int ncols;
    JsonPaths jp;
    int have_jp;
    ColSpec *cols;
    SourceList src;
    ConvOpts opts;
    ConvStats stats;
    char **paths; /* the jsonpaths, one per column */
    S3Config s3;  /* job->s3 with the source's region */
    /* incremental: src holds only the files to stage, v[] their verdicts */
    LedgerVerdict *v;
    char (*sha)[65];
    char *binary_sql; /* the COPY as sent in FORMAT binary, or NULL: text */
} Setup;

/* Incremental source: keeps in su->src only the files the ledger has not
 * recorded as loaded (ledger.h), and says what it chose. */
static int select_new(const CopyJob *job, Setup *su, Buf *msg)
{
    const CopyDirective *d = job->st->copy;
    SourceList *l = &su->src;
    if (ledger_ensure(job->conn, msg))
        return -1;
    LedgerVerdict *v = xcalloc(l->n ? l->n : 1, sizeof *v);
    if (ledger_select(job->conn, d, l, job->full_reload, v, msg)) {
        free(v);
        return -1;
    }
    size_t n = 0, loaded = 0, reload = 0, skipped = 0, total = l->n;
    Buf w;
    buf_init(&w);
    l->total_bytes = 0;
    for (size_t i = 0; i < total; i++) {
        if (v[i] == LV_NEW || v[i] == LV_RELOAD) {
            reload += v[i] == LV_RELOAD;
            l->files[n] = l->files[i];
            v[n++] = v[i];
            l->total_bytes += l->files[i].size;
            continue;
        }
        if (v[i] == LV_SKIPPED_CH) {
            skipped++;
            buf_reset(&w);
            buf_printf(&w,
                       "%s changed after it was loaded; not staged again (on_changed: skip): "
                       "the star tables keep the rows of its old content",
                       l->files[i].display);
            msg_warning("%s: %s", job->step->name, w.data);
            if (job->warnings)
                buf_printf(job->warnings, "%s\n", w.data);
        } else {
            loaded++;
        }
        free(l->files[i].display);
        free(l->files[i].path);
        free(l->files[i].version);
    }
    buf_free(&w);
    l->n = n;
    su->v = v;
    su->sha = xcalloc(n ? n : 1, sizeof *su->sha);
    if (!job->quiet)
        msg_info("%s: incremental source %s: %zu file%s to stage (%zu new, %zu again), %zu "
                 "already loaded%s, %zu changed and skipped",
                 job->step->name, d->source, n, n == 1 ? "" : "s", n - reload, reload, loaded,
                 job->full_reload ? " (--full-reload stages them again)" : "", skipped);
    return 0;
}

static int word_at(const char *p, const char *end, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(end - p) >= n && strncasecmp(p, w, n) == 0 &&
           (p + n == end || !(isalnum((unsigned char)p[n]) || p[n] == '_'));
}

/* The COPY statement sql in FORMAT binary: "... FROM STDIN" gains
 * "WITH (FORMAT binary)"; "... FROM STDIN [WITH] (options)" has its FORMAT
 * text replaced (or FORMAT binary added) when its only options are FORMAT
 * text and FREEZE [value].  Anything else (DELIMITER, NULL, ... which binary
 * refuses, or a shape not recognised) returns NULL: the COPY stays text. */
static char *binary_statement(const char *sql)
{
    const char *b = sql, *e = sql + strlen(sql);
    while (e > b && (isspace((unsigned char)e[-1]) || e[-1] == ';'))
        e--;
    Buf out;
    buf_init(&out);
    if (e - b >= 6 && word_at(e - 5, e, "stdin") && isspace((unsigned char)e[-6])) {
        buf_putn(&out, b, (size_t)(e - b));
        buf_puts(&out, " WITH (FORMAT binary)");
        return buf_detach(&out, NULL);
    }
    if (e == b || e[-1] != ')')
        return NULL;
    const char *open = memchr(b, '(', (size_t)(e - b)), *q = e - 1;
    while (q > b && q[-1] != '(' && q[-1] != ')' && q[-1] != '\'' && q[-1] != '"')
        q--;
    if (q == b || q[-1] != '(' || !open)
        return NULL;
    open = q - 1; /* the options' parenthesis */
    const char *k = open;
    while (k > b && isspace((unsigned char)k[-1]))
        k--;
    if (k - b >= 4 && word_at(k - 4, k, "with") && (k - 4 == b || isspace((unsigned char)k[-5])))
        for (k -= 4; k > b && isspace((unsigned char)k[-1]);)
            k--;
    if (!(k - b >= 6 && word_at(k - 5, k, "stdin") && isspace((unsigned char)k[-6])))
        return NULL;
    buf_putn(&out, b, (size_t)(open + 1 - b));
    buf_puts(&out, "FORMAT binary");
    const char *p = open + 1, *end = e - 1;
    while (p < end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *ie = c ? c : end, *s = p;
        while (s < ie && isspace((unsigned char)*s))
            s++;
        const char *t = ie;
        while (t > s && isspace((unsigned char)t[-1]))
            t--;
        if (word_at(s, t, "format")) {
            const char *v = s + 6;
            while (v < t && isspace((unsigned char)*v))
                v++;
            if (!(t - v == 4 && word_at(v, t, "text"))) {
                buf_free(&out);
                return NULL;
            }
        } else if (word_at(s, t, "freeze")) {
            buf_puts(&out, ", ");
            buf_putn(&out, s, (size_t)(t - s));
        } else {
            buf_free(&out);
            return NULL;
        }
        p = c ? c + 1 : end;
    }
    buf_putc(&out, ')');
    return buf_detach(&out, NULL);
}

static int setup(const CopyJob *job, Setup *su, StepError *e)
{
    const CopyDirective *d = job->st->copy;
    Buf msg;
    buf_init(&msg);
    int rc = -1;
    su->cs = job->st->copy_stmt;
    if (su->cs->binary || su->cs->csv) {
        buf_puts(&msg, "the runner produces COPY FORMAT text only; write WITH (FORMAT text)");
        goto fail_at_stmt;
    }
    /* jsonpaths */
    Buf jpath;
    buf_init(&jpath);
    buf_printf(&jpath, "%s/%s", job->step_dir, d->jsonpaths);
    size_t jlen;
    char *jtext = read_whole_file(jpath.data, 0, &jlen);
    if (!jtext)
        buf_printf(&msg, "cannot read %s: %s", jpath.data, strerror(errno));
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
    if (jsonpaths_compile_ex(&su->jp, (const char *const *)paths, npaths, d->ignorecase, &msg))
        goto fail_at_directive;
    su->paths = paths;
    su->have_jp = 1;

    /* column types, from inside the step's transaction */
    const char *params[1] = {su->cs->table};
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
    int ncols = su->cs->ncols ? su->cs->ncols : ncat;
    /* Binary when every column has an exact binary encoding (convert.h);
     * STARGEN_COPY_FORMAT=text (for tests only) keeps every COPY text. */
    const char *fmt = getenv("STARGEN_COPY_FORMAT");
    int binary = 1;
    if (fmt && *fmt && strcmp(fmt, "text") != 0 && strcmp(fmt, "auto") != 0) {
        buf_printf(&msg, "STARGEN_COPY_FORMAT is \"%s\"; it can be text or auto (for tests)", fmt);
        PQclear(r);
        goto fail_at_stmt;
    }
    if (fmt && strcmp(fmt, "text") == 0)
        binary = 0;
    su->cols = arena_alloc(&su->a, (size_t)(ncols ? ncols : 1) * sizeof *su->cols);
    for (int i = 0; i < ncols; i++) {
        int row = su->cs->ncols ? -1 : i;
        for (int k = 0; row < 0 && k < ncat; k++)
            if (strcmp(PQgetvalue(r, k, 0), su->cs->cols[i]) == 0)
                row = k;
        if (row < 0) {
            buf_printf(&msg, "column \"%s\" of the COPY is not in table %s", su->cs->cols[i],
                       su->cs->table);
            PQclear(r);
            goto fail_at_stmt;
        }
        ColSpec *c = &su->cols[i];
        c->name = arena_strdup(&su->a, PQgetvalue(r, row, 0));
        unsigned oid = (unsigned)strtoul(PQgetvalue(r, row, 2), NULL, 10);
        c->type = conv_type_from_oid(oid, atoi(PQgetvalue(r, row, 3)), c);
        binary &= conv_binary_oid(oid);
    }
    PQclear(r);
    if (binary)
        su->binary_sql = binary_statement(job->sql); /* NULL: options binary refuses */
    if (npaths != ncols) {
        buf_printf(&msg, "%s has %d paths but the COPY loads %d columns", d->jsonpaths, npaths,
                   ncols);
        goto fail_at_directive;
    }
    su->ncols = ncols;
    if (list_source(job, &su->s3, &su->src, &msg))
        goto fail_at_directive;
    if (d->incremental && select_new(job, su, &msg))
        goto fail_at_directive;
    su->opts.emptyasnull = d->emptyasnull;
    su->opts.blanksasnull = d->blanksasnull;
    su->opts.timeformat = d->tf;
    su->opts.timefmt = d->timeformat;
    su->opts.datefmt = d->dateformat;
    su->opts.roundec = d->roundec;
    su->opts.stats = &su->stats;
    su->src.gzip = d->gzip;
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

static void add_warning(const CopyJob *job, const char *text)
{
    msg_warning("%s: %s", job->step->name, text);
    if (job->warnings)
        buf_printf(job->warnings, "%s\n", text);
}

/* After a COPY that succeeded: what loaded, but probably not as meant. */
static void warn_load(const CopyJob *job, const Setup *su, const JsonReader *jr, long long rows)
{
    Buf w;
    buf_init(&w);
    for (int i = 0; i < su->ncols && rows > 0; i++) {
        if (jr->seen[su->jp.col_slot[i]])
            continue;
        buf_reset(&w);
        buf_printf(&w,
                   "column %s loaded NULL in all %lld rows: its JSON path %s never appeared in "
                   "the data (a misspelled or wrongly nested key?)",
                   su->cols[i].name, rows, su->paths[i]);
        add_warning(job, w.data);
    }
    if (su->stats.zone_ignored) {
        buf_reset(&w);
        buf_printf(&w,
                   "column %s: %lld value%s carried a time zone (e.g. \"%s\"), which a TIMESTAMP "
                   "column ignores, as on Redshift (r_Datetime_types); declare the column "
                   "timestamptz to keep the instant",
                   su->stats.zone_column, su->stats.zone_ignored,
                   su->stats.zone_ignored == 1 ? "" : "s", su->stats.zone_example);
        add_warning(job, w.data);
    }
    buf_free(&w);
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

    int binary = su.binary_sql != NULL;
    PGresult *r = PQexec(job->conn, binary ? su.binary_sql : job->sql);
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
    if (binary)
        conv_binary_header(out);
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
        Sha256 fh;
        if (su.sha) {
            sha256_init(&fh);
            rd.hash = &fh;
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
            if ((binary ? conv_row_binary : conv_row)(out, su.cols, su.ncols, su.jp.col_slot,
                                                      jr.vals, &su.opts, &msg)) {
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
        if (su.sha && !data_error && !send_failed) {
            unsigned char dg[32];
            sha256_final(&fh, dg);
            for (int k = 0; k < 32; k++)
                snprintf(su.sha[i] + 2 * k, 3, "%02x", dg[k]);
        }
        source_close(&rd);
    }
    if (binary && !data_error && !send_failed)
        conv_binary_trailer(out); /* once, after the rows of every file */
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
        source_uri(job->st->copy, job->data_root, job->model_uris, &uri, &ignore);
        buf_free(&ignore);
        if (uri)
            buf_printf(&ctx, "COPY %s at %s:%d, source %s", su.cs->table, job->step->path,
                       job->st->line, uri);
        else
            buf_printf(&ctx, "COPY %s at %s:%d, source %s under %s", su.cs->table, job->step->path,
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
            warn_load(job, &su, &jr, rows);
            /* the staged files, pending until publish commits (ledger.h) */
            buf_reset(&msg);
            if (su.sha &&
                ledger_record(job->conn, job->st->copy, &su.src, su.v, su.sha, job->run_id, &msg)) {
                step_error_set(e, "%s", msg.data);
                at_directive(e, job);
                rc = -1;
            }
        }
    }
    buf_free(&msg);
    free(first_row);
    jr_free(&jr);
done:
    if (su.have_jp)
        jsonpaths_free(&su.jp);
    sources_free(&su.src);
    free(su.v);
    free(su.sha);
    free(su.binary_sql);
    arena_free(&su.a);
    return rc;
}

void copy_describe(Buf *out, const CopyDirective *d, const char *data_root, int model_uris,
                   const char *step_dir)
{
    buf_printf(out, "    copy: source=%s jsonpaths=%s/%s", d->source, step_dir, d->jsonpaths);
    if (d->timeformat)
        buf_printf(out, " timeformat=%s", d->timeformat);
    if (d->dateformat)
        buf_printf(out, " dateformat=%s", d->dateformat);
    buf_printf(out, " emptyasnull=%s blanksasnull=%s", d->emptyasnull ? "on" : "off",
               d->blanksasnull ? "on" : "off");
    if (d->gzip)
        buf_puts(out, " compression=gzip");
    if (d->roundec)
        buf_puts(out, " roundec=on");
    if (d->ignorecase)
        buf_puts(out, " keys=ignorecase");
    buf_putc(out, '\n');
    SourceList l;
    Buf err;
    buf_init(&err);
    char *uri = NULL;
    if (source_uri(d, data_root, model_uris, &uri, &err)) {
        buf_printf(out, "    reads: MISSING: %s\n", err.data);
        buf_free(&err);
        return;
    }
    if (uri) {
        buf_printf(out,
                   "    reads: every object under %s, in key order "
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
