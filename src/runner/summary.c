/* summary.c - the report phase: the closing summary line and the --json run
 * report; see summary.h. */
#include "summary.h"

#include "../common/message.h"
#include "../common/tempfile.h"
#include "../common/utf8.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void json_quote(Buf *out, const char *s)
{
    if (!s) {
        buf_puts(out, "null");
        return;
    }
    buf_putc(out, '"');
    const unsigned char *end = (const unsigned char *)s + strlen(s);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        default:
            if (*p < 0x20) {
                buf_printf(out, "\\u%04x", *p);
            } else if (*p < 0x80) {
                buf_putc(out, (char)*p);
            } else {
                /* JSON is UTF-8: a byte that starts no valid sequence (a file
                 * name, a server message in another encoding) becomes the text
                 * \xNN, as on stderr (utf8_escape_display) */
                size_t k = utf8_seq_len(p, (size_t)(end - p));
                if (k) {
                    buf_putn(out, (const char *)p, k);
                    p += k - 1;
                } else {
                    buf_printf(out, "\\\\x%02X", *p);
                }
            }
        }
    }
    buf_putc(out, '"');
}

static const char *status_word(StepStatus s)
{
    switch (s) {
    case ST_SUCCESS: return "success";
    case ST_ERROR: return "error";
    case ST_SKIPPED: return "skipped";
    default: return "not_run";
    }
}

/* "warnings": ["...", ...] from a step's warning lines (one a line). */
static void put_warnings(Buf *b, const Buf *w)
{
    buf_puts(b, "\"warnings\": [");
    Buf line;
    buf_init(&line);
    const char *p = w->len ? w->data : "";
    for (int n = 0; *p; n++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        buf_reset(&line);
        buf_putn(&line, p, len);
        buf_puts(b, n ? ", " : "");
        json_quote(b, line.data);
        p += len + (nl != NULL);
    }
    buf_free(&line);
    buf_puts(b, "]");
}

int report_json_write(const char *path, const RunInfo *info, const Plan *set, const StepResult *res,
                      Buf *err)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\n  \"metadata\": {\"generator\": \"stargen-runner\", \"version\": ");
    json_quote(&b, RUNNER_VERSION_STR);
    buf_puts(&b, "},\n  \"run_id\": ");
    json_quote(&b, info->run_id);
    buf_puts(&b, ",\n  \"started_at\": ");
    json_quote(&b, info->started_at);
    buf_puts(&b, ",\n  \"target\": ");
    json_quote(&b, info->target);
    buf_puts(&b, ",\n  \"dialect\": ");
    json_quote(&b, info->dialect);
    buf_puts(&b, ",\n  \"folder\": ");
    json_quote(&b, info->folder);
    buf_puts(&b, ",\n  \"status\": ");
    json_quote(&b, info->status);
    buf_printf(&b, ",\n  \"elapsed_seconds\": %.3f,\n  \"results\": [", info->seconds);
    for (size_t i = 0; set && i < set->n; i++) {
        const Step *s = &set->steps[i];
        const StepResult *r = &res[i];
        buf_puts(&b, i ? ",\n    {" : "\n    {");
        buf_puts(&b, "\"name\": ");
        json_quote(&b, s->name);
        buf_puts(&b, ", \"file\": ");
        json_quote(&b, s->file);
        buf_puts(&b, ", \"checksum\": ");
        json_quote(&b, s->checksum);
        buf_puts(&b, ", \"status\": ");
        json_quote(&b, status_word(r->status));
        buf_puts(&b, ", \"started_at\": ");
        json_quote(&b, r->started_at[0] ? r->started_at : NULL);
        buf_printf(&b, ", \"rows\": %lld, ", r->rows);
        /* kept tables: what the rows did (issue 14 item 6) */
        if (r->counted) {
            buf_printf(&b,
                       "\"inserted\": %lld, \"updated\": %lld, \"unchanged\": %lld, "
                       "\"inferred\": %lld, ",
                       r->inserted, r->updated, r->unchanged, r->inferred);
            /* staged rows the loads did not load; null when no staging count was known */
            if (r->skipped_known)
                buf_printf(&b, "\"skipped\": %lld, ", r->skipped);
            else
                buf_puts(&b, "\"skipped\": null, ");
        }
        buf_printf(&b, "\"seconds\": %.3f, ", r->seconds);
        put_warnings(&b, &r->warnings);
        buf_puts(&b, ", \"error\": ");
        if (!r->has_error) {
            buf_puts(&b, "null}");
            continue;
        }
        const StepError *e = &r->err;
        buf_puts(&b, "{\"sqlstate\": ");
        json_quote(&b, e->sqlstate[0] ? e->sqlstate : NULL);
        buf_puts(&b, ", \"message\": ");
        json_quote(&b, e->message);
        buf_puts(&b, ", \"detail\": ");
        json_quote(&b, e->detail);
        buf_puts(&b, ", \"hint\": ");
        json_quote(&b, e->hint);
        buf_puts(&b, ", \"file\": ");
        json_quote(&b, e->file);
        buf_printf(&b, ", \"line\": %d, \"col\": %d}}", e->line, e->col);
    }
    buf_puts(&b, set && set->n ? "\n  ]" : "]");
    if (info->checks_json) {
        buf_puts(&b, ",\n  \"checks\": ");
        buf_puts(&b, info->checks_json);
    }
    buf_puts(&b, "\n}\n");

    int rc = 0;
    if (write_file_atomic(path, b.data, b.len, 0666) != 0) {
        buf_printf(err, "cannot write %s: %s", path, strerror(errno));
        rc = -1;
    }
    buf_free(&b);
    return rc;
}

int summary_print(RunInfo *info, const StepResult *res, size_t nsteps, size_t first, size_t last,
                  int failed, int check_failures, int unpublished, int quiet, double seconds,
                  int interrupted)
{
    size_t ok = 0;
    for (size_t i = 0; i < nsteps; i++)
        ok += res[i].status == ST_SUCCESS;
    if (failed) {
        if (!quiet)
            printf("failed: %zu of %zu steps ok, then a step failed (%.2f s)%s\n", ok,
                   last - first + 1, seconds,
                   interrupted ? "; interrupted" : "; fix it and resume with --from");
        return RUNNER_EXIT_STEP_FAILED;
    }
    if (check_failures) {
        info->status = "checks_failed";
        msg_error("%d data check%s failed (see above); %s", check_failures,
                  check_failures == 1 ? "" : "s",
                  unpublished ? "nothing was published" : "the tables are loaded");
        return RUNNER_EXIT_CHECKS;
    }
    info->status = "success";
    if (!quiet)
        printf("done: %zu step%s ok in %.2f s\n", ok, ok == 1 ? "" : "s", seconds);
    return RUNNER_EXIT_OK;
}
