/* placeholder.h - declared ${NAME} placeholders: values, checks, filling, positions.
 *
 * A step holds a placeholder only where gen declared one: a
 * `-- stargen:placeholder name=NAME type=iam_role offset=N` directive before
 * the statement says that ${NAME} sits at byte N, as the whole content of a
 * '...' literal (plan.h, PlaceholderUse; split.c verifies it).  Any other
 * ${...} in a step -- a mapping, a where clause, a comment -- is ordinary text
 * and is sent byte-exact; nothing asks for a value for it.
 *
 * Values come from the environment first, then from a small table the caller
 * builds from the config file.  Each value is checked against the grammar of
 * its type before anything runs (an IAM role ARN, see ph_iam_role_check), and
 * escaped for the string rules of the server it is sent to: ' is doubled, and
 * \ too where backslash is an escape in literals (Redshift; PostgreSQL with
 * standard_conforming_strings off).  Because a server error position counts
 * characters in the text actually sent, substitution keeps a map from output
 * bytes back to input bytes.  Values are never printed by this module, and
 * ph_redact() takes them back out of what the server says.
 */
#ifndef STARGEN_PLACEHOLDER_H
#define STARGEN_PLACEHOLDER_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "plan.h"

/* The longest manifest URL: s3:// + a 63-byte bucket + / + a 1024-byte key. */
#define PH_MANIFEST_URL_MAX 1100

typedef struct PhVars {
    const char *names[16];
    const char *values[16];
    const char *origins[16]; /* where the value came from, for messages */
    int n;
    /* the value of a type=manifest placeholder: set by the runner for the one
     * statement it prepared (manifest.h), never read from the environment */
    char manifest_url[PH_MANIFEST_URL_MAX + 1];
} PhVars;

/* Adds (or replaces) a config-supplied value; strings are not copied.  origin
 * says where it came from ("[IAM_ROLE] ARN in --config"). */
void ph_set(PhVars *v, const char *name, const char *value, const char *origin);
/* Environment first, then v; NULL when missing.  *origin (may be NULL) is set
 * to "the environment" or the origin given to ph_set. */
const char *ph_lookup(const PhVars *v, const char *name, const char **origin);

/* Appends to missing (comma-separated, each once) the names of the placeholders
 * declared in step s that have no value.  Returns how many were appended.
 * Here and in ph_check and ph_redact, type=manifest placeholders are left out:
 * the runner fills them itself when the statement runs. */
int ph_missing(const PhVars *v, const Step *s, Buf *missing);

/* Checks the value of every placeholder declared in step s against the grammar
 * of its type.  Returns 0, or -1 with "path:LINE: ..." in err; the message
 * names the placeholder and where its value came from, never the value. */
int ph_check(const PhVars *v, const Step *s, Buf *err);

/* An IAM role ARN as COPY takes it (docs: copy-parameters-authorization;
 * chaining: r_CREATE_EXTERNAL_SCHEMA, r_UNLOAD):
 *   arn:aws[-PARTITION]:iam::<12 digits>:role/[PATH/]NAME
 * PATH and NAME of A-Z a-z 0-9 + = . @ _ - (and / between path parts), NAME
 * 1..64 bytes; up to 10 such ARNs separated by commas (a role chain).  Returns
 * NULL when s is one, else why not (a fixed phrase that never quotes s). */
const char *ph_iam_role_check(const char *s);

typedef struct PhSeg {
    size_t out_off, out_len; /* where a value landed in the output */
    size_t in_off, in_len;   /* the ${NAME} it replaced */
} PhSeg;

typedef struct PhMap {
    PhSeg *segs;
    size_t n, cap;
} PhMap;

/* Writes statement st of step text (text is the whole file) into out (reset
 * first) with its declared placeholders filled, and records the substitutions
 * in map (reset first; free with ph_map_free).  ' in a value is doubled, and
 * \ too when backslash_escapes.  A placeholder without a value is left as is
 * (preflight refuses to run one). */
void ph_apply(const PhVars *v, const char *text, const Statement *st, bool backslash_escapes,
              Buf *out, PhMap *map);
void ph_map_free(PhMap *map);

/* Maps a byte offset in the output back to the input; an offset inside a
 * substituted value maps to the start of its placeholder. */
size_t ph_map_back(const PhMap *map, size_t out_off);

/* Values shorter than this are not redacted (they would blot out ordinary
 * words); every value that passes ph_check is much longer. */
#define PH_REDACT_MIN 3

/* Server messages may quote a substituted value ("invalid input syntax for
 * type integer: \"arn:aws:iam::…\"").  Returns msg (a heap string, or NULL)
 * with every occurrence of the value of each placeholder declared in step s
 * (and of each ARN of a chain) replaced by ${NAME}; msg is freed when a new
 * string is returned. */
char *ph_redact(const PhVars *v, const Step *s, char *msg);

/* Byte offset of 1-based character position pos in s[0..len) (clamped). */
size_t utf8_char_to_byte(const char *s, size_t len, long pos);

#endif
