/* dialect.h - the one interface every SQL dialect implements.
 *
 * emit.c plans the steps and writes what both dialects share; everything that
 * differs lives behind this table.  A new dialect is one new file plus one
 * entry in dialect_find() — never `if (dialect == …)` in the emitters.
 */
#ifndef STARGEN_DIALECT_H
#define STARGEN_DIALECT_H

#include "model.h"

typedef struct Dialect Dialect;

/* How one star table's CREATE TABLE is written this run (emit.c decides).
 * A replace table is rebuilt every run under a shadow name and swapped in by
 * the publish step; a kept table (append, upsert) is created once. */
typedef struct StarDDL {
    const char *name;         /* the table to create: the shadow name when rebuilt */
    const char *pkey;         /* a name for the primary key constraint, or NULL */
    const char *const *names; /* by TableDef.order: the name a REFERENCES uses now */
    const bool *kept;         /* by TableDef.order: the table is kept between runs */
} StarDDL;
struct Dialect {
    const char *name;           /* folder name under out/: "postgres", "redshift" */
    bool backslash_in_literals; /* a backslash in a string literal is an escape */
    /* appended to string keys that break ties, so ties break by bytes on every machine */
    const char *bytewise_order;
    /* PostgreSQL standing in for Redshift: print.c rewrites the comparisons and calls whose
     * built-in behaviour differs from Redshift's (trailing blanks, concat and NULL, round of a
     * double, the types of avg/sum/ceil/floor; see print.c and docs/parity.md) */
    bool emulate_redshift;
    /* staging loads stream the source through the runner (which reads the jsonpaths
     * file); otherwise the server reads S3 and only declared jsonpaths files are written */
    bool client_copy;
    /* a star table's DDL names the tables its keys refer to (FOREIGN KEY … REFERENCES; Redshift's
     * informational keys): its step then comes after theirs (emit_after.c) */
    bool foreign_keys;
    /* column / cast type */
    void (*type)(Buf *b, SqlType t);
    /* EXTRACT(field FROM x): the printer calls this with x already rendered */
    void (*extract)(Buf *b, const char *field, const char *arg);
    /* CREATE TABLE for a staging table / a star table (see StarDDL) */
    void (*create_staging)(Buf *b, const Dialect *d, const TableDef *t);
    void (*create_star)(Buf *b, const Dialect *d, const TableDef *t, const StarDDL *s);
    /* after the swap of the publish step: statements that give the published
     * table t (built as `shadow`) the object names and settings a plain CREATE TABLE t
     * would have (PostgreSQL: autovacuum back on, the primary key index, the identity
     * sequence); may be NULL */
    void (*publish_tidy)(Buf *b, const TableDef *t, const char *shadow);
    /* the statements of a staging table's load step (empty it, then COPY) */
    void (*load_staging)(Buf *b, const Dialect *d, const Model *m, const TableDef *t);
    /* a hash surrogate: a bigint of the first 15 hex digits of MD5(text), text being the
     * SQL of a varchar (docs/out-format.md, "Keys"); both dialects give the same value */
    void (*hash_key)(Buf *b, const char *text);
    /* the first `digits` (at most 7) hex digits of the lowercase hex text `hex` as an
     * integer, `hex` written once; may be NULL (the checks then decode digit by digit) */
    void (*hex_prefix_int)(Buf *b, const char *hex, int digits);
    /* a condition true when the target itself enforces t's primary key with the equality
     * the uniqueness check groups by, so the check need not scan t (issue 15); NULL when
     * the target enforces no keys (Redshift) */
    void (*key_enforced)(Buf *b, const Dialect *d, const TableDef *t);
    /* a statement written before the INSERT of a load whose dedupe ranks only repeated keys
     * (emit.c), for the rest of the step's transaction; may be NULL */
    const char *split_load_setting;
    /* the same before a natural-key `latest` load that ranks only each key's latest rows */
    const char *latest_load_setting;
};

extern const Dialect dialect_postgres;
extern const Dialect dialect_redshift;

/* Every dialect, in output order; NULL-terminated. */
extern const Dialect *const dialects[];
const Dialect *dialect_find(const char *name);

/* Shared rendering helpers (print.c). */
void print_expr(Buf *b, const Dialect *d, const Expr *e);
void print_name(Buf *b, const char *name);
void print_literal(Buf *b, const Dialect *d, const char *s);
/* A value used as a key (GROUP BY, PARTITION BY, DISTINCT, a key match): on a dialect that
 * emulates Redshift, a string is printed as RTRIM(x), since Redshift ignores trailing blanks
 * when it compares strings (r_Character_types). print_key_name: the same for a bare name. */
void print_key(Buf *b, const Dialect *d, const Expr *e);
void print_key_name(Buf *b, const Dialect *d, const char *qual, const char *name, SqlType t);
/* "    col TYPE" lines etc. share this: the column list "(a, b, c)" */
void print_column_list(Buf *b, const TableDef *t);

#endif
