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

/* ---- Redshift semantics on PostgreSQL (d->emulate_redshift) ----
 *
 * Redshift ignores trailing blanks when it compares CHAR or VARCHAR values, PostgreSQL's
 * varchar does not (r_Character_types, "Significance of trailing blanks"): on the twin every
 * string that is compared (=, <>, <, IN, BETWEEN, CASE x WHEN, NULLIF, COUNT(DISTINCT), keys)
 * is compared as RTRIM(x).  LIKE is left alone: it sees trailing blanks on Redshift too
 * (r_patternmatching_condition_like).  Ordering comparisons of strings are bytewise on both
 * engines (COLLATE "C" on PostgreSQL, d->bytewise_order). */

static bool is_string(const Expr *e)
{
    return type_cat(e->type) == CAT_STRING;
}

/* Whether a compared string must be trimmed: not a literal without trailing blanks. */
static bool needs_rtrim(const Dialect *d, const Expr *e)
{
    if (!d->emulate_redshift || !is_string(e))
        return false;
    if (e->kind == EX_STRING) {
        size_t n = strlen(e->text);
        return n && e->text[n - 1] == ' ';
    }
    return true;
}

/* A compared operand: RTRIM(x) on the twin for strings, else x at precedence min. */
static void cmp_operand(Buf *b, const Dialect *d, const Expr *e, int min)
{
    if (needs_rtrim(d, e)) {
        buf_puts(b, "RTRIM(");
        print_expr(b, d, e);
        buf_putc(b, ')');
    } else {
        sub(b, d, e, min);
    }
}

void print_key(Buf *b, const Dialect *d, const Expr *e)
{
    cmp_operand(b, d, e, P_PRIMARY);
}

void print_key_name(Buf *b, const Dialect *d, const char *qual, const char *name, SqlType t)
{
    bool trim = d->emulate_redshift && type_cat(t) == CAT_STRING;
    if (trim)
        buf_puts(b, "RTRIM(");
    if (qual) {
        print_name(b, qual);
        buf_putc(b, '.');
    }
    print_name(b, name);
    if (trim)
        buf_putc(b, ')');
}

/* The type an expression already has, as the dialect writes it (for CAST(... AS type)). */
static void cast_to(Buf *b, const Dialect *d, SqlType t)
{
    buf_puts(b, " AS ");
    d->type(b, t);
    buf_putc(b, ')');
}

/* Calls whose PostgreSQL built-in differs from Redshift's; true when printed here.  Each
 * case names the Redshift page that fixes the behaviour (tests/suites/63-redshift-sql-semantics.sh
 * runs them). */
static bool twin_call(Buf *b, const Dialect *d, const Expr *e)
{
    const char *f = e->name;
    const Expr *x = e->list.len ? e->list.items[0] : NULL;
    if (!d->emulate_redshift || e->star || !x)
        return false;
    TypeKind k = x->type.kind;
    bool flt = k == T_REAL || k == T_DOUBLE;
    if (!strcmp(f, "concat")) {
        /* r_CONCAT: NULL if either argument is NULL; PostgreSQL's concat() skips NULLs, its
         * || operator on strings does not */
        buf_putc(b, '(');
        sub(b, d, x, P_OTHER);
        buf_puts(b, " || ");
        sub(b, d, e->list.items[1], P_OTHER + 1);
        buf_putc(b, ')');
        return true;
    }
    if (!strcmp(f, "nullif") && is_string(x)) {
        /* r_NULLIF_function compares like =, so trailing blanks do not count */
        buf_puts(b, "CASE WHEN ");
        cmp_operand(b, d, x, P_CMP + 1);
        buf_puts(b, " = ");
        cmp_operand(b, d, e->list.items[1], P_CMP + 1);
        buf_puts(b, " THEN NULL ELSE ");
        print_expr(b, d, x);
        buf_puts(b, " END");
        return true;
    }
    if (!strcmp(f, "count") && e->distinct && is_string(x)) {
        buf_puts(b, "COUNT(DISTINCT ");
        print_key(b, d, x);
        buf_putc(b, ')');
        return true;
    }
    if (!strcmp(f, "round") && k != T_DECIMAL) {
        /* r_ROUND: the argument's type; PostgreSQL has no round(double precision, int), and
         * its round(double precision) rounds half to even where numeric rounds half away
         * from zero */
        buf_puts(b, "CAST(ROUND(CAST(");
        print_expr(b, d, x);
        buf_puts(b, " AS NUMERIC)");
        if (e->list.len == 2) {
            buf_puts(b, ", ");
            print_expr(b, d, e->list.items[1]);
        }
        buf_putc(b, ')');
        cast_to(b, d, e->type);
        return true;
    }
    if ((!strcmp(f, "ceil") || !strcmp(f, "ceiling") || !strcmp(f, "floor")) && !flt) {
        /* r_CEILING_FLOOR, r_FLOOR: the argument's type; PostgreSQL returns double precision
         * for an integer and a scale-0 numeric for a decimal */
        buf_puts(b, "CAST(");
        upper(b, f);
        buf_putc(b, '(');
        print_expr(b, d, x);
        buf_putc(b, ')');
        cast_to(b, d, e->type);
        return true;
    }
    if (!strcmp(f, "avg") && !flt) {
        /* r_AVG: BIGINT for an integer argument, DECIMAL(38, its scale) for a decimal */
        buf_puts(b, "CAST(TRUNC(AVG(");
        if (e->distinct)
            buf_puts(b, "DISTINCT ");
        print_expr(b, d, x);
        buf_puts(b, k == T_DECIMAL ? ")" : "))");
        if (k == T_DECIMAL)
            buf_printf(b, ", %d)", x->type.s);
        cast_to(b, d, e->type);
        return true;
    }
    if (!strcmp(f, "sum") && (k == T_BIGINT || k == T_REAL)) {
        /* r_SUM: BIGINT for a bigint (PostgreSQL: numeric), DOUBLE PRECISION for a real */
        buf_puts(b, k == T_BIGINT ? "CAST(SUM(" : "SUM(CAST(");
        if (e->distinct)
            buf_puts(b, "DISTINCT ");
        print_expr(b, d, x);
        buf_puts(b, k == T_BIGINT ? ") AS BIGINT)" : " AS DOUBLE PRECISION))");
        return true;
    }
    if (!strcmp(f, "octet_length") && k == T_CHAR) {
        /* r_OCTET_LENGTH: trailing blanks of a CHAR are not counted; PostgreSQL counts the
         * padding of a bpchar */
        buf_puts(b, "OCTET_LENGTH(CAST(");
        print_expr(b, d, x);
        buf_puts(b, " AS VARCHAR))");
        return true;
    }
    return false;
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
        if (p == P_CMP && is_string(e->a) && is_string(e->b)) {
            cmp_operand(b, d, e->a, p);
            if (e->op != OP_EQ && e->op != OP_NE)
                buf_puts(b, d->bytewise_order);
            buf_puts(b, ops[e->op]);
            cmp_operand(b, d, e->b, p + 1);
            break;
        }
        sub(b, d, e->a, p);
        buf_puts(b, ops[e->op]);
        sub(b, d, e->b, p + 1);
        break;
    case EX_ISNULL:
        sub(b, d, e->a, P_IS + 1);
        buf_puts(b, e->negated ? " IS NOT NULL" : " IS NULL");
        break;
    case EX_IN:
        cmp_operand(b, d, e->a, P_PRED + 1);
        buf_puts(b, e->negated ? " NOT IN (" : " IN (");
        for (int i = 0; i < e->list.len; i++) {
            if (i)
                buf_puts(b, ", ");
            cmp_operand(b, d, e->list.items[i], 0);
        }
        buf_putc(b, ')');
        break;
    case EX_BETWEEN:
        cmp_operand(b, d, e->a, P_PRED + 1);
        if (is_string(e->a))
            buf_puts(b, d->bytewise_order);
        buf_puts(b, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        cmp_operand(b, d, e->b, P_PRED + 1);
        buf_puts(b, " AND ");
        cmp_operand(b, d, e->c, P_PRED + 1);
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
            cmp_operand(b, d, e->a, 0);
        }
        for (int i = 0; i < e->list.len; i++) {
            const Expr *w = e->list.items[i];
            buf_puts(b, " WHEN ");
            if (e->a)
                cmp_operand(b, d, w->a, 0);
            else
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
    case EX_CALL: {
        if (twin_call(b, d, e))
            break;
        /* min, max, greatest, least order strings bytewise on both engines */
        bool order = e->list.len && is_string(e->list.items[0]) &&
                     (!strcmp(e->name, "min") || !strcmp(e->name, "max") ||
                      !strcmp(e->name, "greatest") || !strcmp(e->name, "least"));
        upper(b, e->name);
        buf_putc(b, '(');
        if (e->star)
            buf_putc(b, '*');
        if (e->distinct)
            buf_puts(b, "DISTINCT ");
        for (int i = 0; i < e->list.len; i++) {
            if (i)
                buf_puts(b, ", ");
            if (order && *d->bytewise_order) {
                sub(b, d, e->list.items[i], P_CAST);
                buf_puts(b, d->bytewise_order);
            } else {
                print_expr(b, d, e->list.items[i]);
            }
        }
        buf_putc(b, ')');
        break;
    }
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
