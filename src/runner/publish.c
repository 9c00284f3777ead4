/* publish.c - upload the jsonpaths files a Redshift folder names; see publish.h. */
#include "publish.h"

#include "../common/message.h"
#include "../common/readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"
#include "runner.h"
#include "s3.h"

typedef struct Upload {
    const char *table, *file, *uri; /* in the plan's or the local arena */
    const char *region;             /* the COPY's REGION, or NULL */
    char *bucket, *key;             /* parsed from uri once */
    char *text;                     /* the file, read once */
    size_t len;
} Upload;

/* The uploads the plan names: one per COPY ... FORMAT AS JSON 's3://...' of a
 * load step.  Returns how many (0: nothing to publish). */
static size_t collect(const Plan *plan, Arena *a, Upload **out)
{
    size_t n = 0, cap = 8;
    Upload *v = xcalloc(cap, sizeof *v);
    for (size_t i = 0; i < plan->n; i++) {
        const Step *s = &plan->steps[i];
        if (strncmp(s->name, "load_", 5) != 0)
            continue;
        for (size_t k = 0; k < s->nstmts; k++) {
            const CopyStmt *cs = s->stmts[k].copy_stmt;
            if (!cs || !cs->json_uri)
                continue;
            if (n == cap)
                v = xrealloc(v, (cap *= 2) * sizeof *v);
            memset(&v[n], 0, sizeof v[n]);
            v[n].table = cs->bare;
            v[n].file = arena_printf(a, "%s/%s.jsonpaths.json", plan->dir, cs->bare);
            v[n].uri = cs->json_uri;
            v[n].region = cs->region;
            n++;
        }
    }
    *out = v;
    return n;
}

/* Reads, validates and parses the URI of one upload.  0 or -1 (printed). */
static int prepare(Upload *u)
{
    u->text = read_whole_file(u->file, 0, &u->len);
    if (!u->text)
        return msg_error("cannot read %s (the jsonpaths file of the COPY into %s): %s", u->file,
                         u->table, strerror(errno));
    Buf err;
    buf_init(&err);
    Arena a;
    arena_init(&a);
    char **paths;
    int rc = 0;
    if (jsonpaths_parse_doc(&a, u->text, u->len, &paths, &err) < 0)
        rc = msg_error("%s: %s", u->file, err.data);
    arena_free(&a);
    buf_reset(&err);
    if (rc == 0 && s3_parse_uri(u->uri, &u->bucket, &u->key, &err) != 0)
        rc = msg_error("%s", err.data);
    else if (rc == 0 && (!*u->key || u->key[strlen(u->key) - 1] == '/'))
        rc = msg_error("%s names no object for %s", u->uri, u->file);
    buf_free(&err);
    return rc;
}

int publish_run(const Plan *plan, const Config *cfg, int dry, int no_sign, int quiet)
{
    Arena a;
    arena_init(&a);
    Upload *up;
    size_t n = collect(plan, &a, &up);
    int rc = RUNNER_EXIT_OK;
    Buf dir; /* the folder comes from outside: printed on one line */
    buf_init(&dir);
    put_display_text(&dir, plan->dir, NULL);
    if (n == 0) {
        msg_error("no COPY ... FORMAT AS JSON 's3://...' statement in the load steps of %s "
                  "(nothing to publish; is it a Redshift folder?)",
                  dir.data);
        rc = RUNNER_EXIT_USAGE;
    }
    for (size_t i = 0; i < n && rc == RUNNER_EXIT_OK; i++)
        if (prepare(&up[i]))
            rc = RUNNER_EXIT_USAGE;
    S3Config c;
    memset(&c, 0, sizeof c);
    Buf err;
    buf_init(&err);
    if (rc == RUNNER_EXIT_OK && !dry &&
        s3_config_load(&c, cfg->aws_key, cfg->aws_secret, no_sign, &err)) {
        msg_error("%s", err.data);
        rc = RUNNER_EXIT_USAGE;
    }
    if (rc == RUNNER_EXIT_OK && !quiet) {
        if (dry)
            printf("dry run: publish %s: %zu jsonpaths file%s, nothing uploaded\n", dir.data, n,
                   n == 1 ? "" : "s");
        else {
            Buf d;
            buf_init(&d);
            s3_config_describe(&c, &d);
            printf("publish %s: %zu jsonpaths file%s (%s)\n", dir.data, n, n == 1 ? "" : "s",
                   d.data);
            buf_free(&d);
        }
    }
    for (size_t i = 0; i < n && rc == RUNNER_EXIT_OK; i++) {
        const Upload *u = &up[i];
        if (dry) {
            printf("  would upload %s (%zu bytes) to %s%s%s\n", u->file, u->len, u->uri,
                   u->region ? " in region " : "", u->region ? u->region : "");
            continue;
        }
        buf_reset(&err);
        /* Redshift reads the jsonpaths file from the COPY's REGION
         * (copy-parameters-data-source-s3): sign for that region, not
         * AWS_REGION's. */
        char *env_region = c.region;
        if (u->region)
            c.region = (char *)u->region;
        int put = s3_put(&c, u->bucket, u->key, u->text, u->len, "application/json", &err);
        c.region = env_region;
        if (put) {
            msg_error("%s", err.data);
            rc = RUNNER_EXIT_STEP_FAILED;
        } else if (!quiet) {
            printf("  uploaded %s (%zu bytes) to %s%s%s\n", u->file, u->len, u->uri,
                   u->region ? " in region " : "", u->region ? u->region : "");
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(up[i].text);
        free(up[i].bucket);
        free(up[i].key);
    }
    free(up);
    s3_config_free(&c);
    buf_free(&err);
    buf_free(&dir);
    arena_free(&a);
    return rc;
}
