/* analyze_datachecks.c - the data checks: derived from the model (keys, NOT NULL,
 * references, accepted values) and declared under checks:, each checked for its tables,
 * expressions and a unique name.  emit_datachecks.c writes them.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

/* ---- data checks ---- */

static CheckDef *new_datacheck(Analyzer *c, CheckKind k, TableDef *t, ColumnDef *col,
                               const char *name)
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

static bool accepted_ok(Analyzer *c, ColumnDef *col)
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
void derive_datachecks(Analyzer *c)
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
            new_datacheck(c, CK_UNIQUE, t, NULL,
                          arena_printf(c->a, "unique_%s%s", t->name, pk.data));
        buf_reset(&pk);
        for (size_t j = 0; j < t->natural.len; j++) /* beside a surrogate key */
            buf_printf(&pk, "_%s", ((ColumnDef *)t->natural.items[j])->name);
        if (pk.len)
            new_datacheck(c, CK_UNIQUE, t, NULL,
                          arena_printf(c->a, "unique_%s%s", t->name, pk.data))
                ->natural = true;
        buf_free(&pk);
        for (size_t j = 0; j < t->columns.len; j++) {
            ColumnDef *col = t->columns.items[j];
            if (col->not_null)
                new_datacheck(c, CK_NOT_NULL, t, col,
                              arena_printf(c->a, "not_null_%s_%s", t->name, col->name));
        }
        for (size_t j = 0; j < t->columns.len; j++) {
            ColumnDef *col = t->columns.items[j];
            if (col->ref_col)
                new_datacheck(c, CK_RELATIONSHIP, t, col,
                              arena_printf(c->a, "relationships_%s_%s__%s_%s", t->name, col->name,
                                           col->ref_col->table->name, col->ref_col->name));
        }
        for (size_t j = 0; j < t->columns.len; j++) {
            ColumnDef *col = t->columns.items[j];
            if (col->accepted.len && accepted_ok(c, col))
                new_datacheck(c, CK_ACCEPTED, t, col,
                              arena_printf(c->a, "accepted_values_%s_%s", t->name, col->name))
                    ->warn = col->accepted_warn;
        }
    }
}

static bool analyze_rowset(Analyzer *c, RowSet *r)
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

void add_user_datachecks(Analyzer *c)
{
    for (size_t i = 0; i < c->m->user_checks.len; i++) {
        CheckDef *ck = c->m->user_checks.items[i];
        bool ok = true;
        if (ck->left)
            ok &= analyze_rowset(c, ck->left);
        if (ck->right)
            ok &= analyze_rowset(c, ck->right);
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
