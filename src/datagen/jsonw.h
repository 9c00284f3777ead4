/* jsonw.h - the JSON text the Sparkify files need: quoted strings and numbers.
 *
 * Strings are UTF-8 in memory and are written the way Python's json.dumps
 * writes them (the real dataset was made with it): non-ASCII as \uXXXX with
 * lowercase hex (surrogate pairs above U+FFFF), the short escapes \" \\ \b
 * \f \n \r \t, other control characters as \u00XX.  The log files add "\/"
 * for "/" (JSONW_SLASH), as the real event logs do.
 *
 * Numbers are formatted from integers only, never through printf("%f"), so
 * the text cannot depend on the locale or the platform's float printing.
 */
#ifndef SPARKIFY_JSONW_H
#define SPARKIFY_JSONW_H

#include <stddef.h>
#include <stdint.h>

enum {
    JSONW_ASCII = 1u, /* write every non-ASCII character as \uXXXX */
    JSONW_SLASH = 2u  /* write "/" as "\/" */
};

/* Largest output of jsonw_quote() for n input bytes (quotes included). */
#define JSONW_QUOTED_MAX(n) (6 * (size_t)(n) + 2)

/* Writes s[0..n) as a quoted JSON string to dst, which must hold
 * JSONW_QUOTED_MAX(n) bytes; returns the bytes written (no NUL).  A byte
 * that does not start a valid UTF-8 sequence is written as \u00XX of its
 * value (read as Latin-1), so the output is always valid JSON. */
size_t jsonw_quote(char *dst, const char *s, size_t n, unsigned flags);

/* Writes v in decimal; dst needs 20 bytes.  Returns the length. */
size_t jsonw_u64(char *dst, uint64_t v);

/* Writes units * 1e-5 the way Python's repr() writes a float with at most
 * five decimals: trailing zeros dropped but one decimal kept ("246.0",
 * "15.9676", "-86.77836").  dst needs 24 bytes.  Returns the length.
 * (repr switches to exponent form below 1e-4; callers keep |value| >= 1e-4
 * or exactly 0.) */
size_t jsonw_fixed5(char *dst, int64_t units);

#endif
