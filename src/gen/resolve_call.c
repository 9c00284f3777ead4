/* resolve_call.c - function calls, casts and typed literals: which functions exist (those
 * that behave the same in Redshift and PostgreSQL), their arguments and result types.
 */
#include <stdlib.h>
#include <string.h>

#include "ident.h"
#include "resolve_internal.h"

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

bool resolve_datepart_ok(const char *f)
{
    for (int i = 0; dateparts[i]; i++)
        if (!strcmp(dateparts[i], f))
            return true;
    return false;
}

SqlType resolve_call(Resolver *r, Expr *e)
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
        resolve_error(r, e, "function", "unknown function \"%s\"", e->name);
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
        resolve_error(r, e, "aggregate", "aggregate %s() is not allowed here", e->name);
        diag_hint(r->d, "a load maps one row to one row; aggregates belong in analytics queries");
        return type_make(T_UNKNOWN);
    }
    if ((e->star || e->distinct) && f->rule != F_COUNT && !(e->distinct && f->aggregate)) {
        resolve_error(r, e, "function", "%s() takes no * or DISTINCT", e->name);
        return type_make(T_UNKNOWN);
    }
    if (!e->star && (n < f->min || n > f->max)) {
        resolve_error(r, e, "function", "%s() takes %s", e->name,
                      f->min == f->max
                          ? arena_printf(r->a, "%d argument%s", f->min, f->min == 1 ? "" : "s")
                          : arena_printf(r->a, "%d to %d arguments", f->min, f->max));
        return type_make(T_UNKNOWN);
    }
    for (int i = 0; i < n && i < 32; i++)
        if (type_unknown(at[i]))
            return type_make(T_UNKNOWN);
    SqlType t;
    bool ok = true;
    switch (f->rule) {
    case F_STRING_SAME:
        if (!resolve_want_string(r, e->list.items[0], at[0], arena_printf(r->a, "%s()", e->name)))
            return type_make(T_UNKNOWN);
        for (int i = 1; i < n; i++) {
            bool num =
                !strcmp(e->name, "left") || !strcmp(e->name, "right") || !strcmp(e->name, "substr");
            if (num && !type_is_integer(at[i]) && at[i].kind != T_NULL) {
                resolve_error(r, e->list.items[i], "type-mismatch",
                              "%s() needs an integer here, not %s", e->name,
                              resolve_type_name(r, at[i]));
                return type_make(T_UNKNOWN);
            }
            /* r_LEFT: "A positive integer"; PostgreSQL reads a negative count as "all but
             * the last n", so only a literal count keeps the two engines together */
            if (num && e->name[0] != 's' && e->list.items[i]->kind != EX_INT) {
                resolve_error(r, e->list.items[i], "function",
                              "%s() needs a literal count of characters (0 or more) here", e->name);
                diag_hint(r->d, "Redshift takes a positive integer (r_LEFT); a negative count "
                                "means something else in PostgreSQL");
                return type_make(T_UNKNOWN);
            }
            if (!num && !resolve_want_string(r, e->list.items[i], at[i], "this argument"))
                return type_make(T_UNKNOWN);
        }
        t = at[0].kind == T_NULL ? type_make(T_VARCHAR) : at[0];
        t.kind = T_VARCHAR;
        t.literal = false;
        return t;
    case F_INT:
        if (!resolve_want_string(r, e->list.items[0], at[0], arena_printf(r->a, "%s()", e->name)))
            return type_make(T_UNKNOWN);
        return type_make(T_INTEGER);
    case F_UNIFY:
        t = at[0];
        for (int i = 1; i < n && ok; i++) {
            t = type_unify(t, at[i], &ok);
            if (!ok)
                resolve_error(r, e->list.items[i], "type-mismatch",
                              "%s() arguments must share a type; this one is %s", e->name,
                              resolve_type_name(r, at[i]));
        }
        return t;
    case F_FIRST:
        if (!resolve_comparable(r, e, at[0], at[1]))
            return type_make(T_UNKNOWN);
        return at[0];
    case F_DATE_TRUNC:
    case F_DATE_PART: {
        Expr *u = e->list.items[0];
        if (u->kind != EX_STRING || !resolve_datepart_ok(u->text)) {
            resolve_error(r, u, "function",
                          "the first argument of %s() must be a quoted date part: %s", e->name,
                          "'year', 'month', 'week', 'day', 'hour', 'minute', 'second', …");
            return type_make(T_UNKNOWN);
        }
        if (type_cat(at[1]) != CAT_DATETIME && at[1].kind != T_NULL) {
            resolve_error(r, e->list.items[1], "type-mismatch",
                          "%s() needs a date or timestamp, not %s", e->name,
                          resolve_type_name(r, at[1]));
            return type_make(T_UNKNOWN);
        }
        if (f->rule == F_DATE_PART)
            return type_make(T_DOUBLE);
        return at[1].kind == T_DATE ? type_make(T_TIMESTAMP) : at[1];
    }
    case F_NUMERIC_SAME:
    case F_ROUND:
        if (type_cat(at[0]) != CAT_NUMERIC && at[0].kind != T_NULL) {
            resolve_error(r, e->list.items[0], "type-mismatch", "%s() needs a number, not %s",
                          e->name, resolve_type_name(r, at[0]));
            return type_make(T_UNKNOWN);
        }
        if (n == 2 && !type_is_integer(at[1])) {
            resolve_error(r, e->list.items[1], "type-mismatch",
                          "%s() needs an integer number of digits", e->name);
            return type_make(T_UNKNOWN);
        }
        return at[0];
    case F_MD5:
        t = type_make(T_VARCHAR);
        t.p = 32;
        return t;
    case F_CONCAT:
        if (!resolve_want_string(r, e->list.items[0], at[0], "concat()") ||
            !resolve_want_string(r, e->list.items[1], at[1], "concat()"))
            return type_make(T_UNKNOWN);
        t = type_make(T_VARCHAR);
        t.p = at[0].p + at[1].p;
        t.max = at[0].max || at[1].max || t.p > VARCHAR_MAX_BYTES;
        if (t.p > VARCHAR_MAX_BYTES)
            t.p = VARCHAR_MAX_BYTES;
        return t;
    case F_REPLACE:
    case F_SPLIT_PART:
        if (f->rule == F_SPLIT_PART &&
            (e->list.items[2]->kind != EX_INT || atoll(e->list.items[2]->text) < 1)) {
            /* SPLIT_PART: "Must be an integer greater than 0"; PostgreSQL 14+ counts a
             * negative part from the end instead of failing */
            resolve_error(r, e->list.items[2], "function",
                          "split_part() needs a literal part number of 1 or more here");
            diag_hint(r->d, "Redshift counts parts from 1 and refuses others (SPLIT_PART)");
            return type_make(T_UNKNOWN);
        }
        for (int i = 0; i < n; i++)
            if (!(f->rule == F_SPLIT_PART && i == 2) &&
                !resolve_want_string(r, e->list.items[i], at[i],
                                     arena_printf(r->a, "%s()", e->name)))
                return type_make(T_UNKNOWN);
        t = type_make(T_VARCHAR);
        t.p = f->rule == F_REPLACE ? VARCHAR_MAX_BYTES : at[0].p;
        t.max = f->rule == F_REPLACE || at[0].max;
        return t;
    case F_COUNT:
        if (!e->star && n != 1) {
            resolve_error(r, e, "function", "count() takes * or one argument");
            return type_make(T_UNKNOWN);
        }
        return type_make(T_BIGINT);
    case F_SUM:
    case F_AVG:
        if (type_cat(at[0]) != CAT_NUMERIC) {
            resolve_error(r, e->list.items[0], "type-mismatch", "%s() needs a number, not %s",
                          f->name, resolve_type_name(r, at[0]));
            return type_make(T_UNKNOWN);
        }
        /* r_SUM, r_AVG: BIGINT for integers (avg drops the fraction), DECIMAL(38, the
         * argument's scale), DOUBLE PRECISION for floats */
        if (type_is_integer(at[0]))
            return type_make(T_BIGINT);
        if (at[0].kind == T_DECIMAL) {
            t = at[0];
            t.p = 38;
            return t;
        }
        return type_make(T_DOUBLE);
    case F_MINMAX: return at[0];
    }
    return type_make(T_UNKNOWN);
}

/* ---- casts ---- */

SqlType resolve_cast(Resolver *r, Expr *e)
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
    if (type_unknown(from))
        return to;
    if (!type_castable(from, to)) {
        resolve_error(r, e, "cast", "cannot cast %s to %s", resolve_type_name(r, from),
                      resolve_type_name(r, to));
        if (type_cat(from) == CAT_NUMERIC && type_cat(to) == CAT_DATETIME)
            diag_hint(r->d, "for epoch milliseconds write timestamp 'epoch' + x / 1000 * "
                            "interval '1 second'");
        return type_make(T_UNKNOWN);
    }
    return to;
}

SqlType resolve_typed(Resolver *r, Expr *e)
{
    SqlType t;
    const char *msg, *hint;
    if (!type_from_name(e->tn->name, e->tn->nparams, e->tn->params, &t, &msg, &hint) ||
        (t.kind != T_TIMESTAMP && t.kind != T_TIMESTAMPTZ && t.kind != T_DATE && t.kind != T_TIME &&
         t.kind != T_INTERVAL)) {
        resolve_error(r, e, "typed-literal",
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
            resolve_error(r, e, "typed-literal",
                          "interval '%s' is not of the form 'N unit' (e.g. '1 second')", e->text);
            return type_make(T_UNKNOWN);
        }
    }
    return t;
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
