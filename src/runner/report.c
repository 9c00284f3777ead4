/* report.c - progress, error blocks and the JSON run report; see report.h. */
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void step_error_free(StepError *e)
{
    free(e->message);
    free(e->detail);
    free(e->hint);
    free(e->context);
    free(e->file);
    free(e->statement);
    free(e->extra);
    memset(e, 0, sizeof *e);
}

void step_error_set(StepError *e, const char *fmt, ...)
{
    Buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    free(e->message);
    e->message = buf_detach(&b, NULL);
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void utc_now_iso(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

void report_step_line(Buf *out, size_t idx, size_t n, const char *name, const char *status,
                      long long rows, double seconds)
{
    int w = n >= 100 ? 3 : 2;
    buf_printf(out, "[%*zu/%zu] %s ", w, idx, n, name);
    int dots = 32 - (int)strlen(name);
    for (int i = 0; i < (dots < 3 ? 3 : dots); i++)
        buf_putc(out, '.');
    buf_printf(out, " %-6s", status);
    if (rows >= 0)
        buf_printf(out, " %8lld rows", rows);
    else
        buf_printf(out, " %8s     ", "");
    buf_printf(out, " %7.2f s\n", seconds);
}

/* Appends text indented, each line prefixed; long text abbreviated. */
static void put_indented(Buf *out, const char *prefix, const char *text, size_t max)
{
    size_t n = strlen(text), shown = n > max ? max : n;
    /* do not cut a UTF-8 sequence */
    while (shown < n && shown && ((unsigned char)text[shown] & 0xC0) == 0x80)
        shown--;
    buf_puts(out, prefix);
    for (size_t i = 0; i < shown; i++) {
        buf_putc(out, text[i]);
        if (text[i] == '\n' && i + 1 < shown)
            buf_puts(out, prefix);
    }
    if (shown < n)
        buf_printf(out, "\n%s... (%zu more bytes)", prefix, n - shown);
    buf_putc(out, '\n');
}

void report_error(Buf *out, const Step *s, const StepError *e)
{
    buf_printf(out, "error: step %s failed\n", s->stem);
    if (e->file) {
        buf_printf(out, "%s", e->file);
        if (e->line > 0)
            buf_printf(out, ":%d", e->line);
        if (e->col > 0)
            buf_printf(out, ":%d", e->col);
        buf_puts(out, ": ");
    } else {
        buf_puts(out, "error: ");
    }
    if (e->sqlstate[0])
        buf_printf(out, "ERROR %s: ", e->sqlstate);
    buf_printf(out, "%s\n", e->message ? e->message : "unknown error");
    if (e->detail)
        buf_printf(out, "  detail: %s\n", e->detail);
    if (e->hint)
        buf_printf(out, "  hint: %s\n", e->hint);
    if (e->context)
        buf_printf(out, "  context: %s\n", e->context);
    if (e->extra)
        buf_puts(out, e->extra);
    if (e->statement) {
        buf_puts(out, "  statement:\n");
        put_indented(out, "    ", e->statement, 600);
    }
}

void report_load_error(Buf *out, const char *file, const char *line, const char *col,
                       const char *raw, const char *reason, const char *code)
{
#define GIVEN(s) ((s) && *(s))
    buf_puts(out, "  load error: ");
    buf_puts(out, GIVEN(file) ? file : "(unknown file)");
    if (GIVEN(line))
        buf_printf(out, ":%s", line);
    if (GIVEN(col))
        buf_printf(out, " column %s", col);
    buf_printf(out, ": %s", GIVEN(reason) ? reason : "(no reason given)");
    if (GIVEN(code))
        buf_printf(out, " [code %s]", code);
    if (GIVEN(raw))
        buf_printf(out, " (raw value \"%s\")", raw);
    buf_putc(out, '\n');
#undef GIVEN
}

void progress_start(Progress *p, int enabled, const char *label)
{
    p->enabled = enabled;
    p->label = label;
    p->t0 = p->last = now_seconds();
    p->shown = 0;
}

static void human_bytes(char *out, size_t cap, double b)
{
    const char *u[] = {"B", "KB", "MB", "GB", "TB"};
    int i = 0;
    while (b >= 1000 && i < 4) {
        b /= 1000;
        i++;
    }
    snprintf(out, cap, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

void progress_tick(Progress *p, uint64_t bytes, uint64_t total_bytes, uint64_t rows)
{
    if (!p->enabled)
        return;
    double t = now_seconds();
    if (t - p->last < 0.1)
        return;
    p->last = t;
    double el = t - p->t0 > 1e-6 ? t - p->t0 : 1e-6;
    char b[32], tb[32], rate[32];
    human_bytes(b, sizeof b, (double)bytes);
    human_bytes(tb, sizeof tb, (double)total_bytes);
    human_bytes(rate, sizeof rate, (double)bytes / el);
    fprintf(stdout, "\r\033[K  %s: %s of %s  %s/s  %llu rows  %.0f rows/s", p->label, b, tb, rate,
            (unsigned long long)rows, (double)rows / el);
    fflush(stdout);
    p->shown = 1;
}

void progress_clear(Progress *p)
{
    if (p->enabled && p->shown) {
        fputs("\r\033[K", stdout);
        fflush(stdout);
    }
    p->shown = 0;
}

/* Length of the valid UTF-8 sequence at p (NUL-terminated; p[0] >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0], cp;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

void json_quote(Buf *out, const char *s)
{
    if (!s) {
        buf_puts(out, "null");
        return;
    }
    buf_putc(out, '"');
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
                 * name, a server message in another encoding) becomes U+FFFD */
                size_t k = utf8_len(p);
                if (k) {
                    buf_putn(out, (const char *)p, k);
                    p += k - 1;
                } else {
                    buf_puts(out, "\\ufffd");
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

int report_json_write(const char *path, const RunInfo *info, const StepSet *set,
                      const StepResult *res, Buf *err)
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
        buf_printf(&b, ", \"rows\": %lld, \"seconds\": %.3f, \"error\": ", r->rows, r->seconds);
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

    Buf tmp;
    buf_init(&tmp);
    buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    int rc = -1;
    FILE *f = fopen(tmp.data, "wb");
    if (!f) {
        buf_printf(err, "cannot write %s: %s", tmp.data, strerror(errno));
    } else {
        int bad = fwrite(b.data, 1, b.len, f) != b.len;
        bad |= fflush(f) != 0;
        bad |= fsync(fileno(f)) != 0 && errno != EINVAL;
        bad |= fclose(f) != 0;
        if (bad || rename(tmp.data, path) != 0) {
            buf_printf(err, "cannot write %s: %s", path, strerror(errno));
            unlink(tmp.data);
        } else {
            rc = 0;
        }
    }
    buf_free(&tmp);
    buf_free(&b);
    return rc;
}
