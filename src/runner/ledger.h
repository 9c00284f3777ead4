/* ledger.h - the stargen_ledger table: which files of an incremental source were loaded.
 *
 * One row per (source, file): its key (the source-relative path, or
 * s3://bucket/key), size, version (local mtime or S3 ETag), the SHA-256 of
 * its bytes, the run that loaded it, and a status:
 *
 *   pending  written by the staging step, in the same transaction as the
 *            staging rows read from the file (copy.c);
 *   loaded   set by the publish step, in the transaction that moves the
 *            staged rows into the kept star tables (execute.c).
 *
 * Staging commits in its own step, before publish, so a file is recorded as
 * loaded exactly when its rows reached the published tables: a crash before
 * publish commits leaves pending rows (and staging rows) that the next run's
 * staging step replaces; a crash after leaves both the tables and the ledger
 * complete.  Only `loaded` rows make a later run skip a file.
 *
 * Redshift (manifest.h): the cluster reads the files, the runner only lists
 * them, so a file's identity is its S3 key, size and ETag; sha256 is empty
 * and a size or ETag that moved means changed (a file copied over with the
 * same bytes but a new ETag, as a multipart upload can give, counts as
 * changed).  The source is the s3:// prefix of the COPY.  The rows are
 * written pending in the staging step's transaction, before its COPY, and
 * promoted by the same publish step as on PostgreSQL.
 * docs/out-format.md, "Incremental sources".
 */
#ifndef STARGEN_LEDGER_H
#define STARGEN_LEDGER_H

#include <libpq-fe.h>

#include "../common/arena.h"
#include "plan.h"
#include "sources.h"

/* Creates stargen_ledger if missing (inside the caller's transaction).  0 or -1. */
int ledger_ensure(PGconn *c, Buf *err);

/* What the ledger says of each file of a listing. */
typedef enum LedgerVerdict {
    LV_NEW,       /* not loaded before: stage it */
    LV_LOADED,    /* loaded, same size and version (or same checksum): skip */
    LV_CHANGED,   /* loaded, but its bytes differ now */
    LV_RELOAD,    /* changed and the policy is reload, or --full-reload: stage it */
    LV_SKIPPED_CH /* changed and the policy is skip: not staged, warned */
} LedgerVerdict;

/* Decides each file of l (v[] has l->n entries).  A loaded file whose size or
 * version differ is read again to compare checksums.  full_reload stages every
 * file.  Returns 0, or -1 with a message in err (a changed file under
 * changed=error names the file; a database error). */
int ledger_select(PGconn *c, const CopyDirective *d, const SourceList *l, int full_reload,
                  LedgerVerdict *v, Buf *err);

/* The same for a Redshift manifest spot: files identified by size and ETag
 * only (nothing is downloaded); the ledger's source is m->source. */
int ledger_select_etag(PGconn *c, const ManifestSpot *m, const SourceList *l, int full_reload,
                       LedgerVerdict *v, Buf *err);

/* Replaces the source's pending rows by one per staged file (sha[i] is its
 * checksum, 64 hex digits).  In the staging step's transaction.  0 or -1. */
int ledger_record(PGconn *c, const CopyDirective *d, const SourceList *l, const LedgerVerdict *v,
                  char (*sha)[65], const char *run_id, Buf *err);

/* The same for a Redshift manifest spot (sha256 recorded empty). */
int ledger_record_etag(PGconn *c, const ManifestSpot *m, const SourceList *l,
                       const LedgerVerdict *v, const char *run_id, Buf *err);

/* In the publish transaction: every pending row becomes loaded (replacing the
 * loaded row of the same file: a reload).  Does nothing when the table does
 * not exist.  0 or -1. */
int ledger_promote(PGconn *c, Buf *err);

/* --dry-run: appends, for each incremental source, the files a run would
 * stage (c may be NULL: no ledger could be read, every file is new).  A
 * Redshift manifest spot's prefix is listed through s3 (read-only; NULL: S3
 * is not configured, a problem).  Returns the number of problems (a changed
 * file under changed=error, a missing source, a ledger that cannot be read). */
int ledger_dry_run(PGconn *c, const Plan *p, const char *data_root, const S3Config *s3,
                   int full_reload, Buf *out);

/* 1 when the plan has a COPY of an incremental source (either dialect). */
int ledger_plan_incremental(const Plan *p);

/* The manifest spot of statement st (a type=manifest placeholder), or NULL. */
const ManifestSpot *ledger_manifest_spot(const Statement *st);

#endif
