/* history.h - the stargen_history table.
 *
 * History: one row per executed step (run_id, step, file, checksum, rows,
 * seconds, status, started_at, error, and for the steps that load kept tables
 * inserted, updated, unchanged and skipped: NULL when not measured).  The runner inserts the
 * success row inside the step's transaction and the failure row after the rollback. The DDL uses
 * only types both dialects have.
 */
#ifndef STARGEN_HISTORY_H
#define STARGEN_HISTORY_H

#include <libpq-fe.h>

#include "../common/arena.h"

/* Creates stargen_history if missing, and adds the count columns to a table an
 * older runner created (PostgreSQL and Redshift alike).  0 or -1 with msg. */
int history_ensure(PGconn *c, Buf *msg);

typedef struct HistoryRow {
    const char *run_id, *step, *file, *checksum, *status, *started_at, *error;
    long long rows;
    double seconds;
} HistoryRow;

/* What a step's loads did to kept tables (output.h StepResult), stored in the
 * count columns; a count not measured is stored as NULL. */
typedef struct HistoryCounts {
    int counted, skipped_known; /* inserted/updated/unchanged, and skipped, were measured */
    long long inserted, updated, unchanged, skipped;
} HistoryCounts;

/* Inserts one row in the current transaction (or autocommit), its counts NULL.
 * 0 or -1. */
int history_insert(PGconn *c, const HistoryRow *row, Buf *msg);
/* The same with counts (NULL: none measured). */
int history_insert_counts(PGconn *c, const HistoryRow *row, const HistoryCounts *counts, Buf *msg);

/* The checksum and start time of the last successful run of step (by step
 * name); returns 1 and fills the buffers, 0 if none, -1 on error. */
int history_last(PGconn *c, const char *step, char checksum[65], char started[40]);

/* A new random (version 4) UUID naming this run in every history row. */
void history_new_run_id(char out[37]);

#endif
