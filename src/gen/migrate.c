/* migrate.c - the recorded schema against the model: diff, refusals, what is on disk.
 *
 * See migrate.h.  A change of a kept table is classified column by column
 * (added, dropped, renamed through `renamed_from:`, retyped: widened or lossy,
 * nullability, encoding) plus its distribution and sort keys.  What destroys
 * data (a dropped column or table, a lossy type change, not_null on a column
 * that may hold NULLs) must be acknowledged in `allow_data_loss:`; what no
 * migration can do (add a NOT NULL column to loaded rows, change a key) is refused.
 */
#include "migrate_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/readfile.h"
#include "ident.h"

#define STATE_MAX_BYTES (64u << 20)

/* ---- the model as a state ---- */

static const char *type_token(Arena *a, SqlType t)
{
    char tmp[64];
    if (t.kind == T_DOUBLE)
        return "double";
    return arena_strdup(a, type_str(t, tmp, sizeof tmp));
}

bool migrate_type(const char *tok, SqlType *out)
{
    static const struct {
        const char *name;
        TypeKind kind;
    } bare[] = {{"smallint", T_SMALLINT},   {"integer", T_INTEGER},
                {"bigint", T_BIGINT},       {"real", T_REAL},
                {"double", T_DOUBLE},       {"boolean", T_BOOLEAN},
                {"date", T_DATE},           {"time", T_TIME},
                {"timestamp", T_TIMESTAMP}, {"timestamptz", T_TIMESTAMPTZ}};
    for (size_t i = 0; i < sizeof bare / sizeof bare[0]; i++)
        if (!strcmp(tok, bare[i].name)) {
            *out = type_make(bare[i].kind);
            return true;
        }
    int p, s, n = 0;
    if (!strcmp(tok, "varchar(max)")) {
        *out = type_make(T_VARCHAR);
        out->p = VARCHAR_MAX_BYTES;
        out->max = true;
        return true;
    }
    if (sscanf(tok, "varchar(%d)%n", &p, &n) == 1 && !tok[n]) {
        *out = type_make(T_VARCHAR);
        out->p = p;
        return true;
    }
    if (sscanf(tok, "char(%d)%n", &p, &n) == 1 && !tok[n]) {
        *out = type_make(T_CHAR);
        out->p = p;
        return true;
    }
    if (sscanf(tok, "decimal(%d,%d)%n", &p, &s, &n) == 2 && !tok[n]) {
        *out = type_make(T_DECIMAL);
        out->p = p;
        out->s = s;
        return true;
    }
    return false;
}

static const char *dist_text(Arena *a, const TableDef *t)
{
    switch (t->dist) {
    case DIST_NONE: return "none";
    case DIST_AUTO: return "auto";
    case DIST_EVEN: return "even";
    case DIST_ALL: return "all";
    case DIST_KEY: return arena_printf(a, "key:%s", t->dist_key->s);
    }
    return "none";
}

static const char *sort_text(Arena *a, const TableDef *t)
{
    if (t->sort == SORT_NONE)
        return "none";
    if (t->sort == SORT_AUTO)
        return "auto";
    Buf b;
    buf_init(&b);
    buf_puts(&b, t->sort == SORT_INTERLEAVED ? "interleaved:" : "compound:");
    for (size_t i = 0; i < t->sort_keys.len; i++)
        buf_printf(&b, "%s%s", i ? "," : "", ((Scalar *)t->sort_keys.items[i])->s);
    const char *s = arena_strdup(a, b.data);
    buf_free(&b);
    return s;
}

static const char *lower(Arena *a, const char *s)
{
    char *r = arena_strdup(a, s);
    for (char *p = r; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return r;
}

SchemaState *migrate_state_of(Arena *a, const Model *m)
{
    SchemaState *st = arena_alloc(a, sizeof *st);
    for (size_t i = 0; i < m->tables.len; i++) {
        const TableDef *t = m->tables.items[i];
        if (t->role == ROLE_STAGING)
            continue;
        StTable *s = arena_alloc(a, sizeof *s);
        s->name = t->name;
        s->mode = t->load->mode == MODE_REPLACE  ? "replace"
                  : t->load->mode == MODE_APPEND ? "append"
                                                 : "upsert";
        vec_push(a, &st->tables, s);
        if (t->load->mode == MODE_REPLACE)
            continue;
        s->dist = dist_text(a, t);
        s->sort = sort_text(a, t);
        for (size_t j = 0; j < t->columns.len; j++) {
            const ColumnDef *c = t->columns.items[j];
            StColumn *sc = arena_alloc(a, sizeof *sc);
            sc->name = c->name;
            sc->type = type_token(a, c->type);
            sc->not_null = c->not_null;
            sc->pk = c->primary_key;
            sc->identity = c->identity;
            sc->natural = c->natural_key;
            sc->hash = c->hash_key;
            sc->encode = c->encode ? lower(a, c->encode->s) : NULL;
            sc->ref = c->ref_col
                          ? arena_printf(a, "%s.%s", c->ref_col->table->name, c->ref_col->name)
                          : NULL;
            vec_push(a, &s->columns, sc);
        }
    }
    return st;
}

/* ---- the diff ---- */

static int int_rank(TypeKind k)
{
    return k == T_SMALLINT ? 1 : k == T_INTEGER ? 2 : k == T_BIGINT ? 3 : 0;
}

/* Every value of type from fits type to unchanged. */
static bool widens(SqlType from, SqlType to)
{
    if (int_rank(from.kind) && int_rank(to.kind))
        return int_rank(to.kind) >= int_rank(from.kind);
    if (int_rank(from.kind) && to.kind == T_DECIMAL)
        return to.p - to.s >= (from.kind == T_SMALLINT ? 5 : from.kind == T_INTEGER ? 10 : 19);
    if (from.kind == T_DECIMAL && to.kind == T_DECIMAL)
        return to.s >= from.s && to.p - to.s >= from.p - from.s;
    if (from.kind == T_REAL && to.kind == T_DOUBLE)
        return true;
    if (from.kind == T_CHAR && to.kind == T_CHAR)
        return to.p >= from.p;
    if (from.kind == T_DATE && to.kind == T_TIMESTAMP)
        return true;
    return false;
}

static void diff_columns(Arena *a, const TableDef *def, TableDiff *td)
{
    const StTable *old = td->old, *now = td->now;
    size_t n = now->columns.len + old->columns.len;
    td->cols = arena_alloc(a, n * sizeof *td->cols);
    bool *used = arena_alloc(a, old->columns.len + 1);
    for (size_t i = 0; i < now->columns.len; i++) {
        ColDiff *c = &td->cols[td->ncols++];
        c->now = now->columns.items[i];
        c->def = def->columns.items[i];
        c->old = schema_state_column(old, c->now->name);
        if (!c->old && c->def->renamed_from && !table_column(def, c->def->renamed_from->s)) {
            c->old = schema_state_column(old, c->def->renamed_from->s);
            c->renamed = c->old != NULL;
        }
        if (!c->old)
            continue;
        for (size_t j = 0; j < old->columns.len; j++)
            if (old->columns.items[j] == c->old)
                used[j] = true;
        c->retyped = strcmp(c->old->type, c->now->type) != 0;
        SqlType from, to;
        if (c->retyped && migrate_type(c->old->type, &from) && migrate_type(c->now->type, &to)) {
            c->widen_varchar = from.kind == T_VARCHAR && to.kind == T_VARCHAR && !from.max &&
                               (to.max || to.p > from.p);
            c->lossless = !c->widen_varchar && widens(from, to);
        }
        c->relax_null = c->old->not_null && !c->now->not_null;
        c->tighten_null = !c->old->not_null && c->now->not_null;
        c->encode_changed = (c->old->encode == NULL) != (c->now->encode == NULL) ||
                            (c->old->encode && strcmp(c->old->encode, c->now->encode));
    }
    for (size_t j = 0; j < old->columns.len; j++)
        if (!used[j])
            td->cols[td->ncols++].old = old->columns.items[j];
    td->dist_changed = strcmp(old->dist, now->dist) != 0;
    td->sort_changed = strcmp(old->sort, now->sort) != 0;
}

static bool col_changed(const ColDiff *c)
{
    if (!c->old || !c->now)
        return true;
    return c->renamed || c->retyped || c->relax_null || c->tighten_null || c->encode_changed ||
           c->old->pk != c->now->pk || c->old->identity != c->now->identity ||
           c->old->natural != c->now->natural || c->old->hash != c->now->hash ||
           (c->old->ref == NULL) != (c->now->ref == NULL) ||
           (c->old->ref && strcmp(c->old->ref, c->now->ref));
}

SchemaDiff *migrate_diff(Arena *a, const Model *m, const SchemaState *prev)
{
    SchemaDiff *sd = arena_alloc(a, sizeof *sd);
    sd->now = migrate_state_of(a, m);
    if (!prev)
        return sd;
    size_t cap = sd->now->tables.len + prev->tables.len + 1;
    sd->tables = arena_alloc(a, cap * sizeof *sd->tables);
    for (size_t i = 0; i < sd->now->tables.len; i++) {
        StTable *now = sd->now->tables.items[i];
        StTable *old = schema_state_find(&prev->tables, now->name);
        TableDiff td = {TC_NONE, now->name, old, now, model_table(m, now->name), NULL, 0, 0, 0};
        bool kept = schema_state_kept(now);
        if (!old)
            td.kind = kept ? TC_NEW_KEPT : TC_NEW_REPLACE;
        else if (kept && !schema_state_kept(old))
            td.kind = TC_FROM_REPLACE;
        else if (!kept && schema_state_kept(old))
            td.kind = TC_TO_REPLACE;
        else if (kept && !schema_state_same_table(old, now)) {
            diff_columns(a, td.def, &td);
            bool any = td.dist_changed || td.sort_changed || strcmp(old->mode, now->mode);
            for (size_t j = 0; j < td.ncols && !any; j++)
                any = col_changed(&td.cols[j]);
            /* the same columns in another order: nothing to migrate */
            td.kind = any ? TC_ALTER : TC_NONE;
            if (!any)
                sd->changed = true;
        }
        if (td.kind != TC_NONE)
            sd->tables[sd->n++] = td;
    }
    for (size_t i = 0; i < prev->tables.len; i++) {
        StTable *old = prev->tables.items[i];
        if (schema_state_find(&sd->now->tables, old->name))
            continue;
        TableDiff td = {schema_state_kept(old) ? TC_REMOVED_KEPT : TC_REMOVED_REPLACE,
                        old->name,
                        old,
                        NULL,
                        NULL,
                        NULL,
                        0,
                        0,
                        0};
        sd->tables[sd->n++] = td;
    }
    sd->changed |= sd->n > 0;
    return sd;
}

bool migrate_col_destroys(const ColDiff *c)
{
    if (!c->now)
        return true; /* dropped */
    if (!c->old)
        return false;
    return (c->retyped && !c->widen_varchar && !c->lossless) || c->tighten_null;
}

const char *migrate_stem(Arena *a, const TableDiff *t)
{
    const char *what = "alter";
    if (t->kind == TC_REMOVED_KEPT)
        what = "drop_table";
    else if (t->kind == TC_FROM_REPLACE)
        what = "keep";
    else if (t->kind == TC_ALTER) {
        int n = 0;
        const ColDiff *one = NULL;
        for (size_t i = 0; i < t->ncols; i++)
            if (col_changed(&t->cols[i])) {
                n++;
                one = &t->cols[i];
            }
        n += t->dist_changed + t->sort_changed;
        if (n == 1 && t->dist_changed)
            what = "dist";
        else if (n == 1 && t->sort_changed)
            what = "sort";
        else if (n == 1 && !one->old)
            what = arena_printf(a, "add_%s", one->now->name);
        else if (n == 1 && !one->now)
            what = arena_printf(a, "drop_%s", one->old->name);
        else if (n == 1 && one->renamed && !one->retyped)
            what = arena_printf(a, "rename_%s_to_%s", one->old->name, one->now->name);
        else if (n == 1 && one->widen_varchar)
            what = arena_printf(a, "widen_%s", one->now->name);
        else if (n == 1 && one->retyped)
            what = arena_printf(a, "retype_%s", one->now->name);
        else if (n == 1 && one->tighten_null)
            what = arena_printf(a, "not_null_%s", one->now->name);
        else if (n == 1 && one->relax_null)
            what = arena_printf(a, "nullable_%s", one->now->name);
        else if (n == 1 && one->encode_changed)
            what = arena_printf(a, "encode_%s", one->now->name);
    }
    const char *s = arena_printf(a, "%s_%s", t->name, what);
    if (strlen(s) > 100)
        s = arena_printf(a, "%.60s_alter", t->name);
    return s;
}

/* ---- refusals ---- */

static Scalar *acked(const Model *m, const char *table, const char *column, bool *used)
{
    for (size_t i = 0; i < m->allow_data_loss.len; i++) {
        Scalar *s = m->allow_data_loss.items[i];
        const char *dot = strchr(s->s, '.');
        bool match = column ? dot && (size_t)(dot - s->s) == strlen(table) &&
                                  !strncmp(s->s, table, strlen(table)) && !strcmp(dot + 1, column)
                            : !strcmp(s->s, table);
        if (match) {
            used[i] = true;
            return s;
        }
    }
    return NULL;
}

static void check_table(Diag *diag, const Model *m, const TableDiff *t, OutPast *const *pasts,
                        int npasts, bool *used)
{
    if (t->kind == TC_TO_REPLACE) {
        if (acked(m, t->name, NULL, used))
            return;
        Mark at = t->def->load->mode_mark.line ? t->def->load->mode_mark : t->def->mark;
        diag_error(diag, at, "migration-data-loss",
                   "kept table \"%s\" becomes mode replace: the next run drops the rows earlier "
                   "runs loaded",
                   t->name);
        diag_hint(diag,
                  "keep mode %s, or acknowledge the loss with a top-level "
                  "`allow_data_loss: [%s]`",
                  t->old->mode, t->name);
        return;
    }
    if (t->kind == TC_REMOVED_KEPT) {
        if (acked(m, t->name, NULL, used))
            return;
        diag_error(diag, m->tables_mark, "migration-data-loss",
                   "kept table \"%s\" is gone from the model: dropping it deletes its rows",
                   t->name);
        diag_hint(diag,
                  "keep the table in the model, or acknowledge the loss with a top-level "
                  "`allow_data_loss: [%s]`",
                  t->name);
        return;
    }
    if (t->kind != TC_ALTER)
        return;
    const TableDef *def = t->def;
    for (size_t i = 0; i < t->ncols; i++) {
        const ColDiff *c = &t->cols[i];
        if (!c->old) {
            if (c->now->not_null)
                diag_error(diag, c->def->mark, "migration-unsupported",
                           "cannot add NOT NULL column \"%s\" to kept table \"%s\": the rows "
                           "already loaded have no value for it",
                           c->now->name, t->name);
            if (c->now->not_null)
                diag_hint(diag,
                          "add it without not_null (or primary_key/identity); once loads have "
                          "filled it, add not_null in a later change");
            continue;
        }
        if (c->now && (c->old->natural != c->now->natural || c->old->hash != c->now->hash)) {
            /* stored rows are matched by the natural key, and a hash surrogate is computed
             * from it: a new key would not find them (or their hashes) */
            diag_error(diag, c->def->mark, "migration-unsupported",
                       "cannot change the %s of kept table \"%s\" in place (column \"%s\"): "
                       "the stored rows were keyed by the old one",
                       c->old->hash != c->now->hash ? "hash surrogate" : "natural key", t->name,
                       c->now->name);
            diag_hint(diag,
                      "keep natural_key/surrogate as recorded in out/<dialect>/schema.state; a "
                      "new key needs a new table (load it under another name)");
            continue;
        }
        if (c->now && (c->old->pk != c->now->pk || c->old->identity != c->now->identity)) {
            diag_error(diag, c->def->mark, "migration-unsupported",
                       "cannot change the %s of kept table \"%s\" in place (column \"%s\")",
                       c->old->identity != c->now->identity ? "identity column" : "primary key",
                       t->name, c->now->name);
            diag_hint(diag,
                      "keep primary_key/identity as recorded in out/<dialect>/schema.state, or "
                      "rebuild the table every run: `mode: replace` and `allow_data_loss: [%s]`",
                      t->name);
            continue;
        }
        if (c->now && ((c->old->ref == NULL) != (c->now->ref == NULL) ||
                       (c->old->ref && strcmp(c->old->ref, c->now->ref)))) {
            diag_error(diag, c->def->mark, "migration-unsupported",
                       "cannot change the foreign key of column \"%s\" of kept table \"%s\" in "
                       "place (recorded: %s)",
                       c->now->name, t->name, c->old->ref ? c->old->ref : "no references");
            diag_hint(diag, "keep `references:` as recorded, or add a new column that has it");
            continue;
        }
        if (!migrate_col_destroys(c))
            continue;
        if (acked(m, t->name, c->old->name, used))
            continue;
        if (!c->now) {
            diag_error(diag, def->mark, "migration-data-loss",
                       "column \"%s\" of kept table \"%s\" is gone from the model: dropping it "
                       "deletes its values",
                       c->old->name, t->name);
            diag_hint(diag,
                      "keep the column (or rename it with `renamed_from: %s`), or acknowledge "
                      "the loss with a top-level `allow_data_loss: [%s.%s]`",
                      c->old->name, t->name, c->old->name);
        } else if (c->retyped && !c->widen_varchar && !c->lossless) {
            Mark at = c->def->type_src ? c->def->type_src->mark : c->def->mark;
            diag_error(diag, at, "migration-data-loss",
                       "changing \"%s\".\"%s\" from %s to %s may truncate, round or reject the "
                       "values already loaded",
                       t->name, c->now->name, c->old->type, c->now->type);
            diag_hint(diag,
                      "keep type %s (or widen it), or acknowledge the loss with a top-level "
                      "`allow_data_loss: [%s.%s]`",
                      c->old->type, t->name, c->now->name);
        } else {
            diag_error(diag, c->def->mark, "migration-data-loss",
                       "not_null on \"%s\".\"%s\" deletes the rows already loaded where it is "
                       "NULL",
                       t->name, c->now->name);
            diag_hint(diag,
                      "drop not_null, or acknowledge the loss with a top-level "
                      "`allow_data_loss: [%s.%s]`",
                      t->name, c->now->name);
        }
    }
    /* a deep copy on a dialect that cannot alter in place: identity values cannot be copied */
    for (int p = 0; p < npasts; p++) {
        if (!migrate_rewrites(pasts[p]->d, t))
            continue;
        for (size_t i = 0; i < t->ncols; i++)
            if (t->cols[i].now && t->cols[i].now->identity) {
                diag_error(diag, def->mark, "migration-unsupported",
                           "this change rebuilds kept table \"%s\" on %s (a deep copy), which "
                           "cannot copy its identity column \"%s\"",
                           t->name, pasts[p]->d->name, t->cols[i].now->name);
                diag_hint(diag,
                          "make only changes %s can make in place (add, drop or rename a "
                          "column, widen a varchar, change dist or sort keys)",
                          pasts[p]->d->name);
                return;
            }
    }
}

void migrate_check(Arena *a, Diag *diag, const Model *m, OutPast *const *pasts, int npasts)
{
    bool *used = arena_alloc(a, m->allow_data_loss.len + 1);
    bool any_prev = false;
    int from = diag->npending;
    for (int p = 0; p < npasts; p++) {
        if (!pasts[p]->prev)
            continue;
        any_prev = true;
        SchemaDiff *sd = migrate_diff(a, m, pasts[p]->prev);
        for (size_t i = 0; i < sd->n; i++)
            check_table(diag, m, &sd->tables[i], pasts, npasts, used);
    }
    model_forget_repeats(diag, from);
    for (size_t i = 0; i < m->allow_data_loss.len; i++) {
        Scalar *s = m->allow_data_loss.items[i];
        const char *dot = strchr(s->s, '.');
        const char *why;
        char table[128];
        snprintf(table, sizeof table, "%.*s", dot ? (int)(dot - s->s) : (int)s->len, s->s);
        if (!ident_valid(table, &why) || (dot && !ident_valid(dot + 1, &why))) {
            diag_error(diag, s->mark, "migration-data-loss",
                       "allow_data_loss entry \"%s\" is not TABLE or TABLE.COLUMN", s->s);
            continue;
        }
        if (!used[i] && any_prev) {
            diag_warning(diag, s->mark, "migration-data-loss",
                         "allow_data_loss: \"%s\" matches no change that loses data", s->s);
            diag_hint(diag, "a migration already made that change, or it was never needed: "
                            "remove the entry so that it cannot allow a later loss");
        }
    }
    /* a renamed_from that is done (the recorded schema has the new name) or names nothing */
    for (int p = 0; p < npasts && p < 1; p++) {
        const SchemaState *prev = pasts[p]->prev;
        if (!prev)
            continue;
        for (size_t i = 0; i < m->tables.len; i++) {
            const TableDef *t = m->tables.items[i];
            const StTable *old = schema_state_find(&prev->tables, t->name);
            for (size_t j = 0; j < t->columns.len; j++) {
                const ColumnDef *c = t->columns.items[j];
                if (!c->renamed_from)
                    continue;
                if (old && schema_state_kept(old) && !schema_state_column(old, c->name) &&
                    schema_state_column(old, c->renamed_from->s) &&
                    !table_column(t, c->renamed_from->s))
                    continue; /* a rename this run makes */
                diag_warning(diag, c->renamed_from->mark, "migration-rename",
                             "renamed_from: \"%s\" renames nothing: the recorded schema of \"%s\" "
                             "has %s",
                             c->renamed_from->s, t->name,
                             old && schema_state_kept(old) && schema_state_column(old, c->name)
                                 ? "the new name already (a migration made the rename)"
                                 : "no such column");
                diag_hint(diag, "remove `renamed_from:`");
            }
        }
    }
}

/* ---- what the output folder already holds ---- */

static bool migration_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 10 || n > 128 || strcmp(s + n - 4, ".sql") || s[4] != '_')
        return false;
    for (size_t i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    for (size_t i = 5; i < n - 4; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static int cmp_file(const void *x, const void *y)
{
    return strcmp((*(OutFile *const *)x)->path, (*(OutFile *const *)y)->path);
}

int migrate_read_past(Arena *a, const char *outdir, const Dialect *d, OutPast *past, Buf *err)
{
    memset(past, 0, sizeof *past);
    past->d = d;
    past->next = 1;
    const char *spath = arena_printf(a, "%s/%s/%s", outdir, d->name, SCHEMA_STATE_FILE);
    size_t len;
    char *text = read_whole_file(spath, STATE_MAX_BYTES, &len);
    if (!text && errno != ENOENT && errno != ENOTDIR) {
        buf_printf(err, "cannot read %s: %s", spath, strerror(errno));
        return -1;
    }
    if (text) {
        past->prev = arena_alloc(a, sizeof *past->prev);
        int rc = schema_state_parse(a, spath, text, len, past->prev, err);
        free(text);
        if (rc)
            return -1;
    }
    const char *mdir = arena_printf(a, "%s/%s/migrations", outdir, d->name);
    DIR *dp = opendir(mdir);
    if (!dp && errno != ENOENT && errno != ENOTDIR) {
        buf_printf(err, "cannot open %s: %s", mdir, strerror(errno));
        return -1;
    }
    struct dirent *de;
    while (dp && (de = readdir(dp))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        const char *p = arena_printf(a, "%s/%s", mdir, de->d_name);
        struct stat st;
        if (!migration_name(de->d_name) || lstat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            buf_printf(err,
                       "%s is not a migration (a regular file NNNN_name.sql); gen owns this "
                       "folder: move it elsewhere",
                       p);
            closedir(dp);
            return -1;
        }
        OutFile *f = arena_alloc(a, sizeof *f);
        f->path = arena_printf(a, "%s/migrations/%s", d->name, de->d_name);
        char *data = read_whole_file(p, STATE_MAX_BYTES, &f->len);
        if (!data) {
            buf_printf(err, "cannot read %s: %s", p, strerror(errno));
            closedir(dp);
            return -1;
        }
        f->data = arena_strndup(a, data, f->len);
        free(data);
        vec_push(a, &past->files, f);
        int n = atoi(de->d_name);
        if (n >= past->next)
            past->next = n + 1;
    }
    if (dp)
        closedir(dp);
    if (past->files.len)
        qsort(past->files.items, past->files.len, sizeof(void *), cmp_file);
    if (!past->prev && past->files.len) {
        buf_printf(err,
                   "%s holds migrations but %s is missing: restore it (git checkout) so gen "
                   "knows the schema they lead to",
                   mdir, spath);
        return -1;
    }
    for (size_t i = 0; past->prev && i < past->prev->migrations.len; i++) {
        const StMigration *sm = past->prev->migrations.items[i];
        bool found = false;
        for (size_t j = 0; j < past->files.len && !found; j++) {
            const char *fp = ((OutFile *)past->files.items[j])->path;
            found = !strcmp(strrchr(fp, '/') + 1, sm->file);
        }
        if (!found) {
            buf_printf(err,
                       "%s:%d: migration %s is missing from %s: restore it (git checkout); gen "
                       "never writes a migration twice",
                       spath, sm->line, sm->file, mdir);
            return -1;
        }
        int n = atoi(sm->file);
        if (n >= past->next)
            past->next = n + 1;
    }
    return 0;
}
