/* analyze_keys.c - natural and surrogate keys of star tables, and the lookups of
 * surrogate keys by natural key (README, "Dedupe and keys"; issue 14 items 2, 4, 5).
 *
 * A star table's load key is what its loads deduplicate and match stored rows by:
 * the columns marked `natural_key: true` when there are any, else its primary key
 * unless that is an identity.  A surrogate primary key is `identity: true` (numbered
 * by the database, updated in place by upserts so it never changes) or
 * `surrogate: hash` (a bigint computed from the natural key, the same on both
 * engines).  A `lookup:` in a load fills a column that references a surrogate-keyed
 * dimension from that dimension's natural key, inferring the members it lacks.
 *
 * Checks: natural-key, surrogate-key, lookup.
 */
#include <string.h>

#include "analyze_internal.h"

/* The types a hash surrogate's natural key may have: each has one text form that
 * both engines print alike (docs/out-format.md, "Keys"). */
static bool hashable(SqlType t)
{
    switch (t.kind) {
    case T_SMALLINT:
    case T_INTEGER:
    case T_BIGINT:
    case T_CHAR:
    case T_VARCHAR:
    case T_DATE:
    case T_UNKNOWN: return true;
    default: return false;
    }
}

void analyze_keys(Analyzer *c, TableDef *t)
{
    ColumnDef *pk = NULL;
    int npk = 0;
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (col->primary_key) {
            pk = col;
            npk++;
        }
        if (col->natural_key) {
            if (col->identity || col->hash_key) {
                diag_error(c->d, col->mark, "natural-key",
                           "\"%s\" cannot be both the natural key and a surrogate", col->name);
                continue;
            }
            vec_push(c->a, &t->natural, col);
        }
    }
    bool surrogate_pk = npk == 1 && (pk->identity || pk->hash_key);
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (!col->hash_key)
            continue;
        if (!col->primary_key || npk != 1)
            diag_error(c->d, col->surrogate_mark, "surrogate-key",
                       "a hash surrogate is the table's single-column primary key, and \"%s\" "
                       "is not",
                       col->name);
        else if (col->identity)
            diag_error(c->d, col->surrogate_mark, "surrogate-key",
                       "\"%s\" cannot be both an identity and a hash surrogate", col->name);
        else if (col->type.kind != T_UNKNOWN && col->type.kind != T_BIGINT)
            diag_error(c->d, col->surrogate_mark, "surrogate-key",
                       "a hash surrogate is bigint (60 bits of the MD5 of the natural key), not "
                       "\"%s\"",
                       col->type_src ? col->type_src->s : "?");
        else if (!t->natural.len) {
            diag_error(c->d, col->surrogate_mark, "surrogate-key",
                       "\"%s\" is a hash of the natural key, and \"%s\" has none", col->name,
                       t->name);
            diag_hint(c->d, "mark the columns that identify a row `natural_key: true`");
        }
        for (size_t k = 0; k < t->natural.len; k++) {
            ColumnDef *n = t->natural.items[k];
            char tb[64];
            if (!hashable(n->type))
                diag_error(c->d, n->mark, "surrogate-key",
                           "the hash surrogate \"%s\" hashes the natural key's text, and %s "
                           "(\"%s\") has no text form both engines print alike",
                           col->name, type_str(n->type, tb, sizeof tb), n->name);
        }
    }
    if (t->natural.len && npk && !surrogate_pk) {
        ColumnDef *n = t->natural.items[0];
        diag_error(c->d, n->mark, "natural-key",
                   "\"%s\" already has a natural primary key; `natural_key` names the natural "
                   "key of a table whose primary key is a surrogate (identity or hash)",
                   t->name);
        diag_hint(c->d, "remove `natural_key: true`, or make the primary key a surrogate");
    }
    if (surrogate_pk && t->natural.len)
        t->surrogate = pk;
}

/* Binds each lookup to its column before the mappings are checked (a looked-up
 * column needs no mapping). */
void bind_lookups(Analyzer *c, TableDef *t)
{
    LoadDef *ld = t->load;
    for (size_t i = 0; i < ld->lookups.len; i++) {
        LookupDef *lk = ld->lookups.items[i];
        ColumnDef *col = table_column(t, lk->column->s);
        if (!col) {
            diag_error(c->d, lk->column->mark, "lookup", "\"%s\" is not a column of \"%s\"",
                       lk->column->s, t->name);
            hint_names(c->d, lk->column->s, &t->columns, column_name);
            continue;
        }
        col->lookup = lk;
    }
}

/* After references are resolved: a lookup fills a column that references a
 * surrogate-keyed dimension kept by upsert (an inferred member is then replaced
 * in place by the real one), one expression per natural-key column. */
void analyze_lookups(Analyzer *c, TableDef *t, Scope *sc)
{
    LoadDef *ld = t->load;
    for (size_t i = 0; i < ld->lookups.len; i++) {
        LookupDef *lk = ld->lookups.items[i];
        ColumnDef *col = table_column(t, lk->column->s);
        if (!col || col->lookup != lk)
            continue;
        if (col->map) {
            diag_error(c->d, lk->column->mark, "lookup",
                       "\"%s\" is both mapped and looked up; keep one", col->name);
            continue;
        }
        if (!col->ref_col) {
            diag_error(c->d, lk->column->mark, "lookup",
                       "a lookup fills a column that references a dimension's surrogate key, "
                       "and \"%s\" references none",
                       col->name);
            diag_hint(c->d, "add `references: dimension.surrogate_key` to \"%s\"", col->name);
            continue;
        }
        TableDef *dim = col->ref_col->table;
        if (col->ref_col->hash_key && !dim->natural.len)
            continue; /* reported on the dimension: a hash of no natural key */
        if (!dim->surrogate || dim->surrogate != col->ref_col) {
            diag_error(c->d, lk->column->mark, "lookup",
                       "\"%s\" references %s.%s, which is not a surrogate key with a natural key "
                       "to look it up by",
                       col->name, dim->name, col->ref_col->name);
            diag_hint(c->d,
                      "give \"%s\" `natural_key: true` columns and an identity or `surrogate: "
                      "hash` primary key, or map \"%s\" instead",
                      dim->name, col->name);
            continue;
        }
        if (!dim->load || dim->load->mode != MODE_UPSERT) {
            diag_error(c->d, lk->column->mark, "lookup",
                       "a lookup infers the members \"%s\" lacks, which the real rows must "
                       "replace later: \"%s\" needs mode upsert",
                       dim->name, dim->name);
            diag_hint(c->d, "give \"%s\" `mode: upsert`", dim->name);
            continue;
        }
        bool ok = true;
        for (size_t k = 0; k < dim->columns.len; k++) {
            ColumnDef *dc = dim->columns.items[k];
            if (dc->not_null && !dc->natural_key && dc != dim->surrogate) {
                diag_error(c->d, lk->column->mark, "lookup",
                           "an inferred member of \"%s\" has only its keys, and its column "
                           "\"%s\" is NOT NULL",
                           dim->name, dc->name);
                diag_hint(c->d, "drop not_null from %s.%s (an inferred member leaves it NULL)",
                          dim->name, dc->name);
                ok = false;
            }
        }
        if (lk->values.len != dim->natural.len) {
            diag_error(c->d, lk->column->mark, "lookup",
                       "the natural key of \"%s\" has %zu column%s, and the lookup of \"%s\" "
                       "gives %zu expression%s",
                       dim->name, dim->natural.len, dim->natural.len == 1 ? "" : "s", col->name,
                       lk->values.len, lk->values.len == 1 ? "" : "s");
            continue;
        }
        if (!ok)
            continue;
        lk->dim = dim;
        lk->exprs = arena_alloc(c->a, (lk->values.len + 1) * sizeof *lk->exprs);
        for (size_t k = 0; k < lk->values.len; k++) {
            Scalar *v = lk->values.items[k];
            lk->exprs[k] = typed(c, sc, v, PARSE_EXPR);
            if (lk->exprs[k] && lk->exprs[k]->type.kind != T_UNKNOWN) {
                Resolver r = {c->a, c->d, v, sc, false};
                resolve_assignable(&r, lk->exprs[k], dim->natural.items[k]);
            }
        }
        /* the load writes into the dimension (inferred members): after it, in its
         * transaction */
        vec_push(c->a, &t->reads, dim);
    }
}
