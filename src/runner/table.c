/* table.c - a libpq result set as an aligned text table or as CSV; see table.h. */
#include "table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool numeric_oid(Oid t)
{
    return t == 20 || t == 21 || t == 23 || t == 700 || t == 701 || t == 1700 || t == 26;
}

static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* One-line form of a value: newlines and tabs shown as spaces. */
static void put_cell(Buf *b, const char *v, int w, bool right)
{
    int pad = w - width(v);
    if (right)
        for (int i = 0; i < pad; i++)
            buf_putc(b, ' ');
    for (const char *p = v; *p; p++)
        buf_putc(b, (*p == '\n' || *p == '\t' || *p == '\r') ? ' ' : *p);
    if (!right)
        for (int i = 0; i < pad; i++)
            buf_putc(b, ' ');
}

void format_table(Buf *b, const PGresult *r, int max_rows)
{
    int nf = PQnfields(r), nt = PQntuples(r);
    if (max_rows > 0 && nt > max_rows)
        nt = max_rows;
    int *w = calloc((size_t)nf + 1, sizeof *w);
    if (!w)
        abort();
    for (int f = 0; f < nf; f++) {
        w[f] = width(PQfname(r, f));
        for (int t = 0; t < nt; t++)
            if (!PQgetisnull(r, t, f) && width(PQgetvalue(r, t, f)) > w[f])
                w[f] = width(PQgetvalue(r, t, f));
    }
    for (int f = 0; f < nf; f++) {
        buf_puts(b, f ? " | " : "  ");
        put_cell(b, PQfname(r, f), w[f], numeric_oid(PQftype(r, f)));
    }
    while (b->len && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
    buf_puts(b, "\n  ");
    for (int f = 0; f < nf; f++) {
        if (f)
            buf_puts(b, "-+-");
        for (int i = 0; i < w[f]; i++)
            buf_putc(b, '-');
    }
    buf_putc(b, '\n');
    for (int t = 0; t < nt; t++) {
        for (int f = 0; f < nf; f++) {
            buf_puts(b, f ? " | " : "  ");
            put_cell(b, PQgetisnull(r, t, f) ? "" : PQgetvalue(r, t, f), w[f],
                     numeric_oid(PQftype(r, f)));
        }
        while (b->len && b->data[b->len - 1] == ' ')
            b->data[--b->len] = '\0';
        buf_putc(b, '\n');
    }
    free(w);
}

static void csv_field(Buf *b, const char *v)
{
    if (!strpbrk(v, ",\"\r\n") && v[0] != ' ' && (!*v || v[strlen(v) - 1] != ' ')) {
        buf_puts(b, v);
        return;
    }
    buf_putc(b, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

void format_csv(Buf *b, const PGresult *r)
{
    int nf = PQnfields(r), nt = PQntuples(r);
    for (int f = 0; f < nf; f++) {
        if (f)
            buf_putc(b, ',');
        csv_field(b, PQfname(r, f));
    }
    buf_puts(b, "\r\n");
    for (int t = 0; t < nt; t++) {
        for (int f = 0; f < nf; f++) {
            if (f)
                buf_putc(b, ',');
            if (!PQgetisnull(r, t, f))
                csv_field(b, PQgetvalue(r, t, f));
        }
        buf_puts(b, "\r\n");
    }
}
