/* model_build.c - the model from its YAML tree: the top-level keys, sources, data checks
 * and analytics queries (tables: model_tables.c).  Entry point model_from_yaml().
 */
#include <stdlib.h>
#include <string.h>

#include "model_fields.h"

/* ---- sources ---- */

static void read_source(Loader *L, const char *name, YNode *k, YNode *v, void *ctx)
{
    Model *m = ctx;
    static const Key keys[] = {{"s3", true},         {"path", true},         {"region", false},
                               {"format", false},    {"compression", false}, {"incremental", false},
                               {"on_changed", false}};
    YNode *f[7];
    Source *s = arena_alloc(L->a, sizeof *s);
    s->name = name;
    s->mark = k->mark;
    vec_push(L->a, &m->sources, s);
    char *what = arena_printf(L->a, "source \"%s\"", name);
    if (!fields(L, v, what, keys, 7, f))
        return;
    if (f[5]) {
        flag(L, f[5], "incremental", &s->incremental);
        s->incremental_mark = f[5]->mark;
    }
    if (f[6] && (s->on_changed = nonempty(L, f[6], "on_changed"))) {
        const char *c = s->on_changed->s;
        if (strcmp(c, "error") && strcmp(c, "skip") && strcmp(c, "reload"))
            diag_error(L->d, s->on_changed->mark, "source-on-changed",
                       "on_changed \"%s\" is not one of error, skip, reload", c);
        else if (!s->incremental)
            diag_error(L->d, s->on_changed->mark, "source-on-changed",
                       "on_changed applies to an incremental source; add incremental: true");
    }
    if (f[4] && (s->compression = nonempty(L, f[4], "compression")) &&
        strcmp(s->compression->s, "gzip") && strcmp(s->compression->s, "none"))
        diag_error(L->d, s->compression->mark, "source-compression",
                   "compression \"%s\" is not one of gzip, none", s->compression->s);
    if (f[0] && (s->s3 = nonempty(L, f[0], "s3")) && strncmp(s->s3->s, "s3://", 5) != 0) {
        diag_error(L->d, s->s3->mark, "source-uri", "s3 must be an s3:// URI, not \"%s\"",
                   s->s3->s);
    } else if (s->s3) {
        const char *b = s->s3->s + 5;
        if (!*b || *b == '/')
            diag_error(L->d, s->s3->mark, "source-uri", "s3 URI \"%s\" names no bucket", s->s3->s);
    }
    if (f[1] && (s->path = nonempty(L, f[1], "path"))) {
        const char *p = s->path->s;
        if (strchr(p, '\\'))
            diag_error(L->d, s->path->mark, "source-path",
                       "path \"%s\" must use \"/\" between folders, not \"\\\"", p);
        else if (p[0] == '/' || strstr(p, ".."))
            diag_error(L->d, s->path->mark, "source-path",
                       "path \"%s\" must be relative to the data root, without \"..\"", p);
        else if (strpbrk(p, " \t'\""))
            diag_error(L->d, s->path->mark, "source-path",
                       "path \"%s\" must not contain spaces or quotes", p);
    }
    if (f[2])
        s->region = nonempty(L, f[2], "region");
    if (s->region) {
        for (const char *p = s->region->s; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
                diag_error(L->d, s->region->mark, "source-region",
                           "region \"%s\" is not an AWS region name like us-west-2", s->region->s);
                break;
            }
    }
    if (f[3] && (s->format = nonempty(L, f[3], "format")) && strcmp(s->format->s, "json") != 0)
        diag_error(L->d, s->format->mark, "source-format",
                   "format \"%s\" is not supported; sources are JSON (format: json)", s->format->s);
}

/* ---- redshift: ---- */

/* Is uri under the s3 prefix of an incremental-or-not source?  The source, or NULL. */
static const Source *source_over(const Model *m, const char *uri)
{
    for (size_t i = 0; i < m->sources.len; i++) {
        const Source *s = m->sources.items[i];
        if (s->s3 && strncmp(uri, s->s3->s, strlen(s->s3->s)) == 0)
            return s;
    }
    return NULL;
}

/* A manifests prefix to suggest: s3://BUCKET/stargen-manifests/ in the bucket of uri
 * (an s3:// URI), when that lies under no source's prefix; else a placeholder bucket. */
static const char *suggest_manifests(Loader *L, const Model *m, const char *uri)
{
    const char *b = strncmp(uri, "s3://", 5) == 0 ? uri + 5 : "";
    size_t bl = strcspn(b, "/");
    if (bl) {
        const char *u = arena_printf(L->a, "s3://%.*s/stargen-manifests/", (int)bl, b);
        if (!source_over(m, u))
            return u;
    }
    return "s3://BUCKET/stargen-manifests/";
}

/* redshift.manifests: where the runner PUTs the manifest of each incremental COPY on
 * Redshift.  An s3://bucket/prefix/ URI: it ends with '/', and holds no space, quote,
 * backslash or control byte (it is a directive value and part of a SQL literal).  It
 * must not lie under a source's s3 prefix: a COPY of that source reads every key that
 * starts with its prefix (copy-parameters-data-source-s3), manifests included. */
static void check_manifests(Loader *L, Model *m)
{
    Scalar *mf = m->manifests;
    if (mf) {
        const char *u = mf->s;
        const char *why = NULL;
        if (strncmp(u, "s3://", 5) != 0)
            why = "is not an s3:// URI";
        else if (!u[5] || u[5] == '/')
            why = "names no bucket";
        for (const char *p = u; !why && *p; p++)
            if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '\'' || *p == '"' || *p == '\\')
                why = "must not hold spaces, quotes, backslashes or control characters";
        if (!why && (!strchr(u + 5, '/') || u[strlen(u) - 1] != '/')) {
            diag_error(L->d, mf->mark, "redshift-manifests",
                       "redshift.manifests \"%s\" must end with \"/\" (a folder the runner "
                       "writes manifests into)",
                       u);
            diag_hint(L->d, "write manifests: %s/", u);
            return;
        }
        if (why) {
            diag_error(L->d, mf->mark, "redshift-manifests", "redshift.manifests \"%s\" %s", u,
                       why);
            diag_hint(L->d, "write it like manifests: %s", suggest_manifests(L, m, u));
            return;
        }
        const Source *over = source_over(m, u);
        if (over) {
            diag_error(L->d, mf->mark, "redshift-manifests",
                       "redshift.manifests \"%s\" lies under the s3 prefix \"%s\" of source "
                       "\"%s\": the COPY of that source would read the manifests as data",
                       u, over->s3->s, over->name);
            diag_hint(L->d, "move it outside every source's s3 prefix, e.g. manifests: %s",
                      suggest_manifests(L, m, u));
            return;
        }
    }
    for (size_t i = 0; i < m->sources.len && !mf; i++) {
        Source *s = m->sources.items[i];
        if (!s->incremental)
            continue;
        diag_error(L->d, s->incremental_mark, "redshift-manifests",
                   "source \"%s\" is incremental, which on Redshift needs a place for the "
                   "runner's manifests",
                   s->name);
        diag_hint(L->d,
                  "add manifests: %s under redshift: (a prefix outside every source's s3 "
                  "prefix; the runner writes there the list of new files each incremental COPY "
                  "reads)",
                  suggest_manifests(L, m, s->s3 ? s->s3->s : ""));
        return;
    }
}

/* ---- checks and queries ---- */

/* "table [alias]" or {from: "table [alias]", where: EXPR} */
static RowSet *rowset(Loader *L, YNode *n, const char *what)
{
    RowSet *r = arena_alloc(L->a, sizeof *r);
    r->mark = n->mark;
    if (n->kind == Y_SCALAR) {
        r->from = nonempty(L, n, what);
        return r->from ? r : NULL;
    }
    static const Key keys[] = {{"from", true}, {"where", false}};
    YNode *f[2];
    if (!fields(L, n, what, keys, 2, f) || !f[0])
        return NULL;
    r->from = nonempty(L, f[0], "from");
    if (f[1])
        r->where = nonempty(L, f[1], "where");
    return r->from ? r : NULL;
}

static void read_check(Loader *L, Model *m, YNode *n)
{
    static const Key keys[] = {
        {"name", true},      {"severity", false},        {"description", false},
        {"min_rows", false}, {"row_count_equal", false}, {"no_rows", false},
        {"sql", false}};
    YNode *f[7];
    if (!fields(L, n, "a check", keys, 7, f))
        return;
    CheckDef *c = arena_alloc(L->a, sizeof *c);
    c->mark = n->mark;
    if (f[0])
        c->name = name_of(L, f[0], "check name");
    if (f[1])
        severity(L, f[1], &c->warn);
    if (f[2])
        c->description = scalar(L, f[2], "description");
    int kinds = !!f[3] + !!f[4] + !!f[5] + !!f[6];
    if (kinds != 1) {
        diag_error(L->d, c->mark, "check-kind",
                   "a check says exactly one of min_rows, row_count_equal, no_rows or sql");
        return;
    }
    if (f[3]) {
        c->kind = CK_MIN_ROWS;
        static const Key mk[] = {{"from", true}, {"where", false}, {"rows", true}};
        YNode *mf[3];
        if (!fields(L, f[3], "min_rows", mk, 3, mf))
            return;
        c->left = arena_alloc(L->a, sizeof *c->left);
        c->left->mark = f[3]->mark;
        if (mf[0])
            c->left->from = nonempty(L, mf[0], "from");
        if (mf[1])
            c->left->where = nonempty(L, mf[1], "where");
        if (mf[2]) {
            Scalar *rs = nonempty(L, mf[2], "rows");
            char *end = NULL;
            c->min_rows = rs ? strtoll(rs->s, &end, 10) : 0;
            if (rs && (!end || *end || rs->s[0] == '-' || c->min_rows < 1)) {
                diag_error(L->d, rs->mark, "check-kind", "rows must be a whole number >= 1");
                return;
            }
        }
        if (!c->left->from)
            return;
    } else if (f[4]) {
        c->kind = CK_ROW_COUNT_EQUAL;
        YNode *q = f[4];
        if (q->kind != Y_SEQUENCE || q->n != 2) {
            diag_error(L->d, q->mark, "check-kind",
                       "row_count_equal lists exactly two row sets: [table, {from: …, where: …}]");
            return;
        }
        c->left = rowset(L, q->items[0], "a row set");
        c->right = rowset(L, q->items[1], "a row set");
        if (!c->left || !c->right)
            return;
    } else if (f[5]) {
        c->kind = CK_NO_ROWS;
        if (!(c->left = rowset(L, f[5], "no_rows")))
            return;
    } else {
        c->kind = CK_SQL;
        if (!(c->sql = nonempty(L, f[6], "sql")))
            return;
    }
    if (c->name)
        vec_push(L->a, &m->user_checks, c);
}

static void read_checks(Loader *L, Model *m, YNode *n)
{
    if (n->kind != Y_SEQUENCE) {
        diag_error(L->d, n->mark, "model-shape", "checks must be a list of checks");
        return;
    }
    for (size_t i = 0; i < n->n; i++)
        read_check(L, m, n->items[i]);
}

static void read_query(Loader *L, const char *name, YNode *k, YNode *v, void *ctx)
{
    Model *m = ctx;
    static const Key keys[] = {{"description", false}, {"from", true},   {"join", false},
                               {"where", false},       {"select", true}, {"order_by", false},
                               {"limit", false}};
    YNode *f[7];
    QueryDef *q = arena_alloc(L->a, sizeof *q);
    q->name = name;
    q->mark = k->mark;
    q->src = arena_alloc(L->a, sizeof *q->src);
    q->src->mark = v->mark;
    vec_push(L->a, &m->queries, q);
    char *what = arena_printf(L->a, "query \"%s\"", name);
    if (!fields(L, v, what, keys, 7, f))
        return;
    if (f[0])
        q->description = scalar(L, f[0], "description");
    if (f[1])
        q->src->from = nonempty(L, f[1], "from");
    if (f[2]) {
        if (f[2]->kind == Y_MAPPING)
            read_join(L, q->src, f[2]);
        else if (f[2]->kind != Y_SEQUENCE)
            diag_error(L->d, f[2]->mark, "model-shape", "join must be a list of joins");
        else
            for (size_t i = 0; i < f[2]->n; i++)
                read_join(L, q->src, f[2]->items[i]);
    }
    if (f[3])
        q->src->where = nonempty(L, f[3], "where");
    if (f[4]) {
        if (f[4]->kind != Y_MAPPING) {
            diag_error(L->d, f[4]->mark, "model-shape",
                       "select must be a mapping of output name: expression");
        } else {
            for (size_t pi = 0; pi < f[4]->n; pi++) {
                YNode *kn = f[4]->items[2 * pi], *vn = f[4]->items[2 * pi + 1];
                const char *nm = name_of(L, kn, "output name");
                Scalar *vs = nonempty(L, vn, "a select expression");
                if (!nm || !vs)
                    continue;
                bool dup = false;
                for (size_t i = 0; i < q->select_names.len; i++)
                    if (!strcmp(((Scalar *)q->select_names.items[i])->s, nm)) {
                        diag_error(L->d, kn->mark, "duplicate-key",
                                   "output \"%s\" is selected twice", nm);
                        dup = true;
                    }
                if (dup)
                    continue;
                vec_push(L->a, &q->select_names, scalar(L, kn, "output name"));
                vec_push(L->a, &q->select_values, vs);
            }
        }
    }
    if (f[5])
        scalar_list(L, f[5], &q->order_by, "an order_by item");
    if (f[6]) {
        Scalar *ls = nonempty(L, f[6], "limit");
        char *end = NULL;
        q->limit = ls ? strtoll(ls->s, &end, 10) : 0;
        if (ls && (!end || *end || ls->s[0] == '-' || q->limit < 1 || q->limit > 1000000)) {
            diag_error(L->d, ls->mark, "query-limit",
                       "limit must be a whole number from 1 to 1000000");
            q->limit = 0;
        }
    }
}

Model *model_from_yaml(Arena *a, Diag *d, const char *text, size_t len)
{
    int first = d->npending;
    bool empty;
    YNode *root = yaml_read(a, d, text, len, &empty);
    if (!root && !empty)
        return NULL;
    Model *m = arena_alloc(a, sizeof *m);
    m->file = d->file;
    Loader L = {a, d};
    if (empty) {
        diag_file_error(d, "the model is empty");
        diag_hint(d, "start from the Sparkify schema.yaml in the stargen repository");
        return m;
    }
    static const Key keys[] = {{"version", true},  {"redshift", false},       {"sources", true},
                               {"staging", true},  {"tables", true},          {"checks", false},
                               {"queries", false}, {"allow_data_loss", false}};
    YNode *f[8];
    if (fields(&L, root, "the model", keys, 8, f)) {
        if (f[0]) {
            m->version_mark = f[0]->mark;
            if (f[0]->kind != Y_SCALAR || strcmp(f[0]->value, "1") != 0)
                diag_error(d, f[0]->mark, "version",
                           "unsupported model version; this gen reads version: 1");
        }
        if (f[1]) {
            static const Key rk[] = {{"iam_role", false}, {"manifests", false}};
            YNode *rf[2];
            if (fields(&L, f[1], "redshift", rk, 2, rf)) {
                if (rf[0])
                    m->iam_role = nonempty(&L, rf[0], "iam_role");
                if (rf[1])
                    m->manifests = nonempty(&L, rf[1], "manifests");
            }
        }
        if (f[2]) {
            named_entries(&L, f[2], "sources", "source", read_source, m);
            check_manifests(&L, m);
        }
        if (f[3])
            named_entries(&L, f[3], "staging", "table", read_staging_table, m);
        if (f[4]) {
            m->tables_mark = f[4]->mark;
            named_entries(&L, f[4], "tables", "table", read_star_table, m);
        }
        if (f[5])
            read_checks(&L, m, f[5]);
        if (f[6])
            named_entries(&L, f[6], "queries", "query", read_query, m);
        if (f[7])
            scalar_list(&L, f[7], &m->allow_data_loss, "allow_data_loss");
    }
    model_forget_repeats(d, first);
    return m;
}
