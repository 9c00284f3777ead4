/* migrate.h - kept tables across model changes: the recorded schema, migrations, review.
 *
 * A kept table (load mode append or upsert) keeps its rows between runs, so the
 * CREATE TABLE IF NOT EXISTS of the create_star step never changes it.  gen records
 * the physical schema it generated in out/<dialect>/schema.state (the format is in
 * ../common/schema_state.h); on the next run it reads that back (migrate_read_past),
 * compares it with the model (migrate_check: destructive or impossible changes are
 * located model errors unless `allow_data_loss:` acknowledges them), and writes
 * (migrate_emit) one numbered migration per changed kept table,
 * out/<dialect>/migrations/NNNN_<table>_<what>.sql, the new state file, and the
 * review text out/CHANGES.md.  Migrations already on disk are carried over byte for
 * byte: gen never rewrites or removes one.  migrate.c diffs and checks;
 * migrate_emit.c renders the SQL of each dialect and the review.
 */
#ifndef STARGEN_MIGRATE_H
#define STARGEN_MIGRATE_H

#include "../common/schema_state.h"
#include "emit.h"

/* What one dialect folder already holds. */
typedef struct OutPast {
    const Dialect *d;
    SchemaState *prev; /* NULL: no schema.state yet (the first generation) */
    Vec files;         /* OutFile*: migrations/NNNN_*.sql already written, by name */
    int next;          /* the number the next migration takes */
} OutPast;

/* Reads outdir/<d>/schema.state and outdir/<d>/migrations/.  Returns 0, or -1 with
 * a message in err (an unreadable or malformed file, a migration the state names
 * that is missing, a file in migrations/ that is not NNNN_name.sql). */
int migrate_read_past(Arena *a, const char *outdir, const Dialect *d, OutPast *past, Buf *err);

/* Reports, through diag, every change of a kept table that would destroy data
 * without an `allow_data_loss:` entry ([migration-data-loss]), every change no
 * migration can make ([migration-unsupported]), and acknowledgements or renames
 * that match nothing (warnings).  pasts: one per dialect being generated. */
void migrate_check(Arena *a, Diag *diag, const Model *m, OutPast *const *pasts, int npasts);

/* Appends, for past->d: the carried migrations, the new one(s) and schema.state. */
void migrate_emit(Arena *a, const Model *m, OutPast *past, const char *model_name, OutSet *out);

/* Appends CHANGES.md (output root): the latest change, in plain words.  When the
 * model changed nothing recorded, the previous text (old, NULL if none) is kept. */
void migrate_emit_review(Arena *a, const Model *m, OutPast *const *pasts, int npasts,
                         const char *model_name, const char *old, size_t oldlen, OutSet *out);

#endif
