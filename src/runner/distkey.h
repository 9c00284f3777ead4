/* distkey.h - the tunable values of the distribution health checks (issue 12 item 17).
 *
 * gen writes, in the checks step, a warn-severity check per distributed star table:
 * dist_key_<table> (share of NULL keys, the largest value's share, the skew of rows over
 * N simulated slices) and dist_all_<table> (a DISTSTYLE ALL table that outgrew a size).
 * Each tunable value stands in the SQL as a literal after a marker comment,
 *
 *     /\*stargen:dist_slices*\/16
 *
 * so the SQL runs as written anywhere; the runner replaces the literal with the value of
 * the environment variable STARGEN_<NAME> (STARGEN_DIST_SLICES=32) when it is set:
 *
 *   STARGEN_DIST_SLICES           simulated slices (default 16; an integer 1..100000)
 *   STARGEN_DIST_MIN_ROWS         tables smaller than this are not judged (default 1000)
 *   STARGEN_DIST_MAX_NULL_SHARE   NULL keys above this share warn (default 0.1)
 *   STARGEN_DIST_MAX_TOP_SHARE    one key value above this share warns (default 0.1)
 *   STARGEN_DIST_MAX_SKEW         the fullest slice above this many times the mean (1.5)
 *   STARGEN_DIST_ALL_MAX_ROWS     an ALL table above this many rows warns (1000000)
 *   STARGEN_DIST_ALL_MAX_SHARE    an ALL table above this share of a fact's rows (0.5)
 */
#ifndef STARGEN_DISTKEY_H
#define STARGEN_DISTKEY_H

#include <stddef.h>

#include "../common/arena.h"

/* Appends sql[0..len) to out with every marked literal replaced by its environment value.
 * Returns 0, or -1 with a message in err (a value that is not a plain non-negative number,
 * or slices outside 1..100000). */
int distkey_settings_apply(const char *sql, size_t len, Buf *out, Buf *err);

#endif
