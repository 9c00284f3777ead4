/* table.h - rendering a result set for people (aligned table) and for files (CSV).
 *
 * Used by the data checks (sample rows of a failed check) and the analytics
 * queries (runner --report, --csv).  Pure functions of a PGresult.
 */
#ifndef STARGEN_TABLE_H
#define STARGEN_TABLE_H

#include <libpq-fe.h>

#include "../common/arena.h"

/* Renders a result set as an aligned text table (numbers right-aligned, NULL empty)
 * into b, at most max_rows rows (0 = all). */
void format_table(Buf *b, const PGresult *r, int max_rows);

/* Appends r as RFC 4180 CSV (header line, then rows; NULL as an empty field). */
void format_csv(Buf *b, const PGresult *r);

#endif
