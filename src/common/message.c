/* message.c - see message.h. */
#include "message.h"

#include <stdarg.h>

static const char *program = "stargen";
static FILE *stream;

void msg_set_program(const char *name)
{
    program = name;
}

const char *msg_program(void)
{
    return program;
}

void msg_set_stream(FILE *f)
{
    stream = f;
}

static void vsay(const char *prefix, const char *kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void vsay(const char *prefix, const char *kind, const char *fmt, va_list ap)
{
    FILE *f = stream ? stream : stderr;
    flockfile(f); /* one line whole, even with threads (runner --jobs) */
    if (prefix)
        fprintf(f, "%s: ", prefix);
    if (kind)
        fprintf(f, "%s: ", kind);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    funlockfile(f);
}

int msg_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(program, "error", fmt, ap);
    va_end(ap);
    return -1;
}

void msg_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(program, "warning", fmt, ap);
    va_end(ap);
}

void msg_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(program, NULL, fmt, ap);
    va_end(ap);
}

void msg_detail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("  detail", NULL, fmt, ap);
    va_end(ap);
}

void msg_hint(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("  hint", NULL, fmt, ap);
    va_end(ap);
}
