/* analyze_loads.c - what reads tables through a scope: the load of each star table,
 * the analytics queries, and the load order that follows from both (see analyze.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze_internal.h"
#include "ident.h"

/* ---- loads ---- */

/* "name", "name alias" or "name as alias". */
bool table_spec(Analyzer *c, Scalar *s, const char **name, const char **alias)
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

static TableDef *scope_table(Analyzer *c, Scope *sc, TableDef *self, Scalar *spec,
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

Expr *typed(Analyzer *c, Scope *sc, Scalar *s, ParseMode mode)
{
    Expr *e = resolve_parse(c->a, c->d, s, mode);
    if (!e)
        return NULL;
    Resolver r = {c->a, c->d, s, sc, false};
    resolve_expr(&r, e);
    return e;
}

void analyze_load(Analyzer *c, TableDef *t)
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
    bind_lookups(c, t);
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
    ld->scope = sc;
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
        if (col->hash_key) {
            diag_error(c->d, k->mark, "surrogate-key",
                       "\"%s\" is a hash surrogate: the load computes it from the natural key; "
                       "remove its mapping",
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
        if (col->not_null && !col->identity && !col->hash_key && !col->lookup && !col->map)
            diag_error(c->d, col->mark, "not-null-mapped",
                       "NOT NULL column \"%s\" has no mapping in the load of \"%s\"", col->name,
                       t->name);
    }
    /* dedupe: by the load key (the natural key, else a natural primary key) */
    bool natural_pk = table_has_load_key(t);
    const char *keyword = t->natural.len ? "natural key" : "primary key";
    if (ld->dedupe == DEDUPE_LATEST) {
        if (natural_pk && ld->dedupe_by.len) {
            diag_error(c->d, ld->dedupe_mark, "dedupe",
                       "\"%s\" is deduplicated by its %s; remove `by` (keep `latest`)", t->name,
                       keyword);
        } else if (!natural_pk && !ld->dedupe_by.len) {
            bool surrogate = false;
            for (size_t i = 0; i < t->columns.len; i++) {
                const ColumnDef *col = t->columns.items[i];
                surrogate |= col->primary_key && (col->identity || col->hash_key);
            }
            if (surrogate)
                diag_error(c->d, ld->dedupe_mark, "dedupe",
                           "\"%s\" has a surrogate primary key and no natural key to deduplicate "
                           "by: mark its natural key `natural_key: true`, or give `by: "
                           "[expressions]`",
                           t->name);
            else
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
    if (ld->mode != MODE_REPLACE && !natural_pk) {
        diag_error(c->d, ld->mode_mark, "upsert-key",
                   "mode %s matches incoming rows with stored ones by key, and \"%s\" has no "
                   "natural key",
                   ld->mode == MODE_UPSERT ? "upsert" : "append", t->name);
        diag_hint(c->d, "make the columns that identify a row its primary key, or, to keep a "
                        "surrogate primary key (identity or `surrogate: hash`), mark them "
                        "`natural_key: true`");
    }
    for (size_t i = 0; i < t->reads.len; i++) {
        TableDef *r = t->reads.items[i];
        if (r->role != ROLE_STAGING)
            vec_push(c->a, &t->deps, r);
        /* an incremental source stages only the files not loaded before: a table
         * rebuilt from staging every run would hold only those */
        else if (ld->mode == MODE_REPLACE && r->source && r->source->incremental) {
            diag_error(c->d, ld->mode_mark.line ? ld->mode_mark : ld->mark, "incremental-replace",
                       "\"%s\" is rebuilt every run (mode replace) from staging table \"%s\", "
                       "whose source \"%s\" is incremental: each run stages only the new "
                       "files, so \"%s\" would hold only them",
                       t->name, r->name, r->source->name, t->name);
            diag_hint(c->d, "give \"%s\" `mode: append` or `mode: upsert`", t->name);
        }
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
static bool visit(Analyzer *c, TableDef *t, Vec *path)
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

void order_loads(Analyzer *c)
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

/* ---- analytics queries ---- */

void analyze_query(Analyzer *c, QueryDef *q)
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
