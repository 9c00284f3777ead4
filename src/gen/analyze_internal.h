/* analyze_internal.h - what the analyze*.c files share.  Only they include it. */
#ifndef STARGEN_ANALYZE_INTERNAL_H
#define STARGEN_ANALYZE_INTERNAL_H

#include "analyze.h"
#include "resolve.h"

typedef struct Analyzer {
    Arena *a;
    Diag *d;
    Model *m;
} Analyzer;

/* "did you mean ...?" for name among the items of v, get() naming each item. */
void hint_names(Diag *d, const char *name, Vec *v, const char *(*get)(void *));
const char *table_name(void *p);
const char *column_name(void *p);
/* "name", "name alias" or "name as alias" held by s. */
bool table_spec(Analyzer *c, Scalar *s, const char **name, const char **alias);
/* Parses s in the given mode and resolves it in scope sc; NULL after a syntax error. */
Expr *typed(Analyzer *c, Scope *sc, Scalar *s, ParseMode mode);

/* analyze_loads.c */
void analyze_load(Analyzer *c, TableDef *t);
void analyze_query(Analyzer *c, QueryDef *q);
void order_loads(Analyzer *c);

/* analyze_keys.c */
void analyze_keys(Analyzer *c, TableDef *t);
void bind_lookups(Analyzer *c, TableDef *t);
void analyze_lookups(Analyzer *c, TableDef *t, Scope *sc);

/* analyze_datachecks.c */
void derive_datachecks(Analyzer *c);
void add_user_datachecks(Analyzer *c);

#endif
