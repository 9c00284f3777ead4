/* diag.c - printing located diagnostics (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"

void diag_init(Diag *d, const char *file, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->file = file;
    d->out = out;
    d->max_errors = 100;
}

void diag_set_source(Diag *d, const char *src, size_t len)
{
    d->src = src;
    d->srclen = len;
    int cap = 64;
    d->lines = xmalloc((size_t)cap * sizeof *d->lines);
    d->nlines = 0;
    d->lines[d->nlines++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\n') {
            if (d->nlines == cap) {
                cap *= 2;
                d->lines = xrealloc(d->lines, (size_t)cap * sizeof *d->lines);
            }
            d->lines[d->nlines++] = i + 1;
        }
    }
}

void diag_free(Diag *d)
{
    free(d->lines);
    d->lines = NULL;
}

static bool quiet(Diag *d) { return d->max_errors && d->errors > d->max_errors; }

__attribute__((format(printf, 5, 0))) static void vreport(Diag *d, Mark m, const char *sev,
                                                          const char *check, const char *fmt,
                                                          va_list ap)
{
    if (m.line > 0)
        fprintf(d->out, "%s:%d:%d: %s: ", d->file, m.line, m.col, sev);
    else
        fprintf(d->out, "%s: %s: ", d->file, sev);
    vfprintf(d->out, fmt, ap);
    if (check)
        fprintf(d->out, " [%s]", check);
    fputc('\n', d->out);
}

void diag_error(Diag *d, Mark m, const char *check, const char *fmt, ...)
{
    d->errors++;
    if (quiet(d))
        return;
    va_list ap;
    va_start(ap, fmt);
    vreport(d, m, "error", check, fmt, ap);
    va_end(ap);
    if (d->max_errors && d->errors == d->max_errors)
        fprintf(d->out, "%s: too many errors; stopping here\n", d->file);
}

void diag_warning(Diag *d, Mark m, const char *check, const char *fmt, ...)
{
    d->warnings++;
    va_list ap;
    va_start(ap, fmt);
    vreport(d, m, "warning", check, fmt, ap);
    va_end(ap);
}

void diag_hint(Diag *d, const char *fmt, ...)
{
    if (quiet(d))
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("hint: ", d->out);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    va_end(ap);
}

void diag_file_error(Diag *d, const char *fmt, ...)
{
    d->errors++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(d->out, "%s: error: ", d->file);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    va_end(ap);
}

static bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Byte offset in the source of 1-based (line, col), col counted in characters. */
static size_t src_offset(const Diag *d, Mark m)
{
    if (!d->src || m.line < 1 || m.line > d->nlines)
        return (size_t)-1;
    size_t o = d->lines[m.line - 1];
    for (int c = 1; c < m.col && o < d->srclen && d->src[o] != '\n'; c++) {
        o++;
        while (o < d->srclen && is_cont((unsigned char)d->src[o]))
            o++;
    }
    return o;
}

static Mark offset_mark(const Diag *d, size_t o)
{
    int lo = 0, hi = d->nlines - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (d->lines[mid] <= o)
            lo = mid;
        else
            hi = mid - 1;
    }
    Mark m = {lo + 1, 1};
    for (size_t i = d->lines[lo]; i < o && i < d->srclen; i++)
        if (!is_cont((unsigned char)d->src[i]))
            m.col++;
    return m;
}

/* Walks the raw source of the scalar and its decoded value in step, so that a
 * value offset maps to a source position for every scalar style: quotes,
 * '' and \ escapes, block indicators, folded line breaks and indentation. */
Mark diag_scalar_pos(const Diag *d, const Scalar *s, int off)
{
    size_t r = src_offset(d, s->mark);
    if (r == (size_t)-1)
        return s->mark;
    const char *src = d->src;
    size_t n = d->srclen;
    bool block = s->style == SCALAR_LITERAL || s->style == SCALAR_FOLDED;
    bool sq = s->style == SCALAR_SINGLE;
    bool dq = s->style == SCALAR_DOUBLE;
    size_t indent = 0;
    if (block) {
        while (r < n && src[r] != '\n') /* skip the indicator line */
            r++;
        if (r < n)
            r++;
        size_t q = r;
        while (q < n && src[q] == ' ')
            q++;
        indent = q - r;
        r = q;
    } else if (sq || dq) {
        r++;
    }
    size_t v = 0, want = (size_t)(off < 0 ? 0 : off);
    if (want > s->len)
        want = s->len;
    while (v < want && r < n) {
        char vc = s->s[v], rc = src[r];
        if (rc == '\n' && vc != '\n') {
            /* a folded line break (value has a space or nothing) */
            r++;
            size_t k = 0;
            while (r < n && (src[r] == ' ' || src[r] == '\t') && (!block || k < indent)) {
                r++;
                k++;
            }
            if (vc == ' ')
                v++;
            continue;
        }
        if (rc == '\n') {
            r++;
            v++;
            size_t k = 0;
            while (block && r < n && src[r] == ' ' && k < indent) {
                r++;
                k++;
            }
            continue;
        }
        if (sq && rc == '\'' && r + 1 < n && src[r + 1] == '\'') {
            r += 2;
            v++;
            continue;
        }
        if (dq && rc == '\\' && r + 1 < n) {
            char e = src[r + 1];
            r += 2;
            if (e == 'x')
                r += 2;
            else if (e == 'u')
                r += 4;
            else if (e == 'U')
                r += 8;
            v++;
            while (v < want && is_cont((unsigned char)s->s[v]))
                v++;
            continue;
        }
        r++;
        v++;
    }
    return offset_mark(d, r);
}

static int char_count(const char *s, int from, int to)
{
    int c = 0;
    for (int i = from; i < to; i++)
        if (!is_cont((unsigned char)s[i]))
            c++;
    return c;
}

void diag_expr_error(Diag *d, const Scalar *s, int start, int end, const char *check,
                     const char *fmt, ...)
{
    Mark m = diag_scalar_pos(d, s, start);
    d->errors++;
    if (quiet(d))
        return;
    va_list ap;
    va_start(ap, fmt);
    vreport(d, m, "error", check, fmt, ap);
    va_end(ap);
    /* reprint the expression line holding `start`, with a caret under [start, end) */
    int len = (int)s->len;
    if (start > len)
        start = len;
    if (end < start)
        end = start;
    int ls = start;
    while (ls > 0 && s->s[ls - 1] != '\n')
        ls--;
    int le = start;
    while (le < len && s->s[le] != '\n')
        le++;
    if (end > le)
        end = le;
    fprintf(d->out, "    %.*s\n    ", le - ls, s->s + ls);
    for (int i = ls; i < start; i++)
        if (!is_cont((unsigned char)s->s[i]))
            fputc(s->s[i] == '\t' ? '\t' : ' ', d->out);
    fputc('^', d->out);
    for (int i = 1; i < char_count(s->s, start, end); i++)
        fputc('~', d->out);
    fputc('\n', d->out);
}
