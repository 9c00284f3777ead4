/* songs.h - the song catalogue: artists, songs, the song_data files, and
 * the songs the event logs play.
 *
 * A catalogue holds every generated song and artist in memory (they are few
 * next to the events).  Durations are integers in units of 1e-5 s; every
 * generated song has an even duration, every "phantom" song (played in the
 * logs but absent from song_data) an odd one, so a phantom can never join
 * to a catalogue song on (title, artist, duration) by accident.
 *
 * Shapes copied from the real data: artists with several songs, some
 * artists spelled two ways (name and location) across their songs, some
 * titles shared by different artists, null coordinates for about half the
 * artists, year 0 for many songs.
 */
#ifndef SPARKIFY_SONGS_H
#define SPARKIFY_SONGS_H

#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "files.h"
#include "jsonw.h"
#include "names.h"
#include "rng.h"

typedef struct Artist {
    char id[19];
    const char *name[2];     /* UTF-8; name[1] is a second spelling or NULL */
    const char *name_log[2]; /* the name quoted for the event logs */
    size_t name_log_len[2];
    const char *location[2]; /* "" when unknown */
    const Place *coord[2];   /* whose latitude/longitude to write; NULL: null */
} Artist;

typedef struct Song {
    char track_id[19], song_id[19];
    uint32_t artist;
    unsigned char spelling; /* index into the artist's name/place arrays */
    unsigned year;          /* 0 for unknown, as in the real data */
    int64_t duration;       /* units of 1e-5 s; even */
    const char *title;
    const char *title_log; /* quoted for the event logs */
    size_t title_log_len;
    char length[24]; /* duration as JSON text */
    size_t length_len;
} Song;

typedef struct Catalog {
    Arena arena;
    Artist *artists;
    size_t nartists;
    Song *songs;
    size_t nsongs;
    uint64_t seed;
    uint64_t phantoms; /* size of the pool of songs that are not in song_data */
    Buf raw;           /* scratch for catalog_play() */
    char qartist[JSONW_QUOTED_MAX(512)], qtitle[JSONW_QUOTED_MAX(512)], qlength[24];
} Catalog;

/* One NextSong's artist, song and length, as JSON text for the logs.  The
 * pointers stay valid until the next catalog_play() on the same catalogue. */
typedef struct Play {
    const char *artist, *title, *length;
    size_t artist_len, title_len, length_len;
    int matched; /* 1: a song of song_data (joins on title, artist, duration) */
} Play;

/* Builds nsongs (1..2^20) songs for seed.  Free with catalog_free(). */
void catalog_build(Catalog *c, uint64_t seed, size_t nsongs);
void catalog_free(Catalog *c);

/* Picks the song a NextSong event plays: a catalogue song with probability
 * match_ppm / 1e6 (popular songs more often), otherwise a phantom song,
 * regenerated from its pool index, whose artist is sometimes a catalogue
 * artist's name. */
void catalog_play(Catalog *c, Rng *r, uint32_t match_ppm, Play *out);

/* Writes dir/A/B/C/TRABC....json files, per_file songs per file (joined by
 * "\n", no final newline), in track id order.  Returns 0 or -1 (reported). */
int catalog_write(const Catalog *c, Out *o, const char *dir, size_t per_file);

#endif
