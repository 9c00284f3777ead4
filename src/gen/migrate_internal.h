/* migrate_internal.h - what migrate.c shares with migrate_emit.c (nobody else includes it). */
#ifndef STARGEN_MIGRATE_INTERNAL_H
#define STARGEN_MIGRATE_INTERNAL_H

#include "migrate.h"

/* One column of a kept table that changed shape (or did not). */
typedef struct ColDiff {
    const StColumn *old;  /* as recorded; NULL: added */
    const StColumn *now;  /* as the model has it; NULL: dropped */
    const ColumnDef *def; /* the model column; NULL: dropped */
    bool renamed;         /* old->name != now->name (renamed_from:) */
    bool retyped;         /* the type differs */
    bool widen_varchar;   /* varchar(n) -> varchar(m > n) or varchar(max) */
    bool lossless;        /* another type change that keeps every value */
    bool relax_null;      /* not_null dropped */
    bool tighten_null;    /* not_null added: rows with NULL are deleted */
    bool encode_changed;
} ColDiff;

typedef enum TableChange {
    TC_NONE,
    TC_NEW_KEPT,       /* a new kept table: create_star makes it */
    TC_REMOVED_KEPT,   /* a kept table gone from the model (drop: data loss) */
    TC_FROM_REPLACE,   /* replace -> append/upsert: dropped once, rebuilt by the next run */
    TC_TO_REPLACE,     /* append/upsert -> replace: the drop step rebuilds it every run */
    TC_ALTER,          /* a kept table whose columns or physical design changed */
    TC_NEW_REPLACE,    /* tables rebuilt every run: listed in the review only */
    TC_REMOVED_REPLACE /* a replace table gone from the model (it stays in the database) */
} TableChange;

typedef struct TableDiff {
    TableChange kind;
    const char *name;
    const StTable *old, *now;
    const TableDef *def; /* the model table; NULL when removed */
    ColDiff *cols;       /* TC_ALTER: the model's columns in order, then the dropped ones */
    size_t ncols;
    bool dist_changed, sort_changed;
} TableDiff;

typedef struct SchemaDiff {
    SchemaState *now; /* the model as a state (migrations not filled in) */
    TableDiff *tables;
    size_t n;
    bool changed; /* anything recorded differs */
} SchemaDiff;

/* The model's star tables as a state (no migrations). */
SchemaState *migrate_state_of(Arena *a, const Model *m);
/* prev -> model. prev may be NULL (no diff: everything is new and nothing changed). */
SchemaDiff *migrate_diff(Arena *a, const Model *m, const SchemaState *prev);
/* A state TYPE token -> SqlType; false if it is not one. */
bool migrate_type(const char *tok, SqlType *out);
/* Whether a column change loses data without an acknowledgement. */
bool migrate_col_destroys(const ColDiff *c);
/* "order_add_total_net": the file name of t's migration after its number. */
const char *migrate_stem(Arena *a, const TableDiff *t);
/* Whether table t's change needs a migration file in dialect d, and if so whether
 * it rebuilds the table (a deep copy) rather than altering it in place. */
bool migrate_needs_file(const Dialect *d, const TableDiff *t);
bool migrate_rewrites(const Dialect *d, const TableDiff *t);

#endif
