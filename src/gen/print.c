/* print.c - renders checked expression trees as SQL text for a dialect.
 *
 * Output is canonical: keywords upper case, one space around binary operators,
 * every column qualified by the alias it was resolved through, names quoted
 * by ident_quote() only when needed, parentheses only where precedence needs
 * them.  So the same model always prints the same SQL, whatever its spacing.
 */
#include <string.h>

#include "dialect.h"
#include "ident.h"

enum {
    P_OR = 1,
    P_AND,
    P_NOT,
    P_IS,
    P_CMP,
    P_PRED,
    P_OTHER,
    P_ADD,
    P_MUL,
    P_UNARY,
    P_CAST,
    P_PRIMARY
};

static int prec(const Expr *e)
{
    switch (e->kind) {
    case EX_BINARY:
        switch (e->op) {
        case OP_OR: return P_OR;
        case OP_AND: return P_AND;
        case OP_EQ:
        case OP_NE:
        case OP_LT:
        case OP_LE:
        case OP_GT:
        case OP_GE: return P_CMP;
        case OP_CONCAT: return P_OTHER;
        case OP_ADD:
        case OP_SUB: return P_ADD;
        default: return P_MUL;
        }
    case EX_UNARY: return e->op == OP_NOT ? P_NOT : P_UNARY;
    case EX_ISNULL: return P_IS;
    case EX_IN:
    case EX_BETWEEN:
    case EX_LIKE: return P_PRED;
    case EX_INT:
    case EX_NUM: return e->text[0] == '-' ? P_UNARY : P_PRIMARY;
    default: return P_PRIMARY;
    }
}

static void sub(Buf *b, const Dialect *d, const Expr *e, int min)
{
    bool paren = prec(e) < min;
    if (paren)
        buf_putc(b, '(');
    print_expr(b, d, e);
    if (paren)
        buf_putc(b, ')');
}

void print_name(Buf *b, const char *name)
{
    ident_quote(b, name);
}

void print_literal(Buf *b, const Dialect *d, const char *s)
{
    ident_literal(b, s, d->backslash_in_literals);
}

static void upper(Buf *b, const char *s)
{
    for (; *s; s++)
        buf_putc(b, (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s);
}

static void list(Buf *b, const Dialect *d, const ExprList *l)
{
    for (int i = 0; i < l->len; i++) {
        if (i)
            buf_puts(b, ", ");
        print_expr(b, d, l->items[i]);
    }
}

void print_expr(Buf *b, const Dialect *d, const Expr *e)
{
    static const char *const ops[] = {
        [OP_ADD] = " + ",   [OP_SUB] = " - ",     [OP_MUL] = " * ", [OP_DIV] = " / ",
        [OP_MOD] = " % ",   [OP_CONCAT] = " || ", [OP_EQ] = " = ",  [OP_NE] = " <> ",
        [OP_LT] = " < ",    [OP_LE] = " <= ",     [OP_GT] = " > ",  [OP_GE] = " >= ",
        [OP_AND] = " AND ", [OP_OR] = " OR "};
    int p = prec(e);
    switch (e->kind) {
    case EX_COLUMN:
        if (e->ref_alias) {
            print_name(b, e->ref_alias);
            buf_putc(b, '.');
        } else if (e->qualifier) {
            print_name(b, e->qualifier);
            buf_putc(b, '.');
        }
        print_name(b, e->name);
        break;
    case EX_INT:
    case EX_NUM: buf_puts(b, e->text); break;
    case EX_STRING: print_literal(b, d, e->text); break;
    case EX_BOOL: buf_puts(b, e->ival ? "TRUE" : "FALSE"); break;
    case EX_NULL: buf_puts(b, "NULL"); break;
    case EX_TYPED_LIT:
        upper(b, e->tn->name);
        buf_putc(b, ' ');
        print_literal(b, d, e->text);
        break;
    case EX_UNARY:
        buf_puts(b, e->op == OP_NOT ? "NOT " : e->op == OP_NEG ? "-" : "+");
        sub(b, d, e->a, e->op == OP_NOT ? P_NOT : P_UNARY + 1);
        break;
    case EX_BINARY:
        sub(b, d, e->a, p);
        buf_puts(b, ops[e->op]);
        sub(b, d, e->b, p + 1);
        break;
    case EX_ISNULL:
        sub(b, d, e->a, P_IS + 1);
        buf_puts(b, e->negated ? " IS NOT NULL" : " IS NULL");
        break;
    case EX_IN:
        sub(b, d, e->a, P_PRED + 1);
        buf_puts(b, e->negated ? " NOT IN (" : " IN (");
        list(b, d, &e->list);
        buf_putc(b, ')');
        break;
    case EX_BETWEEN:
        sub(b, d, e->a, P_PRED + 1);
        buf_puts(b, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        sub(b, d, e->b, P_PRED + 1);
        buf_puts(b, " AND ");
        sub(b, d, e->c, P_PRED + 1);
        break;
    case EX_LIKE:
        sub(b, d, e->a, P_PRED + 1);
        buf_puts(b, e->negated ? " NOT" : "");
        buf_puts(b, e->op == OP_ILIKE ? " ILIKE " : " LIKE ");
        sub(b, d, e->b, P_PRED + 1);
        break;
    case EX_CASE:
        buf_puts(b, "CASE");
        if (e->a) {
            buf_putc(b, ' ');
            print_expr(b, d, e->a);
        }
        for (int i = 0; i < e->list.len; i++) {
            const Expr *w = e->list.items[i];
            buf_puts(b, " WHEN ");
            print_expr(b, d, w->a);
            buf_puts(b, " THEN ");
            print_expr(b, d, w->b);
        }
        if (e->c) {
            buf_puts(b, " ELSE ");
            print_expr(b, d, e->c);
        }
        buf_puts(b, " END");
        break;
    case EX_WHEN: break;
    case EX_CAST: {
        SqlType t;
        const char *err, *hint;
        buf_puts(b, "CAST(");
        print_expr(b, d, e->a);
        buf_puts(b, " AS ");
        if (type_from_name(e->tn->name, e->tn->nparams, e->tn->params, &t, &err, &hint))
            d->type(b, t);
        else
            upper(b, e->tn->name);
        buf_putc(b, ')');
        break;
    }
    case EX_EXTRACT: {
        Buf arg;
        buf_init(&arg);
        print_expr(&arg, d, e->a);
        Buf field;
        buf_init(&field);
        upper(&field, e->name);
        d->extract(b, field.data, arg.data);
        buf_free(&field);
        buf_free(&arg);
        break;
    }
    case EX_CALL:
        upper(b, e->name);
        buf_putc(b, '(');
        if (e->star)
            buf_putc(b, '*');
        if (e->distinct)
            buf_puts(b, "DISTINCT ");
        list(b, d, &e->list);
        buf_putc(b, ')');
        break;
    case EX_ORDER:
        print_expr(b, d, e->a);
        buf_puts(b, e->desc ? " DESC" : " ASC");
        if (e->nulls)
            buf_puts(b, e->nulls == 1 ? " NULLS FIRST" : " NULLS LAST");
        break;
    }
}

void print_column_list(Buf *b, const TableDef *t)
{
    buf_putc(b, '(');
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        if (i)
            buf_puts(b, ", ");
        print_name(b, c->name);
    }
    buf_putc(b, ')');
}
