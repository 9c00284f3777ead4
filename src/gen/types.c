/* types.c - type names, categories and canonical spellings (see types.h). */
#include "types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

SqlType type_make(TypeKind k)
{
    SqlType t = {0};
    t.kind = k;
    return t;
}

TypeCat type_cat(SqlType t)
{
    switch (t.kind) {
    case T_UNKNOWN: return CAT_NONE;
    case T_NULL: return CAT_NULL;
    case T_SMALLINT:
    case T_INTEGER:
    case T_BIGINT:
    case T_DECIMAL:
    case T_REAL:
    case T_DOUBLE: return CAT_NUMERIC;
    case T_BOOLEAN: return CAT_BOOLEAN;
    case T_CHAR:
    case T_VARCHAR: return CAT_STRING;
    case T_DATE:
    case T_TIME:
    case T_TIMESTAMP:
    case T_TIMESTAMPTZ: return CAT_DATETIME;
    case T_INTERVAL: return CAT_INTERVAL;
    }
    return CAT_NONE;
}

bool type_is_integer(SqlType t)
{
    return t.kind == T_SMALLINT || t.kind == T_INTEGER || t.kind == T_BIGINT;
}

static const struct {
    const char *name;
    TypeKind kind;
    int params; /* 0 none, 1 length required, 2 precision[, scale] optional */
} names[] = {
    {"smallint", T_SMALLINT, 0},
    {"int2", T_SMALLINT, 0},
    {"integer", T_INTEGER, 0},
    {"int", T_INTEGER, 0},
    {"int4", T_INTEGER, 0},
    {"bigint", T_BIGINT, 0},
    {"int8", T_BIGINT, 0},
    {"decimal", T_DECIMAL, 2},
    {"numeric", T_DECIMAL, 2},
    {"real", T_REAL, 0},
    {"float4", T_REAL, 0},
    {"double precision", T_DOUBLE, 0},
    {"float8", T_DOUBLE, 0},
    {"float", T_DOUBLE, 0},
    {"boolean", T_BOOLEAN, 0},
    {"bool", T_BOOLEAN, 0},
    {"char", T_CHAR, 1},
    {"character", T_CHAR, 1},
    {"varchar", T_VARCHAR, 1},
    {"character varying", T_VARCHAR, 1},
    {"date", T_DATE, 0},
    {"time", T_TIME, 0},
    {"time without time zone", T_TIME, 0},
    {"timestamp", T_TIMESTAMP, 0},
    {"timestamp without time zone", T_TIMESTAMP, 0},
    {"timestamptz", T_TIMESTAMPTZ, 0},
    {"timestamp with time zone", T_TIMESTAMPTZ, 0},
    {"interval", T_INTERVAL, 0},
};

static bool parse_num(const char *s, int lo, int hi, int *out)
{
    if (!s || !*s)
        return false;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
        if (v > hi)
            return false;
    }
    if (v < lo)
        return false;
    *out = (int)v;
    return true;
}

bool type_from_name(const char *name, int nparams, char *const params[2], SqlType *out,
                    const char **err, const char **hint)
{
    *hint = NULL;
    int i;
    int n = (int)(sizeof names / sizeof names[0]);
    for (i = 0; i < n; i++)
        if (strcmp(names[i].name, name) == 0)
            break;
    if (i == n) {
        if (strcmp(name, "text") == 0 || strcmp(name, "string") == 0) {
            *err = "type \"text\" is not portable: Redshift silently makes it varchar(256)";
            *hint = "write varchar(n) with a byte length, or varchar(max)";
        } else if (strcmp(name, "serial") == 0 || strcmp(name, "bigserial") == 0) {
            *err = "serial types do not exist in Redshift";
            *hint = "write `type: bigint` with `identity: true`";
        } else if (strcmp(name, "json") == 0 || strcmp(name, "jsonb") == 0 ||
                   strcmp(name, "uuid") == 0 || strcmp(name, "bytea") == 0) {
            *err = "this type does not exist in Redshift";
            *hint = "use varchar(n) for its text form";
        } else {
            *err = "unknown type";
            *hint = "types: smallint, integer, bigint, decimal(p,s), real, double precision, "
                    "boolean, char(n), varchar(n), varchar(max), date, timestamp, timestamptz";
        }
        return false;
    }
    SqlType t = type_make(names[i].kind);
    switch (names[i].params) {
    case 0:
        if (nparams) {
            *err = "this type takes no parameters";
            return false;
        }
        break;
    case 1:
        if (nparams != 1) {
            *err = t.kind == T_CHAR ? "char needs a length: char(n)"
                                    : "varchar needs a length: varchar(n) or varchar(max)";
            *hint = "Redshift turns a bare varchar into varchar(256); say what you mean";
            return false;
        }
        if (t.kind == T_VARCHAR && strcmp(params[0], "max") == 0) {
            t.p = VARCHAR_MAX_BYTES;
            t.max = true;
        } else if (!parse_num(params[0], 1, t.kind == T_CHAR ? 4096 : VARCHAR_MAX_BYTES, &t.p)) {
            *err = t.kind == T_CHAR ? "char length must be 1 to 4096 bytes"
                                    : "varchar length must be 1 to 65535 bytes, or max";
            return false;
        }
        break;
    default:
        t.p = 18;
        t.s = 0;
        if (nparams >= 1 && !parse_num(params[0], 1, 38, &t.p)) {
            *err = "decimal precision must be 1 to 38";
            return false;
        }
        if (nparams == 2 && !parse_num(params[1], 0, 37, &t.s)) {
            *err = "decimal scale must be 0 to 37";
            return false;
        }
        if (t.s > t.p) {
            *err = "decimal scale cannot exceed its precision";
            return false;
        }
        break;
    }
    *out = t;
    return true;
}

const char *type_str(SqlType t, char *buf, int n)
{
    switch (t.kind) {
    case T_UNKNOWN: snprintf(buf, (size_t)n, "unknown"); break;
    case T_NULL: snprintf(buf, (size_t)n, "null"); break;
    case T_SMALLINT: snprintf(buf, (size_t)n, "smallint"); break;
    case T_INTEGER: snprintf(buf, (size_t)n, "integer"); break;
    case T_BIGINT: snprintf(buf, (size_t)n, "bigint"); break;
    case T_DECIMAL: snprintf(buf, (size_t)n, "decimal(%d,%d)", t.p, t.s); break;
    case T_REAL: snprintf(buf, (size_t)n, "real"); break;
    case T_DOUBLE: snprintf(buf, (size_t)n, "double precision"); break;
    case T_BOOLEAN: snprintf(buf, (size_t)n, "boolean"); break;
    case T_CHAR: snprintf(buf, (size_t)n, "char(%d)", t.p); break;
    case T_VARCHAR:
        if (t.max)
            snprintf(buf, (size_t)n, "varchar(max)");
        else
            snprintf(buf, (size_t)n, "varchar(%d)", t.p);
        break;
    case T_DATE: snprintf(buf, (size_t)n, "date"); break;
    case T_TIME: snprintf(buf, (size_t)n, "time"); break;
    case T_TIMESTAMP: snprintf(buf, (size_t)n, "timestamp"); break;
    case T_TIMESTAMPTZ: snprintf(buf, (size_t)n, "timestamptz"); break;
    case T_INTERVAL: snprintf(buf, (size_t)n, "interval"); break;
    }
    return buf;
}

/* ---- type algebra ---- */

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
SqlType type_decimal_arith(int op, SqlType a, SqlType b)
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
SqlType type_unify(SqlType a, SqlType b, bool *ok)
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

bool type_castable(SqlType from, SqlType to)
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
