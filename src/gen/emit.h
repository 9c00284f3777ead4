/* emit.h - code generation as a pure function: checked model -> (path, contents) pairs.
 *
 * Nothing here touches the file system; writer.c does that (or compares, for
 * --check).  Paths are relative to the output folder ("postgres/00_drop.sql").
 */
#ifndef STARGEN_EMIT_H
#define STARGEN_EMIT_H

#include "dialect.h"

typedef struct OutFile {
    char *path;
    char *data;
    size_t len;
} OutFile;

typedef struct OutSet {
    OutFile *files;
    size_t len, cap;
    Vec dirs; /* char*: the folders this run owns ("postgres", ...) */
} OutSet;

/* Appends the files of dialect d for model m (checked, without errors) to out.
 * model_name is the model's file name as written in headers (no directories). */
void emit_dialect(Arena *a, const Model *m, const Dialect *d, const char *model_name, OutSet *out);

/* Appends schema.md, the model's documentation, at the output root (emit_docs.c). */
void emit_docs(Arena *a, const Model *m, const char *model_name, OutSet *out);

void outset_free(OutSet *o);

#endif
