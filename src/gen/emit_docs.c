/* emit_docs.c - schema.md: the star schema as reviewers see it in a pull request.
 *
 * A Mermaid ER diagram, each table's columns, keys and Redshift physical
 * design, the lineage of every star column (the staging fields that feed it
 * and the expression that maps them), the data checks and the queries.
 * Dialect-neutral, deterministic like the rest of out/.
 */
#include <stdlib.h>
#include <string.h>

#include "emit_internal.h"
#include "resolve.h"

/* Markdown table cell text: one line, pipes escaped, runs of white space folded. */
static void cell(Buf *b, const char *s)
{
    bool space = false;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
            space = true;
            continue;
        }
        if (space && b->len && b->data[b->len - 1] != '`')
            buf_putc(b, ' ');
        else if (space)
            buf_putc(b, ' ');
        space = false;
        if (*s == '|')
            buf_putc(b, '\\');
        buf_putc(b, *s);
    }
}

static void code(Buf *b, const char *s)
{
    buf_putc(b, '`');
    /* trim leading/trailing white space inside the backticks */
    while (*s == ' ' || *s == '\n')
        s++;
    size_t start = b->len;
    cell(b, s);
    while (b->len > start && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
    buf_putc(b, '`');
}

static void mermaid_type(Buf *b, SqlType t)
{
    char tmp[64];
    type_str(t, tmp, sizeof tmp);
    bool under = false;
    for (const char *p = tmp; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
            if (under)
                buf_putc(b, '_');
            under = false;
            buf_putc(b, *p);
        } else if (b->len && b->data[b->len - 1] != ' ') {
            under = true;
        }
    }
}

typedef struct Lineage {
    Arena *a;
    Vec names; /* char*: "staging.column", unique */
    int depth;
} Lineage;

static void add_source(const Expr *col, void *ctx);

static void trace_column(Lineage *l, const ColumnDef *c)
{
    if (c->table->role == ROLE_STAGING) {
        char *n = arena_printf(l->a, "%s.%s", c->table->name, c->name);
        for (size_t i = 0; i < l->names.len; i++)
            if (!strcmp(l->names.items[i], n))
                return;
        vec_push(l->a, &l->names, n);
        return;
    }
    if (c->map_expr && l->depth < 64) { /* a star table fed by another star table */
        l->depth++;
        expr_columns(c->map_expr, add_source, l);
        l->depth--;
    }
}

static void add_source(const Expr *col, void *ctx)
{
    if (col->ref)
        trace_column(ctx, col->ref);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lineage(Arena *a, Buf *b, const ColumnDef *c)
{
    if (c->identity) {
        buf_puts(b, "numbered by the database");
        return;
    }
    if (c->hash_key) {
        buf_puts(b, "hash of the natural key");
        return;
    }
    if (c->lookup && c->lookup->dim) {
        buf_printf(b, "looked up in %s by ", c->lookup->dim->name);
        for (size_t k = 0; k < c->lookup->values.len; k++) {
            buf_puts(b, k ? ", " : "");
            code(b, ((const Scalar *)c->lookup->values.items[k])->s);
        }
        buf_puts(b, " (a missing member is inferred)");
        return;
    }
    if (!c->map) {
        buf_puts(b, "not loaded (NULL)");
        return;
    }
    code(b, c->map->s);
    Lineage l = {a, {0}, 0};
    expr_columns(c->map_expr, add_source, &l);
    if (l.names.len) {
        qsort(l.names.items, l.names.len, sizeof *l.names.items, cmp_str);
        buf_puts(b, " ← ");
        for (size_t i = 0; i < l.names.len; i++)
            buf_printf(b, "%s%s", i ? ", " : "", (char *)l.names.items[i]);
    }
}

static void physical(Buf *b, const TableDef *t)
{
    buf_puts(b, "Redshift: ");
    switch (t->dist) {
    case DIST_NONE: buf_puts(b, "distribution AUTO (not set)"); break;
    case DIST_AUTO: buf_puts(b, "DISTSTYLE AUTO"); break;
    case DIST_EVEN: buf_puts(b, "DISTSTYLE EVEN"); break;
    case DIST_ALL: buf_puts(b, "DISTSTYLE ALL"); break;
    case DIST_KEY: buf_printf(b, "DISTKEY (%s)", t->dist_key->s); break;
    }
    if (t->sort == SORT_AUTO) {
        buf_puts(b, ", SORTKEY AUTO");
    } else if (t->sort != SORT_NONE) {
        buf_puts(b,
                 t->sort == SORT_INTERLEAVED ? ", INTERLEAVED SORTKEY (" : ", COMPOUND SORTKEY (");
        for (size_t i = 0; i < t->sort_keys.len; i++)
            buf_printf(b, "%s%s", i ? ", " : "", ((Scalar *)t->sort_keys.items[i])->s);
        buf_putc(b, ')');
    }
    buf_puts(b, ".\n");
}

static void diagram(Buf *b, const Model *m)
{
    buf_puts(b, "```mermaid\nerDiagram\n");
    for (size_t i = 0; i < m->load_order.len; i++) {
        const TableDef *t = m->load_order.items[i];
        buf_printf(b, "    %s {\n", t->name);
        for (size_t j = 0; j < t->columns.len; j++) {
            const ColumnDef *c = t->columns.items[j];
            buf_puts(b, "        ");
            mermaid_type(b, c->type);
            buf_printf(b, " %s", c->name);
            if (c->primary_key && c->ref_col)
                buf_puts(b, " PK, FK");
            else if (c->primary_key)
                buf_puts(b, " PK");
            else if (c->ref_col)
                buf_puts(b, " FK");
            buf_putc(b, '\n');
        }
        buf_puts(b, "    }\n");
    }
    for (size_t i = 0; i < m->load_order.len; i++) {
        const TableDef *t = m->load_order.items[i];
        for (size_t j = 0; j < t->columns.len; j++) {
            const ColumnDef *c = t->columns.items[j];
            if (!c->ref_col)
                continue;
            buf_printf(b, "    %s %s--o{ %s : \"%s\"\n", c->ref_col->table->name,
                       c->not_null ? "||" : "|o", t->name, c->name);
        }
    }
    buf_puts(b, "```\n");
}

static void star_table(Arena *a, Buf *b, const TableDef *t)
{
    const LoadDef *ld = t->load;
    buf_printf(b, "\n### %s (%s)\n\n", t->name, t->role == ROLE_FACT ? "fact" : "dimension");
    if (t->description) {
        cell(b, t->description->s);
        buf_puts(b, "\n\n");
    }
    physical(b, t);
    buf_printf(b, "Loaded from %s", ld->from_name);
    for (size_t i = 0; i < ld->joins.len; i++) {
        const JoinDef *j = ld->joins.items[i];
        buf_printf(b, ", %s join %s", j->kind == JOIN_LEFT ? "left" : "inner", j->table_name);
    }
    if (ld->where) {
        buf_puts(b, " where ");
        code(b, ld->where->s);
    }
    buf_puts(b, "; ");
    if (table_has_load_key(t))
        buf_puts(b, "one row per primary key");
    else if (ld->dedupe == DEDUPE_LATEST)
        buf_puts(b, "one row per dedupe key");
    else if (ld->dedupe == DEDUPE_DISTINCT)
        buf_puts(b, "distinct rows");
    else
        buf_puts(b, "one row per source row");
    if (ld->latest) {
        buf_puts(b, ", the latest by ");
        code(b, ld->latest->s);
    }
    buf_printf(b, "; mode %s.\n\n",
               ld->mode == MODE_REPLACE  ? "replace"
               : ld->mode == MODE_APPEND ? "append"
                                         : "upsert");
    buf_puts(b, "| column | type | null | key | lineage |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        char ty[64];
        buf_printf(b, "| %s | %s | %s | ", c->name, type_str(c->type, ty, sizeof ty),
                   c->not_null ? "not null" : "null");
        bool sep = false;
        if (c->primary_key) {
            buf_puts(b, c->identity ? "PK, identity" : c->hash_key ? "PK, hash" : "PK");
            sep = true;
        }
        if (c->natural_key) {
            buf_puts(b, "natural key");
            sep = true;
        }
        if (c->ref_col) {
            buf_printf(b, "%sFK → %s.%s", sep ? ", " : "", c->ref_col->table->name,
                       c->ref_col->name);
        }
        buf_puts(b, " | ");
        lineage(a, b, c);
        buf_puts(b, " |\n");
    }
}

static void staging_table(Buf *b, const TableDef *t)
{
    buf_printf(b, "\n### %s\n\n", t->name);
    buf_printf(b, "From source %s: `%s` (Redshift), `%s` under the data root (PostgreSQL).\n",
               t->source->name, t->source->s3->s, t->source->path->s);
    physical(b, t);
    buf_puts(b, "\n| column | type | JSON key |\n|---|---|---|\n");
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        char ty[64];
        buf_printf(b, "| %s | %s | `", c->name, type_str(c->type, ty, sizeof ty));
        cell(b, c->json->s);
        buf_puts(b, "` |\n");
    }
}

void emit_docs(Arena *a, const Model *m, const char *model_name, OutSet *out)
{
    Emitter e = {a, m, NULL, model_name, out, 0, 0, 2, false, NULL, NULL};
    Buf b;
    buf_init(&b);
    buf_printf(&b,
               "<!-- Generated by stargen from %s. Do not edit: change the model and run ./gen. "
               "-->\n# Warehouse schema\n\n",
               model_name);
    buf_puts(&b, "The star schema the model builds, as an entity-relationship diagram. Each "
                 "line joins a dimension's primary key to a fact's foreign key.\n\n");
    diagram(&b, m);
    buf_puts(&b, "\n## Star tables\n\nIn load order. Lineage lists the staging fields each "
                 "column comes from and the mapping expression from the model.\n");
    for (size_t i = 0; i < m->load_order.len; i++)
        star_table(a, &b, m->load_order.items[i]);
    buf_puts(&b, "\n## Staging tables\n");
    for (size_t i = 0; i < m->tables.len; i++) {
        const TableDef *t = m->tables.items[i];
        if (t->role == ROLE_STAGING)
            staging_table(&b, t);
    }
    if (m->checks.len) {
        buf_puts(&b, "\n## Data checks\n\nRun after every load (`NN_checks.sql`); an `error` "
                     "check that finds rows fails the run.\n\n| check | severity |\n|---|---|\n");
        for (size_t i = 0; i < m->checks.len; i++) {
            const CheckDef *c = m->checks.items[i];
            buf_printf(&b, "| %s | %s |\n", c->name, c->warn ? "warn" : "error");
        }
    }
    if (m->queries.len) {
        buf_puts(&b, "\n## Analytics queries\n\n`runner --report` runs them "
                     "(`queries/*.sql`).\n\n| query | question |\n|---|---|\n");
        for (size_t i = 0; i < m->queries.len; i++) {
            const QueryDef *q = m->queries.items[i];
            buf_printf(&b, "| %s | ", q->name);
            if (q->description)
                cell(&b, q->description->s);
            buf_puts(&b, " |\n");
        }
    }
    emit_add_file(&e, "schema.md", &b);
    buf_free(&b);
}
