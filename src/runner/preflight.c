/* preflight.c - settle and check what a run needs before it touches a database;
 * see preflight.h. */
#include "preflight.h"

#include "../common/message.h"
#include "../common/utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ledger.h"
#include "sources.h"

static void list_steps(const Plan *plan)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "valid steps:");
    for (size_t i = 0; i < plan->n; i++) {
        buf_putc(&b, ' ');
        utf8_escape_display_str(&b, plan->steps[i].stem);
    }
    fprintf(stderr, "%s\n", b.data);
    buf_free(&b);
}

/* Index of the step named by key for option opt, or -1 (printed). */
static long select_step(const Plan *plan, const char *opt, const char *key)
{
    long i = plan_find_step(plan, key);
    Buf shown;
    buf_init(&shown);
    utf8_escape_display_str(&shown, key);
    if (i == -1)
        msg_error("%s %s: no such step", opt, shown.data);
    else if (i == -2)
        msg_error("%s %s: more than one step matches; use NN_name", opt, shown.data);
    buf_free(&shown);
    if (i < 0)
        list_steps(plan);
    return i;
}

int preflight_select(const Plan *plan, const RunRequest *req, const Config *cfg, Preflight *pf)
{
    memset(pf, 0, sizeof *pf);
    pf->first = 0;
    pf->last = plan->n - 1;
    long ix;
    if (req->from) {
        if ((ix = select_step(plan, "--from", req->from)) < 0)
            return -1;
        pf->first = (size_t)ix;
    }
    if (req->only) {
        if ((ix = select_step(plan, "--only", req->only)) < 0)
            return -1;
        pf->first = pf->last = (size_t)ix;
    }
    if (cfg->iam_role)
        ph_set(&pf->vars, "REDSHIFT_IAM_ROLE", cfg->iam_role, "[IAM_ROLE] ARN in --config");
    pf->need_s3 = !req->report && (req->model_s3 || strncmp(req->data_root, "s3://", 5) == 0);
    /* an incremental COPY on Redshift: the runner lists its prefix and PUTs a manifest */
    for (size_t i = pf->first; i <= pf->last && i < plan->n && !req->report; i++)
        for (size_t k = 0; k < plan->steps[i].nstmts; k++)
            if (ledger_manifest_spot(&plan->steps[i].stmts[k]))
                pf->need_s3 = 1;
    return 0;
}

int source_uri(const CopyDirective *d, const char *data_root, int model_uris, char **uri, Buf *err)
{
    *uri = NULL;
    if (model_uris) {
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

int preflight_sources(const Plan *plan, const RunRequest *req, const Preflight *pf, int dry)
{
    int problems = 0;
    bool root_checked = false, root_missing = false;
    for (size_t i = pf->first; i <= pf->last; i++) {
        const Step *s = &plan->steps[i];
        for (size_t k = 0; k < s->nstmts; k++) {
            const CopyDirective *d = s->stmts[k].copy;
            if (!d)
                continue;
            Buf err;
            buf_init(&err);
            char *uri = NULL;
            if (source_uri(d, req->data_root, req->model_s3, &uri, &err)) {
                msg_error("%s:%d: %s", s->path, d->line, err.data);
                problems++;
            } else if (!uri) {
                struct stat st;
                if (!root_checked) {
                    root_checked = true;
                    if (stat(req->data_root, &st) != 0 || !S_ISDIR(st.st_mode)) {
                        root_missing = true;
                        msg_error("data root %s: %s (give --data DIR, or set STARGEN_DATA)",
                                  req->data_root,
                                  stat(req->data_root, &st) != 0 ? strerror(errno)
                                                                 : "not a folder");
                        problems++;
                    }
                }
                if (!root_missing) {
                    SourceList l;
                    if (sources_list(req->data_root, d->source, &l, &err)) {
                        msg_error("step %s: %s", s->name, err.data);
                        problems++;
                    } else {
                        if (l.n == 0) {
                            msg_error("step %s: source %s under %s holds no data file", s->name,
                                      d->source, req->data_root);
                            problems++;
                        }
                        sources_free(&l);
                    }
                }
            } else if (!dry && pf->need_s3 && pf->s3_ok) {
                SourceList l;
                if (sources_list_s3(&pf->s3, uri, &l, &err)) {
                    msg_error("step %s: %s", s->name, err.data);
                    problems++;
                } else {
                    if (l.n == 0) {
                        msg_error("step %s: %s holds no data file", s->name, uri);
                        problems++;
                    }
                    sources_free(&l);
                }
            }
            free(uri);
            buf_free(&err);
        }
    }
    return problems;
}

int preflight_placeholders(const Plan *plan, const RunRequest *req, const Preflight *pf)
{
    /* every placeholder declared in the steps to run must have a value, and a
     * value of its type, before anything runs */
    Buf missing, err;
    buf_init(&missing);
    buf_init(&err);
    int nmissing = 0, problems = 0;
    const Step *first_missing = NULL;
    for (size_t i = pf->first; i <= pf->last && !req->report; i++) {
        int n = ph_missing(&pf->vars, &plan->steps[i], &missing);
        if (n && !first_missing)
            first_missing = &plan->steps[i];
        nmissing += n;
    }
    if (nmissing) {
        msg_error("no value for placeholder%s %s (declared in %s); set %s in the environment%s",
                  nmissing > 1 ? "s" : "", missing.data, first_missing->path,
                  nmissing > 1 ? "them" : "it",
                  " (REDSHIFT_IAM_ROLE may also come from [IAM_ROLE] ARN in --config)");
        problems++;
    } else {
        for (size_t i = pf->first; i <= pf->last && !req->report; i++) {
            if (ph_check(&pf->vars, &plan->steps[i], &err)) {
                msg_error("%s", err.data);
                buf_reset(&err);
                problems++;
            }
        }
    }
    buf_free(&missing);
    buf_free(&err);
    return problems;
}

int preflight_check(Plan *plan, const RunRequest *req, const Config *cfg, Preflight *pf)
{
    /* every problem is reported, not only the first; nothing runs if there is one */
    int problems = preflight_placeholders(plan, req, pf);
    Buf err;
    buf_init(&err);
    if (pf->need_s3) {
        if (s3_config_load(&pf->s3, cfg->aws_key, cfg->aws_secret, req->no_sign, &err)) {
            msg_error("%s", err.data);
            problems++;
        } else {
            pf->s3_ok = 1;
            if (!req->quiet) {
                Buf d;
                buf_init(&d);
                s3_config_describe(&pf->s3, &d);
                printf("reading S3 sources (%s)\n", d.data);
                buf_free(&d);
            }
        }
    }
    if (!req->report)
        problems += preflight_sources(plan, req, pf, 0);
    if (problems == 0 && req->report && plan_load_queries(plan, &err)) {
        msg_error("%s", err.data);
        problems++;
    }
    buf_free(&err);
    if (problems && !req->report)
        msg_error("%d problem%s before the run; nothing was changed", problems,
                  problems == 1 ? "" : "s");
    return problems ? -1 : 0;
}

/* Where a resume must start instead of pf->first, or pf->first; -1 on a
 * history read error.  Prints one warning per table that is not as its step
 * left it. */
static long resume_start(PGconn *c, const Plan *plan, const Preflight *pf)
{
    size_t start = pf->first;
    const char *at = plan->steps[pf->first].name;
    for (size_t i = 0; i < pf->first; i++) {
        const Step *s = &plan->steps[i];
        if (s->kind != STEP_SQL || !s->fills)
            continue;
        const char *vals[1] = {s->name};
        PGresult *r = PQexecParams(c,
                                   "SELECT rows, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') "
                                   "FROM stargen_history WHERE step = $1 AND status = 'success' "
                                   "ORDER BY started_at DESC LIMIT 1",
                                   1, NULL, vals, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            msg_error("cannot read stargen_history: %s", PQresultErrorMessage(r));
            PQclear(r);
            return -1;
        }
        if (PQntuples(r) == 0) {
            msg_warning("--from %s: %s never succeeded here", at, s->name);
            PQclear(r);
            start = start < i ? start : i;
            continue;
        }
        long long want = atoll(PQgetvalue(r, 0, 0));
        char when[40];
        snprintf(when, sizeof when, "%s", PQgetvalue(r, 0, 1));
        PQclear(r);
        Buf q;
        buf_init(&q);
        buf_printf(&q, "SELECT count(*) FROM %s", s->fills);
        r = PQexec(c, q.data);
        buf_free(&q);
        /* (a failed statement outside a transaction leaves nothing to roll back) */
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            bool copy = false;
            for (size_t k = 0; k < s->nstmts; k++)
                copy |= s->stmts[k].copy_stmt != NULL;
            msg_warning("--from %s: %s, which %s filled (%lld rows at %s), is gone (a later "
                        "publish swapped it in, or it was dropped)",
                        at, s->fills, s->name, want, when);
            /* a shadow is created by its own step; a staging table by an earlier one */
            size_t from = copy ? 0 : i;
            start = start < from ? start : from;
        } else if (atoll(PQgetvalue(r, 0, 0)) != want) {
            msg_warning("--from %s: %s holds %s rows, but %s loaded %lld at %s (a server crash "
                        "empties PostgreSQL's UNLOGGED staging tables)",
                        at, s->fills, PQgetvalue(r, 0, 0), s->name, want, when);
            start = start < i ? start : i;
        }
        PQclear(r);
    }
    return (long)start;
}

int preflight_resume(PGconn *c, const Plan *plan, const RunRequest *req, Preflight *pf)
{
    bool builds = false;
    for (size_t i = pf->first; i <= pf->last; i++)
        builds |= plan->steps[i].kind != STEP_CHECKS;
    /* --only runs one step by request and publishes nothing unless it is the
     * publish step (which fails on a missing shadow and rolls back) */
    if (pf->first == 0 || !builds || req->only)
        return 0;
    long start = resume_start(c, plan, pf);
    if (start < 0)
        return -1;
    if ((size_t)start == pf->first)
        return 0;
    msg_warning("resuming at %s instead, to rebuild what the steps after it build on",
                plan->steps[start].name);
    Preflight more = *pf;
    more.last = pf->first - 1;
    more.first = (size_t)start;
    int problems =
        preflight_placeholders(plan, req, &more) + preflight_sources(plan, req, &more, 0);
    if (problems) {
        msg_error("%d problem%s in the steps the resume must redo; nothing was changed", problems,
                  problems == 1 ? "" : "s");
        return -1;
    }
    pf->first = (size_t)start;
    return 0;
}

void preflight_free(Preflight *pf)
{
    s3_config_free(&pf->s3);
    memset(pf, 0, sizeof *pf);
}
