/* datachecks.c - run the data checks of a checks step; see datachecks.h. */
#include "datachecks.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "distkey.h"
#include "output.h"
#include "summary.h"
#include "table.h"

int checks_run(PGconn *c, const Step *s, FILE *out, bool quiet, CheckRun *run)
{
    memset(run, 0, sizeof *run);
    run->results = xcalloc(s->nstmts + 1, sizeof *run->results);
    size_t nchecks = 0;
    for (size_t i = 0; i < s->nstmts; i++)
        nchecks += s->stmts[i].check != NULL;
    for (size_t i = 0; i < s->nstmts; i++) {
        const Statement *st = &s->stmts[i];
        if (!st->check)
            continue;
        bool warn = st->check->warn;
        CheckResult *cr = &run->results[run->n++];
        cr->name = xstrdup(st->check->name);
        cr->warn = warn;
        double t0 = now_seconds();
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
            if (PQresultStatus(r) == PGRES_TUPLES_OK) {
                Buf t;
                buf_init(&t);
                format_table(&t, r, CHECK_SAMPLE_ROWS);
                cr->sample = buf_detach(&t, NULL);
            }
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
