/* expr.h - the raw expression tree built by the bison grammar (parser.y).
 *
 * The grammar only builds these nodes; it resolves nothing.  Names are
 * resolved and types inferred later by the checker (resolve.c), which fills
 * the `type` and `ref` fields.  Every node carries the byte range [start, end)
 * of its text inside the expression string that was parsed, so a diagnostic
 * can point at the exact column inside the expression.
 *
 * All nodes and strings live in the Arena passed to expr_parse().
 */
#ifndef STARGEN_EXPR_H
#define STARGEN_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "types.h"

typedef enum ExprKind {
    EX_COLUMN,    /* [qualifier.]name */
    EX_INT,       /* integer literal: text holds the digits */
    EX_NUM,       /* decimal or exponent literal: text as written */
    EX_STRING,    /* 'string' literal: text holds the decoded value */
    EX_BOOL,      /* true / false: ival 1 / 0 */
    EX_NULL,      /* null */
    EX_TYPED_LIT, /* type 'text': timestamp 'epoch', date '2018-11-01', interval '1 second' */
    EX_UNARY,     /* op: OP_NEG, OP_PLUS, OP_NOT; a */
    EX_BINARY,    /* op; a, b */
    EX_ISNULL,    /* a IS [NOT] NULL; negated */
    EX_IN,        /* a [NOT] IN (list); negated */
    EX_BETWEEN,   /* a [NOT] BETWEEN b AND c; negated */
    EX_LIKE,      /* a [NOT] LIKE|ILIKE b; negated; op OP_LIKE or OP_ILIKE */
    EX_CASE,      /* CASE [a] WHEN ... THEN ... [ELSE c] END; list holds EX_WHEN nodes */
    EX_WHEN,      /* WHEN a THEN b (only inside EX_CASE) */
    EX_CAST,      /* CAST(a AS tn) or a::tn; `text` is NULL for CAST(), "::" for the operator */
    EX_EXTRACT,   /* EXTRACT(name FROM a): name holds the lowercased field */
    EX_CALL,      /* name(list) / name(*) (star) / name(DISTINCT list) (distinct) */
    EX_ORDER,     /* ORDER item: a [ASC|DESC] [NULLS FIRST|LAST]; only from PARSE_ORDER */
} ExprKind;

typedef enum ExprOp {
    OP_NONE,
    OP_NEG,
    OP_PLUS,
    OP_NOT,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_CONCAT,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_AND,
    OP_OR,
    OP_LIKE,
    OP_ILIKE,
} ExprOp;

/* A type as written: `double precision`, `varchar(256)`, `varchar(max)`,
 * `decimal(10, 2)`.  Words are lowercased and joined by one space; params are
 * the raw tokens (digits, or "max").  types.c turns this into a SqlType. */
typedef struct TypeName {
    char *name;
    int nparams;
    char *params[2];
    int start, end;
} TypeName;

typedef struct Expr Expr;
typedef struct ExprList {
    Expr **items;
    int len;
} ExprList;

struct Expr {
    ExprKind kind;
    ExprOp op;
    int start, end;  /* byte range in the parsed text */
    bool negated;    /* NOT IN, NOT BETWEEN, NOT LIKE, IS NOT NULL */
    bool star;       /* count(*) */
    bool distinct;   /* count(distinct x) */
    bool desc;       /* EX_ORDER: DESC */
    int nulls;       /* EX_ORDER: 0 default, 1 NULLS FIRST, 2 NULLS LAST */
    long long ival;  /* EX_BOOL */
    char *qualifier; /* EX_COLUMN: alias or table, lowercased unless quoted; else NULL */
    char *name;      /* EX_COLUMN column; EX_CALL function (lowercased); EX_EXTRACT field */
    char *text;      /* literal text (see kinds) */
    TypeName *tn;    /* EX_CAST, EX_TYPED_LIT */
    Expr *a, *b, *c;
    ExprList list; /* EX_IN items, EX_CASE whens, EX_CALL args */

    /* Filled by the checker, never by the grammar. */
    SqlType type;
    const void *ref;       /* EX_COLUMN: the resolved column (ColumnDef *) */
    const char *ref_alias; /* EX_COLUMN: the alias the column was resolved through */
};

typedef enum ParseMode {
    PARSE_EXPR,  /* one scalar expression */
    PARSE_TYPE,  /* one type name, returned as an EX_CAST node whose tn is set and a == NULL */
    PARSE_ORDER, /* one ORDER BY item: returns EX_ORDER with a = the expression */
} ParseMode;

/* Called once per syntax error with the byte range [start, end) of the
 * offending token in the text and a short lowercase message. */
typedef void (*ExprErrorFn)(void *ctx, int start, int end, const char *msg);

/* Parses text[0, len) (need not be NUL-terminated) in the given mode.
 * Returns the tree (allocated in `a`) or NULL after reporting at least one
 * error through on_error.  Reentrant: no global state; safe to call from
 * many places in one process.  Never reads outside [0, len). */
Expr *expr_parse(Arena *a, const char *text, size_t len, ParseMode mode, ExprErrorFn on_error,
                 void *ctx);

/* Debug/test rendering of a raw tree as an S-expression, e.g.
 * (+ (col e ts) (int 1)); used by the parser's unit tests. */
void expr_dump(const Expr *e, Buf *out);

#endif
