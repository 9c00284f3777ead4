/* resolve.c - resolve column references and infer expression types (see resolve.h).
 *
 * The rules follow what both PostgreSQL 15 and Redshift accept, and refuse
 * what either would reject or where the two would give different answers
 * (redshift-notes.md sections 2 and 7).  Each error names its check:
 * resolve-alias, resolve-column, ambiguous-column, type-mismatch, function,
 * cast, extract, aggregate, type-assign, string-length.
 */
#include "resolve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident.h"

typedef struct ParseCtx {
    Diag *d;
    const Scalar *s;
} ParseCtx;

static void on_syntax(void *ctx, int start, int end, const char *msg)
{
    ParseCtx *p = ctx;
    diag_expr_error(p->d, p->s, start, end, "syntax", "%s", msg);
}

Expr *resolve_parse(Arena *a, Diag *d, const Scalar *s, ParseMode mode)
{
    ParseCtx p = {d, s};
    return expr_parse(a, s->s, s->len, mode, on_syntax, &p);
}

bool resolve_column_type(Arena *a, Diag *d, const Scalar *s, SqlType *out)
{
    Expr *e = resolve_parse(a, d, s, PARSE_TYPE);
    if (!e || !e->tn)
        return false;
    const char *err, *hint;
    if (!type_from_name(e->tn->name, e->tn->nparams, e->tn->params, out, &err, &hint)) {
        diag_expr_error(d, s, e->tn->start, e->tn->end, "column-type", "%s: \"%s\"", err, s->s);
        if (hint)
            diag_hint(d, "%s", hint);
        return false;
    }
    if (out->kind == T_INTERVAL) {
        diag_expr_error(d, s, e->tn->start, e->tn->end, "column-type",
                        "interval is not a column type in Redshift");
        diag_hint(d, "store a number of seconds (bigint) or two timestamps instead");
        *out = type_make(T_UNKNOWN);
        return false;
    }
    return true;
}

static const char *tname(Resolver *r, SqlType t)
{
    char buf[64];
    return arena_strdup(r->a, type_str(t, buf, sizeof buf));
}

static void err(Resolver *r, const Expr *e, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err(Resolver *r, const Expr *e, const char *check, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    diag_expr_error(r->d, r->src, e->start, e->end, check, "%s", msg ? msg : fmt);
    free(msg);
}

/* ---- column references ---- */

static void suggest_column(Resolver *r, const char *name, TableDef *only)
{
    const char *best = NULL, *best_alias = NULL;
    int bd = 3;
    for (int i = 0; i < r->scope->n; i++) {
        TableDef *t = r->scope->table[i];
        if (only && t != only)
            continue;
        for (size_t j = 0; j < t->columns.len; j++) {
            ColumnDef *c = t->columns.items[j];
            int d = ident_distance(name, c->name, 2);
            if (d < bd || (d == bd && best && strcmp(c->name, best) < 0)) {
                bd = d;
                best = c->name;
                best_alias = r->scope->alias[i];
            }
        }
    }
    if (best && (only || r->scope->n == 1))
        diag_hint(r->d, "did you mean \"%s\"?", best);
    else if (best)
        diag_hint(r->d, "did you mean \"%s.%s\"?", best_alias, best);
}

static SqlType resolve_column(Resolver *r, Expr *e)
{
    if (e->qualifier) {
        int i;
        for (i = 0; i < r->scope->n; i++)
            if (!strcmp(r->scope->alias[i], e->qualifier))
                break;
        if (i == r->scope->n) {
            err(r, e, "resolve-alias", "unknown table or alias \"%s\"", e->qualifier);
            Buf b;
            buf_init(&b);
            for (int k = 0; k < r->scope->n; k++)
                buf_printf(&b, "%s\"%s\"", k ? ", " : "", r->scope->alias[k]);
            diag_hint(r->d, "in scope here: %s", b.data);
            buf_free(&b);
            return type_make(T_UNKNOWN);
        }
        ColumnDef *c = table_column(r->scope->table[i], e->name);
        if (!c) {
            char *q = arena_printf(r->a, "%s\" (%s", e->qualifier, r->scope->table[i]->name);
            err(r, e, "resolve-column", "unknown column \"%s\" in \"%s)", e->name, q);
            suggest_column(r, e->name, r->scope->table[i]);
            return type_make(T_UNKNOWN);
        }
        e->ref = c;
        e->ref_alias = r->scope->alias[i];
        return c->type;
    }
    ColumnDef *found = NULL;
    const char *alias = NULL;
    for (int i = 0; i < r->scope->n; i++) {
        ColumnDef *c = table_column(r->scope->table[i], e->name);
        if (!c)
            continue;
        if (found) {
            err(r, e, "ambiguous-column", "column \"%s\" is ambiguous: it is in \"%s\" and \"%s\"",
                e->name, alias, r->scope->alias[i]);
            diag_hint(r->d, "qualify it: %s.%s", alias, e->name);
            return type_make(T_UNKNOWN);
        }
        found = c;
        alias = r->scope->alias[i];
    }
    if (!found) {
        err(r, e, "resolve-column", "unknown column \"%s\"%s", e->name,
            r->scope->n == 1 ? arena_printf(r->a, " in \"%s\"", r->scope->table[0]->name) : "");
        if (r->src->style == SCALAR_SINGLE || r->src->style == SCALAR_DOUBLE)
            diag_hint(r->d,
                      "YAML took the quotes around this value; for a SQL string quote it "
                      "twice: \"'%s'\"",
                      r->src->s);
        else
            suggest_column(r, e->name, NULL);
        return type_make(T_UNKNOWN);
    }
    e->ref = found;
    e->ref_alias = alias;
    return found->type;
}

/* ---- type algebra ---- */

static bool unknown(SqlType t)
{
    return t.kind == T_UNKNOWN;
}

/* Decimal digits an integer type can hold. */
static int int_digits(SqlType t)
{
    return t.kind == T_SMALLINT ? 5 : t.kind == T_INTEGER ? 10 : 19;
}

static SqlType as_decimal(SqlType t)
{
    if (t.kind == T_DECIMAL)
        return t;
    SqlType d = type_make(T_DECIMAL);
    d.p = int_digits(t);
    return d;
}

/* Redshift's documented result precision and scale for decimal arithmetic
 * (PostgreSQL's numeric is unbounded, so this is the tighter of the two). */
static SqlType decimal_arith(ExprOp op, SqlType a, SqlType b)
{
    a = as_decimal(a);
    b = as_decimal(b);
    SqlType t = type_make(T_DECIMAL);
    switch (op) {
    case OP_MUL:
        t.s = a.s + b.s;
        t.p = a.p + b.p;
        break;
    case OP_DIV:
        t.s = 4 > a.s + b.p - b.s + 1 ? 4 : a.s + b.p - b.s + 1;
        t.p = a.p - a.s + b.s + t.s;
        break;
    default: {
        t.s = a.s > b.s ? a.s : b.s;
        int ia = a.p - a.s, ib = b.p - b.s;
        t.p = (ia > ib ? ia : ib) + 1 + t.s;
        break;
    }
    }
    if (t.s > 37)
        t.s = 37;
    if (t.p > 38)
        t.p = 38;
    if (t.s > t.p)
        t.s = t.p;
    return t;
}

/* The common type of two values that meet (CASE branches, COALESCE, IN lists,
 * comparisons).  ok = false when they cannot meet. */
static SqlType unify(SqlType a, SqlType b, bool *ok)
{
    *ok = true;
    if (a.kind == T_NULL)
        return b;
    if (b.kind == T_NULL)
        return a;
    if (a.literal && type_cat(a) == CAT_STRING && type_cat(b) != CAT_STRING)
        return b;
    if (b.literal && type_cat(b) == CAT_STRING && type_cat(a) != CAT_STRING)
        return a;
    TypeCat ca = type_cat(a), cb = type_cat(b);
    if (ca != cb) {
        *ok = false;
        return type_make(T_UNKNOWN);
    }
    SqlType t = a;
    t.literal = a.literal && b.literal;
    switch (ca) {
    case CAT_NUMERIC:
        if (a.kind == T_DOUBLE || b.kind == T_DOUBLE || a.kind == T_REAL || b.kind == T_REAL)
            return type_make(a.kind == T_REAL && b.kind == T_REAL ? T_REAL : T_DOUBLE);
        if (a.kind == T_DECIMAL || b.kind == T_DECIMAL) {
            t = type_make(T_DECIMAL);
            int sa = a.kind == T_DECIMAL ? a.s : 0, sb = b.kind == T_DECIMAL ? b.s : 0;
            int ia = a.kind == T_DECIMAL ? a.p - a.s : int_digits(a);
            int ib = b.kind == T_DECIMAL ? b.p - b.s : int_digits(b);
            t.s = sa > sb ? sa : sb;
            t.p = (ia > ib ? ia : ib) + t.s;
            if (t.p > 38)
                t.p = 38;
            return t;
        }
        return type_make(a.kind > b.kind ? a.kind : b.kind);
    case CAT_STRING:
        t = type_make(T_VARCHAR);
        t.p = a.p > b.p ? a.p : b.p;
        t.max = a.max || b.max;
        t.literal = a.literal && b.literal;
        return t;
    case CAT_DATETIME:
        if (a.kind == b.kind)
            return a;
        if ((a.kind == T_DATE || a.kind == T_TIMESTAMP) &&
            (b.kind == T_DATE || b.kind == T_TIMESTAMP))
            return type_make(T_TIMESTAMP);
        *ok = false;
        return type_make(T_UNKNOWN);
    default: return a;
    }
}

static SqlType arith(Resolver *r, Expr *e, SqlType a, SqlType b)
{
    TypeCat ca = type_cat(a), cb = type_cat(b);
    ExprOp op = e->op;
    if (a.kind == T_NULL || b.kind == T_NULL)
        return a.kind == T_NULL ? b : a;
    if (ca == CAT_NUMERIC && cb == CAT_NUMERIC) {
        bool ok;
        SqlType u = unify(a, b, &ok);
        if (u.kind == T_DECIMAL)
            return decimal_arith(op, a, b);
        return u;
    }
    if (op == OP_ADD || op == OP_SUB) {
        if (ca == CAT_DATETIME && cb == CAT_INTERVAL)
            return a.kind == T_DATE ? type_make(T_TIMESTAMP) : a;
        if (op == OP_ADD && ca == CAT_INTERVAL && cb == CAT_DATETIME)
            return b.kind == T_DATE ? type_make(T_TIMESTAMP) : b;
        if (ca == CAT_INTERVAL && cb == CAT_INTERVAL)
            return a;
        if (a.kind == T_DATE && type_is_integer(b))
            return a;
        if (op == OP_SUB && a.kind == T_DATE && b.kind == T_DATE)
            return type_make(T_INTEGER);
        if (op == OP_SUB && ca == CAT_DATETIME && cb == CAT_DATETIME && a.kind != T_DATE &&
            b.kind != T_DATE)
            return type_make(T_INTERVAL);
    }
    if (op == OP_MUL &&
        ((ca == CAT_INTERVAL && cb == CAT_NUMERIC) || (ca == CAT_NUMERIC && cb == CAT_INTERVAL)))
        return type_make(T_INTERVAL);
    if (op == OP_DIV && ca == CAT_INTERVAL && cb == CAT_NUMERIC)
        return type_make(T_INTERVAL);
    static const char *ops[] = {
        [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/", [OP_MOD] = "%"};
    err(r, e, "type-mismatch", "operator %s cannot combine these types (%s)", ops[op],
        arena_printf(r->a, "%s and %s", tname(r, a), tname(r, b)));
    if (ca == CAT_STRING || cb == CAT_STRING)
        diag_hint(r->d, "cast the string first, e.g. cast(x as integer)");
    return type_make(T_UNKNOWN);
}

/* An untyped string literal that meets a number or a boolean must read as one,
 * or both engines fail at run time ("invalid input syntax"). */
static bool literal_reads_as(Resolver *r, const Expr *lit, SqlType t)
{
    if (!lit || lit->kind != EX_STRING)
        return true;
    TypeCat c = type_cat(t);
    const char *v = lit->text;
    if (c == CAT_NUMERIC) {
        char *end = NULL;
        while (*v == ' ')
            v++;
        strtod(v, &end);
        if (*v && end != v) {
            while (*end == ' ')
                end++;
            if (!*end && (!type_is_integer(t) || !strpbrk(v, ".eE")))
                return true;
        }
    } else if (c == CAT_BOOLEAN) {
        if (!strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "t") || !strcmp(v, "f"))
            return true;
    } else {
        return true;
    }
    char ty[64];
    err(r, lit, "type-mismatch", "'%s' is not a valid %s", lit->text, type_str(t, ty, sizeof ty));
    return false;
}

/* Checks two operands that meet (comparison, IN, BETWEEN): types and literals. */
static bool operands_meet(Resolver *r, const Expr *at, const Expr *x, SqlType a, const Expr *y,
                          SqlType b);

static bool comparable(Resolver *r, const Expr *at, SqlType a, SqlType b)
{
    bool ok;
    unify(a, b, &ok);
    if (!ok) {
        err(r, at, "type-mismatch", "cannot compare %s with %s", tname(r, a), tname(r, b));
        diag_hint(r->d, "cast one side so both have the same kind of type");
    }
    return ok;
}

static bool operands_meet(Resolver *r, const Expr *at, const Expr *x, SqlType a, const Expr *y,
                          SqlType b)
{
    if (!comparable(r, at, a, b))
        return false;
    return (int)literal_reads_as(r, x, b) & (int)literal_reads_as(r, y, a);
}

static bool want_bool(Resolver *r, const Expr *e, SqlType t, const char *what)
{
    if (unknown(t) || t.kind == T_BOOLEAN || t.kind == T_NULL)
        return true;
    err(r, e, "type-mismatch", "%s needs a boolean, not %s", what, tname(r, t));
    return false;
}

static bool want_string(Resolver *r, const Expr *e, SqlType t, const char *what)
{
    if (unknown(t) || type_cat(t) == CAT_STRING || t.kind == T_NULL)
        return true;
    err(r, e, "type-mismatch", "%s needs a string, not %s", what, tname(r, t));
    diag_hint(r->d, "cast it: cast(x as varchar(n))");
    return false;
}

/* ---- functions ---- */

typedef enum Rule {
    F_STRING_SAME,
    F_INT,
    F_UNIFY,
    F_FIRST,
    F_DATE_TRUNC,
    F_DATE_PART,
    F_NUMERIC_SAME,
    F_ROUND,
    F_MD5,
    F_CONCAT,
    F_REPLACE,
    F_SPLIT_PART,
    F_COUNT,
    F_SUM,
    F_MINMAX,
    F_AVG,
} Rule;

static const struct Func {
    const char *name;
    int min, max;
    Rule rule;
    bool aggregate;
} funcs[] = {
    {"abs", 1, 1, F_NUMERIC_SAME, false},
    {"avg", 1, 1, F_AVG, true},
    {"btrim", 1, 2, F_STRING_SAME, false},
    {"ceil", 1, 1, F_NUMERIC_SAME, false},
    {"ceiling", 1, 1, F_NUMERIC_SAME, false},
    {"char_length", 1, 1, F_INT, false},
    {"coalesce", 1, 32, F_UNIFY, false},
    {"concat", 2, 2, F_CONCAT, false},
    {"count", 0, 1, F_COUNT, true},
    {"date_part", 2, 2, F_DATE_PART, false},
    {"date_trunc", 2, 2, F_DATE_TRUNC, false},
    {"floor", 1, 1, F_NUMERIC_SAME, false},
    {"greatest", 1, 32, F_UNIFY, false},
    {"least", 1, 32, F_UNIFY, false},
    {"left", 2, 2, F_STRING_SAME, false},
    {"length", 1, 1, F_INT, false},
    {"lower", 1, 1, F_STRING_SAME, false},
    {"ltrim", 1, 2, F_STRING_SAME, false},
    {"max", 1, 1, F_MINMAX, true},
    {"md5", 1, 1, F_MD5, false},
    {"min", 1, 1, F_MINMAX, true},
    {"nullif", 2, 2, F_FIRST, false},
    {"octet_length", 1, 1, F_INT, false},
    {"replace", 3, 3, F_REPLACE, false},
    {"right", 2, 2, F_STRING_SAME, false},
    {"round", 1, 2, F_ROUND, false},
    {"rtrim", 1, 2, F_STRING_SAME, false},
    {"split_part", 3, 3, F_SPLIT_PART, false},
    {"substr", 2, 3, F_STRING_SAME, false},
    {"sum", 1, 1, F_SUM, true},
    {"trim", 1, 1, F_STRING_SAME, false},
    {"upper", 1, 1, F_STRING_SAME, false},
};

static const char *const dateparts[] = {"year", "quarter", "month",  "week",   "day",   "dow",
                                        "doy",  "hour",    "minute", "second", "epoch", NULL};

static bool datepart_ok(const char *f)
{
    for (int i = 0; dateparts[i]; i++)
        if (!strcmp(dateparts[i], f))
            return true;
    return false;
}

static SqlType resolve_call(Resolver *r, Expr *e)
{
    const struct Func *f = NULL;
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (!strcmp(funcs[i].name, e->name))
            f = &funcs[i];
    SqlType at[32];
    int n = e->list.len;
    for (int i = 0; i < n && i < 32; i++)
        at[i] = resolve_expr(r, e->list.items[i]);
    if (!f) {
        err(r, e, "function", "unknown function \"%s\"", e->name);
        const char *best = NULL;
        int bd = 3;
        for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
            int d = ident_distance(e->name, funcs[i].name, 2);
            if (d < bd) {
                bd = d;
                best = funcs[i].name;
            }
        }
        if (best)
            diag_hint(r->d, "did you mean \"%s\"?", best);
        else
            diag_hint(r->d, "only functions that behave the same in Redshift and PostgreSQL are "
                            "allowed; see the README's function list");
        return type_make(T_UNKNOWN);
    }
    if (f->aggregate && !r->aggregates_ok) {
        err(r, e, "aggregate", "aggregate %s() is not allowed here", e->name);
        diag_hint(r->d, "a load maps one row to one row; aggregates belong in analytics queries");
        return type_make(T_UNKNOWN);
    }
    if ((e->star || e->distinct) && f->rule != F_COUNT && !(e->distinct && f->aggregate)) {
        err(r, e, "function", "%s() takes no * or DISTINCT", e->name);
        return type_make(T_UNKNOWN);
    }
    if (!e->star && (n < f->min || n > f->max)) {
        err(r, e, "function", "%s() takes %s", e->name,
            f->min == f->max ? arena_printf(r->a, "%d argument%s", f->min, f->min == 1 ? "" : "s")
                             : arena_printf(r->a, "%d to %d arguments", f->min, f->max));
        return type_make(T_UNKNOWN);
    }
    for (int i = 0; i < n && i < 32; i++)
        if (unknown(at[i]))
            return type_make(T_UNKNOWN);
    SqlType t;
    bool ok = true;
    switch (f->rule) {
    case F_STRING_SAME:
        if (!want_string(r, e->list.items[0], at[0], arena_printf(r->a, "%s()", e->name)))
            return type_make(T_UNKNOWN);
        for (int i = 1; i < n; i++) {
            bool num =
                !strcmp(e->name, "left") || !strcmp(e->name, "right") || !strcmp(e->name, "substr");
            if (num && !type_is_integer(at[i]) && at[i].kind != T_NULL) {
                err(r, e->list.items[i], "type-mismatch", "%s() needs an integer here, not %s",
                    e->name, tname(r, at[i]));
                return type_make(T_UNKNOWN);
            }
            if (!num && !want_string(r, e->list.items[i], at[i], "this argument"))
                return type_make(T_UNKNOWN);
        }
        t = at[0].kind == T_NULL ? type_make(T_VARCHAR) : at[0];
        t.kind = T_VARCHAR;
        t.literal = false;
        return t;
    case F_INT:
        if (!want_string(r, e->list.items[0], at[0], arena_printf(r->a, "%s()", e->name)))
            return type_make(T_UNKNOWN);
        return type_make(T_INTEGER);
    case F_UNIFY:
        t = at[0];
        for (int i = 1; i < n && ok; i++) {
            t = unify(t, at[i], &ok);
            if (!ok)
                err(r, e->list.items[i], "type-mismatch",
                    "%s() arguments must share a type; this one is %s", e->name, tname(r, at[i]));
        }
        return t;
    case F_FIRST:
        if (!comparable(r, e, at[0], at[1]))
            return type_make(T_UNKNOWN);
        return at[0];
    case F_DATE_TRUNC:
    case F_DATE_PART: {
        Expr *u = e->list.items[0];
        if (u->kind != EX_STRING || !datepart_ok(u->text)) {
            err(r, u, "function", "the first argument of %s() must be a quoted date part: %s",
                e->name, "'year', 'month', 'week', 'day', 'hour', 'minute', 'second', …");
            return type_make(T_UNKNOWN);
        }
        if (type_cat(at[1]) != CAT_DATETIME && at[1].kind != T_NULL) {
            err(r, e->list.items[1], "type-mismatch", "%s() needs a date or timestamp, not %s",
                e->name, tname(r, at[1]));
            return type_make(T_UNKNOWN);
        }
        if (f->rule == F_DATE_PART)
            return type_make(T_DOUBLE);
        return at[1].kind == T_DATE ? type_make(T_TIMESTAMP) : at[1];
    }
    case F_NUMERIC_SAME:
    case F_ROUND:
        if (type_cat(at[0]) != CAT_NUMERIC && at[0].kind != T_NULL) {
            err(r, e->list.items[0], "type-mismatch", "%s() needs a number, not %s", e->name,
                tname(r, at[0]));
            return type_make(T_UNKNOWN);
        }
        if (n == 2 && !type_is_integer(at[1])) {
            err(r, e->list.items[1], "type-mismatch", "%s() needs an integer number of digits",
                e->name);
            return type_make(T_UNKNOWN);
        }
        return at[0];
    case F_MD5:
        t = type_make(T_VARCHAR);
        t.p = 32;
        return t;
    case F_CONCAT:
        if (!want_string(r, e->list.items[0], at[0], "concat()") ||
            !want_string(r, e->list.items[1], at[1], "concat()"))
            return type_make(T_UNKNOWN);
        t = type_make(T_VARCHAR);
        t.p = at[0].p + at[1].p;
        t.max = at[0].max || at[1].max || t.p > VARCHAR_MAX_BYTES;
        if (t.p > VARCHAR_MAX_BYTES)
            t.p = VARCHAR_MAX_BYTES;
        return t;
    case F_REPLACE:
    case F_SPLIT_PART:
        for (int i = 0; i < n; i++)
            if (!(f->rule == F_SPLIT_PART && i == 2) &&
                !want_string(r, e->list.items[i], at[i], arena_printf(r->a, "%s()", e->name)))
                return type_make(T_UNKNOWN);
        t = type_make(T_VARCHAR);
        t.p = f->rule == F_REPLACE ? VARCHAR_MAX_BYTES : at[0].p;
        t.max = f->rule == F_REPLACE || at[0].max;
        return t;
    case F_COUNT:
        if (!e->star && n != 1) {
            err(r, e, "function", "count() takes * or one argument");
            return type_make(T_UNKNOWN);
        }
        return type_make(T_BIGINT);
    case F_SUM:
        if (type_cat(at[0]) != CAT_NUMERIC) {
            err(r, e->list.items[0], "type-mismatch", "sum() needs a number, not %s",
                tname(r, at[0]));
            return type_make(T_UNKNOWN);
        }
        return type_is_integer(at[0]) ? type_make(T_BIGINT) : at[0];
    case F_AVG:
        if (type_cat(at[0]) != CAT_NUMERIC) {
            err(r, e->list.items[0], "type-mismatch", "avg() needs a number, not %s",
                tname(r, at[0]));
            return type_make(T_UNKNOWN);
        }
        return type_make(T_DOUBLE);
    case F_MINMAX: return at[0];
    }
    return type_make(T_UNKNOWN);
}

/* ---- casts ---- */

static bool castable(SqlType from, SqlType to)
{
    TypeCat f = type_cat(from), t = type_cat(to);
    if (f == CAT_NULL || f == t || f == CAT_STRING || t == CAT_STRING)
        return true;
    if (f == CAT_NUMERIC && t == CAT_BOOLEAN)
        return type_is_integer(from);
    if (f == CAT_BOOLEAN && t == CAT_NUMERIC)
        return type_is_integer(to);
    return false;
}

static SqlType resolve_cast(Resolver *r, Expr *e)
{
    SqlType from = resolve_expr(r, e->a);
    SqlType to;
    const char *msg, *hint;
    if (!type_from_name(e->tn->name, e->tn->nparams, e->tn->params, &to, &msg, &hint)) {
        diag_expr_error(r->d, r->src, e->tn->start, e->tn->end, "cast", "%s: \"%s\"", msg,
                        e->tn->name);
        if (hint)
            diag_hint(r->d, "%s", hint);
        return type_make(T_UNKNOWN);
    }
    if (unknown(from))
        return to;
    if (!castable(from, to)) {
        err(r, e, "cast", "cannot cast %s to %s", tname(r, from), tname(r, to));
        if (type_cat(from) == CAT_NUMERIC && type_cat(to) == CAT_DATETIME)
            diag_hint(r->d, "for epoch milliseconds write timestamp 'epoch' + x / 1000 * "
                            "interval '1 second'");
        return type_make(T_UNKNOWN);
    }
    return to;
}

static SqlType resolve_typed(Resolver *r, Expr *e)
{
    SqlType t;
    const char *msg, *hint;
    if (!type_from_name(e->tn->name, e->tn->nparams, e->tn->params, &t, &msg, &hint) ||
        (t.kind != T_TIMESTAMP && t.kind != T_TIMESTAMPTZ && t.kind != T_DATE && t.kind != T_TIME &&
         t.kind != T_INTERVAL)) {
        err(r, e, "typed-literal",
            "typed literals are timestamp, timestamptz, date, time or "
            "interval, not \"%s\"",
            e->tn->name);
        return type_make(T_UNKNOWN);
    }
    if (t.kind == T_INTERVAL) {
        /* "N unit [N unit …]": the form both engines read the same way */
        static const char *const units[] = {"microsecond", "millisecond", "second", "minute",
                                            "hour",        "day",         "week",   "month",
                                            "year",        NULL};
        const char *p = e->text;
        bool good = *p != '\0';
        while (good && *p) {
            while (*p == ' ')
                p++;
            if (*p == '-')
                p++;
            const char *num = p;
            while ((*p >= '0' && *p <= '9') || *p == '.')
                p++;
            if (p == num) {
                good = false;
                break;
            }
            while (*p == ' ')
                p++;
            const char *w = p;
            while (*p >= 'a' && *p <= 'z')
                p++;
            size_t wl = (size_t)(p - w);
            if (wl && w[wl - 1] == 's')
                wl--;
            bool found = false;
            for (int i = 0; units[i] && !found; i++)
                found = strlen(units[i]) == wl && !strncmp(units[i], w, wl);
            good = found;
            while (*p == ' ')
                p++;
        }
        if (!good) {
            err(r, e, "typed-literal",
                "interval '%s' is not of the form 'N unit' (e.g. '1 second')", e->text);
            return type_make(T_UNKNOWN);
        }
    }
    return t;
}

/* ---- the walk ---- */

SqlType resolve_expr(Resolver *r, Expr *e)
{
    SqlType t = type_make(T_UNKNOWN), a, b, c;
    bool ok;
    switch (e->kind) {
    case EX_COLUMN: t = resolve_column(r, e); break;
    case EX_INT: {
        size_t n = strlen(e->text);
        const char *p = e->text;
        while (*p == '0' && p[1])
            p++, n--;
        if (n > 38) {
            err(r, e, "literal", "integer literal %s has more than 38 digits", e->text);
            break;
        }
        if (n < 10 || (n == 10 && strcmp(p, "2147483647") <= 0))
            t = type_make(T_INTEGER);
        else if (n < 19 || (n == 19 && strcmp(p, "9223372036854775807") <= 0))
            t = type_make(T_BIGINT);
        else {
            t = type_make(T_DECIMAL);
            t.p = (int)n;
        }
        break;
    }
    case EX_NUM: {
        if (strpbrk(e->text, "eE")) {
            t = type_make(T_DOUBLE);
            break;
        }
        const char *dot = strchr(e->text, '.');
        int digits = 0, scale = 0;
        for (const char *p = e->text; *p; p++)
            if (*p >= '0' && *p <= '9') {
                digits++;
                if (dot && p > dot)
                    scale++;
            }
        t = type_make(T_DECIMAL);
        t.p = digits > 38 ? 38 : (digits ? digits : 1);
        t.s = scale > t.p ? t.p : scale;
        break;
    }
    case EX_STRING:
        t = type_make(T_VARCHAR);
        t.p = (int)strlen(e->text);
        t.literal = true;
        break;
    case EX_BOOL: t = type_make(T_BOOLEAN); break;
    case EX_NULL: t = type_make(T_NULL); break;
    case EX_TYPED_LIT: t = resolve_typed(r, e); break;
    case EX_UNARY:
        a = resolve_expr(r, e->a);
        if (unknown(a))
            break;
        if (e->op == OP_NOT) {
            if (want_bool(r, e->a, a, "not"))
                t = type_make(T_BOOLEAN);
        } else if (type_cat(a) == CAT_NUMERIC || type_cat(a) == CAT_INTERVAL || a.kind == T_NULL) {
            t = a;
        } else {
            err(r, e, "type-mismatch", "unary %s needs a number, not %s",
                e->op == OP_NEG ? "-" : "+", tname(r, a));
        }
        break;
    case EX_BINARY:
        a = resolve_expr(r, e->a);
        b = resolve_expr(r, e->b);
        if (unknown(a) || unknown(b))
            break;
        switch (e->op) {
        case OP_AND:
        case OP_OR:
            if ((int)want_bool(r, e->a, a, e->op == OP_AND ? "and" : "or") &
                (int)want_bool(r, e->b, b, e->op == OP_AND ? "and" : "or"))
                t = type_make(T_BOOLEAN);
            break;
        case OP_EQ:
        case OP_NE:
        case OP_LT:
        case OP_LE:
        case OP_GT:
        case OP_GE:
            if (operands_meet(r, e, e->a, a, e->b, b))
                t = type_make(T_BOOLEAN);
            break;
        case OP_CONCAT:
            if ((int)want_string(r, e->a, a, "operator ||") &
                (int)want_string(r, e->b, b, "operator ||")) {
                t = type_make(T_VARCHAR);
                t.p = a.p + b.p;
                t.max = a.max || b.max || t.p > VARCHAR_MAX_BYTES;
                if (t.p > VARCHAR_MAX_BYTES)
                    t.p = VARCHAR_MAX_BYTES;
            }
            break;
        default: t = arith(r, e, a, b); break;
        }
        break;
    case EX_ISNULL:
        resolve_expr(r, e->a);
        t = type_make(T_BOOLEAN);
        break;
    case EX_IN:
        a = resolve_expr(r, e->a);
        ok = !unknown(a);
        for (int i = 0; i < e->list.len; i++) {
            b = resolve_expr(r, e->list.items[i]);
            if (ok && !unknown(b) &&
                !operands_meet(r, e->list.items[i], e->a, a, e->list.items[i], b))
                ok = false;
        }
        if (ok)
            t = type_make(T_BOOLEAN);
        break;
    case EX_BETWEEN:
        a = resolve_expr(r, e->a);
        b = resolve_expr(r, e->b);
        c = resolve_expr(r, e->c);
        if (!unknown(a) && !unknown(b) && !unknown(c) && operands_meet(r, e->b, e->a, a, e->b, b) &&
            operands_meet(r, e->c, e->a, a, e->c, c))
            t = type_make(T_BOOLEAN);
        break;
    case EX_LIKE:
        a = resolve_expr(r, e->a);
        b = resolve_expr(r, e->b);
        if (!unknown(a) && !unknown(b) &&
            ((int)want_string(r, e->a, a, e->op == OP_ILIKE ? "ilike" : "like") &
             (int)want_string(r, e->b, b, "a pattern")))
            t = type_make(T_BOOLEAN);
        break;
    case EX_CASE: {
        SqlType op = e->a ? resolve_expr(r, e->a) : type_make(T_UNKNOWN);
        SqlType res = type_make(T_NULL);
        ok = true;
        for (int i = 0; i < e->list.len; i++) {
            Expr *w = e->list.items[i];
            SqlType cond = resolve_expr(r, w->a);
            if (e->a) {
                if (!unknown(op) && !unknown(cond) && !comparable(r, w->a, op, cond))
                    ok = false;
            } else if (!want_bool(r, w->a, cond, "when")) {
                ok = false;
            }
            SqlType rt = resolve_expr(r, w->b);
            if (unknown(rt) || unknown(cond)) {
                ok = false;
                continue;
            }
            bool u;
            SqlType nt = unify(res, rt, &u);
            if (!u && ok) {
                err(r, w->b, "type-mismatch",
                    "case branches must share a type: this one is %s, "
                    "earlier ones are %s",
                    tname(r, rt), tname(r, res));
                ok = false;
            }
            if (u)
                res = nt;
        }
        if (e->c) {
            SqlType et = resolve_expr(r, e->c);
            bool u;
            SqlType nt = unify(res, et, &u);
            if (!unknown(et) && !u && ok) {
                err(r, e->c, "type-mismatch",
                    "case branches must share a type: else is %s, "
                    "the others are %s",
                    tname(r, et), tname(r, res));
                ok = false;
            }
            if (unknown(et))
                ok = false;
            res = nt;
        }
        if (ok)
            t = res;
        break;
    }
    case EX_WHEN: break; /* handled by EX_CASE */
    case EX_CAST: t = resolve_cast(r, e); break;
    case EX_EXTRACT:
        a = resolve_expr(r, e->a);
        if (!datepart_ok(e->name)) {
            err(r, e, "extract", "extract() does not know the field \"%s\"", e->name);
            diag_hint(r->d, "fields: year, quarter, month, week, day, dow, doy, hour, minute, "
                            "second, epoch");
            break;
        }
        if (unknown(a))
            break;
        if (type_cat(a) != CAT_DATETIME && a.kind != T_NULL) {
            err(r, e->a, "type-mismatch", "extract() needs a date or timestamp, not %s",
                tname(r, a));
            break;
        }
        /* every field but epoch fits a smallint (Redshift returns INTEGER, PostgreSQL
         * NUMERIC; both store into SMALLINT exactly; years up to 32767) */
        t = type_make(!strcmp(e->name, "epoch") ? T_BIGINT : T_SMALLINT);
        break;
    case EX_CALL: t = resolve_call(r, e); break;
    case EX_ORDER: t = resolve_expr(r, e->a); break;
    }
    e->type = t;
    return t;
}

bool resolve_boolean(Resolver *r, const Expr *e, const char *what)
{
    return want_bool(r, e, e->type, what);
}

bool resolve_assignable(Resolver *r, const Expr *e, const ColumnDef *c)
{
    SqlType s = e->type, t = c->type;
    if (unknown(s) || unknown(t))
        return true;
    char *col = arena_printf(r->a, "%s.%s", c->table->name, c->name);
    if (s.kind == T_NULL) {
        if (c->not_null) {
            err(r, e, "not-null", "NULL mapped into the NOT NULL column %s", col);
            return false;
        }
        return true;
    }
    TypeCat cs = type_cat(s), ct = type_cat(t);
    if (s.literal && cs == CAT_STRING && ct != CAT_STRING)
        return literal_reads_as(r, e, t); /* an untyped literal, like PostgreSQL's unknown */
    bool ok = cs == ct;
    if (ok && type_is_integer(t) && type_is_integer(s) && s.kind > t.kind) {
        err(r, e, "type-assign", "%s values may not fit the %s column %s", tname(r, s), tname(r, t),
            col);
        diag_hint(r->d, "widen the column, or cast(x as %s) if every value fits", tname(r, t));
        return false;
    }
    if (ok && ct == CAT_NUMERIC && type_is_integer(t) && !type_is_integer(s)) {
        err(r, e, "type-assign", "%s would be rounded into the integer column %s", tname(r, s),
            col);
        diag_hint(r->d, "say how: cast(round(x) as %s), or cast(floor(x) as %s)", tname(r, t),
                  tname(r, t));
        return false;
    }
    if (ok && ct == CAT_DATETIME && s.kind != t.kind &&
        !(s.kind == T_DATE && (t.kind == T_TIMESTAMP || t.kind == T_TIMESTAMPTZ)) &&
        !(s.kind == T_TIMESTAMP && t.kind == T_TIMESTAMPTZ)) {
        ok = false;
    }
    if (!ok) {
        const char *sn = tname(r, s);
        err(r, e, "type-assign", "%s %s value cannot go into the %s column %s",
            strchr("aeiou", sn[0]) ? "an" : "a", sn, tname(r, t), col);
        /* the column name is in the message's YAML key already; hint the fix */
        diag_hint(r->d, "cast it explicitly: cast(... as %s)", tname(r, t));
        return false;
    }
    if (ct == CAT_STRING && !t.max && (s.max || s.p > t.p)) {
        err(r, e, "string-length", "a %s value may not fit %s (%s): lengths are bytes", tname(r, s),
            col, tname(r, t));
        diag_hint(r->d, "widen the column to %s, or cast(x as varchar(%d)) to cut it on purpose",
                  tname(r, s), t.p);
        return false;
    }
    return true;
}

bool expr_has_aggregate(const Expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_CALL)
        for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
            if (funcs[i].aggregate && !strcmp(funcs[i].name, e->name))
                return true;
    if (expr_has_aggregate(e->a) || expr_has_aggregate(e->b) || expr_has_aggregate(e->c))
        return true;
    for (int i = 0; i < e->list.len; i++)
        if (expr_has_aggregate(e->list.items[i]))
            return true;
    return false;
}

void expr_columns(const Expr *e, void (*fn)(const Expr *col, void *ctx), void *ctx)
{
    if (!e)
        return;
    if (e->kind == EX_COLUMN)
        fn(e, ctx);
    expr_columns(e->a, fn, ctx);
    expr_columns(e->b, fn, ctx);
    expr_columns(e->c, fn, ctx);
    for (int i = 0; i < e->list.len; i++)
        expr_columns(e->list.items[i], fn, ctx);
}
