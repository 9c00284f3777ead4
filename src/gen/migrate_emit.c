/* migrate_emit.c - migrations as SQL per dialect, schema.state, and CHANGES.md.
 *
 * PostgreSQL alters a kept table in place (ADD/DROP/RENAME COLUMN, ALTER COLUMN
 * TYPE ... USING, SET/DROP NOT NULL) and has no distribution, sort keys or column
 * encodings.  Redshift's ALTER TABLE is narrower (docs.aws.amazon.com/redshift/
 * latest/dg/r_ALTER_TABLE.html): ALTER COLUMN TYPE only widens a VARCHAR (not a
 * key column, not BYTEDICT/RUNLENGTH/TEXT255/TEXT32K, and never inside a
 * transaction block), ADD COLUMN takes no key or REFERENCES, a dist or sort key
 * column cannot be dropped, ALTER DISTSTYLE/DISTKEY/ENCODE refuse tables with an
 * interleaved sort key, and a compound sort key cannot become interleaved.  Any
 * such change rebuilds the table by a deep copy in one transaction
 * (performing-a-deep-copy.html: the new DDL, INSERT ... SELECT, DROP, RENAME).
 * The choice is one table per dialect below, never `if (dialect == ...)`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate_internal.h"

typedef struct MigDialect {
    const char *name;
    bool physical_design; /* dist, sort and encode exist */
    /* renders t's in-place migration statements into b (the table is altered, not copied) */
    void (*alter)(Buf *b, const Dialect *d, const TableDiff *t);
    bool (*rewrites)(const TableDiff *t);
    bool varchar_widen_outside_tx; /* ALTER COLUMN TYPE cannot run in a transaction block */
} MigDialect;

static void alter_head(Buf *b, const TableDiff *t)
{
    buf_puts(b, "ALTER TABLE ");
    print_name(b, t->name);
}

static void col_type(Buf *b, const Dialect *d, const StColumn *c)
{
    SqlType ty;
    if (migrate_type(c->type, &ty))
        d->type(b, ty);
}

static void upper(Buf *b, const char *s)
{
    for (; *s; s++)
        buf_putc(b, (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s);
}

/* ---- PostgreSQL ---- */

static void pg_alter(Buf *b, const Dialect *d, const TableDiff *t)
{
    for (size_t i = 0; i < t->ncols; i++) { /* renames first: later statements use new names */
        const ColDiff *c = &t->cols[i];
        if (!c->renamed)
            continue;
        alter_head(b, t);
        buf_puts(b, " RENAME COLUMN ");
        print_name(b, c->old->name);
        buf_puts(b, " TO ");
        print_name(b, c->now->name);
        buf_puts(b, ";\n");
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (c->now)
            continue;
        alter_head(b, t);
        buf_puts(b, " DROP COLUMN ");
        print_name(b, c->old->name);
        buf_puts(b, ";\n");
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (!c->old || !c->now)
            continue;
        if (c->retyped) {
            alter_head(b, t);
            buf_puts(b, " ALTER COLUMN ");
            print_name(b, c->now->name);
            buf_puts(b, " TYPE ");
            col_type(b, d, c->now);
            if (!c->widen_varchar) {
                buf_puts(b, " USING CAST(");
                print_name(b, c->now->name);
                buf_puts(b, " AS ");
                col_type(b, d, c->now);
                buf_putc(b, ')');
            }
            buf_puts(b, ";\n");
        }
        if (c->tighten_null) {
            buf_puts(b, "DELETE FROM ");
            print_name(b, t->name);
            buf_puts(b, " WHERE ");
            print_name(b, c->now->name);
            buf_puts(b, " IS NULL;\n");
        }
        if (c->tighten_null || c->relax_null) {
            alter_head(b, t);
            buf_puts(b, " ALTER COLUMN ");
            print_name(b, c->now->name);
            buf_puts(b, c->tighten_null ? " SET NOT NULL;\n" : " DROP NOT NULL;\n");
        }
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (c->old)
            continue;
        alter_head(b, t);
        buf_puts(b, " ADD COLUMN ");
        print_name(b, c->now->name);
        buf_putc(b, ' ');
        col_type(b, d, c->now);
        if (c->def->ref_col) {
            buf_puts(b, " REFERENCES ");
            print_name(b, c->def->ref_col->table->name);
            buf_puts(b, " (");
            print_name(b, c->def->ref_col->name);
            buf_puts(b, ") DEFERRABLE INITIALLY DEFERRED");
        }
        buf_puts(b, ";\n");
    }
}

static bool pg_rewrites(const TableDiff *t)
{
    (void)t;
    return false;
}

/* ---- Redshift ---- */

static bool interleaved(const char *sort)
{
    return !strncmp(sort, "interleaved:", 12);
}

/* Whether column name is the dist key or in the sort key of a state table. */
static bool is_key(const StTable *t, const char *name)
{
    if (!strncmp(t->dist, "key:", 4) && !strcmp(t->dist + 4, name))
        return true;
    const char *s = strchr(t->sort, ':');
    if (!s)
        return false;
    size_t n = strlen(name);
    for (const char *p = s + 1; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && !strncmp(p, name, n))
            return true;
        p += l + (e ? 1 : 0);
    }
    return false;
}

static bool rs_widen_ok(const TableDiff *t, const ColDiff *c)
{
    static const char *const bad[] = {"bytedict", "runlength", "text255", "text32k", NULL};
    if (c->old->pk || c->old->ref || (c->now->ref))
        return false;
    for (int i = 0; bad[i]; i++)
        if (c->old->encode && !strcmp(c->old->encode, bad[i]))
            return false;
    (void)t;
    return true;
}

/* Only varchar widenings: ALTER COLUMN TYPE outside a transaction block. */
static bool rs_widen_only(const TableDiff *t)
{
    bool any = false;
    if (t->dist_changed || t->sort_changed)
        return false;
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (!c->old || !c->now || c->renamed || c->relax_null || c->tighten_null ||
            c->encode_changed || (c->retyped && !c->widen_varchar))
            return false;
        if (c->widen_varchar) {
            if (!rs_widen_ok(t, c))
                return false;
            any = true;
        }
    }
    return any;
}

static bool rs_rewrites(const TableDiff *t)
{
    if (t->kind != TC_ALTER || rs_widen_only(t))
        return false;
    const StTable *o = t->old, *n = t->now;
    bool encode = false;
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (!c->old) {
            if (is_key(n, c->now->name) || c->now->ref || c->now->pk || c->now->identity)
                return true;
            continue;
        }
        if (!c->now) {
            if (is_key(o, c->old->name))
                return true;
            continue;
        }
        /* a widening mixed with other changes cannot share their transaction */
        if (c->retyped || c->relax_null || c->tighten_null)
            return true;
        encode |= c->encode_changed;
    }
    if ((encode || t->dist_changed) && (interleaved(o->sort) || interleaved(n->sort)))
        return true;
    if (t->sort_changed && interleaved(n->sort))
        return true;
    if (t->sort_changed && interleaved(o->sort) && strncmp(n->sort, "compound:", 9) &&
        strcmp(n->sort, "none"))
        return true;
    return false;
}

static void rs_dist(Buf *b, const char *dist)
{
    if (!strcmp(dist, "even"))
        buf_puts(b, " ALTER DISTSTYLE EVEN");
    else if (!strcmp(dist, "all"))
        buf_puts(b, " ALTER DISTSTYLE ALL");
    else if (!strncmp(dist, "key:", 4)) {
        buf_puts(b, " ALTER DISTSTYLE KEY DISTKEY ");
        print_name(b, dist + 4);
    } else
        buf_puts(b, " ALTER DISTSTYLE AUTO"); /* none: CREATE TABLE's default is AUTO */
}

static void rs_sort(Buf *b, const char *sort)
{
    if (!strcmp(sort, "none"))
        buf_puts(b, " ALTER SORTKEY NONE");
    else if (!strcmp(sort, "auto"))
        buf_puts(b, " ALTER SORTKEY AUTO");
    else {
        buf_puts(b, " ALTER COMPOUND SORTKEY (");
        const char *p = strchr(sort, ':') + 1;
        while (*p) {
            const char *e = strchr(p, ',');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)l, p);
            print_name(b, name);
            p += l;
            if (*p == ',') {
                buf_puts(b, ", ");
                p++;
            }
        }
        buf_putc(b, ')');
    }
}

static void rs_alter(Buf *b, const Dialect *d, const TableDiff *t)
{
    if (rs_widen_only(t)) {
        for (size_t i = 0; i < t->ncols; i++) {
            const ColDiff *c = &t->cols[i];
            if (!c->widen_varchar)
                continue;
            alter_head(b, t);
            buf_puts(b, " ALTER COLUMN ");
            print_name(b, c->now->name);
            buf_puts(b, " TYPE ");
            col_type(b, d, c->now);
            buf_puts(b, ";\n");
        }
        return;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (!c->renamed)
            continue;
        alter_head(b, t);
        buf_puts(b, " RENAME COLUMN ");
        print_name(b, c->old->name);
        buf_puts(b, " TO ");
        print_name(b, c->now->name);
        buf_puts(b, ";\n");
    }
    /* keys first when a dropped column stops being one; a dropped key column rewrites */
    if (t->dist_changed) {
        alter_head(b, t);
        rs_dist(b, t->now->dist);
        buf_puts(b, ";\n");
    }
    if (t->sort_changed) {
        alter_head(b, t);
        rs_sort(b, t->now->sort);
        buf_puts(b, ";\n");
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (c->now)
            continue;
        alter_head(b, t);
        buf_puts(b, " DROP COLUMN ");
        print_name(b, c->old->name);
        buf_puts(b, ";\n");
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (c->old)
            continue;
        alter_head(b, t);
        buf_puts(b, " ADD COLUMN ");
        print_name(b, c->now->name);
        buf_putc(b, ' ');
        col_type(b, d, c->now);
        if (c->now->encode) {
            buf_puts(b, " ENCODE ");
            upper(b, c->now->encode);
        }
        buf_puts(b, ";\n");
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (!c->old || !c->now || !c->encode_changed)
            continue;
        alter_head(b, t);
        buf_puts(b, " ALTER COLUMN ");
        print_name(b, c->now->name);
        buf_puts(b, " ENCODE ");
        upper(b, c->now->encode ? c->now->encode : "raw");
        buf_puts(b, ";\n");
    }
}

static const MigDialect mig_dialects[] = {
    {"postgres", false, pg_alter, pg_rewrites, false},
    {"redshift", true, rs_alter, rs_rewrites, true},
};

static const MigDialect *mig_dialect(const Dialect *d)
{
    for (size_t i = 0; i < sizeof mig_dialects / sizeof mig_dialects[0]; i++)
        if (!strcmp(mig_dialects[i].name, d->name))
            return &mig_dialects[i];
    abort(); /* a dialect without a migration entry is a programming error */
}

bool migrate_rewrites(const Dialect *d, const TableDiff *t)
{
    return mig_dialect(d)->rewrites(t);
}

bool migrate_needs_file(const Dialect *d, const TableDiff *t)
{
    if (t->kind == TC_REMOVED_KEPT || t->kind == TC_FROM_REPLACE)
        return true;
    if (t->kind != TC_ALTER)
        return false;
    const MigDialect *md = mig_dialect(d);
    if (md->rewrites(t))
        return true;
    Buf b;
    buf_init(&b);
    md->alter(&b, d, t);
    bool any = b.len > 0;
    buf_free(&b);
    return any;
}

/* ---- plain words, shared by the migration headers and CHANGES.md ---- */

static void describe_col(Buf *b, const TableDiff *t, const ColDiff *c, const char *lead)
{
    if (!c->old) {
        buf_printf(b, "%scolumn `%s` added: %s%s, NULL in the rows already loaded\n", lead,
                   c->now->name, c->now->type, c->now->ref ? " (references)" : "");
        return;
    }
    if (!c->now) {
        buf_printf(b, "%scolumn `%s` dropped: DATA LOST: its values in every row of `%s`\n", lead,
                   c->old->name, t->name);
        return;
    }
    if (c->renamed)
        buf_printf(b, "%scolumn `%s` renamed to `%s` (values kept)\n", lead, c->old->name,
                   c->now->name);
    if (c->widen_varchar || c->lossless)
        buf_printf(b, "%scolumn `%s` widened: %s -> %s (values kept)\n", lead, c->now->name,
                   c->old->type, c->now->type);
    else if (c->retyped)
        buf_printf(b,
                   "%scolumn `%s` retyped: %s -> %s: DATA AT RISK: values that do not fit are "
                   "truncated or rounded, or the migration fails\n",
                   lead, c->now->name, c->old->type, c->now->type);
    if (c->tighten_null)
        buf_printf(b,
                   "%scolumn `%s` becomes NOT NULL: DATA LOST: the rows where it is NULL are "
                   "deleted\n",
                   lead, c->now->name);
    if (c->relax_null)
        buf_printf(b, "%scolumn `%s` may now be NULL\n", lead, c->now->name);
    if (c->encode_changed)
        buf_printf(b, "%scolumn `%s` encoding (Redshift): %s -> %s\n", lead, c->now->name,
                   c->old->encode ? c->old->encode : "default",
                   c->now->encode ? c->now->encode : "raw");
}

static void describe_table(Buf *b, const TableDiff *t, const char *lead)
{
    switch (t->kind) {
    case TC_NONE: break;
    case TC_NEW_KEPT:
        buf_printf(b, "%snew kept table `%s` (mode %s): the create_star step creates it\n", lead,
                   t->name, t->now->mode);
        break;
    case TC_NEW_REPLACE:
        buf_printf(b, "%snew table `%s` (mode replace: rebuilt every run)\n", lead, t->name);
        break;
    case TC_REMOVED_KEPT:
        buf_printf(b, "%skept table `%s` dropped: DATA LOST: every row of it\n", lead, t->name);
        break;
    case TC_REMOVED_REPLACE:
        buf_printf(b,
                   "%stable `%s` (mode replace) is no longer built; it stays in the database "
                   "until you drop it\n",
                   lead, t->name);
        break;
    case TC_FROM_REPLACE:
        buf_printf(b,
                   "%stable `%s` becomes kept (mode %s): dropped once (its rows were rebuilt "
                   "every run), then created by create_star and kept from the next run on\n",
                   lead, t->name, t->now->mode);
        break;
    case TC_TO_REPLACE:
        buf_printf(b,
                   "%skept table `%s` becomes mode replace: the drop step drops it on every "
                   "run from now on: DATA LOST: the rows loaded by earlier runs\n",
                   lead, t->name);
        break;
    case TC_ALTER:
        if (strcmp(t->old->mode, t->now->mode))
            buf_printf(b, "%sload mode of `%s`: %s -> %s\n", lead, t->name, t->old->mode,
                       t->now->mode);
        for (size_t i = 0; i < t->ncols; i++) {
            const ColDiff *c = &t->cols[i];
            if (c->old && c->now && !c->renamed && !c->retyped && !c->relax_null &&
                !c->tighten_null && !c->encode_changed)
                continue;
            describe_col(b, t, c, lead);
        }
        if (t->dist_changed)
            buf_printf(b,
                       "%sdistribution (Redshift): %s -> %s: Redshift redistributes every row "
                       "of `%s`\n",
                       lead, t->old->dist, t->now->dist, t->name);
        if (t->sort_changed)
            buf_printf(b, "%ssort key (Redshift): %s -> %s: Redshift re-sorts every row of `%s`\n",
                       lead, t->old->sort, t->now->sort, t->name);
        break;
    }
}

/* ---- files ---- */

static void add_file(Arena *a, OutSet *o, const char *path, const Buf *b)
{
    if (o->len == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 32;
        o->files = xrealloc(o->files, o->cap * sizeof *o->files);
    }
    OutFile *f = &o->files[o->len++];
    f->path = arena_strdup(a, path);
    f->len = b->len;
    f->data = arena_strndup(a, b->data ? b->data : "", b->len);
}

static void deep_copy(Arena *a, const Model *m, Buf *b, const Dialect *d, const TableDiff *t)
{
    const char *shadow = "stargen_migrate";
    /* references name the published tables; every table counts as kept, so the new table
     * keeps its foreign keys as they are (StarDDL, dialect.h) */
    size_t n = m->load_order.len;
    const char **names = arena_alloc(a, (n + 1) * sizeof *names);
    bool *kept = arena_alloc(a, (n + 1) * sizeof *kept);
    for (size_t i = 0; i < n; i++) {
        const TableDef *x = m->load_order.items[i];
        names[x->order] = x->name;
        kept[x->order] = true;
    }
    StarDDL ddl = {shadow, NULL, names, kept};
    buf_puts(b, "DROP TABLE IF EXISTS stargen_migrate;\n");
    d->create_star(b, d, t->def, &ddl);
    buf_puts(b, "\nINSERT INTO stargen_migrate (");
    bool first = true;
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (!c->old || !c->now)
            continue;
        buf_puts(b, first ? "" : ", ");
        first = false;
        print_name(b, c->now->name);
    }
    buf_puts(b, ")\nSELECT ");
    first = true;
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (!c->old || !c->now)
            continue;
        buf_puts(b, first ? "" : ", ");
        first = false;
        if (c->retyped) {
            buf_puts(b, "CAST(");
            print_name(b, c->old->name);
            buf_puts(b, " AS ");
            col_type(b, d, c->now);
            buf_putc(b, ')');
        } else {
            print_name(b, c->old->name);
        }
    }
    buf_puts(b, "\nFROM ");
    print_name(b, t->name);
    first = true;
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (!c->tighten_null)
            continue;
        buf_puts(b, first ? "\nWHERE " : " AND ");
        first = false;
        print_name(b, c->old->name);
        buf_puts(b, " IS NOT NULL");
    }
    buf_puts(b, ";\n\n-- RESTRICT: if a view or another table's foreign key depends on the old "
                "table, the\n-- drop fails and the whole migration rolls back.\nDROP TABLE ");
    print_name(b, t->name);
    buf_puts(b, ";\nALTER TABLE stargen_migrate RENAME TO ");
    print_name(b, t->name);
    buf_puts(b, ";\n");
}

static void migration_file(Arena *a, const Model *m, const Dialect *d, const TableDiff *t,
                           const char *file, const char *model_name, OutSet *out)
{
    const MigDialect *md = mig_dialect(d);
    Buf b;
    buf_init(&b);
    bool rewrite = md->rewrites(t);
    bool widen_only =
        t->kind == TC_ALTER && !rewrite && md->varchar_widen_outside_tx && rs_widen_only(t);
    buf_printf(&b,
               "-- Generated by stargen from %s (dialect: %s).\n-- Never rewritten or removed "
               "by ./gen: a later model change gets a new migration.\n-- The runner applies it "
               "once, before the steps, and refuses it if it was edited after.\n",
               model_name, d->name);
    buf_printf(&b, "-- Migration %.4s of table \"%s\":\n", file, t->name);
    describe_table(&b, t, "--   ");
    if (rewrite)
        buf_puts(&b, "-- Redshift cannot make this change in place: a deep copy rebuilds the "
                     "table (new DDL,\n-- INSERT ... SELECT, DROP, RENAME) in this migration's "
                     "transaction. Grants on the old\n-- table are not copied.\n");
    if (widen_only)
        buf_puts(&b, "-- ALTER COLUMN ... TYPE cannot run inside a transaction block on "
                     "Redshift: each statement\n-- commits on its own (widening again is "
                     "harmless if a rerun repeats one).\n-- stargen:no-transaction\n");
    buf_putc(&b, '\n');
    if (t->kind == TC_REMOVED_KEPT || t->kind == TC_FROM_REPLACE) {
        buf_puts(&b, "DROP TABLE IF EXISTS ");
        print_name(&b, t->name);
        buf_puts(&b, ";\n");
    } else if (rewrite) {
        deep_copy(a, m, &b, d, t);
    } else {
        md->alter(&b, d, t);
    }
    (void)m;
    add_file(a, out, arena_printf(a, "%s/migrations/%s", d->name, file), &b);
    buf_free(&b);
}

void migrate_emit(Arena *a, const Model *m, OutPast *past, const char *model_name, OutSet *out)
{
    const Dialect *d = past->d;
    size_t before = out->len;
    for (size_t i = 0; i < past->files.len; i++) { /* byte for byte, never regenerated */
        OutFile *f = past->files.items[i];
        if (out->len == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 32;
            out->files = xrealloc(out->files, out->cap * sizeof *out->files);
        }
        out->files[out->len++] = *f;
    }
    SchemaDiff *sd = migrate_diff(a, m, past->prev);
    SchemaState *st = sd->now;
    if (past->prev)
        for (size_t i = 0; i < past->prev->migrations.len; i++)
            vec_push(a, &st->migrations, past->prev->migrations.items[i]);
    int next = past->next;
    for (size_t i = 0; i < sd->n; i++) {
        const TableDiff *t = &sd->tables[i];
        if (!migrate_needs_file(d, t))
            continue;
        const char *file = arena_printf(a, "%04d_%s.sql", next++, migrate_stem(a, t));
        migration_file(a, m, d, t, file, model_name, out);
        StMigration *sm = arena_alloc(a, sizeof *sm);
        sm->file = file;
        vec_push(a, &sm->before, (void *)t->old);
        vec_push(a, &st->migrations, sm);
    }
    if (out->len > before) /* only a folder that holds migrations: git keeps no empty one */
        vec_push(a, &out->dirs, arena_printf(a, "%s/migrations", d->name));
    Buf b;
    buf_init(&b);
    schema_state_print(&b, st, d->name, model_name);
    add_file(a, out, arena_printf(a, "%s/%s", d->name, SCHEMA_STATE_FILE), &b);
    buf_free(&b);
}

void migrate_emit_review(Arena *a, const Model *m, OutPast *const *pasts, int npasts,
                         const char *model_name, const char *old, size_t oldlen, OutSet *out)
{
    Buf b;
    buf_init(&b);
    const OutPast *first = npasts ? pasts[0] : NULL;
    SchemaDiff *sd = first ? migrate_diff(a, m, first->prev) : NULL;
    if (first && first->prev && !sd->changed && old) {
        buf_putn(&b, old, oldlen); /* nothing recorded changed: the latest change stays */
        add_file(a, out, "CHANGES.md", &b);
        buf_free(&b);
        return;
    }
    buf_printf(&b,
               "# Schema changes\n\nGenerated by stargen from %s. Do not edit: change the model "
               "and run ./gen.\n\n"
               "Kept tables (load mode append or upsert) keep their rows between runs, so a "
               "change to one\nis a numbered migration in `<dialect>/migrations/` that the "
               "runner applies once, before the\nsteps. Tables in mode replace are rebuilt "
               "every run and need none. This page describes the\nlatest change of the "
               "recorded schema (`<dialect>/schema.state`).\n\n",
               model_name);
    if (!first || !first->prev) {
        size_t kept = 0;
        for (size_t i = 0; sd && i < sd->now->tables.len; i++)
            kept += schema_state_kept(sd->now->tables.items[i]);
        buf_printf(&b,
                   "## First recorded schema\n\nNo earlier schema was recorded: nothing to "
                   "migrate. %zu kept table%s.\n",
                   kept, kept == 1 ? "" : "s");
        add_file(a, out, "CHANGES.md", &b);
        buf_free(&b);
        return;
    }
    if (!sd->changed) {
        buf_puts(&b, "## No change yet\n\nThe model matches the recorded schema.\n");
        add_file(a, out, "CHANGES.md", &b);
        buf_free(&b);
        return;
    }
    bool risk = false;
    buf_puts(&b, "## Latest change\n\n");
    for (size_t i = 0; i < sd->n; i++) {
        const TableDiff *t = &sd->tables[i];
        buf_printf(&b, "### `%s`\n\n", t->name);
        describe_table(&b, t, "- ");
        for (int p = 0; p < npasts; p++) {
            const Dialect *d = pasts[p]->d;
            if (!migrate_needs_file(d, t)) {
                buf_printf(&b, "- %s: no migration\n", d->name);
                continue;
            }
            /* the number this table's migration took in that dialect */
            SchemaDiff *pd = migrate_diff(a, m, pasts[p]->prev);
            int n = pasts[p]->next;
            for (size_t j = 0; j < pd->n && strcmp(pd->tables[j].name, t->name); j++)
                n += migrate_needs_file(d, &pd->tables[j]);
            buf_printf(&b, "- %s: `%s/migrations/%04d_%s.sql`%s\n", d->name, d->name, n,
                       migrate_stem(a, t),
                       migrate_rewrites(d, t)
                           ? ": rebuilds the whole table (deep copy), rewriting every row"
                           : "");
        }
        buf_putc(&b, '\n');
        if (t->kind == TC_REMOVED_KEPT || t->kind == TC_TO_REPLACE)
            risk = true;
        for (size_t j = 0; j < t->ncols; j++)
            risk |= migrate_col_destroys(&t->cols[j]);
    }
    if (!sd->n)
        buf_puts(&b, "Columns of kept tables were reordered; nothing to migrate.\n\n");
    buf_puts(&b, "## Data at risk\n\n");
    if (!risk) {
        buf_puts(&b, "None: every change keeps the rows and values already loaded.\n");
    } else {
        for (size_t i = 0; i < sd->n; i++) {
            const TableDiff *t = &sd->tables[i];
            if (t->kind == TC_REMOVED_KEPT)
                buf_printf(&b, "- `%s`: every row (the table is dropped)\n", t->name);
            if (t->kind == TC_TO_REPLACE)
                buf_printf(&b, "- `%s`: the rows earlier runs loaded (now rebuilt every run)\n",
                           t->name);
            for (size_t j = 0; j < t->ncols; j++) {
                const ColDiff *c = &t->cols[j];
                if (!migrate_col_destroys(c))
                    continue;
                if (!c->now)
                    buf_printf(&b, "- `%s.%s`: its values in every row (the column is dropped)\n",
                               t->name, c->old->name);
                else if (c->tighten_null)
                    buf_printf(&b, "- `%s`: the rows where `%s` is NULL (deleted)\n", t->name,
                               c->now->name);
                if (c->now && c->retyped && !c->widen_varchar && !c->lossless)
                    buf_printf(&b, "- `%s.%s`: values that do not fit %s\n", t->name, c->now->name,
                               c->now->type);
            }
        }
        buf_puts(&b, "\nEach is acknowledged in the model's `allow_data_loss:`.\n");
    }
    add_file(a, out, "CHANGES.md", &b);
    buf_free(&b);
}
