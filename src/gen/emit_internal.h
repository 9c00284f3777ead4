/* emit_internal.h - what emit.c shares with emit_datachecks.c, emit_queries.c and emit_docs.c.
 * Not part of the generator's interface: only the emit_*.c files include it. */
#ifndef STARGEN_EMIT_INTERNAL_H
#define STARGEN_EMIT_INTERNAL_H

#include "emit.h"

typedef struct Emitter {
    Arena *a;
    const Model *m;
    const Dialect *d;
    const char *model_name;
    OutSet *out;
    int nsteps, step, width;
    /* while writing a load (building): the name each star table has until the
     * publish step, by TableDef.order (its shadow name when it is rebuilt) */
    bool building;
    const char **names;
    bool *kept;
} Emitter;

/* Adds b's contents as the file `name` under the dialect's folder (or, when
 * d is NULL, under the output root). */
void emit_add_file(Emitter *e, const char *name, Buf *b);
/* The two header lines every generated SQL file starts with. */
void emit_header(Emitter *e, Buf *b, const char *what);
/* The same, then `-- stargen:after steps=AFTER` when after is not NULL. */
void emit_step_header(Emitter *e, Buf *b, const char *what, const char *after);

/* What one step reads and writes, for its `after` list (emit_after.c): the items are
 * TableDef pointers (a star table stands for both its names), or any other pointer
 * that names one shared thing (the ledger of incremental sources). */
typedef struct StepUse {
    const char *name; /* "load_users" */
    Vec reads, writes;
    bool all_before; /* publish, checks: after every earlier step, no directive */
} StepUse;
/* Each step's comma-separated `after` list (allocated in a), or NULL for the first
 * step and the all_before ones. */
const char **emit_after_lists(Arena *a, const StepUse *steps, size_t n);
/* Writes b as the next numbered step NN_name.sql and resets b. */
void emit_finish_step(Emitter *e, const char *name, Buf *b);
/* FROM … [JOIN …] [WHERE …] of a load or query, each line prefixed by ind. */
void emit_from_clause(Emitter *e, Buf *b, const LoadDef *ld, const char *ind);
/* "name ASC NULLS LAST", strings compared bytewise. */
void emit_order_name(Emitter *e, Buf *b, const char *name, SqlType t, bool desc);

/* Model text inside a -- comment: one line, no control characters. */
void emit_comment_text(Buf *b, const char *s);

/* The data-checks step (emit_datachecks.c). */
void emit_datachecks(Emitter *e, Buf *b);
/* queries/NN_name.sql (emit_queries.c). */
void emit_queries(Emitter *e, Buf *b);

#endif
