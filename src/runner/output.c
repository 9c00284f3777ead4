/* output.c - what a run prints while it runs: step lines, error blocks,
 * Redshift load errors, live COPY progress; see output.h. */
#include "output.h"

#include "../common/message.h"

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
    buf_printf(out, "%s: error: step %s failed\n", msg_program(), s->stem);
    if (e->file) {
        buf_printf(out, "%s", e->file);
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
