/* model_tables.c - staging and star tables from YAML nodes: columns, Redshift physical
 * design (dist, sort) and the load: block of a star table (from, join, where, dedupe,
 * mode, map); the table index behind model_table().  Names and expressions are kept as
 * located Scalars: analyze.c resolves and types them.
 */
#include <string.h>

#include "../common/datetime.h"
#include "model_fields.h"

static void value_list(Loader *L, YNode *n, Vec *out, const char *what)
{
    if (n->kind != Y_SEQUENCE) {
        diag_error(L->d, n->mark, "model-shape", "%s must be a list of values", what);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        Scalar *v = scalar(L, n->items[i], "an accepted value");
        if (v)
            vec_push(L->a, out, v);
    }
    if (!out->len)
        diag_error(L->d, n->mark, "accepted-values", "%s lists no values", what);
}

/* accepted_values: [a, b] or {values: [a, b], severity: warn} */
static void read_accepted(Loader *L, ColumnDef *c, YNode *n)
{
    c->accepted_mark = n->mark;
    if (n->kind != Y_MAPPING) {
        value_list(L, n, &c->accepted, "accepted_values");
        return;
    }
    static const Key keys[] = {{"values", true}, {"severity", false}};
    YNode *f[2];
    if (!fields(L, n, "accepted_values", keys, 2, f))
        return;
    if (f[0])
        value_list(L, f[0], &c->accepted, "values");
    if (f[1])
        severity(L, f[1], &c->accepted_warn);
}

typedef struct ColCtx {
    TableDef *t;
} ColCtx;

static void read_column(Loader *L, const char *name, YNode *k, YNode *v, void *ctx)
{
    TableDef *t = ((ColCtx *)ctx)->t;
    ColumnDef *c = arena_alloc(L->a, sizeof *c);
    c->name = name;
    c->mark = k->mark;
    c->table = t;
    c->index = (int)t->columns.len;
    vec_push(L->a, &t->columns, c);
    char *what = arena_printf(L->a, "column \"%s\"", name);
    if (v->kind == Y_SCALAR) { /* short form: the type */
        c->type_src = nonempty(L, v, "a column type");
        return;
    }
    static const Key star[] = {
        {"type", true},         {"not_null", false},        {"primary_key", false},
        {"identity", false},    {"references", false},      {"encode", false},
        {"description", false}, {"accepted_values", false}, {"renamed_from", false},
        {"natural_key", false}, {"surrogate", false}};
    static const Key stg[] = {{"type", true},
                              {"json", false},
                              {"not_null", false},
                              {"encode", false},
                              {"description", false}};
    YNode *f[11];
    if (t->role == ROLE_STAGING) {
        if (!fields(L, v, what, stg, 5, f))
            return;
        if (f[0])
            c->type_src = nonempty(L, f[0], "type");
        if (f[1])
            c->json = nonempty(L, f[1], "json");
        if (f[2])
            flag(L, f[2], "not_null", &c->not_null);
        if (f[3])
            c->encode = nonempty(L, f[3], "encode");
        if (f[4])
            c->description = scalar(L, f[4], "description");
        return;
    }
    if (!fields(L, v, what, star, 11, f))
        return;
    if (f[0])
        c->type_src = nonempty(L, f[0], "type");
    if (f[1])
        flag(L, f[1], "not_null", &c->not_null);
    if (f[2])
        flag(L, f[2], "primary_key", &c->primary_key);
    if (f[3])
        flag(L, f[3], "identity", &c->identity);
    if (f[4])
        c->references = nonempty(L, f[4], "references");
    if (f[5])
        c->encode = nonempty(L, f[5], "encode");
    if (f[6])
        c->description = scalar(L, f[6], "description");
    if (f[7])
        read_accepted(L, c, f[7]);
    if (f[8] && (c->renamed_from = nonempty(L, f[8], "renamed_from")))
        name_of(L, f[8], "renamed_from");
    if (f[9])
        flag(L, f[9], "natural_key", &c->natural_key);
    if (f[10]) {
        Scalar *s = nonempty(L, f[10], "surrogate");
        c->surrogate_mark = f[10]->mark;
        if (s && !strcmp(s->s, "identity"))
            c->identity = true;
        else if (s && !strcmp(s->s, "hash"))
            c->hash_key = true;
        else if (s)
            diag_error(L->d, s->mark, "surrogate-key",
                       "unknown surrogate \"%s\": use identity (numbered by the database) or "
                       "hash (computed from the natural key)",
                       s->s);
    }
    if (c->primary_key || c->identity || c->natural_key || c->hash_key)
        c->not_null = true;
}

/* ---- physical design ---- */

static void read_dist(Loader *L, TableDef *t, YNode *n)
{
    t->dist_mark = n->mark;
    if (n->kind == Y_SCALAR) {
        const char *v = n->value;
        if (!strcmp(v, "auto"))
            t->dist = DIST_AUTO;
        else if (!strcmp(v, "even"))
            t->dist = DIST_EVEN;
        else if (!strcmp(v, "all"))
            t->dist = DIST_ALL;
        else {
            diag_error(L->d, n->mark, "dist-style",
                       "unknown dist style \"%s\": use auto, even, all or {key: COLUMN}", v);
            if (*v && table_column(t, v)) /* columns load before dist */
                diag_hint(L->d, "to distribute on the column write `dist: {key: %s}`", v);
            else
                diag_hint(L->d, "to distribute on a column write `dist: {key: COLUMN}`");
        }
        return;
    }
    static const Key keys[] = {{"key", true}};
    YNode *f[1];
    if (!fields(L, n, "dist", keys, 1, f) || !f[0])
        return;
    t->dist = DIST_KEY;
    if (f[0]->kind != Y_SCALAR) {
        diag_error(L->d, f[0]->mark, "dist-key", "a dist key is exactly one column, not %s",
                   ynode_kind_name(f[0]));
        diag_hint(L->d,
                  "Redshift distributes a table on one column; pick the column most joined on");
        return;
    }
    t->dist_key = nonempty(L, f[0], "dist key");
}

static void sort_list(Loader *L, TableDef *t, YNode *n, const char *what)
{
    if (n->kind == Y_SCALAR) { /* one column */
        Scalar *s = nonempty(L, n, what);
        if (s)
            vec_push(L->a, &t->sort_keys, s);
        return;
    }
    if (n->kind != Y_SEQUENCE) {
        diag_error(L->d, n->mark, "model-shape", "%s must be a list of columns", what);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        Scalar *s = nonempty(L, n->items[i], "a sort key column");
        if (s)
            vec_push(L->a, &t->sort_keys, s);
    }
    if (!t->sort_keys.len)
        diag_error(L->d, n->mark, "sort-key", "%s lists no columns", what);
}

static void read_sort(Loader *L, TableDef *t, YNode *n)
{
    t->sort_mark = n->mark;
    if (n->kind == Y_SCALAR && !strcmp(n->value, "auto")) {
        t->sort = SORT_AUTO;
        return;
    }
    if (n->kind != Y_MAPPING) {
        t->sort = SORT_COMPOUND;
        sort_list(L, t, n, "sort");
        return;
    }
    static const Key keys[] = {{"compound", false}, {"interleaved", false}};
    YNode *f[2];
    if (!fields(L, n, "sort", keys, 2, f))
        return;
    if (f[0] && f[1]) {
        diag_error(L->d, n->mark, "sort-key",
                   "a sort key is either compound or interleaved, not both");
        return;
    }
    if (!f[0] && !f[1]) {
        diag_error(L->d, n->mark, "sort-key", "sort needs compound: [...] or interleaved: [...]");
        return;
    }
    t->sort = f[0] ? SORT_COMPOUND : SORT_INTERLEAVED;
    sort_list(L, t, f[0] ? f[0] : f[1], f[0] ? "compound" : "interleaved");
}

/* ---- load ---- */

void read_join(Loader *L, LoadDef *ld, YNode *n)
{
    static const Key keys[] = {{"inner", false}, {"left", false}, {"on", true}};
    YNode *f[3];
    JoinDef *j = arena_alloc(L->a, sizeof *j);
    j->mark = n->mark;
    if (!fields(L, n, "a join", keys, 3, f))
        return;
    if (!!f[0] == !!f[1]) {
        diag_error(L->d, n->mark, "join-kind",
                   "a join names its table under exactly one of \"inner\" or \"left\"");
        diag_hint(L->d, "e.g. `- left: staging_songs s` with `on: s.title = e.song`");
        return;
    }
    j->kind = f[0] ? JOIN_INNER : JOIN_LEFT;
    j->table = nonempty(L, f[0] ? f[0] : f[1], "join table");
    if (f[2])
        j->on = nonempty(L, f[2], "on");
    if (j->table && j->on)
        vec_push(L->a, &ld->joins, j);
}

static void read_dedupe(Loader *L, LoadDef *ld, YNode *n)
{
    ld->dedupe_mark = n->mark;
    if (n->kind == Y_SCALAR) {
        const char *v = n->value;
        if (!strcmp(v, "distinct"))
            ld->dedupe = DEDUPE_DISTINCT;
        else if (!strcmp(v, "none"))
            ld->dedupe = DEDUPE_NONE;
        else
            diag_error(L->d, n->mark, "dedupe",
                       "unknown dedupe \"%s\": use none, distinct or {by: [...], latest: EXPR}", v);
        return;
    }
    static const Key keys[] = {{"by", false}, {"latest", false}};
    YNode *f[2];
    if (!fields(L, n, "dedupe", keys, 2, f))
        return;
    ld->dedupe = DEDUPE_LATEST;
    if (f[0]) {
        if (f[0]->kind == Y_SCALAR) {
            Scalar *s = nonempty(L, f[0], "dedupe by");
            if (s)
                vec_push(L->a, &ld->dedupe_by, s);
        } else if (f[0]->kind == Y_SEQUENCE) {
            for (size_t i = 0; i < f[0]->n; i++) {
                Scalar *s = nonempty(L, f[0]->items[i], "a dedupe key");
                if (s)
                    vec_push(L->a, &ld->dedupe_by, s);
            }
            if (!ld->dedupe_by.len)
                diag_error(L->d, f[0]->mark, "dedupe", "dedupe by lists no expressions");
        } else {
            diag_error(L->d, f[0]->mark, "model-shape", "dedupe by must be a list of expressions");
        }
    }
    if (f[1])
        ld->latest = nonempty(L, f[1], "latest");
}

/* lookup: {column: EXPR | [EXPR, ...]}: the natural key of the referenced dimension. */
static void read_lookups(Loader *L, LoadDef *ld, YNode *n)
{
    if (n->kind != Y_MAPPING) {
        diag_error(L->d, n->mark, "model-shape",
                   "lookup must be a mapping of column: natural key expression(s)");
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        YNode *k = n->items[2 * i], *v = n->items[2 * i + 1];
        Scalar *ks = scalar(L, k, "a looked-up column name");
        if (!ks)
            continue;
        LookupDef *lk = arena_alloc(L->a, sizeof *lk);
        lk->column = ks;
        scalar_list(L, v, &lk->values, "a natural key expression");
        for (size_t j = 0; j < ld->lookups.len; j++)
            if (!strcmp(((LookupDef *)ld->lookups.items[j])->column->s, ks->s)) {
                diag_error(L->d, ks->mark, "duplicate-key", "column \"%s\" is looked up twice",
                           ks->s);
                lk = NULL;
                break;
            }
        if (lk && lk->values.len)
            vec_push(L->a, &ld->lookups, lk);
    }
}

static void read_load_block(Loader *L, TableDef *t, YNode *n)
{
    static const Key keys[] = {{"from", true},    {"join", false}, {"where", false},
                               {"dedupe", false}, {"mode", false}, {"map", true},
                               {"lookup", false}};
    YNode *f[7];
    LoadDef *ld = arena_alloc(L->a, sizeof *ld);
    ld->mark = n->mark;
    t->load = ld;
    char *what = arena_printf(L->a, "the load of \"%s\"", t->name);
    if (!fields(L, n, what, keys, 7, f))
        return;
    if (f[0])
        ld->from = nonempty(L, f[0], "from");
    if (f[6])
        read_lookups(L, ld, f[6]);
    if (f[1]) {
        if (f[1]->kind == Y_MAPPING)
            read_join(L, ld, f[1]);
        else if (f[1]->kind != Y_SEQUENCE)
            diag_error(L->d, f[1]->mark, "model-shape", "join must be a list of joins");
        else
            for (size_t i = 0; i < f[1]->n; i++)
                read_join(L, ld, f[1]->items[i]);
    }
    if (f[2])
        ld->where = nonempty(L, f[2], "where");
    if (f[3])
        read_dedupe(L, ld, f[3]);
    if (f[4]) {
        ld->mode_mark = f[4]->mark;
        Scalar *s = nonempty(L, f[4], "mode");
        if (s) {
            if (!strcmp(s->s, "replace"))
                ld->mode = MODE_REPLACE;
            else if (!strcmp(s->s, "append"))
                ld->mode = MODE_APPEND;
            else if (!strcmp(s->s, "upsert"))
                ld->mode = MODE_UPSERT;
            else
                diag_error(L->d, s->mark, "load-mode",
                           "unknown mode \"%s\": use replace, append or upsert", s->s);
        }
    }
    if (f[5]) {
        YNode *mp = f[5];
        if (mp->kind != Y_MAPPING) {
            diag_error(L->d, mp->mark, "model-shape",
                       "map must be a mapping of column: expression");
            return;
        }
        size_t cnt = mp->n;
        for (size_t pi = 0; pi < mp->n; pi++) {
            YNode *k = mp->items[2 * pi], *v = mp->items[2 * pi + 1];
            Scalar *ks = scalar(L, k, "a mapped column name");
            Scalar *vs = nonempty(L, v, "a mapping expression");
            if (!ks)
                continue;
            bool dup = false;
            for (size_t i = 0; i < ld->maps.len && cnt < 4096; i++)
                if (!strcmp(((Scalar *)ld->maps.items[i])->s, ks->s)) {
                    diag_error(L->d, ks->mark, "duplicate-key", "column \"%s\" is mapped twice",
                               ks->s);
                    diag_hint(L->d, "the first mapping is at line %d",
                              ((Scalar *)ld->maps.items[i])->mark.line);
                    dup = true;
                }
            if (!dup && vs) {
                vec_push(L->a, &ld->maps, ks);
                vec_push(L->a, &ld->map_values, vs);
            }
        }
    }
}

/* ---- tables ---- */

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The slot for name in m's table index (empty or holding that name). */
static TableDef **index_slot(const Model *m, const char *name)
{
    size_t mask = m->index_cap - 1, i = name_hash(name) & mask;
    while (m->index[i] && strcmp(m->index[i]->name, name) != 0)
        i = (i + 1) & mask;
    return &m->index[i];
}

static void index_add(Arena *a, Model *m, TableDef *t)
{
    if ((m->tables.len + 1) * 2 > m->index_cap) { /* keep the load under one half */
        size_t cap = m->index_cap ? m->index_cap * 2 : 64;
        TableDef **old = m->index;
        size_t old_cap = m->index_cap;
        m->index = arena_alloc(a, cap * sizeof *m->index);
        m->index_cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i])
                *index_slot(m, old[i]->name) = old[i];
    }
    *index_slot(m, t->name) = t;
}

static TableDef *new_table(Loader *L, Model *m, const char *name, YNode *k, Role role)
{
    TableDef *o = model_table(m, name);
    if (o) {
        diag_error(L->d, k->mark, "duplicate-table", "table \"%s\" is defined twice", name);
        diag_hint(L->d, "the other one is at line %d", o->mark.line);
        return NULL;
    }
    TableDef *t = arena_alloc(L->a, sizeof *t);
    t->name = name;
    t->mark = k->mark;
    t->role = role;
    index_add(L->a, m, t);
    vec_push(L->a, &m->tables, t);
    return t;
}

void read_staging_table(Loader *L, const char *name, YNode *k, YNode *v, void *ctx)
{
    TableDef *t = new_table(L, ctx, name, k, ROLE_STAGING);
    if (!t)
        return;
    static const Key keys[] = {{"source", true},
                               {"columns", true},
                               {"jsonpaths", false},
                               {"empty_as_null", false},
                               {"blanks_as_null", false},
                               {"time_format", false},
                               {"dist", false},
                               {"sort", false},
                               {"description", false},
                               {"date_format", false},
                               {"decimal_rounding", false}};
    YNode *f[11];
    char *what = arena_printf(L->a, "staging table \"%s\"", name);
    if (!fields(L, v, what, keys, 11, f))
        return;
    if (f[0])
        t->source_name = nonempty(L, f[0], "source");
    if (f[1]) {
        ColCtx cc = {t};
        named_entries(L, f[1], "columns", "column", read_column, &cc);
    }
    if (f[2])
        t->jsonpaths = nonempty(L, f[2], "jsonpaths");
    if (f[3])
        flag(L, f[3], "empty_as_null", &t->empty_as_null);
    if (f[4])
        flag(L, f[4], "blanks_as_null", &t->blanks_as_null);
    char why[128];
    if (f[5] && (t->time_format = nonempty(L, f[5], "time_format")) &&
        strcmp(t->time_format->s, "epochmillisecs") && strcmp(t->time_format->s, "epochsecs") &&
        strcmp(t->time_format->s, "auto") &&
        (dt_check_format(t->time_format->s, why) || strlen(t->time_format->s) > 64 ||
         strpbrk(t->time_format->s, "'\"\\")))
        diag_error(L->d, t->time_format->mark, "time-format",
                   "time_format \"%s\" is not epochmillisecs, epochsecs, auto or a format string "
                   "like 'YYYY-MM-DD HH:MI:SS': %s",
                   t->time_format->s, strpbrk(t->time_format->s, "'\"\\") ? "no quotes" : why);
    if (f[9] && (t->date_format = nonempty(L, f[9], "date_format")) &&
        strcmp(t->date_format->s, "auto") &&
        (dt_check_format(t->date_format->s, why) || strlen(t->date_format->s) > 64 ||
         strpbrk(t->date_format->s, "'\"\\")))
        diag_error(L->d, t->date_format->mark, "date-format",
                   "date_format \"%s\" is not auto or a format string like 'MM/DD/YYYY': %s",
                   t->date_format->s, strpbrk(t->date_format->s, "'\"\\") ? "no quotes" : why);
    if (f[10] && (t->decimal_rounding = nonempty(L, f[10], "decimal_rounding"))) {
        if (!strcmp(t->decimal_rounding->s, "round"))
            t->roundec = true;
        else if (strcmp(t->decimal_rounding->s, "truncate"))
            diag_error(L->d, t->decimal_rounding->mark, "decimal-rounding",
                       "decimal_rounding \"%s\" is not one of truncate, round",
                       t->decimal_rounding->s);
    }
    if (f[6])
        read_dist(L, t, f[6]);
    if (f[7])
        read_sort(L, t, f[7]);
    if (f[8])
        t->description = scalar(L, f[8], "description");
}

void read_star_table(Loader *L, const char *name, YNode *k, YNode *v, void *ctx)
{
    TableDef *t = new_table(L, ctx, name, k, ROLE_DIMENSION);
    if (!t)
        return;
    static const Key keys[] = {{"kind", true},  {"columns", true}, {"load", true},
                               {"dist", false}, {"sort", false},   {"description", false}};
    YNode *f[6];
    char *what = arena_printf(L->a, "table \"%s\"", name);
    if (!fields(L, v, what, keys, 6, f))
        return;
    if (f[0]) {
        Scalar *s = nonempty(L, f[0], "kind");
        if (s && !strcmp(s->s, "fact"))
            t->role = ROLE_FACT;
        else if (s && strcmp(s->s, "dimension") != 0)
            diag_error(L->d, s->mark, "table-kind",
                       "unknown kind \"%s\": a table is a fact or a dimension", s->s);
    }
    if (f[1]) {
        ColCtx cc = {t};
        named_entries(L, f[1], "columns", "column", read_column, &cc);
    }
    if (f[2])
        read_load_block(L, t, f[2]);
    if (f[3])
        read_dist(L, t, f[3]);
    if (f[4])
        read_sort(L, t, f[4]);
    if (f[5])
        t->description = scalar(L, f[5], "description");
}

/* The columns t's loads match rows by: its natural key, else a primary key that is
 * not an identity; false when it has neither. */
bool table_has_load_key(const TableDef *t)
{
    if (t->natural.len)
        return true;
    bool pk = false;
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *col = t->columns.items[i];
        if (col->primary_key && (col->identity || col->hash_key))
            return false;
        pk |= col->primary_key;
    }
    return pk;
}

ColumnDef *table_column(const TableDef *t, const char *name)
{
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *c = t->columns.items[i];
        if (!strcmp(c->name, name))
            return c;
    }
    return NULL;
}

TableDef *model_table(const Model *m, const char *name)
{
    return m->index_cap ? *index_slot(m, name) : NULL;
}
