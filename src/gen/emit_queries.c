/* emit_queries.c - the analytics query files queries/NN_name.sql: never part of a
 * load, run by `runner --report`.
 */
#include <stdlib.h>

#include "emit_internal.h"
#include "resolve.h"

/* The query runs in a subquery so the outer ORDER BY names real columns (PostgreSQL
 * cannot apply COLLATE to an output alias). */
static void query_sql(Emitter *e, Buf *b, const QueryDef *q)
{
    size_t n = q->select_names.len;
    bool agg = false;
    for (size_t i = 0; i < n; i++)
        agg |= expr_has_aggregate(q->select_exprs[i]);
    buf_puts(b, "SELECT ");
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, i ? ", " : "");
        print_name(b, ((Scalar *)q->select_names.items[i])->s);
    }
    buf_puts(b, "\nFROM (\n    SELECT\n");
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, i ? ",\n        " : "        ");
        if (agg && !expr_has_aggregate(q->select_exprs[i]))
            print_key(b, e->d, q->select_exprs[i]); /* a group key: as GROUP BY prints it */
        else
            print_expr(b, e->d, q->select_exprs[i]);
        buf_puts(b, " AS ");
        print_name(b, ((Scalar *)q->select_names.items[i])->s);
    }
    buf_putc(b, '\n');
    emit_from_clause(e, b, q->src, "    ");
    if (agg) {
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            const Expr *x = q->select_exprs[i];
            if (expr_has_aggregate(x) || x->kind == EX_INT || x->kind == EX_NUM ||
                x->kind == EX_STRING || x->kind == EX_NULL || x->kind == EX_BOOL)
                continue;
            buf_puts(b, first ? "\n    GROUP BY " : ", ");
            first = false;
            print_key(b, e->d, x);
        }
    }
    /* the model's order, then every other output: a total order, so a report and its
     * LIMIT never depend on the engine */
    buf_puts(b, "\n) AS q\nORDER BY ");
    bool *used = xcalloc(n + 1, sizeof *used);
    bool first = true;
    for (size_t i = 0; i < q->order_by.len; i++) {
        const Expr *o = q->order_exprs[i];
        int k = q->order_output[i];
        used[k] = true;
        buf_puts(b, first ? "" : ", ");
        first = false;
        emit_order_name(e, b, ((Scalar *)q->select_names.items[k])->s, q->select_exprs[k]->type,
                        o->desc);
    }
    for (size_t k = 0; k < n; k++) {
        if (used[k])
            continue;
        buf_puts(b, first ? "" : ", ");
        first = false;
        emit_order_name(e, b, ((Scalar *)q->select_names.items[k])->s, q->select_exprs[k]->type,
                        false);
    }
    free(used);
    if (q->limit)
        buf_printf(b, "\nLIMIT %lld", q->limit);
    buf_puts(b, ";\n");
}

void emit_queries(Emitter *e, Buf *b)
{
    int width = e->m->queries.len > 99 ? 3 : 2;
    for (size_t i = 0; i < e->m->queries.len; i++) {
        const QueryDef *q = e->m->queries.items[i];
        char *what = arena_printf(
            e->a, "Analytics query \"%s\" (runner --report); it loads nothing.", q->name);
        emit_header(e, b, what);
        if (q->description) {
            buf_puts(b, "-- ");
            emit_comment_text(b, q->description->s);
            buf_puts(b, "\n\n");
        }
        query_sql(e, b, q);
        emit_add_file(e, arena_printf(e->a, "queries/%0*zu_%s.sql", width, i + 1, q->name), b);
        buf_reset(b);
    }
}
