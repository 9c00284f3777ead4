/* schema_state.h - out/<dialect>/schema.state: the physical schema gen last generated.
 *
 * gen writes it (schema_state_print) next to the steps and reads it back on the
 * next run to learn what the live kept tables look like, so that a model change
 * becomes a migration (src/gen/migrate.c).  The runner reads it (the same
 * parser, one strictness rule) to compare live kept tables with what they should
 * be (drift, src/runner/migrate.c).  The format is one record a line, words
 * separated by one space, `#` comment lines (docs/out-format.md, "Migrations"):
 *
 *   stargen-state 1
 *   table NAME mode=append|upsert dist=DIST sort=SORT     a kept table, its columns follow
 *   table NAME mode=replace                               a table rebuilt every run
 *   column NAME TYPE [not_null] [pk] [identity] [natural] [hash] [encode=E] [ref=TABLE.COLUMN]
 *   migration NNNN_what.sql                               then the tables as they were
 *                                                         before that migration ran
 *
 * DIST is none|auto|even|all|key:COLUMN; SORT is none|auto|compound:A,B|interleaved:A,B;
 * TYPE is smallint|integer|bigint|decimal(P,S)|real|double|boolean|char(N)|varchar(N)|
 * varchar(max)|date|time|timestamp|timestamptz.  Anything else is an error naming
 * path:LINE, never skipped.
 */
#ifndef STARGEN_SCHEMA_STATE_H
#define STARGEN_SCHEMA_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define SCHEMA_STATE_FILE "schema.state"

typedef struct StColumn {
    const char *name;
    const char *type;   /* the TYPE token */
    const char *encode; /* NULL: none */
    const char *ref;    /* "table.column" or NULL */
    bool not_null, pk, identity;
    bool natural, hash; /* natural_key: true; surrogate: hash */
} StColumn;

typedef struct StTable {
    const char *name;
    const char *mode; /* "replace", "append", "upsert" */
    const char *dist; /* as written; NULL for a replace table */
    const char *sort;
    Vec columns; /* StColumn* (none for a replace table) */
    int line;
} StTable;

typedef struct StMigration {
    const char *file; /* "0001_order_add_total_net.sql" */
    Vec before;       /* StTable*: the tables it changes, as they were before it */
    int line;
} StMigration;

typedef struct SchemaState {
    Vec tables;     /* StTable*: the star tables now, in model order */
    Vec migrations; /* StMigration* in file order */
} SchemaState;

/* Parses text (len bytes) read from path into st, allocating in a.  Returns 0, or
 * -1 with "path:LINE: ..." (no trailing newline) appended to err. */
int schema_state_parse(Arena *a, const char *path, const char *text, size_t len, SchemaState *st,
                       Buf *err);

/* Writes st in the format above (the header comment names the dialect and the
 * model).  Deterministic: st's order is kept. */
void schema_state_print(Buf *b, const SchemaState *st, const char *dialect, const char *model);

/* The table of that name in v (StTable*), or NULL. */
StTable *schema_state_find(const Vec *v, const char *name);
StColumn *schema_state_column(const StTable *t, const char *name);
/* True when t is kept between runs (mode append or upsert). */
bool schema_state_kept(const StTable *t);
/* True when a and b describe the same physical table (name, mode, dist, sort, columns). */
bool schema_state_same_table(const StTable *a, const StTable *b);

#endif
