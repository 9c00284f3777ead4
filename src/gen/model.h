/* model.h - the warehouse model as loaded from schema.yaml.
 *
 * model_from_yaml() fills it from YAML (names, kinds and shapes checked, every value
 * kept with its source position); analyze.c and resolve.c then resolve references,
 * parse and type the expressions and fill the derived fields marked
 * "(analyzer)".  Everything lives in the compilation's Arena.
 */
#ifndef STARGEN_MODEL_H
#define STARGEN_MODEL_H

#include <stdbool.h>

#include "../common/arena.h"
#include "diag.h"
#include "expr.h"
#include "types.h"

typedef struct TableDef TableDef;
typedef struct Scope Scope;

typedef struct Source {
    const char *name;
    Mark mark;
    Scalar *s3;          /* s3://bucket/prefix/ (Redshift COPY, reading from S3) */
    Scalar *path;        /* path under the data root (PostgreSQL target) */
    Scalar *region;      /* e.g. us-west-2 */
    Scalar *format;      /* json */
    Scalar *compression; /* gzip | none (COPY GZIP) */
    bool incremental;    /* stage only files the ledger has not recorded (runner) */
    /* where `incremental:` was given, for [redshift-manifests] */
    Mark incremental_mark;
    Scalar
        *on_changed; /* incremental: a loaded file whose content changed: error | skip | reload */
    bool used;       /* (analyzer) */
} Source;

typedef enum Role { ROLE_STAGING, ROLE_FACT, ROLE_DIMENSION } Role;
typedef enum DistStyle { DIST_NONE, DIST_AUTO, DIST_EVEN, DIST_ALL, DIST_KEY } DistStyle;
typedef enum SortStyle { SORT_NONE, SORT_AUTO, SORT_COMPOUND, SORT_INTERLEAVED } SortStyle;
typedef enum Dedupe { DEDUPE_NONE, DEDUPE_DISTINCT, DEDUPE_LATEST } Dedupe;
typedef enum LoadMode { MODE_REPLACE, MODE_APPEND, MODE_UPSERT } LoadMode;
typedef enum JoinKind { JOIN_INNER, JOIN_LEFT } JoinKind;

typedef struct ColumnDef {
    const char *name;
    Mark mark;
    TableDef *table;
    int index;
    SqlType type;
    Scalar *type_src;
    bool not_null;
    bool primary_key;
    bool identity;
    bool
        natural_key; /* one of the columns a kept table's loads match rows by (natural_key: true) */
    bool hash_key;   /* surrogate: hash - a bigint the loads compute from the natural key */
    Mark surrogate_mark;
    Scalar *json;       /* staging: JSON key (default: the column name) */
    Scalar *references; /* "table.column" */
    Scalar *encode;     /* Redshift column encoding */
    Scalar *description;
    Vec accepted;       /* Scalar*: accepted_values */
    bool accepted_warn; /* accepted_values severity warn */
    Mark accepted_mark;
    Scalar *renamed_from; /* kept tables: the column's previous name (a rename migration) */
    /* (analyzer) */
    struct ColumnDef *ref_col;
    Scalar *map; /* the mapping expression text (from load.map) */
    Expr *map_expr;
    struct LookupDef *lookup; /* the surrogate is looked up by the referenced table's natural key */
} ColumnDef;

/* load.lookup: a column that references a surrogate-keyed dimension gets that
 * dimension's surrogate by its natural key; a member the dimension lacks is
 * inferred (inserted with its other columns NULL) before the load. */
typedef struct LookupDef {
    Scalar *column; /* the target column */
    Vec values;     /* Scalar*: one expression per natural-key column of the dimension */
    Expr **exprs;   /* (analyzer) */
    TableDef *dim;  /* (analyzer) the referenced dimension */
} LookupDef;

typedef struct JoinDef {
    JoinKind kind;
    Mark mark;
    Scalar *table; /* "name [as] alias" */
    const char *table_name, *alias;
    Scalar *on;
    Expr *on_expr; /* (analyzer) */
    TableDef *ref; /* (analyzer) */
} JoinDef;

typedef struct LoadDef {
    Mark mark;
    Scalar *from; /* "name [as] alias" */
    const char *from_name, *from_alias;
    TableDef *from_table; /* (analyzer) */
    Vec joins;            /* JoinDef* */
    Scalar *where;
    Expr *where_expr; /* (analyzer) */
    Dedupe dedupe;
    Mark dedupe_mark;
    Vec dedupe_by;   /* Scalar* */
    Expr **by_exprs; /* (analyzer) */
    Scalar *latest;
    Expr *latest_expr; /* (analyzer) */
    LoadMode mode;
    Mark mode_mark;
    Vec maps;       /* Scalar* keys, parallel with map_values */
    Vec map_values; /* Scalar* */
    Vec lookups;    /* LookupDef* */
    Scope *scope;   /* (analyzer) the tables the load reads, by alias */
} LoadDef;

struct TableDef {
    const char *name;
    Mark mark;
    Role role;
    Scalar *description;
    Vec columns; /* ColumnDef* in model order */
    /* staging */
    Scalar *source_name;
    Source *source;    /* (analyzer) */
    Scalar *jsonpaths; /* s3:// URI the Redshift COPY reads the jsonpaths file from */
    bool empty_as_null, blanks_as_null;
    Scalar *time_format;      /* epochmillisecs | epochsecs | auto | a format string */
    Scalar *date_format;      /* auto | a format string (default YYYY-MM-DD) */
    Scalar *decimal_rounding; /* truncate (default, as COPY) | round (ROUNDEC) */
    bool roundec;
    /* Redshift physical design */
    DistStyle dist;
    Mark dist_mark;
    Scalar *dist_key;
    ColumnDef *dist_col; /* (analyzer) */
    SortStyle sort;
    Mark sort_mark;
    Vec sort_keys;         /* Scalar* */
    ColumnDef **sort_cols; /* (analyzer) */
    LoadDef *load;         /* star tables */
    /* (analyzer) */
    Vec natural;          /* ColumnDef*: the natural key (natural_key: true), model order */
    ColumnDef *surrogate; /* the primary key when it is identity or hash and natural is set */
    Vec reads;            /* TableDef* this table's load reads (from + joins) */
    Vec deps;             /* TableDef* that must be loaded first (reads + references) */
    int order;            /* position in load order */
    int visit;
};

/* A set of rows a check counts: a table, optionally filtered. */
typedef struct RowSet {
    Mark mark;
    Scalar *from; /* "name [as] alias" */
    const char *name, *alias;
    TableDef *table; /* (analyzer) */
    Scalar *where;
    Expr *where_expr; /* (analyzer) */
} RowSet;

typedef enum CheckKind {
    CK_UNIQUE,          /* derived: primary key unique */
    CK_NOT_NULL,        /* derived: NOT NULL column has no nulls */
    CK_RELATIONSHIP,    /* derived: references has no orphans */
    CK_ACCEPTED,        /* column accepted_values */
    CK_ROW_COUNT_EQUAL, /* user: two row sets have the same count */
    CK_MIN_ROWS,        /* user: a row set has at least n rows */
    CK_NO_ROWS,         /* user: no row matches (from + where) */
    CK_SQL,             /* user: free SQL that must return zero rows */
} CheckKind;

typedef struct CheckDef {
    const char *name;
    Mark mark;
    CheckKind kind;
    bool warn; /* severity warn (else error) */
    Scalar *description;
    TableDef *table; /* derived checks */
    ColumnDef *column;
    RowSet *left, *right; /* row_count_equal (left, right), min_rows and no_rows (left) */
    long long min_rows;
    Scalar *sql;
    bool natural; /* CK_UNIQUE over the natural key (else the primary key) */
} CheckDef;

typedef struct QueryDef {
    const char *name;
    Mark mark;
    Scalar *description;
    LoadDef *src;        /* from, join, where (map unused) */
    Vec select_names;    /* Scalar* output names */
    Vec select_values;   /* Scalar* expressions */
    Expr **select_exprs; /* (analyzer) */
    Vec order_by;        /* Scalar* order items */
    Expr **order_exprs;  /* (analyzer) EX_ORDER whose a may be an output name */
    int *order_output;   /* (analyzer) index of the output an order item names, or -1 */
    long long limit;     /* 0: none */
    Scope *scope;        /* (analyzer) */
} QueryDef;

typedef struct Model {
    const char *file;
    Mark version_mark;
    Scalar *iam_role;    /* redshift.iam_role: ${PLACEHOLDER} or default */
    Scalar *manifests;   /* redshift.manifests: s3://... for the runner's manifests */
    Vec sources;         /* Source* */
    Vec tables;          /* TableDef*: staging in model order, then star tables */
    Vec load_order;      /* (analyzer) TableDef* star tables in load order */
    Vec user_checks;     /* CheckDef* declared under checks: */
    Vec checks;          /* (analyzer) CheckDef*: derived ones, then user ones */
    Vec queries;         /* QueryDef* in model order */
    Mark tables_mark;    /* the `tables:` key */
    Vec allow_data_loss; /* Scalar*: "table" or "table.column" a migration may destroy */
    TableDef **index;    /* open-addressing hash of tables by name (model_tables.c) */
    size_t index_cap;
} Model;

/* Reads the YAML text (len bytes) into a model allocated from `a` (model_yaml.c reads
 * the YAML, model_build.c and model_tables.c build the model).  Reports every shape
 * error through d (unknown or duplicate keys, wrong node kinds, missing required keys,
 * bad names, bad flags); returns NULL only when the YAML itself cannot be read.
 * Callers stop when d->errors > 0. */
Model *model_from_yaml(Arena *a, Diag *d, const char *text, size_t len);

/* model_yaml.c: An alias makes one text reachable from two places, so a phase can report the same
 * problem at the same position twice: drops every pending diagnostic of d, from index
 * `from` on, whose whole text repeats an earlier one, and fixes d's counts. */
void model_forget_repeats(Diag *d, int from);

ColumnDef *table_column(const TableDef *t, const char *name);
/* t is loaded one row per key: a natural key, or a primary key that is not a surrogate */
bool table_has_load_key(const TableDef *t);
TableDef *model_table(const Model *m, const char *name);

#endif
