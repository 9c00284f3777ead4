/* manifest.c - the manifest of new files of an incremental COPY on Redshift;
 * see manifest.h. */
#include "manifest.h"

#include "../common/message.h"
#include "../common/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void manifest_json_string(Buf *out, const char *s, size_t n)
{
    buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            buf_putc(out, '\\');
            buf_putc(out, (char)ch);
        } else if (ch < 0x20 || ch == 0x7f) {
            buf_printf(out, "\\u%04x", ch);
        } else {
            buf_putc(out, (char)ch);
        }
    }
    buf_putc(out, '"');
}

long manifest_json(Buf *out, const SourceList *l, const LedgerVerdict *v, Buf *err)
{
    long n = 0;
    buf_puts(out, "{\"entries\":[");
    for (size_t i = 0; i < l->n; i++) {
        if (v && v[i] != LV_NEW && v[i] != LV_RELOAD)
            continue;
        const char *u = l->files[i].display;
        if (!utf8_valid(u, strlen(u))) {
            buf_puts(err, "the key of ");
            utf8_escape_display_str(err, u);
            buf_puts(err, " is not valid UTF-8: it cannot be written into a manifest");
            return -1;
        }
        buf_puts(out, n++ ? ",\n{\"url\":" : "\n{\"url\":");
        manifest_json_string(out, u, strlen(u));
        buf_printf(out, ",\"mandatory\":true,\"meta\":{\"content_length\":%llu}}",
                   (unsigned long long)l->files[i].size);
    }
    buf_puts(out, n ? "\n]}\n" : "]}\n");
    return n;
}

int manifest_url(Buf *out, const char *manifests, const char *run_id, const char *stem, Buf *err)
{
    size_t from = out->len;
    buf_printf(out, "%s%s/%s.manifest", manifests, run_id, stem);
    const char *key = strchr(out->data + from + 5, '/');
    size_t klen = key ? strlen(key + 1) : 0;
    if (!key || klen > 1024 || out->len - from > PH_MANIFEST_URL_MAX) {
        buf_printf(err, "the manifest URL %s is too long (an S3 key holds at most 1024 bytes)",
                   out->data + from);
        out->len = from;
        out->data[from] = '\0';
        return -1;
    }
    return 0;
}

static int fail_at(StepError *e, const Step *s, const PlaceholderUse *u, const Buf *msg)
{
    step_error_set(e, "%s", msg->data);
    free(e->file);
    e->file = xstrdup(s->path);
    e->line = u->line;
    e->col = 1;
    return -1;
}

int manifest_fill(PGconn *c, const Step *s, const Statement *st, const ManifestRun *r, PhVars *vars,
                  StepError *e)
{
    const PlaceholderUse *u = NULL;
    for (size_t i = 0; i < st->nph && !u; i++)
        if (st->ph[i].type == PH_MANIFEST)
            u = &st->ph[i];
    vars->manifest_url[0] = '\0';
    if (!u)
        return 1;
    const ManifestSpot *m = u->manifest;
    Buf msg;
    buf_init(&msg);
    if (!r->s3) {
        buf_printf(&msg, "incremental source %s: S3 is not configured in this program", m->source);
        int rc = fail_at(e, s, u, &msg);
        buf_free(&msg);
        return rc;
    }
    /* the COPY's REGION holds the files and must hold the manifest too (r_COPY) */
    S3Config cfg = *r->s3;
    if (m->region)
        cfg.region = (char *)m->region;
    SourceList l;
    if (sources_list_s3(&cfg, m->source, &l, &msg)) {
        int rc = fail_at(e, s, u, &msg);
        buf_free(&msg);
        return rc;
    }
    LedgerVerdict *v = xcalloc(l.n ? l.n : 1, sizeof *v);
    Buf json, url;
    buf_init(&json);
    buf_init(&url);
    int rc = -1;
    if (ledger_ensure(c, &msg) || ledger_select_etag(c, m, &l, r->full_reload, v, &msg))
        goto out;
    size_t fresh = 0, again = 0, loaded = 0, skipped = 0;
    for (size_t i = 0; i < l.n; i++) {
        fresh += v[i] == LV_NEW;
        again += v[i] == LV_RELOAD;
        loaded += v[i] == LV_LOADED;
        if (v[i] == LV_SKIPPED_CH) {
            skipped++;
            Buf w;
            buf_init(&w);
            utf8_escape_display_str(&w, l.files[i].display);
            buf_puts(&w, " changed after it was loaded; not staged again (on_changed: skip): the "
                         "star tables keep the rows of its old content");
            msg_warning("%s: %s", s->name, w.data);
            if (r->warnings)
                buf_printf(r->warnings, "%s\n", w.data);
            buf_free(&w);
        }
    }
    /* the pending rows, in the step's transaction: they stand or fall with the COPY */
    if (ledger_record_etag(c, m, &l, v, r->run_id, &msg))
        goto out;
    if (fresh + again == 0) {
        if (!r->quiet)
            msg_info("%s: incremental source %s: no new file (%zu already loaded, %zu changed "
                     "and skipped); the COPY is not run, the staging table stays empty",
                     s->name, m->source, loaded, skipped);
        rc = 0;
        goto out;
    }
    if (manifest_json(&json, &l, v, &msg) < 0 ||
        manifest_url(&url, m->manifests, r->run_id, s->stem, &msg))
        goto out;
    char *bucket = NULL, *key = NULL;
    if (s3_parse_uri(url.data, &bucket, &key, &msg) == 0) {
        if (s3_put(&cfg, bucket, key, json.data, json.len, "application/json", &msg) == 0) {
            snprintf(vars->manifest_url, sizeof vars->manifest_url, "%s", url.data);
            rc = 1;
        }
    }
    free(bucket);
    free(key);
    if (rc == 1 && !r->quiet)
        msg_info("%s: incremental source %s: %zu file%s to stage (%zu new, %zu again), %zu "
                 "already loaded%s, %zu changed and skipped; manifest %s",
                 s->name, m->source, fresh + again, fresh + again == 1 ? "" : "s", fresh, again,
                 loaded, r->full_reload ? " (--full-reload stages them again)" : "", skipped,
                 url.data);
out:
    if (rc < 0)
        fail_at(e, s, u, &msg);
    free(v);
    sources_free(&l);
    buf_free(&json);
    buf_free(&url);
    buf_free(&msg);
    return rc;
}
