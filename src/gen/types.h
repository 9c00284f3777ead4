/* types.h - the SQL type system shared by the model, the checker and the emitters.
 *
 * One SqlType value describes a column type or an inferred expression type in
 * dialect-neutral terms; each dialect renders it its own way (dialect_*.c).
 */
#ifndef STARGEN_TYPES_H
#define STARGEN_TYPES_H

#include <stdbool.h>

typedef enum TypeKind {
    T_UNKNOWN = 0, /* not inferred (after an error) */
    T_NULL,        /* the NULL literal: fits anything */
    T_SMALLINT,
    T_INTEGER,
    T_BIGINT,
    T_DECIMAL, /* p = precision, s = scale */
    T_REAL,
    T_DOUBLE,
    T_BOOLEAN,
    T_CHAR,    /* p = length in bytes */
    T_VARCHAR, /* p = length in bytes (Redshift semantics); p = 65535 for max */
    T_DATE,
    T_TIME,
    T_TIMESTAMP,
    T_TIMESTAMPTZ,
    T_INTERVAL, /* only as an expression type; never a column type */
} TypeKind;

typedef struct SqlType {
    TypeKind kind;
    int p, s;
    bool max;     /* varchar(max) */
    bool literal; /* an untyped string literal: may coerce like PostgreSQL's "unknown" */
} SqlType;

#define VARCHAR_MAX_BYTES 65535

typedef enum TypeCat {
    CAT_NONE,
    CAT_NULL,
    CAT_NUMERIC,
    CAT_STRING,
    CAT_BOOLEAN,
    CAT_DATETIME,
    CAT_INTERVAL,
} TypeCat;

TypeCat type_cat(SqlType t);
bool type_is_integer(SqlType t);
SqlType type_make(TypeKind k);

/* Builds a SqlType from a written name and params (see TypeName in expr.h).
 * On error returns false and sets *err to a static message such as
 * "unknown type \"strng\"" or "varchar needs a length: varchar(n) or varchar(max)";
 * *hint may be set to a suggestion (static or NULL). */
bool type_from_name(const char *name, int nparams, char *const params[2], SqlType *out,
                    const char **err, const char **hint);

/* Canonical model spelling, e.g. "varchar(256)", "double precision", "decimal(10,2)".
 * Writes into buf (size n). */
const char *type_str(SqlType t, char *buf, int n);

/* Redshift's documented result precision and scale for decimal arithmetic op
 * (an ExprOp: OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD) on two numbers. */
SqlType type_decimal_arith(int op, SqlType a, SqlType b);
/* The common type of two values that meet (CASE branches, COALESCE, IN lists,
 * comparisons); *ok = false when they cannot meet. */
SqlType type_unify(SqlType a, SqlType b, bool *ok);
/* Whether cast(x as to) is allowed for x of type from (the same in both engines). */
bool type_castable(SqlType from, SqlType to);

#endif
