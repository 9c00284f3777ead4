/* execute.c - the step loop: transactions, statements, data checks, history,
 * errors; see execute.h. */
#include "execute.h"

#include "../common/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "copy.h"
#include "datachecks.h"
#include "history.h"
#include "jobs.h"
#include "ledger.h"
#include "manifest.h"

volatile sig_atomic_t runner_interrupted;

static char *dup_field(const PGresult *r, int field)
{
    const char *v = r ? PQresultErrorField(r, field) : NULL;
    return v ? xstrdup(v) : NULL;
}

void step_error_from_result(StepError *e, const PGresult *r)
{
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", st ? st : "");
    free(e->message);
    free(e->detail);
    free(e->hint);
    free(e->context);
    e->message = dup_field(r, PG_DIAG_MESSAGE_PRIMARY);
    if (!e->message) {
        const char *m = r ? PQresultErrorMessage(r) : "";
        size_t n = strlen(m);
        while (n && m[n - 1] == '\n')
            n--;
        e->message = n ? xmalloc(n + 1) : xstrdup("unknown error (connection lost?)");
        if (n) {
            memcpy(e->message, m, n);
            e->message[n] = '\0';
        }
    }
    e->detail = dup_field(r, PG_DIAG_MESSAGE_DETAIL);
    e->hint = dup_field(r, PG_DIAG_MESSAGE_HINT);
    e->context = dup_field(r, PG_DIAG_CONTEXT);
}

void run_map_position(const Step *s, const Statement *st, const char *sent, size_t sent_len,
                      const PhMap *map, long pos, int *line, int *col)
{
    size_t out_off = utf8_char_to_byte(sent, sent_len, pos);
    size_t in_off = ph_map_back(map, out_off);
    if (in_off > st->len)
        in_off = st->len;
    plan_line_col(s->text, st->off + in_off, line, col);
}

static int exec_simple(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? 0 : -1;
}

static char *stmt_text(const Step *s, const Statement *st)
{
    char *t = xmalloc(st->len + 1);
    memcpy(t, s->text + st->off, st->len);
    t[st->len] = '\0';
    return t;
}

/* Redshift: after a failed COPY, fetch the load errors. */
static void redshift_load_errors(PGconn *c, StepError *e)
{
    Buf out;
    buf_init(&out);
    /* the step's transaction is aborted: leave it, the step has failed anyway */
    if (PQtransactionStatus(c) != PQTRANS_IDLE) {
        PGresult *rb = PQexec(c, "ROLLBACK");
        PQclear(rb);
    }
    PGresult *r = PQexec(c, "SELECT TRIM(file_name), line_number, TRIM(column_name), NULL, "
                            "TRIM(error_message), error_code FROM sys_load_error_detail "
                            "WHERE session_id = pg_backend_pid() "
                            "ORDER BY start_time DESC LIMIT 10");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        r = PQexec(c, "SELECT TRIM(filename), line_number, TRIM(colname), TRIM(raw_field_value), "
                      "TRIM(err_reason), err_code FROM stl_load_errors "
                      "WHERE query = pg_last_copy_id() ORDER BY starttime LIMIT 10");
    }
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        for (int i = 0; i < PQntuples(r); i++)
            report_load_error(&out, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                              PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5));
    }
    PQclear(r);
    if (out.len) {
        free(e->extra);
        e->extra = buf_detach(&out, NULL);
    } else {
        buf_free(&out);
    }
}

static int is_command(const char *status, const char *word)
{
    size_t n = strlen(word);
    return strncmp(status, word, n) == 0 && (status[n] == ' ' || status[n] == '\0');
}

/* The counts of the kept table a publish step is loading (count directives). */
typedef struct TableCount {
    const char *table;
    long long staged, unchanged, updated;
    int staged_seen; /* an as=staged statement came: an upsert (else an append) */
    long long read;  /* rows of its FROM staging table this run, or -1: not known */
    /* where the staging loads of this run are (for read) */
    const Plan *plan;
    const StepResult *all; /* the plan's results, plan->n entries */
    size_t step;           /* the index of the step being run */
} TableCount;

/* The rows this run's staging loads copied into staging table `from` (the
 * steps before `step` whose COPY fills it and that succeeded in this run), or
 * -1 when none did (not a staging table, or its load was not run: --from). */
static long long staging_rows(const TableCount *tc, const char *from)
{
    long long n = -1;
    for (size_t j = 0; from && tc->plan && j < tc->step; j++) {
        const Step *s = &tc->plan->steps[j];
        if (tc->all[j].status != ST_SUCCESS)
            continue;
        for (size_t k = 0; k < s->nstmts; k++) {
            const CopyStmt *cs = s->stmts[k].copy_stmt;
            if (cs && cs->bare && strcmp(cs->bare, from) == 0) {
                n = (n < 0 ? 0 : n) + tc->all[j].rows;
                break;
            }
        }
    }
    return n;
}

/* A line a step prints while it runs: at once, or kept for its step line (--jobs). */
static void step_print(const ExecOpts *o, const char *text)
{
    if (o->lines) {
        buf_puts(o->lines, text);
        return;
    }
    fputs(text, stdout);
    fflush(stdout);
}

/* Adds a counted statement's rows to the step's counts; after the INSERT of
 * a table, prints what happened to it.  Skipped rows (docs/out-format.md,
 * "Row counts"): the rows the load read from its staging table that it did not
 * account for as inserted, updated or unchanged: for an upsert, read - staged
 * (rows its where, an inner join or its dedupe dropped), for an append, read -
 * inserted (those, and rows whose key is already stored). */
static void count_rows(const ExecOpts *o, const CountDirective *cd, long long n, TableCount *tc,
                       StepResult *res)
{
    /* a dimension's inferred members come before its fact's load: counted apart */
    if (cd->as == COUNT_INFERRED) {
        res->counted = 1;
        res->inferred += n;
        if (n > 0 && !o->quiet) {
            Buf b;
            buf_init(&b);
            buf_puts(&b, "      ");
            put_display_text(&b, cd->table, NULL);
            buf_printf(&b,
                       ": %lld inferred member%s (keys only: named by the facts before "
                       "their rows arrived)\n",
                       n, n == 1 ? "" : "s");
            step_print(o, b.data);
            buf_free(&b);
        }
        return;
    }
    if (!tc->table || strcmp(tc->table, cd->table) != 0) {
        tc->staged = tc->unchanged = tc->updated = 0;
        tc->staged_seen = 0;
        tc->table = cd->table;
        tc->read = staging_rows(tc, cd->from);
    }
    res->counted = 1;
    switch (cd->as) {
    case COUNT_INFERRED: /* counted above */ break;
    case COUNT_STAGED:
        tc->staged += n;
        tc->staged_seen = 1;
        break;
    case COUNT_UNCHANGED:
        tc->unchanged += n;
        res->unchanged += n;
        break;
    case COUNT_UPDATED:
        tc->updated += n;
        res->updated += n;
        break;
    case COUNT_INSERTED:
    case COUNT_NEW: {
        long long fresh = cd->as == COUNT_NEW ? n : n - tc->updated;
        int known = tc->read >= 0; /* negative skipped (a join made rows) is printed too */
        long long skipped = known ? tc->read - (tc->staged_seen ? tc->staged : fresh) : 0;
        res->inserted += fresh;
        if (known) {
            res->skipped += skipped;
            res->skipped_known = 1;
        }
        if (!o->quiet) {
            Buf b;
            buf_init(&b);
            buf_puts(&b, "      ");
            put_display_text(&b, cd->table, NULL);
            buf_printf(&b, ": %lld inserted, %lld updated, %lld unchanged", fresh, tc->updated,
                       tc->unchanged);
            if (known) {
                buf_printf(&b, ", %lld skipped (of %lld read from ", skipped, tc->read);
                put_display_text(&b, cd->from, NULL);
                buf_puts(&b, ")");
            }
            buf_putc(&b, '\n');
            step_print(o, b.data);
            buf_free(&b);
        }
        tc->table = NULL;
        break;
    }
    }
}

/* The rows the session's last COPY loaded (Redshift), or 0 if that cannot be read. */
static long long last_copy_count(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT pg_last_copy_count()");
    long long n =
        PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return n;
}

/* Runs one statement; 0 with rows added, or -1 with e filled. */
static int run_statement(PGconn *c, const Step *s, const Statement *st, const ExecOpts *o,
                         const char *step_dir, Progress *prog, long long *rows, StepError *e,
                         TableCount *tc, StepResult *res)
{
    /* an incremental COPY on Redshift reads this run's manifest of new files (manifest.h) */
    PhVars vars = *o->vars;
    ManifestRun mr = {o->s3, o->run_id, o->full_reload, o->quiet, &res->warnings};
    int go = manifest_fill(c, s, st, &mr, &vars, e);
    if (go <= 0)
        return go;
    Buf sql;
    buf_init(&sql);
    PhMap map = {0};
    ph_apply(&vars, s->text, st, o->redshift || conn_backslash_escapes(c), &sql, &map);
    int rc = 0;
    if (st->copy) {
        CopyJob job = {c,
                       s,
                       st,
                       sql.data,
                       o->data_root,
                       o->s3,
                       o->model_uris,
                       step_dir,
                       prog,
                       &runner_interrupted,
                       &res->warnings,
                       o->run_id,
                       o->full_reload,
                       o->quiet};
        long long n = 0;
        rc = copy_run(&job, &n, e);
        if (rc == 0)
            *rows += n;
        else if (e->file && strcmp(e->file, s->path) == 0 && !e->statement)
            e->statement = stmt_text(s, st);
        buf_free(&sql);
        ph_map_free(&map);
        return rc;
    }
    PGresult *r = PQexec(c, sql.data);
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_COPY_IN) {
        PQputCopyEnd(c, "COPY FROM STDIN needs a -- stargen:copy directive");
        PQclear(r);
        while ((r = PQgetResult(c)) != NULL)
            PQclear(r);
        step_error_set(e, "COPY FROM STDIN without a -- stargen:copy directive on the line "
                          "before it");
        rc = -1;
    } else if (status == PGRES_COPY_OUT) {
        char *line;
        while (PQgetCopyData(c, &line, 0) > 0)
            PQfreemem(line);
        PQclear(r);
        while ((r = PQgetResult(c)) != NULL)
            PQclear(r);
    } else if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
               status == PGRES_EMPTY_QUERY) {
        const char *cs = PQcmdStatus(r);
        /* a step's rows are the rows it adds: a DELETE before a reload (or of an
         * upsert's replaced rows) is not counted again (issue 13, item 8) */
        long long n = atoll(PQcmdTuples(r));
        /* Redshift's COPY (from S3) may end with a bare "COPY" tag: its count is
         * pg_last_copy_count() (PG_LAST_COPY_COUNT.html); the skipped rows need it */
        if (o->redshift && is_command(cs, "COPY") && !PQcmdTuples(r)[0])
            n = last_copy_count(c);
        if (st->count)
            count_rows(o, st->count, n, tc, res);
        /* a staged candidate is not a row of the table (the INSERT that follows is) */
        if ((is_command(cs, "INSERT") || is_command(cs, "COPY")) &&
            !(st->count && st->count->as == COUNT_STAGED))
            *rows += n;
        PQclear(r);
    } else {
        step_error_from_result(e, r);
        const char *posf = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
        long pos = posf ? atol(posf) : 0;
        PQclear(r);
        rc = -1;
        if (pos > 0)
            run_map_position(s, st, sql.data, sql.len, &map, pos, &e->line, &e->col);
        if (o->redshift && st->copy_stmt)
            redshift_load_errors(c, e);
    }
    if (rc) {
        free(e->file);
        e->file = xstrdup(s->path);
        if (!e->line) {
            e->line = st->line;
            e->col = st->col;
        }
        free(e->statement);
        e->statement = stmt_text(s, st);
    }
    buf_free(&sql);
    ph_map_free(&map);
    return rc;
}

static void emit(const ExecOpts *o, Buf *b, FILE *f)
{
    if (!o->quiet || f == stderr)
        fputs(b->data, f);
    fflush(f);
    buf_reset(b);
}

static char *dir_of(const char *path)
{
    const char *sl = strrchr(path, '/');
    if (!sl)
        return xstrdup(".");
    char *d = xmalloc((size_t)(sl - path) + 1);
    memcpy(d, path, (size_t)(sl - path));
    d[sl - path] = '\0';
    return d;
}

/* The statements of a SQL step, in its transaction when it has one.  Adds the
 * rows they touched; 0 or -1 with e filled. */
static int run_statements(PGconn *c, const Plan *plan, size_t i, const ExecOpts *o, long long *rows,
                          StepError *e, StepResult *res)
{
    const Step *s = &plan->steps[i];
    TableCount tc = {.plan = plan, .all = res - i, .step = i};
    char *step_dir = dir_of(s->path);
    Progress prog;
    progress_start(&prog, o->tty && !o->quiet, s->name);
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < s->nstmts; k++) {
        if (runner_interrupted) {
            step_error_set(e, "interrupted");
            e->file = xstrdup(s->path);
            e->line = s->stmts[k].line;
            e->col = s->stmts[k].col;
            rc = -1;
            break;
        }
        if (o->delay_ms > 0) /* tests only: widen the windows a kill -9 can land in */
            nanosleep(&(struct timespec){o->delay_ms / 1000, (o->delay_ms % 1000) * 1000000L},
                      NULL);
        rc = run_statement(c, s, &s->stmts[k], o, step_dir, &prog, rows, e, &tc, res);
    }
    free(step_dir);
    return rc;
}

/* The data checks of a checks step.  Never fails as a step: failed checks are
 * counted in *check_failures and make the step's history row an error. */
static void run_checks(PGconn *c, const Plan *plan, size_t i, const ExecOpts *o, StepResult *res,
                       ExecOutcome *out)
{
    const Step *s = &plan->steps[i];
    if (!o->quiet)
        printf("[%*zu/%zu] %s\n", i + 1 >= 10 ? 2 : 1, i + 1, plan->n, s->name);
    CheckRun cr;
    int failures = checks_run(c, s, stdout, o->quiet, &cr);
    res->rows = 0;
    for (size_t k = 0; k < cr.n; k++)
        res->rows += cr.results[k].failing > 0 ? cr.results[k].failing : 0;
    if (failures)
        step_error_set(&res->err, "%d data check%s failed", failures, failures == 1 ? "" : "s");
    Buf cj;
    buf_init(&cj);
    checks_json(&cj, &cr);
    free(out->checks_json);
    out->checks_json = buf_detach(&cj, NULL);
    checks_free(&cr);
    out->check_failures += failures;
}

int execute_step(PGconn *c, const Plan *plan, size_t i, const ExecOpts *o, StepResult *res,
                 ExecOutcome *out)
{
    const Step *s = &plan->steps[i];
    StepError *e = &res->err;
    double t0 = now_seconds();
    utc_now_iso(res->started_at);
    long long rows = 0;
    /* a retried publish step counts afresh */
    res->counted = res->skipped_known = 0;
    res->inserted = res->updated = res->unchanged = res->skipped = 0;
    int checks = s->kind == STEP_CHECKS;
    int intx = !checks && !s->no_transaction, rc = 0;
    /* the publish step holds the checks step after it in its transaction */
    size_t ci = i + 1;
    int publish = s->kind == STEP_PUBLISH;
    int held = publish && ci <= o->last && ci < plan->n && plan->steps[ci].kind == STEP_CHECKS;
    int unpublished = 0;
    HistoryRow h = {o->run_id, s->name, s->file, s->checksum, "success", res->started_at,
                    NULL,      0,       0};
    Buf msg;
    buf_init(&msg);
    if (intx && exec_simple(c, "BEGIN")) {
        step_error_set(e, "BEGIN failed: %s", PQerrorMessage(c));
        rc = -1;
    }
    /* The swap renames the star tables one by one, each under an exclusive lock; a reader
     * that queries them in another order would deadlock with it, and PostgreSQL's detector
     * would cancel one side after deadlock_timeout. A lock wait of half that makes the
     * publish give way first (SQLSTATE 55P03), so a reader is never cancelled;
     * execute_steps() then retries the whole step. */
    if (rc == 0 && publish && !o->redshift) {
        PGresult *r = PQexec(c, "SELECT set_config('lock_timeout', GREATEST(1, EXTRACT(epoch FROM "
                                "current_setting('deadlock_timeout')::interval) * 500)::int::text, "
                                "true)");
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            step_error_set(e, "cannot set lock_timeout for the publish step: %s",
                           PQresultErrorMessage(r));
            rc = -1;
        }
        PQclear(r);
    }
    int failures_before = out->check_failures;
    if (rc == 0 && checks) {
        run_checks(c, plan, i, o, res, out);
        rows = res->rows;
    } else if (rc == 0) {
        rc = run_statements(c, plan, i, o, &rows, e, res);
        /* the files staged for the kept tables count as loaded when this commits */
        if (rc == 0 && publish && ledger_plan_incremental(plan)) {
            buf_reset(&msg);
            if (ledger_promote(c, &msg)) {
                step_error_set(e, "%s", msg.data);
                rc = -1;
            }
        }
        if (rc == 0 && held) {
            StepResult *cres = res + 1; /* res[] is the plan's array: the checks step's */
            double tc = now_seconds();
            utc_now_iso(cres->started_at);
            run_checks(c, plan, ci, o, cres, out);
            cres->seconds = now_seconds() - tc;
            cres->status = out->check_failures != failures_before ? ST_ERROR : ST_SUCCESS;
            cres->has_error = out->check_failures != failures_before;
            if (out->check_failures != failures_before && !o->publish_on_check_failure) {
                unpublished = 1;
                step_error_set(e,
                               "not published: %d data check%s failed; the previous tables "
                               "stay (runner --publish-on-check-failure publishes anyway)",
                               out->check_failures - failures_before,
                               out->check_failures - failures_before == 1 ? "" : "s");
            }
        }
    }
    int checks_failed = !publish && out->check_failures != failures_before;
    if (rc == 0 && unpublished) {
        /* the swap and the kept tables' rows go back; record both steps after */
        exec_simple(c, "ROLLBACK");
        h.status = "error";
        h.error = e->message;
        h.rows = 0;
        h.seconds = now_seconds() - t0;
        if (history_insert(c, &h, &msg))
            msg_warning("could not record the publish step in stargen_history: %s", msg.data);
        res->rows = 0;
        res->inserted = res->updated = res->unchanged = res->skipped = 0;
        res->skipped_known = 0;
        res->seconds = h.seconds;
        res->status = ST_ERROR;
        res->has_error = 1;
        out->unpublished = 1;
    }
    if (rc == 0 && held) {
        const Step *cs = &plan->steps[ci];
        const StepResult *cr = res + 1;
        HistoryRow ch = {o->run_id,
                         cs->name,
                         cs->file,
                         cs->checksum,
                         cr->has_error ? "error" : "success",
                         cr->started_at,
                         cr->err.message,
                         cr->rows,
                         cr->seconds};
        buf_reset(&msg);
        /* inside the transaction when it commits; after the rollback otherwise */
        if (history_insert(c, &ch, &msg))
            msg_warning("could not record the checks in stargen_history: %s", msg.data);
    }
    if (unpublished) {
        buf_free(&msg);
        return 0;
    }
    if (rc == 0) {
        h.rows = rows;
        h.seconds = now_seconds() - t0;
        HistoryCounts hc = {res->counted, res->skipped_known, res->inserted,
                            res->updated, res->unchanged,     res->skipped};
        if (checks_failed) {
            h.status = "error";
            h.error = e->message;
        }
        if (history_insert_counts(c, &h, &hc, &msg)) {
            if (checks) {
                msg_warning("could not record the checks in stargen_history: %s", msg.data);
            } else {
                step_error_set(e, "recording the step in stargen_history failed: %s", msg.data);
                rc = -1;
            }
        } else if (intx) {
            PGresult *r = PQexec(c, "COMMIT");
            if (PQresultStatus(r) != PGRES_COMMAND_OK) {
                step_error_from_result(e, r);
                step_error_set(e, "COMMIT failed: %s", e->message ? e->message : "");
                e->file = xstrdup(s->path);
                e->line = 1;
                rc = -1;
            }
            PQclear(r);
        }
    }
    res->rows = rows;
    res->seconds = now_seconds() - t0;
    if (rc) {
        /* the server may quote a substituted value (an IAM role, a key): put the
         * placeholder back before anything prints or records the error */
        e->message = ph_redact(o->vars, s, e->message);
        e->detail = ph_redact(o->vars, s, e->detail);
        e->hint = ph_redact(o->vars, s, e->hint);
        e->context = ph_redact(o->vars, s, e->context);
        e->extra = ph_redact(o->vars, s, e->extra);
        res->status = ST_ERROR;
        res->has_error = 1;
        if (PQtransactionStatus(c) != PQTRANS_IDLE)
            exec_simple(c, "ROLLBACK");
        h.status = "error";
        h.rows = 0;
        h.seconds = res->seconds;
        Buf em;
        buf_init(&em);
        if (e->sqlstate[0])
            buf_printf(&em, "%s: ", e->sqlstate);
        buf_puts(&em, e->message ? e->message : "error");
        h.error = em.data;
        buf_reset(&msg);
        if (PQstatus(c) == CONNECTION_OK && history_insert(c, &h, &msg))
            msg_warning("could not record the failure in stargen_history: %s", msg.data);
        buf_free(&em);
    } else {
        res->status = checks_failed ? ST_ERROR : ST_SUCCESS;
        res->has_error = checks_failed;
    }
    buf_free(&msg);
    return rc;
}

/* How often the publish step retries after giving way to a reader (about a minute). */
#define PUBLISH_RETRIES 60

int execute_steps(PGconn *c, const Plan *plan, const ExecOpts *o, StepResult *res, ExecOutcome *out)
{
    Buf line;
    buf_init(&line);
    for (size_t i = 0; i < plan->n; i++)
        res[i].status = (i < o->first || i > o->last) ? ST_SKIPPED : ST_NOT_RUN;
    /* checksum drift of the SQL steps: informational */
    for (size_t i = o->first; i <= o->last && !o->quiet; i++) {
        const Step *s = &plan->steps[i];
        char sum[65], when[40];
        if (s->kind == STEP_SQL && history_last(c, s->name, sum, when) == 1 &&
            strcmp(sum, s->checksum) != 0) {
            buf_printf(&line,
                       "note: %s changed since it last ran (%s; checksum %.12s, now %.12s)\n",
                       s->file, when, sum, s->checksum);
            emit(o, &line, stdout);
        }
    }
    int rc = 0;
    for (size_t i = o->first; i <= o->last; i++) {
        const Step *s = &plan->steps[i];
        if (s->kind == STEP_CHECKS && runner_interrupted)
            break;
        /* --jobs: a stretch of SQL steps side by side, each after the steps it needs */
        size_t end = i;
        while (o->jobs > 1 && s->kind == STEP_SQL && end + 1 <= o->last &&
               plan->steps[end + 1].kind == STEP_SQL)
            end++;
        if (end > i) {
            if (jobs_run(c, plan, o, res, i, end)) {
                rc = -1;
                break;
            }
            i = end;
            continue;
        }
        int failed = execute_step(c, plan, i, o, &res[i], out);
        /* the publish step gave way to a reader's lock (see execute_step): wait, retry */
        for (int attempt = 1; failed && s->kind == STEP_PUBLISH && attempt <= PUBLISH_RETRIES &&
                              !strcmp(res[i].err.sqlstate, "55P03") && !runner_interrupted;
             attempt++) {
            if (!o->quiet)
                msg_info("note: publish waited for a reader's lock; retrying (%d of %d)", attempt,
                         PUBLISH_RETRIES);
            step_error_free(&res[i].err);
            res[i].has_error = 0;
            buf_free(&res[i].warnings);
            usleep((useconds_t)(attempt < 10 ? attempt : 10) * 100000);
            failed = execute_step(c, plan, i, o, &res[i], out);
        }
        if (failed) {
            report_step_line(&line, i + 1, plan->n, s->name, "FAILED", -1, res[i].seconds);
            emit(o, &line, stdout);
            report_error(&line, s, &res[i].err);
            emit(o, &line, stderr);
            rc = -1;
            break;
        }
        if (s->kind == STEP_PUBLISH && res[i].status == ST_ERROR) {
            /* not published: the checks failed (and were printed) */
            report_step_line(&line, i + 1, plan->n, s->name, "rolled back", -1, res[i].seconds);
            emit(o, &line, stdout);
            msg_error("%s", res[i].err.message);
        } else if (s->kind != STEP_CHECKS) {
            report_step_line(&line, i + 1, plan->n, s->name, "ok", res[i].rows, res[i].seconds);
            emit(o, &line, stdout);
        }
        if (s->kind == STEP_PUBLISH && i + 1 <= o->last && i + 1 < plan->n &&
            plan->steps[i + 1].kind == STEP_CHECKS)
            i++; /* its checks ran inside the publish transaction */
    }
    out->failed = rc != 0;
    buf_free(&line);
    return rc;
}
