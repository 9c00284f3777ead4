/* names.h - built-in word lists and the builders that turn them into
 * people, places, user agents, artist names and song titles.
 *
 * All text is UTF-8.  The lists deliberately include what trips loaders up:
 * non-ASCII letters (Beyoncé, Sigur Rós, 東京), apostrophes, ampersands,
 * embedded double quotes, slashes and user agents wrapped in quotes.
 * Every builder draws only from the Rng it is given, so the same stream
 * builds the same text.
 */
#ifndef SPARKIFY_NAMES_H
#define SPARKIFY_NAMES_H

#include <stdint.h>

#include "../common/arena.h"
#include "rng.h"

/* A place an artist comes from; lat/lon in units of 1e-5 degree. */
typedef struct Place {
    const char *name;
    int32_t lat, lon;
} Place;

/* gender is 'M' or 'F'. */
const char *names_first(Rng *r, char gender);
const char *names_last(Rng *r);
/* A US metro area as the event logs write it ("Portland-Vancouver-Hillsboro, OR-WA"). */
const char *names_metro(Rng *r);
/* A browser user agent; about two in three are wrapped in double quotes. */
const char *names_user_agent(Rng *r);
const Place *names_place(Rng *r);

/* The i-th well-known artist name, or NULL once the list is exhausted. */
const char *names_famous_artist(uint64_t i);

/* Appends a generated artist name to out. */
void names_artist(Rng *r, Buf *out);
/* Appends a second spelling of an artist called name ("X featuring Y",
 * "The X", "X & His Orchestra"...) to out. */
void names_artist_variant(Rng *r, const char *name, Buf *out);
/* Appends a generated song title to out. */
void names_title(Rng *r, Buf *out);

#endif
