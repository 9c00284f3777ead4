/* output.c - what a run prints while it runs: step lines, error blocks,
 * Redshift load errors, live COPY progress; see output.h. */
#include "output.h"

#include "../common/message.h"
#include "../common/utf8.h"

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
    buf_printf(out, "[%*zu/%zu] ", w, idx, n);
    put_display_text(out, name, NULL);
    buf_putc(out, ' ');
    int dots = 32 - (int)strlen(name); /* escaping only lengthens an odd name */
    for (int i = 0; i < (dots < 3 ? 3 : dots); i++)
        buf_putc(out, '.');
    buf_printf(out, " %-6s", status);
    if (rows >= 0)
        buf_printf(out, " %8lld rows", rows);
    else
        buf_printf(out, " %8s     ", "");
    buf_printf(out, " %7.2f s\n", seconds);
}

void put_display_text(Buf *out, const char *s, const char *nl_prefix)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    while (p < end) {
        const unsigned char *run = p;
        for (;;) { /* the longest run of printable UTF-8 */
            if (p >= end || *p < 0x20 || *p == 0x7f)
                break;
            size_t k = *p < 0x80 ? 1 : utf8_seq_len(p, (size_t)(end - p));
            if (!k)
                break;
            p += k;
        }
        buf_putn(out, (const char *)run, (size_t)(p - run));
        if (p >= end)
            break;
        if (*p == '\n' && nl_prefix) {
            buf_putc(out, '\n');
            buf_puts(out, nl_prefix);
        } else {
            utf8_escape_display(out, (const char *)p, 1);
        }
        p++;
    }
}

/* Appends text indented, each line prefixed; long text abbreviated. */
static void put_indented(Buf *out, const char *prefix, const char *text, size_t max)
{
    size_t n = strlen(text), shown = n > max ? max : n;
    /* do not cut a UTF-8 sequence */
    while (shown < n && shown && ((unsigned char)text[shown] & 0xC0) == 0x80)
        shown--;
    char *part = xmalloc(shown + 1);
    memcpy(part, text, shown);
    part[shown] = '\0';
    buf_puts(out, prefix);
    put_display_text(out, part, prefix);
    free(part);
    if (shown < n)
        buf_printf(out, "\n%s... (%zu more bytes)", prefix, n - shown);
    buf_putc(out, '\n');
}

/* "  LABEL: TEXT\n", TEXT's further lines indented under it. */
static void put_field(Buf *out, const char *label, const char *text)
{
    if (!text)
        return;
    buf_printf(out, "  %s: ", label);
    put_display_text(out, text, "    ");
    buf_putc(out, '\n');
}

void report_error(Buf *out, const Step *s, const StepError *e)
{
    buf_printf(out, "%s: error: step ", msg_program());
    put_display_text(out, s->stem, NULL);
    buf_puts(out, " failed\n");
    if (e->file) {
        utf8_escape_display_str(out, e->file);
        if (e->line > 0)
            buf_printf(out, ":%d", e->line);
        if (e->col > 0)
            buf_printf(out, ":%d", e->col);
        buf_puts(out, ": ");
    } else {
        buf_printf(out, "%s: error: ", msg_program());
    }
    if (e->sqlstate[0])
        buf_printf(out, "ERROR %s: ", e->sqlstate);
    put_display_text(out, e->message ? e->message : "unknown error", NULL);
    buf_putc(out, '\n');
    put_field(out, "detail", e->detail);
    put_field(out, "hint", e->hint);
    put_field(out, "context", e->context);
    if (e->extra) /* report_load_error lines, escaped as they were made */
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
    if (GIVEN(file))
        utf8_escape_display_str(out, file);
    else
        buf_puts(out, "(unknown file)");
    if (GIVEN(line)) {
        buf_putc(out, ':');
        put_display_text(out, line, NULL);
    }
    if (GIVEN(col)) {
        buf_puts(out, " column ");
        put_display_text(out, col, NULL);
    }
    buf_puts(out, ": ");
    put_display_text(out, GIVEN(reason) ? reason : "(no reason given)", NULL);
    if (GIVEN(code)) {
        buf_puts(out, " [code ");
        put_display_text(out, code, NULL);
        buf_putc(out, ']');
    }
    if (GIVEN(raw)) {
        buf_puts(out, " (raw value \"");
        utf8_escape_display_str(out, raw);
        buf_puts(out, "\")");
    }
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
    Buf label;
    buf_init(&label);
    put_display_text(&label, p->label ? p->label : "", NULL);
    fprintf(stdout, "\r\033[K  %s: %s of %s  %s/s  %llu rows  %.0f rows/s", label.data, b, tb, rate,
            (unsigned long long)rows, (double)rows / el);
    buf_free(&label);
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
