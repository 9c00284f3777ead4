/* load.c - schema.yaml -> Model, with libyaml.  The only file that includes yaml.h.
 *
 * The YAML is parsed into a libyaml document, then walked once.  Each object
 * kind has a table of the keys it accepts; unknown keys (with a "did you
 * mean"), duplicate keys (libyaml accepts them), wrong node kinds, missing
 * required keys, bad names and bad flags are all reported, not just the first.
 * Values are kept as Scalars with their source position; expressions and type
 * names are parsed later by the checker.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ident.h"
#include "model.h"

typedef struct Loader {
    Arena *a;
    Diag *d;
    yaml_document_t *doc;
} Loader;

static Mark mark_of(const yaml_node_t *n)
{
    Mark m = {(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
    return m;
}

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static yaml_node_t *node(Loader *L, int id)
{
    return yaml_document_get_node(L->doc, id);
}

static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)n->data.scalar.value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static Scalar *scalar(Loader *L, yaml_node_t *n, const char *what)
{
    if (n->type != YAML_SCALAR_NODE) {
        diag_error(L->d, mark_of(n), "model-shape", "%s must be a scalar, not %s", what,
                   kind_name(n));
        return NULL;
    }
    Scalar *s = arena_alloc(L->a, sizeof *s);
    s->len = n->data.scalar.length;
    s->s = arena_strndup(L->a, (const char *)n->data.scalar.value, s->len);
    if (strlen(s->s) != s->len) {
        diag_error(L->d, mark_of(n), "model-shape", "%s contains a NUL character", what);
        return NULL;
    }
    s->mark = mark_of(n);
    switch (n->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: s->style = SCALAR_SINGLE; break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: s->style = SCALAR_DOUBLE; break;
    case YAML_LITERAL_SCALAR_STYLE: s->style = SCALAR_LITERAL; break;
    case YAML_FOLDED_SCALAR_STYLE: s->style = SCALAR_FOLDED; break;
    default: s->style = SCALAR_PLAIN; break;
    }
    return s;
}

/* A non-empty scalar (text after trimming spaces). */
static Scalar *nonempty(Loader *L, yaml_node_t *n, const char *what)
{
    Scalar *s = scalar(L, n, what);
    if (s && is_null(n) && s->len) {
        diag_error(L->d, mark_of(n), "model-shape", "%s is missing: YAML reads \"%s\" as no value",
                   what, s->s);
        diag_hint(L->d, "write the value; for the SQL NULL expression quote it: \"null\"");
        return NULL;
    }
    if (s && (is_null(n) || strspn(s->s, " \t\r\n") == s->len)) {
        diag_error(L->d, mark_of(n), "model-shape", "%s is empty", what);
        return NULL;
    }
    return s;
}

static bool flag(Loader *L, yaml_node_t *n, const char *what, bool *out)
{
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *v = (const char *)n->data.scalar.value;
        if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE")) {
            *out = true;
            return true;
        }
        if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE")) {
            *out = false;
            return true;
        }
    }
    diag_error(L->d, mark_of(n), "model-shape", "%s must be true or false", what);
    return false;
}

/* Checks a name for a table, column, source or alias. */
static const char *name_of(Loader *L, yaml_node_t *n, const char *what)
{
    Scalar *s = scalar(L, n, what);
    if (!s)
        return NULL;
    const char *why;
    if (!ident_valid(s->s, &why)) {
        diag_error(L->d, s->mark, "identifier", "bad %s \"%s\": %s", what, s->s, why);
        return NULL;
    }
    return s->s;
}

typedef struct Key {
    const char *name;
    bool required;
} Key;

/* Validates a mapping's keys against `keys`: reports unknown keys (with a
 * suggestion), duplicates and missing required ones.  Returns false if n is not
 * a mapping.  vals[i] receives the value node of keys[i] (or NULL). */
static bool fields(Loader *L, yaml_node_t *n, const char *what, const Key *keys, int nkeys,
                   yaml_node_t **vals)
{
    yaml_node_t *keyn[16] = {0};
    for (int i = 0; i < nkeys; i++)
        vals[i] = NULL;
    if (n->type != YAML_MAPPING_NODE) {
        diag_error(L->d, mark_of(n), "model-shape", "%s must be a mapping, not %s", what,
                   kind_name(n));
        return false;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
        if (k->type != YAML_SCALAR_NODE) {
            diag_error(L->d, mark_of(k), "model-shape", "keys in %s must be scalars", what);
            continue;
        }
        const char *ks = (const char *)k->data.scalar.value;
        int i;
        for (i = 0; i < nkeys; i++)
            if (!strcmp(keys[i].name, ks))
                break;
        if (i == nkeys) {
            diag_error(L->d, mark_of(k), "unknown-key", "unknown key \"%s\" in %s", ks, what);
            const char *best = NULL;
            int bd = 3;
            for (int j = 0; j < nkeys; j++) {
                int dd = ident_distance(ks, keys[j].name, 2);
                if (dd < bd) {
                    bd = dd;
                    best = keys[j].name;
                }
            }
            if (strchr(ks, ')') && n->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
                diag_hint(L->d, "a comma splits a {…} mapping: quote the value, e.g. "
                                "type: \"decimal(10,2)\"");
            } else if (best) {
                diag_hint(L->d, "did you mean \"%s\"?", best);
            } else {
                Buf b;
                buf_init(&b);
                for (int j = 0; j < nkeys; j++)
                    buf_printf(&b, "%s%s", j ? ", " : "", keys[j].name);
                diag_hint(L->d, "%s takes: %s", what, b.data);
                buf_free(&b);
            }
            continue;
        }
        if (vals[i]) {
            diag_error(L->d, mark_of(k), "duplicate-key", "duplicate key \"%s\" in %s", ks, what);
            diag_hint(L->d, "the first \"%s\" is at line %d; YAML keeps only one of them", ks,
                      mark_of(i < 16 && keyn[i] ? keyn[i] : vals[i]).line);
            continue;
        }
        vals[i] = v;
        if (i < 16)
            keyn[i] = k;
    }
    for (int i = 0; i < nkeys; i++)
        if (keys[i].required && !vals[i])
            diag_error(L->d, mark_of(n), "missing-key", "%s needs the key \"%s\"", what,
                       keys[i].name);
    return true;
}

/* Iterates a mapping whose keys are names (tables, columns, sources), checking
 * names and duplicates.  Calls fn for each well-named entry. */
typedef void (*EntryFn)(Loader *L, const char *name, yaml_node_t *key, yaml_node_t *val, void *ctx);

static int cmp_key(const void *a, const void *b)
{
    const yaml_node_t *const *x = a, *const *y = b;
    int c = strcmp((const char *)(*x)->data.scalar.value, (const char *)(*y)->data.scalar.value);
    if (c)
        return c;
    return (*x)->start_mark.index < (*y)->start_mark.index ? -1 : 1;
}

static void named_entries(Loader *L, yaml_node_t *n, const char *what, const char *item, EntryFn fn,
                          void *ctx)
{
    if (n->type != YAML_MAPPING_NODE) {
        diag_error(L->d, mark_of(n), "model-shape", "%s must be a mapping of %s names, not %s",
                   what, item, kind_name(n));
        return;
    }
    size_t cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    yaml_node_t **ks = xmalloc((cnt ? cnt : 1) * sizeof *ks);
    size_t nk = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(L, p->key);
        if (k->type == YAML_SCALAR_NODE)
            ks[nk++] = k;
    }
    qsort(ks, nk, sizeof *ks, cmp_key);
    for (size_t i = 1; i < nk; i++) {
        if (!strcmp((const char *)ks[i]->data.scalar.value,
                    (const char *)ks[i - 1]->data.scalar.value)) {
            diag_error(L->d, mark_of(ks[i]), "duplicate-key", "duplicate %s \"%s\" in %s", item,
                       (const char *)ks[i]->data.scalar.value, what);
            diag_hint(L->d, "the first one is at line %d", mark_of(ks[i - 1]).line);
            ks[i]->data.scalar.length = (size_t)-1; /* mark as duplicate */
        }
    }
    free(ks);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
        if (k->type != YAML_SCALAR_NODE) {
            diag_error(L->d, mark_of(k), "model-shape", "a %s name must be a scalar", item);
            continue;
        }
        if (k->data.scalar.length == (size_t)-1)
            continue;
        const char *nm = name_of(L, k, item);
        if (nm)
            fn(L, nm, k, v, ctx);
    }
}

/* ---- sources ---- */

static void load_source(Loader *L, const char *name, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    Model *m = ctx;
    static const Key keys[] = {{"s3", true}, {"path", true}, {"region", false}, {"format", false}};
    yaml_node_t *f[4];
    Source *s = arena_alloc(L->a, sizeof *s);
    s->name = name;
    s->mark = mark_of(k);
    vec_push(L->a, &m->sources, s);
    char *what = arena_printf(L->a, "source \"%s\"", name);
    if (!fields(L, v, what, keys, 4, f))
        return;
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

/* ---- columns ---- */

static bool severity(Loader *L, yaml_node_t *n, bool *warn)
{
    Scalar *s = nonempty(L, n, "severity");
    if (!s)
        return false;
    if (!strcmp(s->s, "warn"))
        *warn = true;
    else if (strcmp(s->s, "error") != 0) {
        diag_error(L->d, s->mark, "check-severity", "severity \"%s\" is not error or warn", s->s);
        return false;
    }
    return true;
}

static void value_list(Loader *L, yaml_node_t *n, Vec *out, const char *what)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        diag_error(L->d, mark_of(n), "model-shape", "%s must be a list of values", what);
        return;
    }
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        Scalar *v = scalar(L, node(L, *i), "an accepted value");
        if (v)
            vec_push(L->a, out, v);
    }
    if (!out->len)
        diag_error(L->d, mark_of(n), "accepted-values", "%s lists no values", what);
}

/* accepted_values: [a, b] or {values: [a, b], severity: warn} */
static void load_accepted(Loader *L, ColumnDef *c, yaml_node_t *n)
{
    c->accepted_mark = mark_of(n);
    if (n->type != YAML_MAPPING_NODE) {
        value_list(L, n, &c->accepted, "accepted_values");
        return;
    }
    static const Key keys[] = {{"values", true}, {"severity", false}};
    yaml_node_t *f[2];
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

static void load_column(Loader *L, const char *name, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    TableDef *t = ((ColCtx *)ctx)->t;
    ColumnDef *c = arena_alloc(L->a, sizeof *c);
    c->name = name;
    c->mark = mark_of(k);
    c->table = t;
    c->index = (int)t->columns.len;
    vec_push(L->a, &t->columns, c);
    char *what = arena_printf(L->a, "column \"%s\"", name);
    if (v->type == YAML_SCALAR_NODE) { /* short form: the type */
        c->type_src = nonempty(L, v, "a column type");
        return;
    }
    static const Key star[] = {{"type", true},         {"not_null", false},
                               {"primary_key", false}, {"identity", false},
                               {"references", false},  {"encode", false},
                               {"description", false}, {"accepted_values", false}};
    static const Key stg[] = {{"type", true},
                              {"json", false},
                              {"not_null", false},
                              {"encode", false},
                              {"description", false}};
    yaml_node_t *f[8];
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
    if (!fields(L, v, what, star, 8, f))
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
        load_accepted(L, c, f[7]);
    if (c->primary_key || c->identity)
        c->not_null = true;
}

/* ---- physical design ---- */

static void load_dist(Loader *L, TableDef *t, yaml_node_t *n)
{
    t->dist_mark = mark_of(n);
    if (n->type == YAML_SCALAR_NODE) {
        const char *v = (const char *)n->data.scalar.value;
        if (!strcmp(v, "auto"))
            t->dist = DIST_AUTO;
        else if (!strcmp(v, "even"))
            t->dist = DIST_EVEN;
        else if (!strcmp(v, "all"))
            t->dist = DIST_ALL;
        else {
            diag_error(L->d, mark_of(n), "dist-style",
                       "unknown dist style \"%s\": use auto, even, all or {key: COLUMN}", v);
            if (*v && table_column(t, v)) /* columns load before dist */
                diag_hint(L->d, "to distribute on the column write `dist: {key: %s}`", v);
            else
                diag_hint(L->d, "to distribute on a column write `dist: {key: COLUMN}`");
        }
        return;
    }
    static const Key keys[] = {{"key", true}};
    yaml_node_t *f[1];
    if (!fields(L, n, "dist", keys, 1, f) || !f[0])
        return;
    t->dist = DIST_KEY;
    if (f[0]->type != YAML_SCALAR_NODE) {
        diag_error(L->d, mark_of(f[0]), "dist-key", "a dist key is exactly one column, not %s",
                   kind_name(f[0]));
        diag_hint(L->d,
                  "Redshift distributes a table on one column; pick the column most joined on");
        return;
    }
    t->dist_key = nonempty(L, f[0], "dist key");
}

static void sort_list(Loader *L, TableDef *t, yaml_node_t *n, const char *what)
{
    if (n->type == YAML_SCALAR_NODE) { /* one column */
        Scalar *s = nonempty(L, n, what);
        if (s)
            vec_push(L->a, &t->sort_keys, s);
        return;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        diag_error(L->d, mark_of(n), "model-shape", "%s must be a list of columns", what);
        return;
    }
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        Scalar *s = nonempty(L, node(L, *i), "a sort key column");
        if (s)
            vec_push(L->a, &t->sort_keys, s);
    }
    if (!t->sort_keys.len)
        diag_error(L->d, mark_of(n), "sort-key", "%s lists no columns", what);
}

static void load_sort(Loader *L, TableDef *t, yaml_node_t *n)
{
    t->sort_mark = mark_of(n);
    if (n->type == YAML_SCALAR_NODE && !strcmp((const char *)n->data.scalar.value, "auto")) {
        t->sort = SORT_AUTO;
        return;
    }
    if (n->type != YAML_MAPPING_NODE) {
        t->sort = SORT_COMPOUND;
        sort_list(L, t, n, "sort");
        return;
    }
    static const Key keys[] = {{"compound", false}, {"interleaved", false}};
    yaml_node_t *f[2];
    if (!fields(L, n, "sort", keys, 2, f))
        return;
    if (f[0] && f[1]) {
        diag_error(L->d, mark_of(n), "sort-key",
                   "a sort key is either compound or interleaved, not both");
        return;
    }
    if (!f[0] && !f[1]) {
        diag_error(L->d, mark_of(n), "sort-key",
                   "sort needs compound: [...] or interleaved: [...]");
        return;
    }
    t->sort = f[0] ? SORT_COMPOUND : SORT_INTERLEAVED;
    sort_list(L, t, f[0] ? f[0] : f[1], f[0] ? "compound" : "interleaved");
}

/* ---- load ---- */

static void load_join(Loader *L, LoadDef *ld, yaml_node_t *n)
{
    static const Key keys[] = {{"inner", false}, {"left", false}, {"on", true}};
    yaml_node_t *f[3];
    JoinDef *j = arena_alloc(L->a, sizeof *j);
    j->mark = mark_of(n);
    if (!fields(L, n, "a join", keys, 3, f))
        return;
    if (!!f[0] == !!f[1]) {
        diag_error(L->d, mark_of(n), "join-kind",
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

static void load_dedupe(Loader *L, LoadDef *ld, yaml_node_t *n)
{
    ld->dedupe_mark = mark_of(n);
    if (n->type == YAML_SCALAR_NODE) {
        const char *v = (const char *)n->data.scalar.value;
        if (!strcmp(v, "distinct"))
            ld->dedupe = DEDUPE_DISTINCT;
        else if (!strcmp(v, "none"))
            ld->dedupe = DEDUPE_NONE;
        else
            diag_error(L->d, mark_of(n), "dedupe",
                       "unknown dedupe \"%s\": use none, distinct or {by: [...], latest: EXPR}", v);
        return;
    }
    static const Key keys[] = {{"by", false}, {"latest", false}};
    yaml_node_t *f[2];
    if (!fields(L, n, "dedupe", keys, 2, f))
        return;
    ld->dedupe = DEDUPE_LATEST;
    if (f[0]) {
        if (f[0]->type == YAML_SCALAR_NODE) {
            Scalar *s = nonempty(L, f[0], "dedupe by");
            if (s)
                vec_push(L->a, &ld->dedupe_by, s);
        } else if (f[0]->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *i = f[0]->data.sequence.items.start;
                 i < f[0]->data.sequence.items.top; i++) {
                Scalar *s = nonempty(L, node(L, *i), "a dedupe key");
                if (s)
                    vec_push(L->a, &ld->dedupe_by, s);
            }
            if (!ld->dedupe_by.len)
                diag_error(L->d, mark_of(f[0]), "dedupe", "dedupe by lists no expressions");
        } else {
            diag_error(L->d, mark_of(f[0]), "model-shape",
                       "dedupe by must be a list of expressions");
        }
    }
    if (f[1])
        ld->latest = nonempty(L, f[1], "latest");
}

static void load_load(Loader *L, TableDef *t, yaml_node_t *n)
{
    static const Key keys[] = {{"from", true},    {"join", false}, {"where", false},
                               {"dedupe", false}, {"mode", false}, {"map", true}};
    yaml_node_t *f[6];
    LoadDef *ld = arena_alloc(L->a, sizeof *ld);
    ld->mark = mark_of(n);
    t->load = ld;
    char *what = arena_printf(L->a, "the load of \"%s\"", t->name);
    if (!fields(L, n, what, keys, 6, f))
        return;
    if (f[0])
        ld->from = nonempty(L, f[0], "from");
    if (f[1]) {
        if (f[1]->type == YAML_MAPPING_NODE)
            load_join(L, ld, f[1]);
        else if (f[1]->type != YAML_SEQUENCE_NODE)
            diag_error(L->d, mark_of(f[1]), "model-shape", "join must be a list of joins");
        else
            for (yaml_node_item_t *i = f[1]->data.sequence.items.start;
                 i < f[1]->data.sequence.items.top; i++)
                load_join(L, ld, node(L, *i));
    }
    if (f[2])
        ld->where = nonempty(L, f[2], "where");
    if (f[3])
        load_dedupe(L, ld, f[3]);
    if (f[4]) {
        ld->mode_mark = mark_of(f[4]);
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
        yaml_node_t *mp = f[5];
        if (mp->type != YAML_MAPPING_NODE) {
            diag_error(L->d, mark_of(mp), "model-shape",
                       "map must be a mapping of column: expression");
            return;
        }
        size_t cnt = (size_t)(mp->data.mapping.pairs.top - mp->data.mapping.pairs.start);
        for (yaml_node_pair_t *p = mp->data.mapping.pairs.start; p < mp->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
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

static TableDef *new_table(Loader *L, Model *m, const char *name, yaml_node_t *k, Role role)
{
    TableDef *o = model_table(m, name);
    if (o) {
        diag_error(L->d, mark_of(k), "duplicate-table", "table \"%s\" is defined twice", name);
        diag_hint(L->d, "the other one is at line %d", o->mark.line);
        return NULL;
    }
    TableDef *t = arena_alloc(L->a, sizeof *t);
    t->name = name;
    t->mark = mark_of(k);
    t->role = role;
    index_add(L->a, m, t);
    vec_push(L->a, &m->tables, t);
    return t;
}

static void load_staging(Loader *L, const char *name, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    TableDef *t = new_table(L, ctx, name, k, ROLE_STAGING);
    if (!t)
        return;
    static const Key keys[] = {
        {"source", true},         {"columns", true},         {"jsonpaths", false},
        {"empty_as_null", false}, {"blanks_as_null", false}, {"time_format", false},
        {"dist", false},          {"sort", false},           {"description", false}};
    yaml_node_t *f[9];
    char *what = arena_printf(L->a, "staging table \"%s\"", name);
    if (!fields(L, v, what, keys, 9, f))
        return;
    if (f[0])
        t->source_name = nonempty(L, f[0], "source");
    if (f[1]) {
        ColCtx cc = {t};
        named_entries(L, f[1], "columns", "column", load_column, &cc);
    }
    if (f[2])
        t->jsonpaths = nonempty(L, f[2], "jsonpaths");
    if (f[3])
        flag(L, f[3], "empty_as_null", &t->empty_as_null);
    if (f[4])
        flag(L, f[4], "blanks_as_null", &t->blanks_as_null);
    if (f[5] && (t->time_format = nonempty(L, f[5], "time_format")) &&
        strcmp(t->time_format->s, "epochmillisecs") && strcmp(t->time_format->s, "epochsecs") &&
        strcmp(t->time_format->s, "auto"))
        diag_error(L->d, t->time_format->mark, "time-format",
                   "time_format \"%s\" is not one of epochmillisecs, epochsecs, auto",
                   t->time_format->s);
    if (f[6])
        load_dist(L, t, f[6]);
    if (f[7])
        load_sort(L, t, f[7]);
    if (f[8])
        t->description = scalar(L, f[8], "description");
}

static void load_star(Loader *L, const char *name, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    TableDef *t = new_table(L, ctx, name, k, ROLE_DIMENSION);
    if (!t)
        return;
    static const Key keys[] = {{"kind", true},  {"columns", true}, {"load", true},
                               {"dist", false}, {"sort", false},   {"description", false}};
    yaml_node_t *f[6];
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
        named_entries(L, f[1], "columns", "column", load_column, &cc);
    }
    if (f[2])
        load_load(L, t, f[2]);
    if (f[3])
        load_dist(L, t, f[3]);
    if (f[4])
        load_sort(L, t, f[4]);
    if (f[5])
        t->description = scalar(L, f[5], "description");
}

/* ---- checks and queries ---- */

/* "table [alias]" or {from: "table [alias]", where: EXPR} */
static RowSet *rowset(Loader *L, yaml_node_t *n, const char *what)
{
    RowSet *r = arena_alloc(L->a, sizeof *r);
    r->mark = mark_of(n);
    if (n->type == YAML_SCALAR_NODE) {
        r->from = nonempty(L, n, what);
        return r->from ? r : NULL;
    }
    static const Key keys[] = {{"from", true}, {"where", false}};
    yaml_node_t *f[2];
    if (!fields(L, n, what, keys, 2, f) || !f[0])
        return NULL;
    r->from = nonempty(L, f[0], "from");
    if (f[1])
        r->where = nonempty(L, f[1], "where");
    return r->from ? r : NULL;
}

static void load_check(Loader *L, Model *m, yaml_node_t *n)
{
    static const Key keys[] = {
        {"name", true},      {"severity", false},        {"description", false},
        {"min_rows", false}, {"row_count_equal", false}, {"no_rows", false},
        {"sql", false}};
    yaml_node_t *f[7];
    if (!fields(L, n, "a check", keys, 7, f))
        return;
    CheckDef *c = arena_alloc(L->a, sizeof *c);
    c->mark = mark_of(n);
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
        yaml_node_t *mf[3];
        if (!fields(L, f[3], "min_rows", mk, 3, mf))
            return;
        c->left = arena_alloc(L->a, sizeof *c->left);
        c->left->mark = mark_of(f[3]);
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
        yaml_node_t *q = f[4];
        if (q->type != YAML_SEQUENCE_NODE ||
            q->data.sequence.items.top - q->data.sequence.items.start != 2) {
            diag_error(L->d, mark_of(q), "check-kind",
                       "row_count_equal lists exactly two row sets: [table, {from: …, where: …}]");
            return;
        }
        c->left = rowset(L, node(L, q->data.sequence.items.start[0]), "a row set");
        c->right = rowset(L, node(L, q->data.sequence.items.start[1]), "a row set");
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

static void load_checks(Loader *L, Model *m, yaml_node_t *n)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        diag_error(L->d, mark_of(n), "model-shape", "checks must be a list of checks");
        return;
    }
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
        load_check(L, m, node(L, *i));
}

static void scalar_list(Loader *L, yaml_node_t *n, Vec *out, const char *what)
{
    if (n->type == YAML_SCALAR_NODE) {
        Scalar *s = nonempty(L, n, what);
        if (s)
            vec_push(L->a, out, s);
        return;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        diag_error(L->d, mark_of(n), "model-shape", "%s must be a list", what);
        return;
    }
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        Scalar *s = nonempty(L, node(L, *i), what);
        if (s)
            vec_push(L->a, out, s);
    }
}

static void load_query(Loader *L, const char *name, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    Model *m = ctx;
    static const Key keys[] = {{"description", false}, {"from", true},   {"join", false},
                               {"where", false},       {"select", true}, {"order_by", false},
                               {"limit", false}};
    yaml_node_t *f[7];
    QueryDef *q = arena_alloc(L->a, sizeof *q);
    q->name = name;
    q->mark = mark_of(k);
    q->src = arena_alloc(L->a, sizeof *q->src);
    q->src->mark = mark_of(v);
    vec_push(L->a, &m->queries, q);
    char *what = arena_printf(L->a, "query \"%s\"", name);
    if (!fields(L, v, what, keys, 7, f))
        return;
    if (f[0])
        q->description = scalar(L, f[0], "description");
    if (f[1])
        q->src->from = nonempty(L, f[1], "from");
    if (f[2]) {
        if (f[2]->type == YAML_MAPPING_NODE)
            load_join(L, q->src, f[2]);
        else if (f[2]->type != YAML_SEQUENCE_NODE)
            diag_error(L->d, mark_of(f[2]), "model-shape", "join must be a list of joins");
        else
            for (yaml_node_item_t *i = f[2]->data.sequence.items.start;
                 i < f[2]->data.sequence.items.top; i++)
                load_join(L, q->src, node(L, *i));
    }
    if (f[3])
        q->src->where = nonempty(L, f[3], "where");
    if (f[4]) {
        if (f[4]->type != YAML_MAPPING_NODE) {
            diag_error(L->d, mark_of(f[4]), "model-shape",
                       "select must be a mapping of output name: expression");
        } else {
            for (yaml_node_pair_t *p = f[4]->data.mapping.pairs.start;
                 p < f[4]->data.mapping.pairs.top; p++) {
                yaml_node_t *kn = node(L, p->key), *vn = node(L, p->value);
                const char *nm = name_of(L, kn, "output name");
                Scalar *vs = nonempty(L, vn, "a select expression");
                if (!nm || !vs)
                    continue;
                bool dup = false;
                for (size_t i = 0; i < q->select_names.len; i++)
                    if (!strcmp(((Scalar *)q->select_names.items[i])->s, nm)) {
                        diag_error(L->d, mark_of(kn), "duplicate-key",
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

static void report_yaml_error(Diag *d, const yaml_parser_t *p, const char *text, size_t len)
{
    Mark m = {(int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1};
    if (p->error == YAML_READER_ERROR && p->problem_offset < len) {
        /* reader errors (bad UTF-8) carry a byte offset, not a mark */
        m.line = 1;
        m.col = 1;
        size_t at = p->problem_offset;
        /* "invalid trailing octet" points past the sequence's first byte: report that byte */
        for (int k = 0; k < 3 && at > 0 && ((unsigned char)text[at] & 0xC0) != 0xC0 &&
                        (unsigned char)text[at - 1] >= 0x80;
             k++)
            at--;
        for (size_t i = 0; i < at; i++) {
            if (text[i] == '\n') {
                m.line++;
                m.col = 1;
            } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
                m.col++;
            }
        }
    }
    const char *what = p->problem ? p->problem : "cannot parse";
    if (p->context)
        diag_error(d, m, "yaml", "invalid YAML: %s (%s at line %d)", what, p->context,
                   (int)p->context_mark.line + 1);
    else
        diag_error(d, m, "yaml", "invalid YAML: %s", what);
    /* a tab in the indentation of the problem line */
    size_t o = 0;
    for (int line = 1; line < m.line && o < len; o++)
        if (text[o] == '\n')
            line++;
    while (o < len && (text[o] == ' ' || text[o] == '\t')) {
        if (text[o] == '\t') {
            diag_hint(d, "YAML indents with spaces; replace the tab on line %d", m.line);
            break;
        }
        o++;
    }
}

Model *model_load(Arena *a, Diag *d, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        diag_file_error(d, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        report_yaml_error(d, &parser, text, len);
        yaml_parser_delete(&parser);
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root) {
        yaml_document_t extra;
        if (!yaml_parser_load(&parser, &extra)) {
            report_yaml_error(d, &parser, text, len);
        } else {
            if (yaml_document_get_root_node(&extra))
                diag_error(d,
                           (Mark){(int)extra.start_mark.line + 1, (int)extra.start_mark.column + 1},
                           "yaml", "the model must be one YAML document; found a second one");
            yaml_document_delete(&extra);
        }
    }
    yaml_parser_delete(&parser);

    Model *m = arena_alloc(a, sizeof *m);
    m->file = d->file;
    Loader L = {a, d, &doc};
    if (!root || is_null(root)) {
        diag_file_error(d, "the model is empty");
        diag_hint(d, "start from the Sparkify schema.yaml in the stargen repository");
        yaml_document_delete(&doc);
        return m;
    }
    static const Key keys[] = {{"version", true}, {"redshift", false}, {"sources", true},
                               {"staging", true}, {"tables", true},    {"checks", false},
                               {"queries", false}};
    yaml_node_t *f[7];
    if (fields(&L, root, "the model", keys, 7, f)) {
        if (f[0]) {
            m->version_mark = mark_of(f[0]);
            if (f[0]->type != YAML_SCALAR_NODE ||
                strcmp((const char *)f[0]->data.scalar.value, "1") != 0)
                diag_error(d, mark_of(f[0]), "version",
                           "unsupported model version; this gen reads version: 1");
        }
        if (f[1]) {
            static const Key rk[] = {{"iam_role", false}};
            yaml_node_t *rf[1];
            if (fields(&L, f[1], "redshift", rk, 1, rf) && rf[0])
                m->iam_role = nonempty(&L, rf[0], "iam_role");
        }
        if (f[2])
            named_entries(&L, f[2], "sources", "source", load_source, m);
        if (f[3])
            named_entries(&L, f[3], "staging", "table", load_staging, m);
        if (f[4])
            named_entries(&L, f[4], "tables", "table", load_star, m);
        if (f[5])
            load_checks(&L, m, f[5]);
        if (f[6])
            named_entries(&L, f[6], "queries", "query", load_query, m);
    }
    yaml_document_delete(&doc);
    return m;
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
