/* model_yaml.h - schema.yaml as a tree of located YAML nodes (model_yaml.c reads it).
 *
 * The model builder (model_build.c, model_tables.c, model_fields.c) walks this
 * tree; only model_yaml.c sees libyaml.  Every node keeps its 1-based position.
 * An alias is the node its anchor names (shared, not copied), so a node can be
 * reached twice; the reader refuses what the model language does not use: tags,
 * merge keys (<<), nesting deeper than YAML_MAX_DEPTH, more than one document.
 */
#ifndef STARGEN_MODEL_YAML_H
#define STARGEN_MODEL_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "diag.h"

/* Deeper nesting is refused (the model itself needs 6 levels). */
#define YAML_MAX_DEPTH 64

typedef enum YKind { Y_SCALAR, Y_SEQUENCE, Y_MAPPING } YKind;

typedef struct YNode {
    YKind kind;
    Mark mark;     /* the node's start: its anchor, tag, quote or first character */
    size_t offset; /* byte offset of the start (orders nodes of one mapping) */
    /* scalars */
    const char *value; /* decoded, NUL-terminated (a "\0" escape may hide a NUL: see len) */
    size_t len;
    int style;    /* SCALAR_PLAIN ... SCALAR_FOLDED (diag.h) */
    bool flow;    /* mappings and sequences: written {...} or [...] */
    bool merged;  /* a mapping that held a refused merge key (its keys are not all here) */
    bool twice;   /* scratch for named_entries(): a repeated name */
    size_t reach; /* nodes a walk from here visits, aliases included (saturates) */
    /* sequences: items[0..n); mappings: keys items[2i], values items[2i+1], i < n */
    struct YNode **items;
    size_t n;
} YNode;

/* Reads the one YAML document in text[0..len).  Reports every problem through d
 * (check "yaml", located) and returns NULL when the text cannot be read; *empty is
 * set when the text holds no document (or only a null).  Nodes live in a. */
YNode *yaml_read(Arena *a, Diag *d, const char *text, size_t len, bool *empty);

/* "a scalar", "a list", "a mapping": for messages. */
const char *ynode_kind_name(const YNode *n);
/* A plain scalar YAML reads as null: "", "~", "null", "Null", "NULL". */
bool ynode_is_null(const YNode *n);

#endif
