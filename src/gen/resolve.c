/* resolve.c - resolve column references and infer expression types (see resolve.h).
 *
 * The rules follow what both PostgreSQL 15 and Redshift accept, and refuse
 * what either would reject or where the two would give different answers
 * (redshift-notes.md sections 2 and 7).  Each error names its check:
 * resolve-alias, resolve-column, ambiguous-column, type-mismatch, function,
 * cast, extract, aggregate, type-assign, string-length.
 */
#include "resolve_internal.h"

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

const char *resolve_type_name(Resolver *r, SqlType t)
{
    char buf[64];
    return arena_strdup(r->a, type_str(t, buf, sizeof buf));
}

void resolve_error(Resolver *r, const Expr *e, const char *check, const char *fmt, ...)
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
            resolve_error(r, e, "resolve-alias", "unknown table or alias \"%s\"", e->qualifier);
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
            resolve_error(r, e, "resolve-column", "unknown column \"%s\" in \"%s)", e->name, q);
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
            resolve_error(r, e, "ambiguous-column",
                          "column \"%s\" is ambiguous: it is in \"%s\" and \"%s\"", e->name, alias,
                          r->scope->alias[i]);
            diag_hint(r->d, "qualify it: %s.%s", alias, e->name);
            return type_make(T_UNKNOWN);
        }
        found = c;
        alias = r->scope->alias[i];
    }
    if (!found) {
        resolve_error(r, e, "resolve-column", "unknown column \"%s\"%s", e->name,
                      r->scope->n == 1 ? arena_printf(r->a, " in \"%s\"", r->scope->table[0]->name)
                                       : "");
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

static SqlType arith(Resolver *r, Expr *e, SqlType a, SqlType b)
{
    TypeCat ca = type_cat(a), cb = type_cat(b);
    ExprOp op = e->op;
    if (a.kind == T_NULL || b.kind == T_NULL)
        return a.kind == T_NULL ? b : a;
    if (ca == CAT_NUMERIC && cb == CAT_NUMERIC) {
        bool ok;
        SqlType u = type_unify(a, b, &ok);
        if (u.kind == T_DECIMAL)
            return type_decimal_arith(op, a, b);
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
    resolve_error(
        r, e, "type-mismatch", "operator %s cannot combine these types (%s)", ops[op],
        arena_printf(r->a, "%s and %s", resolve_type_name(r, a), resolve_type_name(r, b)));
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
    resolve_error(r, lit, "type-mismatch", "'%s' is not a valid %s", lit->text,
                  type_str(t, ty, sizeof ty));
    return false;
}

/* Checks two operands that meet (comparison, IN, BETWEEN): types and literals. */
static bool operands_meet(Resolver *r, const Expr *at, const Expr *x, SqlType a, const Expr *y,
                          SqlType b);

bool resolve_comparable(Resolver *r, const Expr *at, SqlType a, SqlType b)
{
    bool ok;
    type_unify(a, b, &ok);
    if (!ok) {
        resolve_error(r, at, "type-mismatch", "cannot compare %s with %s", resolve_type_name(r, a),
                      resolve_type_name(r, b));
        diag_hint(r->d, "cast one side so both have the same kind of type");
    }
    return ok;
}

static bool operands_meet(Resolver *r, const Expr *at, const Expr *x, SqlType a, const Expr *y,
                          SqlType b)
{
    if (!resolve_comparable(r, at, a, b))
        return false;
    return (int)literal_reads_as(r, x, b) & (int)literal_reads_as(r, y, a);
}

static bool want_bool(Resolver *r, const Expr *e, SqlType t, const char *what)
{
    if (type_unknown(t) || t.kind == T_BOOLEAN || t.kind == T_NULL)
        return true;
    resolve_error(r, e, "type-mismatch", "%s needs a boolean, not %s", what,
                  resolve_type_name(r, t));
    return false;
}

bool resolve_want_string(Resolver *r, const Expr *e, SqlType t, const char *what)
{
    if (type_unknown(t) || type_cat(t) == CAT_STRING || t.kind == T_NULL)
        return true;
    resolve_error(r, e, "type-mismatch", "%s needs a string, not %s", what,
                  resolve_type_name(r, t));
    diag_hint(r->d, "cast it: cast(x as varchar(n))");
    return false;
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
            resolve_error(r, e, "literal", "integer literal %s has more than 38 digits", e->text);
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
        if (type_unknown(a))
            break;
        if (e->op == OP_NOT) {
            if (want_bool(r, e->a, a, "not"))
                t = type_make(T_BOOLEAN);
        } else if (type_cat(a) == CAT_NUMERIC || type_cat(a) == CAT_INTERVAL || a.kind == T_NULL) {
            t = a;
        } else {
            resolve_error(r, e, "type-mismatch", "unary %s needs a number, not %s",
                          e->op == OP_NEG ? "-" : "+", resolve_type_name(r, a));
        }
        break;
    case EX_BINARY:
        a = resolve_expr(r, e->a);
        b = resolve_expr(r, e->b);
        if (type_unknown(a) || type_unknown(b))
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
            if ((int)resolve_want_string(r, e->a, a, "operator ||") &
                (int)resolve_want_string(r, e->b, b, "operator ||")) {
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
        ok = !type_unknown(a);
        for (int i = 0; i < e->list.len; i++) {
            b = resolve_expr(r, e->list.items[i]);
            if (ok && !type_unknown(b) &&
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
        if (!type_unknown(a) && !type_unknown(b) && !type_unknown(c) &&
            operands_meet(r, e->b, e->a, a, e->b, b) && operands_meet(r, e->c, e->a, a, e->c, c))
            t = type_make(T_BOOLEAN);
        break;
    case EX_LIKE:
        a = resolve_expr(r, e->a);
        b = resolve_expr(r, e->b);
        if (!type_unknown(a) && !type_unknown(b) &&
            ((int)resolve_want_string(r, e->a, a, e->op == OP_ILIKE ? "ilike" : "like") &
             (int)resolve_want_string(r, e->b, b, "a pattern")))
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
                if (!type_unknown(op) && !type_unknown(cond) &&
                    !resolve_comparable(r, w->a, op, cond))
                    ok = false;
            } else if (!want_bool(r, w->a, cond, "when")) {
                ok = false;
            }
            SqlType rt = resolve_expr(r, w->b);
            if (type_unknown(rt) || type_unknown(cond)) {
                ok = false;
                continue;
            }
            bool u;
            SqlType nt = type_unify(res, rt, &u);
            if (!u && ok) {
                resolve_error(r, w->b, "type-mismatch",
                              "case branches must share a type: this one is %s, "
                              "earlier ones are %s",
                              resolve_type_name(r, rt), resolve_type_name(r, res));
                ok = false;
            }
            if (u)
                res = nt;
        }
        if (e->c) {
            SqlType et = resolve_expr(r, e->c);
            bool u;
            SqlType nt = type_unify(res, et, &u);
            if (!type_unknown(et) && !u && ok) {
                resolve_error(r, e->c, "type-mismatch",
                              "case branches must share a type: else is %s, "
                              "the others are %s",
                              resolve_type_name(r, et), resolve_type_name(r, res));
                ok = false;
            }
            if (type_unknown(et))
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
        if (!resolve_datepart_ok(e->name)) {
            resolve_error(r, e, "extract", "extract() does not know the field \"%s\"", e->name);
            diag_hint(r->d, "fields: year, quarter, month, week, day, dow, doy, hour, minute, "
                            "second, epoch");
            break;
        }
        if (type_unknown(a))
            break;
        if (type_cat(a) != CAT_DATETIME && a.kind != T_NULL) {
            resolve_error(r, e->a, "type-mismatch", "extract() needs a date or timestamp, not %s",
                          resolve_type_name(r, a));
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

/* A literal mapped into decimal(p,s) must have at most p - s integer digits,
 * as integer literals are checked against smallint: '1000' into decimal(5,2)
 * is a compile error, not "numeric field overflow" at run time. */
static bool literal_fits_decimal(Resolver *r, const Expr *e, SqlType t, const char *col)
{
    if (t.kind != T_DECIMAL || !t.p ||
        (e->kind != EX_STRING && e->kind != EX_INT && e->kind != EX_NUM))
        return true;
    const char *v = e->text;
    while (*v == ' ' || *v == '-' || *v == '+')
        v++;
    char *end;
    double x = strtod(v, &end);
    if (end == v)
        return true; /* not a number: literal_reads_as said so */
    int digits = 0;
    for (double y = x; y >= 1.0 && digits < 400; y /= 10)
        digits++;
    if (digits <= t.p - t.s)
        return true;
    resolve_error(r, e, "type-assign",
                  "'%s' does not fit the decimal(%d,%d) column %s (at most %d "
                  "digits before the point)",
                  e->text, t.p, t.s, col, t.p - t.s);
    diag_hint(r->d, "widen the column");
    return false;
}

bool resolve_assignable(Resolver *r, const Expr *e, const ColumnDef *c)
{
    SqlType s = e->type, t = c->type;
    if (type_unknown(s) || type_unknown(t))
        return true;
    char *col = arena_printf(r->a, "%s.%s", c->table->name, c->name);
    if (s.kind == T_NULL) {
        if (c->not_null) {
            resolve_error(r, e, "not-null", "NULL mapped into the NOT NULL column %s", col);
            return false;
        }
        return true;
    }
    TypeCat cs = type_cat(s), ct = type_cat(t);
    if (s.literal && cs == CAT_STRING && ct != CAT_STRING)
        return literal_reads_as(r, e, t) && literal_fits_decimal(r, e, t, col);
    if ((e->kind == EX_INT || e->kind == EX_NUM) && !literal_fits_decimal(r, e, t, col))
        return false;
    bool ok = cs == ct;
    if (ok && type_is_integer(t) && type_is_integer(s) && s.kind > t.kind) {
        resolve_error(r, e, "type-assign", "%s values may not fit the %s column %s",
                      resolve_type_name(r, s), resolve_type_name(r, t), col);
        diag_hint(r->d, "widen the column, or cast(x as %s) if every value fits",
                  resolve_type_name(r, t));
        return false;
    }
    if (ok && ct == CAT_NUMERIC && type_is_integer(t) && !type_is_integer(s)) {
        resolve_error(r, e, "type-assign", "%s would be rounded into the integer column %s",
                      resolve_type_name(r, s), col);
        diag_hint(r->d, "say how: cast(round(x) as %s), or cast(floor(x) as %s)",
                  resolve_type_name(r, t), resolve_type_name(r, t));
        return false;
    }
    if (ok && ct == CAT_DATETIME && s.kind != t.kind &&
        !(s.kind == T_DATE && (t.kind == T_TIMESTAMP || t.kind == T_TIMESTAMPTZ)) &&
        !(s.kind == T_TIMESTAMP && t.kind == T_TIMESTAMPTZ)) {
        ok = false;
    }
    if (!ok) {
        const char *sn = resolve_type_name(r, s);
        resolve_error(r, e, "type-assign", "%s %s value cannot go into the %s column %s",
                      strchr("aeiou", sn[0]) ? "an" : "a", sn, resolve_type_name(r, t), col);
        /* the column name is in the message's YAML key already; hint the fix */
        diag_hint(r->d, "cast it explicitly: cast(... as %s)", resolve_type_name(r, t));
        return false;
    }
    if (ct == CAT_STRING && !t.max && (s.max || s.p > t.p)) {
        resolve_error(r, e, "string-length", "a %s value may not fit %s (%s): lengths are bytes",
                      resolve_type_name(r, s), col, resolve_type_name(r, t));
        diag_hint(r->d, "widen the column to %s, or cast(x as varchar(%d)) to cut it on purpose",
                  resolve_type_name(r, s), t.p);
        return false;
    }
    return true;
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
