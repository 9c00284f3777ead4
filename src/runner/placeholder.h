/* placeholder.h - ${NAME} placeholders: find, fill, and map positions back.
 *
 * Step text may hold ${NAME} (NAME = [A-Z_][A-Z0-9_]*).  Values come from the
 * environment first, then from a small table the caller builds from the
 * config file.  Substituted values have ' doubled.  Because a server error
 * position counts characters in the text actually sent, substitution keeps a
 * map from output bytes back to input bytes.  Values are never printed by
 * this module, and ph_redact() takes them back out of what the server says.
 */
#ifndef STARGEN_PLACEHOLDER_H
#define STARGEN_PLACEHOLDER_H

#include <stddef.h>

#include "../common/arena.h"

typedef struct PhVars {
    const char *names[16];
    const char *values[16];
    int n;
} PhVars;

/* Adds (or replaces) a config-supplied value; strings are not copied. */
void ph_set(PhVars *v, const char *name, const char *value);
/* Environment first, then v; NULL when missing. */
const char *ph_lookup(const PhVars *v, const char *name);

/* Appends to missing (comma-separated, each once) the names in text that
 * have no value.  Returns how many distinct names were appended. */
int ph_missing(const PhVars *v, const char *text, size_t len, Buf *missing);

typedef struct PhSeg {
    size_t out_off, out_len; /* where a value landed in the output */
    size_t in_off, in_len;   /* the ${NAME} it replaced */
} PhSeg;

typedef struct PhMap {
    PhSeg *segs;
    size_t n, cap;
} PhMap;

/* Writes text with placeholders filled into out (reset first) and records
 * the substitutions in map (reset first; free with ph_map_free).  A missing
 * name is left as is. */
void ph_apply(const PhVars *v, const char *text, size_t len, Buf *out, PhMap *map);
void ph_map_free(PhMap *map);

/* Maps a byte offset in the output back to the input; an offset inside a
 * substituted value maps to the start of its placeholder. */
size_t ph_map_back(const PhMap *map, size_t out_off);

/* Values shorter than this are not redacted (they would blot out ordinary words). */
#define PH_REDACT_MIN 3

/* Server messages may quote a substituted value ("invalid input syntax for
 * type integer: \"arn:aws:iam::…\"").  Returns s (a heap string, or NULL)
 * with every occurrence of the value of each placeholder named in text[0,len)
 * replaced by ${NAME}; s is freed when a new string is returned. */
char *ph_redact(const PhVars *v, const char *text, size_t len, char *s);

/* Byte offset of 1-based character position pos in s[0..len) (clamped). */
size_t utf8_char_to_byte(const char *s, size_t len, long pos);

#endif
