/* datachecks.c - run the data checks of a checks step; see datachecks.h. */
#include "datachecks.h"

#include <stdlib.h>
#include <string.h>

#include "../common/message.h"
#include "../common/utf8.h"
#include "conn.h"
#include "distkey.h"
#include "output.h"
#include "summary.h"
#include "table.h"

/* The sample rows of a failed check as an aligned table, every name and value
 * escaped for one terminal line (utf8_escape_display): the values come from the
 * database and may hold control bytes or invalid UTF-8. */
static char *sample_table(const PGresult *r)
{
    int nf = PQnfields(r), nt = PQntuples(r);
    if (nt > CHECK_SAMPLE_ROWS)
        nt = CHECK_SAMPLE_ROWS;
    PGresAttDesc *att = xcalloc((size_t)nf + 1, sizeof *att);
    Buf *names = xcalloc((size_t)nf + 1, sizeof *names);
    for (int f = 0; f < nf; f++) {
        buf_init(&names[f]);
        utf8_escape_display_str(&names[f], PQfname(r, f));
        att[f].name = names[f].data;
        att[f].typid = PQftype(r, f);
        att[f].typlen = -1;
        att[f].atttypmod = -1;
    }
    PGresult *esc = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    char *text = NULL;
    if (esc && PQsetResultAttrs(esc, nf, att)) {
        Buf v;
        buf_init(&v);
        bool ok = true;
        for (int t = 0; t < nt && ok; t++)
            for (int f = 0; f < nf && ok; f++) {
                if (PQgetisnull(r, t, f)) {
                    ok = PQsetvalue(esc, t, f, NULL, -1);
                    continue;
                }
                buf_reset(&v);
                buf_putc(&v, 'x'); /* v.data non-NULL even for an empty value */
                buf_reset(&v);
                utf8_escape_display(&v, PQgetvalue(r, t, f), (size_t)PQgetlength(r, t, f));
                ok = PQsetvalue(esc, t, f, v.data, (int)v.len);
            }
        buf_free(&v);
        if (ok) {
            Buf out;
            buf_init(&out);
            format_table(&out, esc, CHECK_SAMPLE_ROWS);
            text = buf_detach(&out, NULL);
        }
    }
    PQclear(esc);
    for (int f = 0; f < nf; f++)
        buf_free(&names[f]);
    free(names);
    free(att);
    return text;
}

/* Runs the tallies of step s: counts[i] is the offending-row count of statement i
 * as its tally gave it, or -1 when it has none (or the tally could not run: the
 * check then runs its own query and reports what went wrong itself).  Each tally's
 * time is shared among its checks in secs[i]. */
static void run_tallies(PGconn *c, const Step *s, long long *counts, double *secs)
{
    for (size_t i = 0; i < s->nstmts; i++)
        counts[i] = -1;
    for (size_t i = 0; i < s->nstmts; i++) {
        const Statement *ts = &s->stmts[i];
        if (!ts->tally)
            continue;
        int n = 0;
        for (size_t k = i + 1; k < s->nstmts; k++)
            n += s->stmts[k].check && s->stmts[k].check->tally &&
                 strcmp(s->stmts[k].check->tally, ts->tally->name) == 0;
        if (!n)
            continue;
        double t0 = now_seconds();
        Buf q;
        buf_init(&q);
        buf_putn(&q, s->text + ts->off, ts->len);
        PGresult *r = PQexec(c, q.data);
        buf_free(&q);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQnfields(r) != n) {
            Buf m, name;
            buf_init(&m);
            buf_init(&name);
            if (PQresultStatus(r) != PGRES_TUPLES_OK)
                conn_put_error(&m, c, r);
            else
                buf_printf(&m, "it returned %d row%s of %d column%s, not 1 row of %d", PQntuples(r),
                           PQntuples(r) == 1 ? "" : "s", PQnfields(r), PQnfields(r) == 1 ? "" : "s",
                           n);
            utf8_escape_display_str(&name, ts->tally->name);
            msg_warning("%s:%d: tally %s: %s; its checks run one query each", s->path, ts->line,
                        name.data, m.data ? m.data : "unknown error");
            buf_free(&m);
            buf_free(&name);
            PQclear(r);
            /* a failed statement outside a transaction leaves nothing behind; inside the
             * publish transaction the checks after it report the aborted transaction */
            continue;
        }
        double each = (now_seconds() - t0) / n;
        int col = 0;
        for (size_t k = i + 1; k < s->nstmts; k++) {
            const CheckDirective *cd = s->stmts[k].check;
            if (!cd || !cd->tally || strcmp(cd->tally, ts->tally->name))
                continue;
            const char *v = PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
            char *end = NULL;
            long long x = v ? strtoll(v, &end, 10) : -1;
            counts[k] = (v && *v && end && !*end && x >= 0) ? x : -1;
            secs[k] = each;
            col++;
        }
        PQclear(r);
    }
}

int checks_run(PGconn *c, const Step *s, FILE *out, bool quiet, CheckRun *run)
{
    memset(run, 0, sizeof *run);
    run->results = xcalloc(s->nstmts + 1, sizeof *run->results);
    size_t nchecks = 0;
    for (size_t i = 0; i < s->nstmts; i++)
        nchecks += s->stmts[i].check != NULL;
    long long *tallies = xcalloc(s->nstmts + 1, sizeof *tallies);
    double *tally_secs = xcalloc(s->nstmts + 1, sizeof *tally_secs);
    run_tallies(c, s, tallies, tally_secs);
    for (size_t i = 0; i < s->nstmts; i++) {
        const Statement *st = &s->stmts[i];
        if (!st->check)
            continue;
        bool warn = st->check->warn;
        CheckResult *cr = &run->results[run->n++];
        cr->name = xstrdup(st->check->name);
        cr->warn = warn;
        double t0 = now_seconds() - tally_secs[i];
        if (tallies[i] == 0) { /* its tally counted no offending row: it passes */
            cr->failing = 0;
            goto report;
        }
        Buf q, sql, serr;
        buf_init(&q);
        buf_init(&sql);
        buf_init(&serr);
        /* the distribution checks' tunable values, from STARGEN_DIST_* (distkey.h) */
        if (distkey_settings_apply(s->text + st->off, st->len, &sql, &serr)) {
            cr->failing = -1;
            cr->error = buf_detach(&serr, NULL);
            run->broken++;
            buf_free(&sql);
            buf_free(&q);
            goto report;
        }
        buf_free(&serr);
        buf_printf(&q, "SELECT count(*) FROM (%s) AS stargen_check", sql.data);
        PGresult *r = PQexec(c, q.data);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            cr->failing = -1;
            Buf m;
            buf_init(&m);
            conn_put_error(&m, c, r);
            cr->error = m.len ? buf_detach(&m, NULL) : xstrdup("unknown error");
            buf_free(&m);
            run->broken++;
        } else {
            cr->failing = atoll(PQgetvalue(r, 0, 0));
        }
        PQclear(r);
        if (cr->failing > 0) {
            buf_reset(&q);
            buf_printf(&q, "SELECT * FROM (%s) AS stargen_check LIMIT %d", sql.data,
                       CHECK_SAMPLE_ROWS);
            r = PQexec(c, q.data);
            if (PQresultStatus(r) == PGRES_TUPLES_OK)
                cr->sample = sample_table(r);
            PQclear(r);
            if (warn)
                run->failed_warnings++;
            else
                run->failed_errors++;
        }
        buf_free(&q);
        buf_free(&sql);
    report:
        cr->seconds = now_seconds() - t0;
        if (quiet && cr->failing >= 0 && (cr->failing == 0 || cr->warn)) /* errors always show */
            continue;
        const char *status = cr->failing < 0    ? "ERROR"
                             : cr->failing == 0 ? "pass"
                             : cr->warn         ? "WARN"
                                                : "FAIL";
        fprintf(out, "  check %-52s %s", cr->name, status);
        if (cr->failing > 0)
            fprintf(out, " %lld row%s", cr->failing, cr->failing == 1 ? "" : "s");
        fputc('\n', out);
        if (cr->error)
            fprintf(out, "    %s\n", cr->error);
        if (cr->sample)
            fputs(cr->sample, out);
    }
    if (!quiet || run->failed_errors || run->broken)
        fprintf(out, "checks: %zu run, %zu passed, %d failed, %d warned%s\n", nchecks,
                nchecks - (size_t)(run->failed_errors + run->failed_warnings + run->broken),
                run->failed_errors + run->broken, run->failed_warnings,
                run->broken ? " (some could not run)" : "");
    free(tallies);
    free(tally_secs);
    return run->failed_errors + run->broken;
}

void checks_free(CheckRun *run)
{
    for (size_t i = 0; i < run->n; i++) {
        free(run->results[i].name);
        free(run->results[i].sample);
        free(run->results[i].error);
    }
    free(run->results);
    memset(run, 0, sizeof *run);
}

void checks_json(Buf *b, const CheckRun *run)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < run->n; i++) {
        const CheckResult *c = &run->results[i];
        const char *status = c->failing < 0    ? "error"
                             : c->failing == 0 ? "pass"
                             : c->warn         ? "warn"
                                               : "fail";
        buf_puts(b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        json_quote(b, c->name);
        buf_printf(b,
                   ", \"severity\": \"%s\", \"status\": \"%s\", \"failing_rows\": %lld, "
                   "\"seconds\": %.3f, \"error\": ",
                   c->warn ? "warn" : "error", status, c->failing < 0 ? 0 : c->failing, c->seconds);
        json_quote(b, c->error);
        /* the offending rows as the checks output shows them (the measurements of a
         * dist_key_ / dist_all_ warning), or null */
        buf_puts(b, ", \"sample\": ");
        json_quote(b, c->sample);
        buf_putc(b, '}');
    }
    buf_puts(b, run->n ? "\n  ]" : "]");
}
