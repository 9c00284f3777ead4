/* resolve_internal.h - what resolve.c shares with resolve_call.c.  Only they include it. */
#ifndef STARGEN_RESOLVE_INTERNAL_H
#define STARGEN_RESOLVE_INTERNAL_H

#include "resolve.h"

static inline bool type_unknown(SqlType t)
{
    return t.kind == T_UNKNOWN;
}

/* A located error on expression node e (check names it, e.g. "type-mismatch"). */
void resolve_error(Resolver *r, const Expr *e, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* t's model spelling, in r's arena. */
const char *resolve_type_name(Resolver *r, SqlType t);
/* a and b can be compared; reports (at `at`) and returns false otherwise. */
bool resolve_comparable(Resolver *r, const Expr *at, SqlType a, SqlType b);
/* t is a string (or unknown or NULL); reports and returns false otherwise. */
bool resolve_want_string(Resolver *r, const Expr *e, SqlType t, const char *what);

/* resolve_call.c */
SqlType resolve_call(Resolver *r, Expr *e);
SqlType resolve_cast(Resolver *r, Expr *e);
SqlType resolve_typed(Resolver *r, Expr *e);
/* f is a date part extract(), date_part() and date_trunc() know: year, month, ... */
bool resolve_datepart_ok(const char *f);

#endif
