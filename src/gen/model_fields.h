/* model_fields.h - what the model builder files share: typed reads of YAML nodes.
 *
 * Only model_build.c, model_tables.c and model_fields.c include it.  Every
 * function reports what is wrong (located, with its check name) through L->d
 * and returns NULL/false; the caller carries on so that one run reports all.
 */
#ifndef STARGEN_MODEL_FIELDS_H
#define STARGEN_MODEL_FIELDS_H

#include "model.h"
#include "model_yaml.h"

typedef struct Loader {
    Arena *a;
    Diag *d;
} Loader;

/* The value of a scalar node as a located Scalar ("what" names it in messages). */
Scalar *scalar(Loader *L, YNode *n, const char *what);
/* A scalar that is neither empty, blank nor a YAML null. */
Scalar *nonempty(Loader *L, YNode *n, const char *what);
/* true/false into *out. */
bool flag(Loader *L, YNode *n, const char *what, bool *out);
/* A valid name for a table, column, source, alias or check. */
const char *name_of(Loader *L, YNode *n, const char *what);
/* severity: error | warn into *warn. */
bool severity(Loader *L, YNode *n, bool *warn);
/* One scalar or a list of scalars, appended to out. */
void scalar_list(Loader *L, YNode *n, Vec *out, const char *what);

typedef struct Key {
    const char *name;
    bool required;
} Key;

/* Validates a mapping's keys against `keys`: reports unknown keys (with a
 * suggestion), duplicates and missing required ones.  Returns false if n is not
 * a mapping.  vals[i] receives the value node of keys[i] (or NULL). */
bool fields(Loader *L, YNode *n, const char *what, const Key *keys, int nkeys, YNode **vals);

/* Iterates a mapping whose keys are names (tables, columns, sources), checking
 * names and duplicates.  Calls fn for each well-named entry. */
typedef void (*EntryFn)(Loader *L, const char *name, YNode *key, YNode *val, void *ctx);
void named_entries(Loader *L, YNode *n, const char *what, const char *item, EntryFn fn, void *ctx);

/* model_tables.c: a staging or star table (ctx is the Model); a join of a load or query. */
void read_staging_table(Loader *L, const char *name, YNode *k, YNode *v, void *ctx);
void read_star_table(Loader *L, const char *name, YNode *k, YNode *v, void *ctx);
void read_join(Loader *L, LoadDef *ld, YNode *n);

#endif
