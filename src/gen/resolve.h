/* resolve.h - name resolution and type inference for expression trees.
 *
 * A Scope lists the tables an expression may read, each under its alias
 * (FROM and JOIN).  resolve_expr() resolves every column reference, infers
 * every node's type bottom-up and reports located errors; it fills Expr.type,
 * Expr.ref and Expr.ref_alias.  It never changes the tree's shape.
 */
#ifndef STARGEN_RESOLVE_H
#define STARGEN_RESOLVE_H

#include "model.h"

struct Scope {
    const char *alias[64];
    TableDef *table[64];
    int n;
};

typedef struct Resolver {
    Arena *a;
    Diag *d;
    const Scalar *src; /* the scalar the expression was parsed from */
    const Scope *scope;
    bool aggregates_ok; /* aggregate calls allowed (analytics queries) */
} Resolver;

/* Parses s->s in the given mode; syntax errors are reported at their exact
 * source position (check "syntax").  NULL on error. */
Expr *resolve_parse(Arena *a, Diag *d, const Scalar *s, ParseMode mode);

/* Parses a column type such as "varchar(256)" held by s.  Reports errors
 * (check "column-type") and returns false on failure. */
bool resolve_column_type(Arena *a, Diag *d, const Scalar *s, SqlType *out);

/* Resolves and types e.  Returns e->type (T_UNKNOWN after an error). */
SqlType resolve_expr(Resolver *r, Expr *e);

/* Checks that a value of e's type may be stored in column c without an
 * explicit cast; reports (check "type-assign" / "string-length") and returns
 * false otherwise. */
bool resolve_assignable(Resolver *r, const Expr *e, const ColumnDef *c);

/* Requires e to be boolean (for where / on); `what` names the clause. */
bool resolve_boolean(Resolver *r, const Expr *e, const char *what);

/* True if any node of e is an aggregate call. */
bool expr_has_aggregate(const Expr *e);

/* Calls fn for every EX_COLUMN node of e (for lineage and dependency tracking). */
void expr_columns(const Expr *e, void (*fn)(const Expr *col, void *ctx), void *ctx);

#endif
