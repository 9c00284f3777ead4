/* check.c - named model checks and the load order (see check.h).
 *
 * Checks, by the name shown in their messages:
 *   column-type, identifier, source, jsonpaths, json-key, identity, encode, references,
 *   dist-key, sort-key, interleaved-sort, load-from, map-column, not-null-mapped,
 *   dedupe, upsert-key, incremental-references, load-cycle, secret-literal,
 *   plus the expression checks of resolve.c.
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "ident.h"
#include "resolve.h"

typedef struct Checker {
    Arena *a;
    Diag *d;
    Model *m;
} Checker;

static Source *find_source(Model *m, const char *name)
{
    for (size_t i = 0; i < m->sources.len; i++) {
        Source *s = m->sources.items[i];
        if (!strcmp(s->name, name))
            return s;
    }
    return NULL;
}

static void hint_names(Diag *d, const char *name, Vec *v, const char *(*get)(void *))
{
    const char *best = NULL;
    int bd = 3;
    for (size_t i = 0; i < v->len; i++) {
        const char *n = get(v->items[i]);
        int dd = ident_distance(name, n, 2);
        if (dd < bd) {
            bd = dd;
            best = n;
        }
    }
    if (best)
        diag_hint(d, "did you mean \"%s\"?", best);
}

static const char *source_name(void *p)
{
    return ((Source *)p)->name;
}
static const char *table_name(void *p)
{
    return ((TableDef *)p)->name;
}
static const char *column_name(void *p)
{
    return ((ColumnDef *)p)->name;
}

/* ---- columns ---- */

static const char *const encodings[] = {"az64",    "bytedict", "delta",    "delta32k", "lzo",
                                        "mostly8", "mostly16", "mostly32", "raw",      "runlength",
                                        "text255", "text32k",  "zstd",     NULL};

static void check_columns(Checker *c, TableDef *t)
{
    if (!t->columns.len)
        diag_error(c->d, t->mark, "columns", "table \"%s\" has no columns", t->name);
    if (t->columns.len > 1600)
        diag_error(c->d, t->mark, "columns", "table \"%s\" has %zu columns; the limit is 1600",
                   t->name, t->columns.len);
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (col->type_src)
            resolve_column_type(c->a, c->d, col->type_src, &col->type);
        if (col->identity && col->type.kind != T_UNKNOWN && col->type.kind != T_INTEGER &&
            col->type.kind != T_BIGINT)
            diag_error(c->d, col->mark, "identity",
                       "identity column \"%s\" must be integer or bigint", col->name);
        if (col->encode) {
            int k;
            for (k = 0; encodings[k]; k++)
                if (!strcmp(encodings[k], col->encode->s))
                    break;
            if (!encodings[k]) {
                diag_error(c->d, col->encode->mark, "encode", "unknown encoding \"%s\"",
                           col->encode->s);
                diag_hint(c->d, "encodings: az64, bytedict, delta, delta32k, lzo, mostly8, "
                                "mostly16, mostly32, raw, runlength, text255, text32k, zstd");
            }
        }
        if (col->json) {
            for (const char *p = col->json->s; *p; p++)
                if (*p == '\'' || *p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
                    diag_error(c->d, col->json->mark, "json-key",
                               "JSON key \"%s\" holds a quote, backslash or control character, "
                               "which a jsonpaths file cannot name",
                               col->json->s);
                    break;
                }
        }
    }
}

/* ---- physical design ---- */

static void check_physical(Checker *c, TableDef *t)
{
    if (t->dist == DIST_KEY && t->dist_key) {
        t->dist_col = table_column(t, t->dist_key->s);
        if (!t->dist_col) {
            diag_error(c->d, t->dist_key->mark, "dist-key",
                       "dist key \"%s\" is not a column of \"%s\"", t->dist_key->s, t->name);
            hint_names(c->d, t->dist_key->s, &t->columns, column_name);
        }
    }
    if (t->sort_keys.len > (t->sort == SORT_INTERLEAVED ? 8u : 400u)) {
        diag_error(c->d, t->sort_mark,
                   t->sort == SORT_INTERLEAVED ? "interleaved-sort" : "sort-key",
                   "%s sort keys take at most %d columns; this one has %zu",
                   t->sort == SORT_INTERLEAVED ? "interleaved" : "compound",
                   t->sort == SORT_INTERLEAVED ? 8 : 400, t->sort_keys.len);
    }
    t->sort_cols = arena_alloc(c->a, (t->sort_keys.len + 1) * sizeof *t->sort_cols);
    for (size_t i = 0; i < t->sort_keys.len; i++) {
        Scalar *s = t->sort_keys.items[i];
        ColumnDef *col = table_column(t, s->s);
        t->sort_cols[i] = col;
        if (!col) {
            diag_error(c->d, s->mark, "sort-key", "sort key \"%s\" is not a column of \"%s\"", s->s,
                       t->name);
            hint_names(c->d, s->s, &t->columns, column_name);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (t->sort_cols[j] == col)
                diag_error(c->d, s->mark, "sort-key", "sort key \"%s\" is listed twice", s->s);
        if (t->sort == SORT_INTERLEAVED &&
            (col->identity || col->type.kind == T_DATE || col->type.kind == T_TIMESTAMP ||
             col->type.kind == T_TIMESTAMPTZ)) {
            diag_error(c->d, s->mark, "interleaved-sort",
                       "\"%s\" grows monotonically (%s); interleaved sort keys must not use it",
                       s->s, col->identity ? "identity" : "a date or time");
            diag_hint(c->d, "use a compound sort key that leads with it instead");
        }
    }
}

/* ---- staging ---- */

static void check_staging(Checker *c, TableDef *t)
{
    if (t->source_name) {
        t->source = find_source(c->m, t->source_name->s);
        if (!t->source) {
            diag_error(c->d, t->source_name->mark, "source", "unknown source \"%s\"",
                       t->source_name->s);
            hint_names(c->d, t->source_name->s, &c->m->sources, source_name);
        } else {
            t->source->used = true;
        }
    }
    /* 'auto ignorecase' matches keys to column names ignoring case; anything else
     * needs a jsonpaths file. */
    ColumnDef *differs = NULL;
    for (size_t i = 0; i < t->columns.len && !differs; i++) {
        ColumnDef *col = t->columns.items[i];
        if (col->json && strcasecmp(col->json->s, col->name) != 0)
            differs = col;
    }
    if (differs && !t->jsonpaths) {
        diag_error(c->d, t->mark, "jsonpaths",
                   "staging table \"%s\" needs `jsonpaths: s3://…`: column \"%s\" reads the "
                   "JSON key \"%s\", which Redshift's 'auto ignorecase' cannot match",
                   t->name, differs->name, differs->json->s);
        diag_hint(c->d,
                  "give an S3 URI outside the data prefix, e.g. "
                  "s3://my-bucket/meta/%s.jsonpaths.json",
                  t->name);
    }
    if (t->jsonpaths) {
        const char *j = t->jsonpaths->s;
        if (strncmp(j, "s3://", 5) != 0) {
            diag_error(c->d, t->jsonpaths->mark, "jsonpaths",
                       "jsonpaths must be an s3:// URI, not \"%s\"", j);
        } else if (t->source && t->source->s3 &&
                   !strncmp(j, t->source->s3->s, strlen(t->source->s3->s))) {
            diag_error(c->d, t->jsonpaths->mark, "jsonpaths",
                       "jsonpaths file \"%s\" is under the data prefix \"%s\": COPY would read it "
                       "as data",
                       j, t->source->s3->s);
            diag_hint(c->d, "keep it outside the prefix, e.g. in a meta/ folder");
        }
        for (const char *p = j; *p; p++)
            if (*p == '\'' || *p == ' ' || *p == '\\') {
                diag_error(c->d, t->jsonpaths->mark, "jsonpaths",
                           "jsonpaths URI must not contain quotes, spaces or backslashes");
                break;
            }
    }
    if (t->source && t->source->s3) {
        for (const char *p = t->source->s3->s; *p; p++)
            if (*p == '\'' || *p == ' ' || *p == '\\') {
                diag_error(c->d, t->source->s3->mark, "source-uri",
                           "s3 URI must not contain quotes, spaces or backslashes");
                break;
            }
    }
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (!col->json) {
            col->json = arena_alloc(c->a, sizeof *col->json);
            col->json->s = col->name;
            col->json->len = strlen(col->name);
            col->json->mark = col->mark;
        }
    }
}

/* ---- references ---- */

static void check_references(Checker *c, TableDef *t)
{
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (!col->references)
            continue;
        const char *r = col->references->s;
        const char *dot = strchr(r, '.');
        if (!dot || strchr(dot + 1, '.')) {
            diag_error(c->d, col->references->mark, "references",
                       "references must be written table.column, not \"%s\"", r);
            continue;
        }
        char *tn = arena_strndup(c->a, r, (size_t)(dot - r));
        TableDef *rt = model_table(c->m, tn);
        if (rt && rt->role == ROLE_STAGING) {
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" references the staging table \"%s\"; references target a star "
                       "table's primary key",
                       col->name, tn);
            continue;
        }
        if (!rt) {
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" references the unknown star table \"%s\"", col->name, tn);
            hint_names(c->d, tn, &c->m->tables, table_name);
            continue;
        }
        ColumnDef *rc = table_column(rt, dot + 1);
        if (!rc && !rt->columns.len) /* that table's missing columns are reported already */
            continue;
        if (!rc) {
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" references the unknown column \"%s\" of \"%s\"", col->name, dot + 1,
                       tn);
            hint_names(c->d, dot + 1, &rt->columns, column_name);
            continue;
        }
        int npk = 0;
        for (size_t k = 0; k < rt->columns.len; k++)
            npk += ((ColumnDef *)rt->columns.items[k])->primary_key;
        if (!rc->primary_key || npk != 1) {
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" references %s.%s, which is not the primary key of \"%s\"", col->name,
                       tn, rc->name, tn);
            diag_hint(c->d, "a reference targets a single-column primary key");
            continue;
        }
        if (col->type.kind != T_UNKNOWN && rc->type.kind != T_UNKNOWN &&
            (type_cat(col->type) != type_cat(rc->type) ||
             (type_cat(col->type) == CAT_NUMERIC && col->type.kind != rc->type.kind) ||
             (type_cat(col->type) == CAT_DATETIME && col->type.kind != rc->type.kind))) {
            char b1[64], b2[64];
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" is %s but %s.%s is %s: a reference joins equal types", col->name,
                       type_str(col->type, b1, sizeof b1), tn, rc->name,
                       type_str(rc->type, b2, sizeof b2));
            continue;
        }
        if (rt == t) {
            diag_error(c->d, col->references->mark, "references", "\"%s\" references its own table",
                       col->name);
            continue;
        }
        col->ref_col = rc;
        vec_push(c->a, &t->deps, rt);
        if (t->load && t->load->mode != MODE_REPLACE && rt->load &&
            rt->load->mode == MODE_REPLACE) {
            diag_error(c->d, col->references->mark, "incremental-references",
                       "\"%s\" keeps its rows between runs (mode %s) but references \"%s\", "
                       "which is rebuilt every run",
                       t->name, t->load->mode == MODE_APPEND ? "append" : "upsert", rt->name);
            diag_hint(c->d, "give \"%s\" mode append or upsert too, or drop the reference",
                      rt->name);
        }
    }
}

/* ---- loads ---- */

/* "name", "name alias" or "name as alias". */
static bool table_spec(Checker *c, Scalar *s, const char **name, const char **alias)
{
    char *w[4];
    int n = 0;
    char *copy = arena_strdup(c->a, s->s);
    for (char *tok = strtok(copy, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
        if (n < 4)
            w[n++] = tok;
        else
            n = 5;
    if (n == 3 && !strcasecmp(w[1], "as")) {
        w[1] = w[2];
        n = 2;
    }
    if (n < 1 || n > 2) {
        diag_error(c->d, s->mark, "load-from",
                   "\"%s\" is not a table: write `table`, `table alias` or `table as alias`", s->s);
        return false;
    }
    const char *why;
    for (int i = 0; i < n; i++) {
        if (!ident_valid(w[i], &why)) {
            diag_error(c->d, s->mark, "identifier", "bad %s \"%s\": %s", i ? "alias" : "table name",
                       w[i], why);
            return false;
        }
    }
    *name = w[0];
    *alias = n == 2 ? w[1] : w[0];
    return true;
}

static TableDef *scope_table(Checker *c, Scope *sc, TableDef *self, Scalar *spec,
                             const char **name_out)
{
    const char *name, *alias;
    if (!table_spec(c, spec, &name, &alias))
        return NULL;
    *name_out = name;
    TableDef *t = model_table(c->m, name);
    if (!t) {
        diag_error(c->d, spec->mark, "load-from", "unknown table \"%s\"", name);
        hint_names(c->d, name, &c->m->tables, table_name);
        return NULL;
    }
    if (t == self) {
        diag_error(c->d, spec->mark, "load-cycle", "\"%s\" cannot load from itself", name);
        return NULL;
    }
    for (int i = 0; i < sc->n; i++)
        if (!strcmp(sc->alias[i], alias)) {
            diag_error(c->d, spec->mark, "load-from", "alias \"%s\" is used twice in this load",
                       alias);
            return NULL;
        }
    if (sc->n == 64) {
        diag_error(c->d, spec->mark, "load-from", "a load reads at most 64 tables");
        return NULL;
    }
    sc->alias[sc->n] = alias;
    sc->table[sc->n] = t;
    sc->n++;
    return t;
}

static Expr *typed(Checker *c, Scope *sc, Scalar *s, ParseMode mode)
{
    Expr *e = resolve_parse(c->a, c->d, s, mode);
    if (!e)
        return NULL;
    Resolver r = {c->a, c->d, s, sc, false};
    resolve_expr(&r, e);
    return e;
}

static void check_load(Checker *c, TableDef *t)
{
    LoadDef *ld = t->load;
    if (!ld || !ld->from || !t->columns.len) /* no columns: already reported */
        return;
    Scope *sc = arena_alloc(c->a, sizeof *sc);
    ld->from_table = scope_table(c, sc, t, ld->from, &ld->from_name);
    if (!ld->from_table)
        return;
    ld->from_alias = sc->alias[0];
    vec_push(c->a, &t->reads, ld->from_table);
    bool scope_ok = true;
    for (size_t i = 0; i < ld->joins.len; i++) {
        JoinDef *j = ld->joins.items[i];
        j->ref = scope_table(c, sc, t, j->table, &j->table_name);
        if (!j->ref) {
            scope_ok = false;
            continue;
        }
        j->alias = sc->alias[sc->n - 1];
        vec_push(c->a, &t->reads, j->ref);
        j->on_expr = typed(c, sc, j->on, PARSE_EXPR);
        if (j->on_expr) {
            Resolver r = {c->a, c->d, j->on, sc, false};
            resolve_boolean(&r, j->on_expr, "a join condition");
        }
    }
    if (!scope_ok)
        return;
    if (ld->where && (ld->where_expr = typed(c, sc, ld->where, PARSE_EXPR))) {
        Resolver r = {c->a, c->d, ld->where, sc, false};
        resolve_boolean(&r, ld->where_expr, "where");
    }
    /* mappings */
    for (size_t i = 0; i < ld->maps.len; i++) {
        Scalar *k = ld->maps.items[i], *v = ld->map_values.items[i];
        ColumnDef *col = table_column(t, k->s);
        if (!col) {
            diag_error(c->d, k->mark, "map-column", "\"%s\" is not a column of \"%s\"", k->s,
                       t->name);
            hint_names(c->d, k->s, &t->columns, column_name);
            continue;
        }
        if (col->identity) {
            diag_error(c->d, k->mark, "identity",
                       "\"%s\" is an identity column: the database numbers it; remove its mapping",
                       k->s);
            continue;
        }
        col->map = v;
        col->map_expr = typed(c, sc, v, PARSE_EXPR);
        if (col->map_expr && col->map_expr->type.kind != T_UNKNOWN) {
            Resolver r = {c->a, c->d, v, sc, false};
            resolve_assignable(&r, col->map_expr, col);
        }
    }
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (col->not_null && !col->identity && !col->map)
            diag_error(c->d, col->mark, "not-null-mapped",
                       "NOT NULL column \"%s\" has no mapping in the load of \"%s\"", col->name,
                       t->name);
    }
    /* dedupe */
    bool has_pk = false, pk_identity = false;
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (col->primary_key) {
            has_pk = true;
            pk_identity |= col->identity;
        }
    }
    bool natural_pk = has_pk && !pk_identity;
    if (ld->dedupe == DEDUPE_LATEST) {
        if (natural_pk && ld->dedupe_by.len) {
            diag_error(c->d, ld->dedupe_mark, "dedupe",
                       "\"%s\" is deduplicated by its primary key; remove `by` (keep `latest`)",
                       t->name);
        } else if (!natural_pk && !ld->dedupe_by.len) {
            diag_error(c->d, ld->dedupe_mark, "dedupe",
                       "\"%s\" has no primary key to deduplicate by: give `by: [expressions]`",
                       t->name);
        }
        ld->by_exprs = arena_alloc(c->a, (ld->dedupe_by.len + 1) * sizeof *ld->by_exprs);
        for (size_t i = 0; i < ld->dedupe_by.len; i++)
            ld->by_exprs[i] = typed(c, sc, ld->dedupe_by.items[i], PARSE_EXPR);
        if (ld->latest)
            ld->latest_expr = typed(c, sc, ld->latest, PARSE_EXPR);
        if (ld->latest_expr && type_cat(ld->latest_expr->type) == CAT_BOOLEAN) {
            diag_expr_error(c->d, ld->latest, 0, (int)ld->latest->len, "dedupe",
                            "latest orders rows; a boolean is a poor order");
        }
    }
    if (ld->mode == MODE_UPSERT && !natural_pk)
        diag_error(c->d, ld->mode_mark, "upsert-key",
                   "mode upsert replaces rows by primary key, and \"%s\" has no natural "
                   "primary key",
                   t->name);
    for (size_t i = 0; i < t->reads.len; i++) {
        TableDef *r = t->reads.items[i];
        if (r->role != ROLE_STAGING)
            vec_push(c->a, &t->deps, r);
    }
}

/* ---- order ---- */

static int cmp_star(const void *a, const void *b)
{
    const TableDef *x = *(TableDef *const *)a, *y = *(TableDef *const *)b;
    if (x->role != y->role)
        return x->role == ROLE_DIMENSION ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Depth-first, dependencies first; ties by kind (dimensions first) then name,
 * so the order is a function of the model alone. */
static bool visit(Checker *c, TableDef *t, Vec *path)
{
    if (t->visit == 2)
        return true;
    if (t->visit == 1) {
        Buf b;
        buf_init(&b);
        size_t start = 0;
        for (size_t i = 0; i < path->len; i++)
            if (path->items[i] == t)
                start = i;
        for (size_t i = start; i < path->len; i++)
            buf_printf(&b, "%s -> ", ((TableDef *)path->items[i])->name);
        buf_puts(&b, t->name);
        diag_error(c->d, t->mark, "load-cycle", "the load graph has a cycle: %s", b.data);
        diag_hint(c->d, "a table must be loaded before the tables that read or reference it");
        buf_free(&b);
        return false;
    }
    t->visit = 1;
    vec_push(c->a, path, t);
    TableDef **deps = arena_alloc(c->a, (t->deps.len + 1) * sizeof *deps);
    if (t->deps.len) {
        memcpy(deps, t->deps.items, t->deps.len * sizeof *deps);
        qsort(deps, t->deps.len, sizeof *deps, cmp_star);
    }
    bool ok = true;
    for (size_t i = 0; i < t->deps.len && ok; i++)
        ok = visit(c, deps[i], path);
    path->len--;
    t->visit = 2;
    t->order = (int)c->m->load_order.len;
    vec_push(c->a, &c->m->load_order, t);
    return ok;
}

static void order_loads(Checker *c)
{
    Vec star = {0};
    for (size_t i = 0; i < c->m->tables.len; i++) {
        TableDef *t = c->m->tables.items[i];
        if (t->role != ROLE_STAGING)
            vec_push(c->a, &star, t);
    }
    if (!star.len)
        return;
    qsort(star.items, star.len, sizeof *star.items, cmp_star);
    Vec path = {0};
    for (size_t i = 0; i < star.len; i++)
        if (!visit(c, star.items[i], &path))
            return;
}

static void check_secret(Checker *c)
{
    Scalar *s = c->m->iam_role;
    if (!s || !strcmp(s->s, "default"))
        return;
    const char *p = s->s;
    bool placeholder = p[0] == '$' && p[1] == '{' && p[s->len - 1] == '}' && s->len > 3;
    for (size_t i = 2; placeholder && i + 1 < s->len; i++)
        placeholder =
            (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_' || (i > 2 && p[i] >= '0' && p[i] <= '9');
    if (!placeholder) {
        diag_error(c->d, s->mark, "secret-literal",
                   "iam_role must be a ${PLACEHOLDER} or default, never a literal role");
        diag_hint(c->d, "write iam_role: ${REDSHIFT_IAM_ROLE}; the runner fills it in at run "
                        "time from the environment or dwh.cfg");
    }
}

/* ---- data checks ---- */

static CheckDef *new_check(Checker *c, CheckKind k, TableDef *t, ColumnDef *col, const char *name)
{
    CheckDef *ck = arena_alloc(c->a, sizeof *ck);
    ck->kind = k;
    ck->table = t;
    ck->column = col;
    ck->name = name;
    ck->mark = col ? col->mark : t->mark;
    vec_push(c->a, &c->m->checks, ck);
    return ck;
}

static bool accepted_ok(Checker *c, ColumnDef *col)
{
    TypeCat cat = type_cat(col->type);
    bool ok = true;
    for (size_t i = 0; i < col->accepted.len; i++) {
        Scalar *v = col->accepted.items[i];
        char *end = NULL;
        if (cat == CAT_NUMERIC) {
            strtod(v->s, &end);
            if (!*v->s || *end) {
                diag_error(c->d, v->mark, "accepted-values",
                           "\"%s\" is not a number, but %s.%s is numeric", v->s, col->table->name,
                           col->name);
                ok = false;
            }
        } else if (cat == CAT_BOOLEAN) {
            if (strcmp(v->s, "true") && strcmp(v->s, "false")) {
                diag_error(c->d, v->mark, "accepted-values", "\"%s\" is not true or false", v->s);
                ok = false;
            }
        } else if (cat != CAT_STRING) {
            diag_error(c->d, col->accepted_mark, "accepted-values",
                       "accepted_values applies to string, numeric and boolean columns");
            return false;
        } else if (!col->type.max && strlen(v->s) > (size_t)col->type.p) {
            diag_error(c->d, v->mark, "accepted-values", "\"%s\" is longer than %s.%s can hold",
                       v->s, col->table->name, col->name);
            ok = false;
        }
    }
    return ok;
}

/* Checks derived from what the model says: keys, NOT NULL, references, accepted values. */
static void derive_checks(Checker *c)
{
    for (size_t i = 0; i < c->m->load_order.len; i++) {
        TableDef *t = c->m->load_order.items[i];
        Buf pk;
        buf_init(&pk);
        for (size_t j = 0; j < t->columns.len; j++) {
            ColumnDef *col = t->columns.items[j];
            if (col->primary_key)
                buf_printf(&pk, "_%s", col->name);
        }
        if (pk.len)
            new_check(c, CK_UNIQUE, t, NULL, arena_printf(c->a, "unique_%s%s", t->name, pk.data));
        buf_free(&pk);
        for (size_t j = 0; j < t->columns.len; j++) {
            ColumnDef *col = t->columns.items[j];
            if (col->not_null)
                new_check(c, CK_NOT_NULL, t, col,
                          arena_printf(c->a, "not_null_%s_%s", t->name, col->name));
        }
        for (size_t j = 0; j < t->columns.len; j++) {
            ColumnDef *col = t->columns.items[j];
            if (col->ref_col)
                new_check(c, CK_RELATIONSHIP, t, col,
                          arena_printf(c->a, "relationships_%s_%s__%s_%s", t->name, col->name,
                                       col->ref_col->table->name, col->ref_col->name));
        }
        for (size_t j = 0; j < t->columns.len; j++) {
            ColumnDef *col = t->columns.items[j];
            if (col->accepted.len && accepted_ok(c, col))
                new_check(c, CK_ACCEPTED, t, col,
                          arena_printf(c->a, "accepted_values_%s_%s", t->name, col->name))
                    ->warn = col->accepted_warn;
        }
    }
}

static bool check_rowset(Checker *c, RowSet *r)
{
    if (!table_spec(c, r->from, &r->name, &r->alias))
        return false;
    r->table = model_table(c->m, r->name);
    if (!r->table) {
        diag_error(c->d, r->from->mark, "check-table", "unknown table \"%s\"", r->name);
        hint_names(c->d, r->name, &c->m->tables, table_name);
        return false;
    }
    if (r->where) {
        Scope *sc = arena_alloc(c->a, sizeof *sc);
        sc->alias[0] = r->alias;
        sc->table[0] = r->table;
        sc->n = 1;
        r->where_expr = typed(c, sc, r->where, PARSE_EXPR);
        if (r->where_expr) {
            Resolver rv = {c->a, c->d, r->where, sc, false};
            resolve_boolean(&rv, r->where_expr, "where");
        }
    }
    return true;
}

static void user_checks(Checker *c)
{
    for (size_t i = 0; i < c->m->user_checks.len; i++) {
        CheckDef *ck = c->m->user_checks.items[i];
        bool ok = true;
        if (ck->left)
            ok &= check_rowset(c, ck->left);
        if (ck->right)
            ok &= check_rowset(c, ck->right);
        if (ck->kind == CK_SQL) {
            const char *q = ck->sql->s;
            size_t n = strlen(q);
            while (n && (q[n - 1] == ' ' || q[n - 1] == '\n' || q[n - 1] == ';'))
                n--;
            if (memchr(q, ';', n)) {
                diag_error(c->d, ck->sql->mark, "check-sql",
                           "a sql check is one SELECT statement: remove the \";\" inside it");
                ok = false;
            }
        }
        for (size_t j = 0; j < c->m->checks.len; j++)
            if (!strcmp(((CheckDef *)c->m->checks.items[j])->name, ck->name)) {
                diag_error(c->d, ck->mark, "check-name", "check name \"%s\" is already taken%s",
                           ck->name, j < i ? "" : " by a check derived from the model");
                ok = false;
                break;
            }
        if (ok)
            vec_push(c->a, &c->m->checks, ck);
    }
}

/* ---- analytics queries ---- */

static void check_query(Checker *c, QueryDef *q)
{
    LoadDef *ld = q->src;
    if (!ld->from)
        return;
    Scope *sc = arena_alloc(c->a, sizeof *sc);
    q->scope = sc;
    ld->from_table = scope_table(c, sc, NULL, ld->from, &ld->from_name);
    if (!ld->from_table)
        return;
    ld->from_alias = sc->alias[0];
    for (size_t i = 0; i < ld->joins.len; i++) {
        JoinDef *j = ld->joins.items[i];
        j->ref = scope_table(c, sc, NULL, j->table, &j->table_name);
        if (!j->ref)
            return;
        j->alias = sc->alias[sc->n - 1];
        j->on_expr = typed(c, sc, j->on, PARSE_EXPR);
        if (j->on_expr) {
            Resolver r = {c->a, c->d, j->on, sc, false};
            resolve_boolean(&r, j->on_expr, "a join condition");
        }
    }
    if (ld->where && (ld->where_expr = typed(c, sc, ld->where, PARSE_EXPR))) {
        Resolver r = {c->a, c->d, ld->where, sc, false};
        resolve_boolean(&r, ld->where_expr, "where");
        if (expr_has_aggregate(ld->where_expr))
            diag_error(c->d, ld->where->mark, "aggregate",
                       "where filters rows before grouping: it cannot hold an aggregate");
    }
    size_t n = q->select_values.len;
    q->select_exprs = arena_alloc(c->a, (n + 1) * sizeof *q->select_exprs);
    for (size_t i = 0; i < n; i++) {
        Scalar *v = q->select_values.items[i];
        Expr *e = resolve_parse(c->a, c->d, v, PARSE_EXPR);
        if (e) {
            Resolver r = {c->a, c->d, v, sc, true};
            resolve_expr(&r, e);
        }
        q->select_exprs[i] = e;
    }
    size_t no = q->order_by.len;
    q->order_exprs = arena_alloc(c->a, (no + 1) * sizeof *q->order_exprs);
    q->order_output = arena_alloc(c->a, (no + 1) * sizeof *q->order_output);
    for (size_t i = 0; i < no; i++) {
        Scalar *v = q->order_by.items[i];
        Expr *e = resolve_parse(c->a, c->d, v, PARSE_ORDER);
        q->order_output[i] = -1;
        q->order_exprs[i] = e;
        if (!e)
            continue;
        if (e->a->kind == EX_COLUMN && !e->a->qualifier)
            for (size_t k = 0; k < n; k++)
                if (!strcmp(((Scalar *)q->select_names.items[k])->s, e->a->name))
                    q->order_output[i] = (int)k;
        if (q->order_output[i] < 0) {
            diag_expr_error(c->d, v, e->a->start, e->a->end, "query-order",
                            "order_by names an output of the query, and \"%.*s\" is none",
                            e->a->end - e->a->start, v->s + e->a->start);
            Buf b;
            buf_init(&b);
            for (size_t k = 0; k < n; k++)
                buf_printf(&b, "%s%s", k ? ", " : "", ((Scalar *)q->select_names.items[k])->s);
            diag_hint(c->d, "outputs: %s", b.data);
            buf_free(&b);
        }
    }
}

void check_model(Arena *a, Diag *d, Model *m)
{
    Checker c = {a, d, m};
    check_secret(&c);
    for (size_t i = 0; i < m->tables.len; i++) {
        TableDef *t = m->tables.items[i];
        check_columns(&c, t);
        check_physical(&c, t);
        if (t->role == ROLE_STAGING)
            check_staging(&c, t);
    }
    /* a column whose type failed is T_UNKNOWN: expressions using it stay quiet, the rest
     * are still checked, so one bad type does not hide every other error */
    for (size_t i = 0; i < m->tables.len; i++) {
        TableDef *t = m->tables.items[i];
        if (t->role != ROLE_STAGING) {
            check_load(&c, t);
            check_references(&c, t);
        }
    }
    if (d->errors)
        return;
    order_loads(&c);
    if (d->errors)
        return;
    derive_checks(&c);
    user_checks(&c);
    for (size_t i = 0; i < m->queries.len; i++)
        check_query(&c, m->queries.items[i]);
}
