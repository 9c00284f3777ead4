/* preflight.c - settle and check what a run needs before it touches a database;
 * see preflight.h. */
#include "preflight.h"

#include "../common/message.h"
#include "../common/utf8.h"

#include <stdio.h>
#include <string.h>

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
    return 0;
}

int preflight_check(Plan *plan, const RunRequest *req, const Config *cfg, Preflight *pf)
{
    /* every placeholder declared in the steps to run must have a value, and a
     * value of its type, before anything runs */
    Buf missing, err;
    buf_init(&missing);
    buf_init(&err);
    int nmissing = 0;
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
        buf_free(&missing);
        buf_free(&err);
        return -1;
    }
    buf_free(&missing);
    for (size_t i = pf->first; i <= pf->last && !req->report; i++) {
        if (ph_check(&pf->vars, &plan->steps[i], &err)) {
            msg_error("%s", err.data);
            buf_free(&err);
            return -1;
        }
    }

    int rc = 0;
    if (pf->need_s3) {
        if (s3_config_load(&pf->s3, cfg->aws_key, cfg->aws_secret, req->no_sign, &err)) {
            rc = msg_error("%s", err.data);
        } else if (!req->quiet) {
            printf("reading S3 sources (credentials: %s; region %s%s%s)\n", pf->s3.cred_source,
                   pf->s3.region, pf->s3.endpoint ? "; endpoint " : "",
                   pf->s3.endpoint ? pf->s3.endpoint : "");
        }
    }
    if (rc == 0 && req->report && plan_load_queries(plan, &err))
        rc = msg_error("%s", err.data);
    buf_free(&err);
    return rc;
}

void preflight_free(Preflight *pf)
{
    s3_config_free(&pf->s3);
    memset(pf, 0, sizeof *pf);
}
