/* ledger.c - the stargen_ledger table; see ledger.h. */
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/utf8.h"

/* Types both dialects have; no primary key (Redshift would not enforce it). */
static const char *const DDL = "CREATE TABLE IF NOT EXISTS stargen_ledger ("
                               "source varchar(4096) NOT NULL, "
                               "file_key varchar(4096) NOT NULL, "
                               "size BIGINT NOT NULL, "
                               "version varchar(512) NOT NULL, "
                               "sha256 char(64) NOT NULL, "
                               "run_id char(36) NOT NULL, "
                               "status varchar(8) NOT NULL, "
                               "recorded_at timestamp NOT NULL)";

static int fail(Buf *err, const char *what, PGresult *r, PGconn *c)
{
    buf_printf(err, "%s: %s", what,
               r && PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : PQerrorMessage(c));
    while (err->len && (err->data[err->len - 1] == '\n' || err->data[err->len - 1] == ' '))
        err->data[--err->len] = '\0';
    PQclear(r);
    return -1;
}

int ledger_ensure(PGconn *c, Buf *err)
{
    PGresult *r = PQexec(c, DDL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return fail(err, "creating stargen_ledger", r, c);
    PQclear(r);
    return 0;
}

typedef struct Known {
    const char *key, *version, *sha;
    unsigned long long size;
} Known;

static int cmp_known(const void *a, const void *b)
{
    return strcmp(((const Known *)a)->key, ((const Known *)b)->key);
}

/* The SHA-256 of file i's bytes, read again now. */
static int file_sha(const SourceList *l, size_t i, char hex[65], Buf *err)
{
    SourceReader rd;
    if (source_open(l, i, &rd, err))
        return -1;
    Sha256 h;
    sha256_init(&h);
    rd.hash = &h;
    char *buf = xmalloc(SOURCE_ZCHUNK);
    long n;
    while ((n = rd.read(rd.ctx, buf, SOURCE_ZCHUNK)) > 0) {
    }
    free(buf);
    if (n < 0) {
        const char *why = source_error(&rd);
        buf_printf(err, "%s: cannot read: %s", l->files[i].display, why ? why : "read error");
        source_close(&rd);
        return -1;
    }
    source_close(&rd);
    unsigned char d[32];
    sha256_final(&h, d);
    for (int k = 0; k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", d[k]);
    return 0;
}

/* The verdicts of l against the loaded rows of source.  by_etag: the runner
 * cannot read the files (Redshift reads them): a size or ETag that moved means
 * changed, with no checksum to tell a touched file from a changed one. */
static int select_core(PGconn *c, const char *source, ChangedPolicy changed, const SourceList *l,
                       int full_reload, int by_etag, LedgerVerdict *v, Buf *err)
{
    const char *params[1] = {source};
    PGresult *r = PQexecParams(c,
                               "SELECT file_key, size, version, sha256 FROM stargen_ledger "
                               "WHERE source = $1 AND status = 'loaded'",
                               1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return fail(err, "reading stargen_ledger", r, c);
    size_t nk = (size_t)PQntuples(r);
    Known *k = xcalloc(nk ? nk : 1, sizeof *k);
    for (size_t i = 0; i < nk; i++) {
        k[i].key = PQgetvalue(r, (int)i, 0);
        k[i].size = strtoull(PQgetvalue(r, (int)i, 1), NULL, 10);
        k[i].version = PQgetvalue(r, (int)i, 2);
        k[i].sha = PQgetvalue(r, (int)i, 3);
    }
    qsort(k, nk, sizeof *k, cmp_known);
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const SourceFile *f = &l->files[i];
        Known probe = {f->display, NULL, NULL, 0};
        const Known *hit = nk ? bsearch(&probe, k, nk, sizeof *k, cmp_known) : NULL;
        if (!hit) {
            v[i] = LV_NEW;
            continue;
        }
        if (hit->size == f->size && strcmp(hit->version, f->version) == 0) {
            v[i] = full_reload ? LV_RELOAD : LV_LOADED;
            continue;
        }
        /* size or version moved: the bytes decide (a touched file is not a changed one) */
        char hex[65] = "";
        if (!by_etag) {
            if (file_sha(l, i, hex, err)) {
                rc = -1;
                break;
            }
            if (strcmp(hex, hit->sha) == 0) {
                v[i] = full_reload ? LV_RELOAD : LV_LOADED;
                continue;
            }
        }
        if (full_reload || changed == CHANGED_RELOAD) {
            v[i] = LV_RELOAD;
        } else if (changed == CHANGED_SKIP) {
            v[i] = LV_SKIPPED_CH;
        } else {
            Buf shown;
            buf_init(&shown);
            utf8_escape_display_str(&shown, f->display);
            if (by_etag)
                buf_printf(err,
                           "%s changed after it was loaded (size %llu -> %llu, %s -> %s); its "
                           "rows are in the star tables already. Restore the file, or set "
                           "on_changed: reload (stage it again) or skip on source %s, or run "
                           "with --full-reload",
                           shown.data, hit->size, (unsigned long long)f->size, hit->version,
                           f->version, source);
            else
                buf_printf(err,
                           "%s changed after it was loaded (size %llu -> %llu, sha256 %.12s -> "
                           "%.12s); its rows are in the star tables already. Restore the file, "
                           "or set on_changed: reload (stage it again) or skip on source %s, or "
                           "run with --full-reload",
                           shown.data, hit->size, (unsigned long long)f->size, hit->sha, hex,
                           source);
            buf_free(&shown);
            rc = -1;
        }
    }
    free(k);
    PQclear(r);
    return rc;
}

int ledger_select(PGconn *c, const CopyDirective *d, const SourceList *l, int full_reload,
                  LedgerVerdict *v, Buf *err)
{
    return select_core(c, d->source, d->changed, l, full_reload, 0, v, err);
}

int ledger_select_etag(PGconn *c, const ManifestSpot *m, const SourceList *l, int full_reload,
                       LedgerVerdict *v, Buf *err)
{
    return select_core(c, m->source, m->changed, l, full_reload, 1, v, err);
}

static int record_core(PGconn *c, const char *source, const SourceList *l, const LedgerVerdict *v,
                       char (*sha)[65], const char *run_id, Buf *err)
{
    const char *p1[1] = {source};
    PGresult *r =
        PQexecParams(c, "DELETE FROM stargen_ledger WHERE source = $1 AND status = 'pending'", 1,
                     NULL, p1, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return fail(err, "clearing pending rows of stargen_ledger", r, c);
    PQclear(r);
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%d %H:%M:%S", &tm);
    for (size_t i = 0; i < l->n; i++) {
        if (v[i] != LV_NEW && v[i] != LV_RELOAD)
            continue;
        char size[32];
        snprintf(size, sizeof size, "%llu", (unsigned long long)l->files[i].size);
        const char *p[7] = {
            source, l->files[i].display, size, l->files[i].version, sha ? sha[i] : "", run_id, now};
        r = PQexecParams(c,
                         "INSERT INTO stargen_ledger (source, file_key, size, version, sha256, "
                         "run_id, status, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, "
                         "'pending', $7::TIMESTAMP)",
                         7, NULL, p, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            return fail(err, "recording a file in stargen_ledger", r, c);
        PQclear(r);
    }
    return 0;
}

int ledger_record(PGconn *c, const CopyDirective *d, const SourceList *l, const LedgerVerdict *v,
                  char (*sha)[65], const char *run_id, Buf *err)
{
    return record_core(c, d->source, l, v, sha, run_id, err);
}

int ledger_record_etag(PGconn *c, const ManifestSpot *m, const SourceList *l,
                       const LedgerVerdict *v, const char *run_id, Buf *err)
{
    return record_core(c, m->source, l, v, NULL, run_id, err);
}

int ledger_promote(PGconn *c, Buf *err)
{
    PGresult *r = PQexec(c, "SELECT 1 FROM information_schema.tables "
                            "WHERE table_name = 'stargen_ledger' AND table_schema = "
                            "current_schema()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return fail(err, "looking for stargen_ledger", r, c);
    int have = PQntuples(r) > 0;
    PQclear(r);
    if (!have)
        return 0;
    /* a reloaded file's new row replaces the old one */
    r = PQexec(c, "DELETE FROM stargen_ledger WHERE status = 'loaded' AND source || '|' || "
                  "file_key IN (SELECT source || '|' || file_key FROM stargen_ledger WHERE "
                  "status = 'pending')");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return fail(err, "promoting stargen_ledger rows", r, c);
    PQclear(r);
    r = PQexec(c, "UPDATE stargen_ledger SET status = 'loaded' WHERE status = 'pending'");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return fail(err, "promoting stargen_ledger rows", r, c);
    PQclear(r);
    return 0;
}

const ManifestSpot *ledger_manifest_spot(const Statement *st)
{
    for (size_t i = 0; i < st->nph; i++)
        if (st->ph[i].type == PH_MANIFEST)
            return st->ph[i].manifest;
    return NULL;
}

int ledger_plan_incremental(const Plan *p)
{
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; j < p->steps[i].nstmts; j++)
            if ((p->steps[i].stmts[j].copy && p->steps[i].stmts[j].copy->incremental) ||
                ledger_manifest_spot(&p->steps[i].stmts[j]))
                return 1;
    return 0;
}

/* Appends the verdicts of l: "N of M files to stage" and each staged file. */
static void list_verdicts(Buf *out, const char *step, const char *source, const SourceList *l,
                          const LedgerVerdict *v, int have)
{
    size_t n = 0;
    for (size_t k = 0; k < l->n; k++)
        n += v[k] == LV_NEW || v[k] == LV_RELOAD;
    buf_printf(out, "  %s: incremental source %s: %zu of %zu file%s to stage%s:\n", step, source, n,
               l->n, l->n == 1 ? "" : "s",
               have ? "" : " (no stargen_ledger yet: every file is new)");
    for (size_t k = 0; k < l->n; k++) {
        if (v[k] == LV_NEW || v[k] == LV_RELOAD) {
            buf_printf(out, "    %s ", v[k] == LV_NEW ? "new" : "again");
            utf8_escape_display_str(out, l->files[k].display);
            buf_putc(out, '\n');
        } else if (v[k] == LV_SKIPPED_CH) {
            buf_puts(out, "    changed, skipped (on_changed: skip) ");
            utf8_escape_display_str(out, l->files[k].display);
            buf_putc(out, '\n');
        }
    }
}

/* --dry-run, one Redshift manifest spot: list the prefix (read-only), read the ledger. */
static int dry_run_manifest(PGconn *c, int have, const Step *s, const ManifestSpot *m,
                            const S3Config *s3, int full_reload, Buf *out)
{
    if (!s3) {
        buf_printf(out, "  %s: incremental source %s: S3 is not configured, cannot list it\n",
                   s->name, m->source);
        return 1;
    }
    S3Config cfg = *s3;
    if (m->region)
        cfg.region = (char *)m->region;
    SourceList l;
    Buf err;
    buf_init(&err);
    int problems = 0;
    if (sources_list_s3(&cfg, m->source, &l, &err)) {
        buf_printf(out, "  %s: incremental source %s: %s\n", s->name, m->source, err.data);
        buf_free(&err);
        return 1;
    }
    LedgerVerdict *v = xcalloc(l.n ? l.n : 1, sizeof *v);
    if (have && ledger_select_etag(c, m, &l, full_reload, v, &err)) {
        buf_printf(out, "  %s: incremental source %s: %s\n", s->name, m->source, err.data);
        problems++;
    } else {
        list_verdicts(out, s->name, m->source, &l, v, have);
    }
    free(v);
    sources_free(&l);
    buf_free(&err);
    return problems;
}

int ledger_dry_run(PGconn *c, const Plan *p, const char *data_root, const S3Config *s3,
                   int full_reload, Buf *out)
{
    int problems = 0;
    int have = 0;
    if (c) {
        PGresult *r = PQexec(c, "SELECT 1 FROM information_schema.tables WHERE table_name = "
                                "'stargen_ledger' AND table_schema = current_schema()");
        have = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
        PQclear(r);
    }
    for (size_t i = 0; i < p->n; i++) {
        for (size_t j = 0; j < p->steps[i].nstmts; j++) {
            const ManifestSpot *m = ledger_manifest_spot(&p->steps[i].stmts[j]);
            if (m) {
                problems += dry_run_manifest(c, have, &p->steps[i], m, s3, full_reload, out);
                continue;
            }
            const CopyDirective *d = p->steps[i].stmts[j].copy;
            if (!d || !d->incremental)
                continue;
            SourceList l;
            Buf err;
            buf_init(&err);
            if (strncmp(data_root, "s3://", 5) == 0) {
                buf_printf(out,
                           "  %s: incremental source %s on S3: new files are chosen when the "
                           "step runs (--dry-run sends no S3 request)\n",
                           p->steps[i].name, d->source);
                buf_free(&err);
                continue;
            }
            if (sources_list(data_root, d->source, &l, &err)) {
                buf_printf(out, "  %s: incremental source %s: %s\n", p->steps[i].name, d->source,
                           err.data);
                buf_free(&err);
                problems++;
                continue;
            }
            LedgerVerdict *v = xcalloc(l.n ? l.n : 1, sizeof *v);
            if (have && ledger_select(c, d, &l, full_reload, v, &err)) {
                buf_printf(out, "  %s: incremental source %s: %s\n", p->steps[i].name, d->source,
                           err.data);
                problems++;
            } else {
                list_verdicts(out, p->steps[i].name, d->source, &l, v, have);
            }
            free(v);
            sources_free(&l);
            buf_free(&err);
        }
    }
    return problems;
}
