/* checks.c - runs data checks and analytics queries; formats result sets (see checks.h). */
#include "checks.h"

#include "../common/readfile.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

/* ---- directives ---- */

bool check_directive(const Step *s, const Statement *st, char *name, size_t namelen, bool *warn)
{
    /* the line just before the statement's first line */
    if (st->line < 2)
        return false;
    const char *p = s->text;
    for (int line = 1; line < st->line - 1 && *p; p++)
        if (*p == '\n')
            line++;
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    static const char tag[] = "-- stargen:check ";
    if (len < sizeof tag - 1 || strncmp(p, tag, sizeof tag - 1) != 0)
        return false;
    *warn = false;
    name[0] = '\0';
    const char *q = p + sizeof tag - 1, *end = p + len;
    while (q < end) {
        while (q < end && *q == ' ')
            q++;
        const char *w = q;
        while (q < end && *q != ' ')
            q++;
        size_t wl = (size_t)(q - w);
        if (wl > 5 && !strncmp(w, "name=", 5)) {
            size_t nl = wl - 5 < namelen - 1 ? wl - 5 : namelen - 1;
            memcpy(name, w + 5, nl);
            name[nl] = '\0';
        } else if (wl == 13 && !strncmp(w, "severity=warn", 13)) {
            *warn = true;
        }
    }
    return name[0] != '\0';
}

bool step_has_checks(const Step *s)
{
    char name[128];
    bool warn;
    for (size_t i = 0; i < s->nstmts; i++)
        if (check_directive(s, &s->stmts[i], name, sizeof name, &warn))
            return true;
    return false;
}

/* ---- formatting ---- */

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

/* ---- checks ---- */

static char *dup_msg(const PGresult *r, PGconn *c)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    char *d = xstrdup(m && *m ? m : "unknown error");
    size_t n = strlen(d);
    while (n && (d[n - 1] == '\n' || d[n - 1] == ' '))
        d[--n] = '\0';
    return d;
}

int checks_run(PGconn *c, const Step *s, FILE *out, bool quiet, CheckRun *run)
{
    memset(run, 0, sizeof *run);
    run->results = xcalloc(s->nstmts + 1, sizeof *run->results);
    size_t nchecks = 0;
    for (size_t i = 0; i < s->nstmts; i++) {
        char name[128];
        bool warn;
        nchecks += check_directive(s, &s->stmts[i], name, sizeof name, &warn);
    }
    size_t k = 0;
    for (size_t i = 0; i < s->nstmts; i++) {
        const Statement *st = &s->stmts[i];
        char name[128];
        bool warn;
        if (!check_directive(s, st, name, sizeof name, &warn))
            continue;
        CheckResult *cr = &run->results[run->n++];
        cr->name = xstrdup(name);
        cr->warn = warn;
        double t0 = now_seconds();
        Buf q;
        buf_init(&q);
        buf_printf(&q, "SELECT count(*) FROM (%.*s) AS stargen_check", (int)st->len,
                   s->text + st->off);
        PGresult *r = PQexec(c, q.data);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            cr->failing = -1;
            cr->error = dup_msg(r, c);
            run->broken++;
        } else {
            cr->failing = atoll(PQgetvalue(r, 0, 0));
        }
        PQclear(r);
        if (cr->failing > 0) {
            buf_reset(&q);
            buf_printf(&q, "SELECT * FROM (%.*s) AS stargen_check LIMIT %d", (int)st->len,
                       s->text + st->off, CHECK_SAMPLE_ROWS);
            r = PQexec(c, q.data);
            if (PQresultStatus(r) == PGRES_TUPLES_OK) {
                Buf t;
                buf_init(&t);
                format_table(&t, r, CHECK_SAMPLE_ROWS);
                cr->sample = buf_detach(&t, NULL);
            }
            PQclear(r);
            if (warn)
                run->failed_warnings++;
            else
                run->failed_errors++;
        }
        buf_free(&q);
        cr->seconds = now_seconds() - t0;
        k++;
        if (quiet && (cr->failing == 0 || cr->warn))
            continue;
        const char *status = cr->failing < 0    ? "ERROR"
                             : cr->failing == 0 ? "pass"
                             : cr->warn         ? "WARN"
                                                : "FAIL";
        fprintf(out, "  check %-52s %s", cr->name, status);
        if (cr->failing > 0)
            fprintf(out, " %lld row%s", cr->failing, cr->failing == 1 ? "" : "s");
        fputc('\n', out);
        if (cr->error)
            fprintf(out, "    %s\n", cr->error);
        if (cr->sample)
            fputs(cr->sample, out);
    }
    if (!quiet || run->failed_errors || run->broken)
        fprintf(out, "checks: %zu run, %zu passed, %d failed, %d warned%s\n", nchecks,
                nchecks - (size_t)(run->failed_errors + run->failed_warnings + run->broken),
                run->failed_errors + run->broken, run->failed_warnings,
                run->broken ? " (some could not run)" : "");
    (void)k;
    return run->failed_errors + run->broken;
}

void checks_free(CheckRun *run)
{
    for (size_t i = 0; i < run->n; i++) {
        free(run->results[i].name);
        free(run->results[i].sample);
        free(run->results[i].error);
    }
    free(run->results);
    memset(run, 0, sizeof *run);
}

void checks_json(Buf *b, const CheckRun *run)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < run->n; i++) {
        const CheckResult *c = &run->results[i];
        const char *status = c->failing < 0    ? "error"
                             : c->failing == 0 ? "pass"
                             : c->warn         ? "warn"
                                               : "fail";
        buf_puts(b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        json_quote(b, c->name);
        buf_printf(b,
                   ", \"severity\": \"%s\", \"status\": \"%s\", \"failing_rows\": %lld, "
                   "\"seconds\": %.3f, \"error\": ",
                   c->warn ? "warn" : "error", status, c->failing < 0 ? 0 : c->failing, c->seconds);
        json_quote(b, c->error);
        buf_putc(b, '}');
    }
    buf_puts(b, run->n ? "\n  ]" : "]");
}

/* ---- analytics queries ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The comment line after the two header lines: the query's question, if any. */
static void question(const char *text, Buf *out)
{
    const char *p = text;
    for (int line = 0; line < 3 && p; line++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (p && !strncmp(p, "-- ", 3)) {
        const char *e = strchr(p, '\n');
        buf_putn(out, p + 3, e ? (size_t)(e - p - 3) : strlen(p + 3));
    }
}

static int write_file(const char *path, const Buf *b, Buf *err)
{
    char *tmp;
    if (asprintf(&tmp, "%s.tmp", path) < 0)
        abort();
    FILE *f = fopen(tmp, "wb");
    int rc = 0;
    if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0 || rename(tmp, path) != 0) {
        buf_printf(err, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        rc = -1;
    }
    free(tmp);
    return rc;
}

int report_queries(PGconn *c, const char *dir, const char *csv_dir, FILE *out, Buf *err)
{
    char *qdir;
    if (asprintf(&qdir, "%s/queries", dir) < 0)
        abort();
    DIR *dp = opendir(qdir);
    if (!dp) {
        buf_printf(err, "%s: no analytics queries here (%s)", qdir, strerror(errno));
        free(qdir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".sql") != 0 || de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrdup(de->d_name);
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    if (csv_dir && mkdir(csv_dir, 0777) != 0 && errno != EEXIST) {
        buf_printf(err, "cannot create %s: %s", csv_dir, strerror(errno));
        n = 0;
    }
    int rc = (csv_dir && err->len) ? -1 : 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path;
        if (asprintf(&path, "%s/%s", qdir, names[i]) < 0)
            abort();
        size_t tlen = 0;
        char *raw = read_whole_file(path, 0, &tlen);
        Buf text;
        buf_init(&text);
        if (raw)
            buf_putn(&text, raw, tlen);
        free(raw);
        Arena a;
        arena_init(&a);
        Statement *st = NULL;
        size_t nst = 0;
        int notx = 0;
        if (!raw || steps_split(&a, path, text.data, text.len, &st, &nst, &notx, err) != 0 ||
            nst != 1) {
            if (!err->len)
                buf_printf(err, "%s: expected one SELECT statement", path);
            rc = -1;
        } else {
            /* the name without NN_ and .sql */
            const char *nm = strchr(names[i], '_');
            nm = nm ? nm + 1 : names[i];
            int nl = (int)(strlen(nm) - 4);
            Buf q;
            buf_init(&q);
            buf_putn(&q, text.data + st[0].off, st[0].len);
            PGresult *r = PQexec(c, q.data);
            buf_free(&q);
            if (PQresultStatus(r) != PGRES_TUPLES_OK) {
                char *m = dup_msg(r, c);
                buf_printf(err, "%s:%d: %s", path, st[0].line, m);
                free(m);
                rc = -1;
            } else {
                Buf b;
                buf_init(&b);
                buf_printf(&b, "\n== %.*s", nl, nm);
                Buf qq;
                buf_init(&qq);
                question(text.data, &qq);
                if (qq.len)
                    buf_printf(&b, ": %s", qq.data);
                buf_free(&qq);
                buf_printf(&b, " (%d row%s)\n", PQntuples(r), PQntuples(r) == 1 ? "" : "s");
                format_table(&b, r, 0);
                fputs(b.data, out);
                buf_free(&b);
                if (csv_dir) {
                    Buf csv;
                    buf_init(&csv);
                    format_csv(&csv, r);
                    char *cpath;
                    if (asprintf(&cpath, "%s/%.*s.csv", csv_dir, nl, nm) < 0)
                        abort();
                    if (write_file(cpath, &csv, err) != 0)
                        rc = -1;
                    free(cpath);
                    buf_free(&csv);
                }
            }
            PQclear(r);
        }
        arena_free(&a);
        buf_free(&text);
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(qdir);
    fflush(out);
    return rc;
}
