/* diag.c - printing located diagnostics (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"

/* Where the last position walks stopped, so that the next one for the same scalar (or
 * the same source line) resumes there instead of starting over: the resolver reports
 * the errors of one expression left to right, and a 100 KB expression with thousands
 * of errors must not cost thousands of walks from its start. */
struct DiagCache {
    /* diag_scalar_pos: the scalar walked and the state of the walk */
    const char *val;
    size_t vlen;
    Mark mark;
    int style;
    size_t r, v, indent;
    bool valid;
    /* offset_mark: a byte offset in the source and its column */
    int line;
    size_t off;
    int col;
};

void diag_init(Diag *d, const char *file, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->file = file;
    d->out = out;
    d->max_errors = 100;
    d->cache = xcalloc(1, sizeof *d->cache);
}

void diag_set_source(Diag *d, const char *src, size_t len)
{
    d->src = src;
    d->srclen = len;
    if (d->cache)
        memset(d->cache, 0, sizeof *d->cache);
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

static int cmp_entry(const void *a, const void *b)
{
    const DiagEntry *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_flush(Diag *d)
{
    if (d->npending > 1)
        qsort(d->pending, (size_t)d->npending, sizeof *d->pending, cmp_entry);
    for (int i = 0; i < d->npending; i++) {
        bool is_error = strstr(d->pending[i].text, ": error: ") != NULL;
        if (!d->max_errors || !is_error || d->printed_errors < d->max_errors)
            fwrite(d->pending[i].text, 1, d->pending[i].len, d->out);
        if (is_error && ++d->printed_errors == d->max_errors)
            fprintf(d->out, "%s: too many errors; stopping here\n", d->file);
        free(d->pending[i].text);
    }
    d->npending = 0;
    fflush(d->out);
}

void diag_free(Diag *d)
{
    diag_flush(d);
    free(d->pending);
    d->pending = NULL;
    d->cap = 0;
    free(d->lines);
    d->lines = NULL;
    free(d->cache);
    d->cache = NULL;
}

/* Appends b's text to the most recent diagnostic and frees b. */
static void commit(Diag *d, Buf *b)
{
    DiagEntry *e = &d->pending[d->npending - 1];
    e->text = xrealloc(e->text, e->len + b->len + 1);
    memcpy(e->text + e->len, b->data, b->len + 1);
    e->len += b->len;
    buf_free(b);
}

__attribute__((format(printf, 5, 0))) static void
vreport(Diag *d, Mark m, const char *sev, const char *check, const char *fmt, va_list ap)
{
    if (d->npending == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->pending = xrealloc(d->pending, (size_t)d->cap * sizeof *d->pending);
    }
    DiagEntry *e = &d->pending[d->npending++];
    e->line = m.line;
    e->col = m.col;
    e->seq = d->seq++;
    e->text = NULL;
    e->len = 0;
    Buf b;
    buf_init(&b);
    if (m.line > 0)
        buf_printf(&b, "%s:%d:%d: %s: ", d->file, m.line, m.col, sev);
    else
        buf_printf(&b, "%s: %s: ", d->file, sev);
    buf_vprintf(&b, fmt, ap);
    if (check)
        buf_printf(&b, " [%s]", check);
    buf_putc(&b, '\n');
    commit(d, &b);
}

void diag_error(Diag *d, Mark m, const char *check, const char *fmt, ...)
{
    d->errors++;
    va_list ap;
    va_start(ap, fmt);
    vreport(d, m, "error", check, fmt, ap);
    va_end(ap);
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
    Buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_puts(&b, "hint: ");
    buf_vprintf(&b, fmt, ap);
    buf_putc(&b, '\n');
    va_end(ap);
    if (d->npending)
        commit(d, &b);
    else
        buf_free(&b);
}

void diag_file_error(Diag *d, const char *fmt, ...)
{
    d->errors++;
    va_list ap;
    va_start(ap, fmt);
    vreport(d, (Mark){0, 0}, "error", NULL, fmt, ap);
    va_end(ap);
}

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

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
    size_t i = d->lines[lo];
    struct DiagCache *c = d->cache;
    if (c && c->line == lo + 1 && c->off <= o) { /* resume on the same line */
        i = c->off;
        m.col = c->col;
    }
    for (; i < o && i < d->srclen; i++)
        if (!is_cont((unsigned char)d->src[i]))
            m.col++;
    if (c) {
        c->line = m.line;
        c->off = i;
        c->col = m.col;
    }
    return m;
}

/* Walks the raw source of the scalar and its decoded value in step, so that a
 * value offset maps to a source position for every scalar style: quotes,
 * '' and \ escapes, block indicators, folded line breaks and indentation. */
Mark diag_scalar_pos(const Diag *d, const Scalar *s, int off)
{
    const char *src = d->src;
    size_t n = d->srclen;
    bool block = s->style == SCALAR_LITERAL || s->style == SCALAR_FOLDED;
    bool sq = s->style == SCALAR_SINGLE;
    bool dq = s->style == SCALAR_DOUBLE;
    size_t v = 0, want = (size_t)(off < 0 ? 0 : off);
    if (want > s->len)
        want = s->len;
    size_t r, indent = 0;
    struct DiagCache *c = d->cache;
    if (c && c->valid && c->val == s->s && c->vlen == s->len && c->mark.line == s->mark.line &&
        c->mark.col == s->mark.col && c->style == s->style && c->v <= want) {
        r = c->r; /* the same scalar, further on: resume the walk */
        v = c->v;
        indent = c->indent;
        goto walk;
    }
    r = src_offset(d, s->mark);
    if (r == (size_t)-1)
        return s->mark;
    if (block) {
        /* indentation: the indicator's digit counts from the parent's indentation (the
         * indicator line's leading spaces); else the first non-blank content line's */
        size_t ls = r;
        while (ls > 0 && src[ls - 1] != '\n')
            ls--;
        size_t parent = 0;
        while (ls + parent < n && src[ls + parent] == ' ')
            parent++;
        int digit = 0;
        for (size_t q = r; q < n && src[q] != '\n' && src[q] != '#'; q++)
            if (src[q] >= '1' && src[q] <= '9')
                digit = src[q] - '0';
        while (r < n && src[r] != '\n') /* skip the indicator line */
            r++;
        if (r < n)
            r++;
        if (digit) {
            indent = parent + (size_t)digit;
        } else {
            size_t q = r;
            for (;;) {
                size_t k = 0;
                while (q + k < n && src[q + k] == ' ')
                    k++;
                if (q + k < n && src[q + k] == '\n') { /* a blank line */
                    q += k + 1;
                    continue;
                }
                indent = k;
                break;
            }
        }
        for (size_t k = 0; k < indent && r < n && src[r] == ' '; k++)
            r++;
    } else if (sq || dq) {
        r++;
    }
walk:
    while (v < want && r < n) {
        char vc = s->s[v], rc = src[r];
        if (dq && rc == '\\' && r + 1 < n && (src[r + 1] == '\n' || src[r + 1] == '\r')) {
            /* an escaped line break: nothing in the value */
            r += 2;
            while (r < n && (src[r] == '\n' || src[r] == ' ' || src[r] == '\t'))
                r++;
            continue;
        }
        if (!block && (rc == ' ' || rc == '\t' || rc == '\r') && vc != rc) {
            r++; /* white space the folding removed (e.g. before a line break) */
            continue;
        }
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
    if (c) {
        *c = (struct DiagCache){.val = s->s,
                                .vlen = s->len,
                                .mark = s->mark,
                                .style = s->style,
                                .r = r,
                                .v = v,
                                .indent = indent,
                                .valid = true,
                                .line = c->line,
                                .off = c->off,
                                .col = c->col};
    }
    /* land on the value's character, not on folded white space or an escaped break */
    while (r < n && !block && v < s->len) {
        char vc = s->s[v];
        if (dq && src[r] == '\\' && r + 1 < n && (src[r + 1] == '\n' || src[r + 1] == '\r'))
            r += 2;
        else if ((src[r] == ' ' || src[r] == '\t' || src[r] == '\r' || src[r] == '\n') &&
                 src[r] != vc)
            r++;
        else
            break;
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
    int len0 = (int)s->len;
    int trimmed = len0;
    while (trimmed > 0 && (s->s[trimmed - 1] == '\n' || s->s[trimmed - 1] == ' '))
        trimmed--;
    if (start >= trimmed && trimmed > 0) { /* at the end: just after the last character */
        start = end = trimmed;
    }
    Mark m;
    if (start == trimmed && trimmed > 0 && trimmed < len0) {
        m = diag_scalar_pos(d, s, trimmed - 1);
        m.col++;
    } else {
        m = diag_scalar_pos(d, s, start);
    }
    d->errors++;
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
    /* the line holding start, or a window of it: every scan below is bounded by
     * DIAG_LINE_MAX, so each error costs O(1) in the line's length */
    int ls = start;
    bool cut_left = false, cut_right = false;
    while (ls > 0 && s->s[ls - 1] != '\n') {
        if (start - ls >= DIAG_WINDOW_BEFORE) {
            cut_left = true;
            break;
        }
        ls--;
    }
    int le = start;
    while (le < len && s->s[le] != '\n') {
        if (le - ls >= DIAG_LINE_MAX) {
            cut_right = true;
            break;
        }
        le++;
    }
    if (cut_left && !cut_right) { /* near the end of a long line: show more before */
        while (ls > 0 && s->s[ls - 1] != '\n' && le - ls < DIAG_LINE_MAX)
            ls--;
        cut_left = ls > 0 && s->s[ls - 1] != '\n';
    }
    while (cut_left && ls < start && is_cont((unsigned char)s->s[ls])) /* whole characters */
        ls++;
    while (cut_right && le > start && is_cont((unsigned char)s->s[le]))
        le--;
    if (end > le)
        end = le;
    Buf b;
    buf_init(&b);
    buf_puts(&b, cut_left ? "    ..." : "    ");
    for (int i = ls; i < le; i++) /* control bytes would garble the terminal */
        buf_putc(&b, ((unsigned char)s->s[i] < 0x20 && s->s[i] != '\t') || s->s[i] == 0x7f
                         ? '?'
                         : s->s[i]);
    buf_puts(&b, cut_right ? "...\n    " : "\n    ");
    if (cut_left)
        buf_puts(&b, "   ");
    for (int i = ls; i < start; i++)
        if (!is_cont((unsigned char)s->s[i]))
            buf_putc(&b, s->s[i] == '\t' ? '\t' : ' ');
    buf_putc(&b, '^');
    for (int i = 1, n = char_count(s->s, start, end); i < n; i++) /* counted once: O(n) */
        buf_putc(&b, '~');
    buf_putc(&b, '\n');
    if (d->npending)
        commit(d, &b);
    else
        buf_free(&b);
}
