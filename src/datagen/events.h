/* events.h - the listening simulation that streams log_data files.
 *
 * Every user gets an exact share of the events (weighted by activity) split
 * into sessions spread over the window; a min-heap keyed by each user's
 * next timestamp merges all users into one time-ordered stream, written
 * straight to one file per UTC day.  Memory is one small state per user,
 * whatever the number of events.
 */
#ifndef SPARKIFY_EVENTS_H
#define SPARKIFY_EVENTS_H

#include <stdint.h>

#include "files.h"
#include "songs.h"
#include "users.h"

typedef struct EventConfig {
    uint64_t events; /* exact number of events to write */
    uint64_t seed;
    int64_t start_day;  /* first day of the window, days since 1970-01-01 */
    unsigned days;      /* window length */
    uint32_t match_ppm; /* share of NextSong events that play a catalogue song */
} EventConfig;

typedef struct EventStats {
    uint64_t events, nextsong, matched, logged_out, files;
} EventStats;

/* Writes dir/YYYY/MM/YYYY-MM-DD-events.json files: compact JSON objects
 * joined by "\n", no final newline, in ts order.  The catalogue is used for
 * its scratch space (hence not const).  Returns 0, or -1 after a reported
 * I/O error. */
int events_write(const EventConfig *cfg, Catalog *cat, const Users *users, Out *o, const char *dir,
                 EventStats *st);

#endif
