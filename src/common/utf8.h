/* utf8.h - UTF-8 validation and safe display of outside text, the one way the project does it.
 *
 * utf8_seq_len() is inline because the COPY converter calls it per byte on the hot path;
 * everything else is in utf8.c.
 */
#ifndef STARGEN_UTF8_H
#define STARGEN_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* Length (1-4) of the valid UTF-8 sequence at p[0..n), n >= 1, or 0 when it is not one:
 * a stray continuation byte, an overlong form, a surrogate (U+D800-DFFF), a code point
 * above U+10FFFF, or a sequence cut by the end of the input. */
static inline size_t utf8_seq_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* Writes code point cp (at most U+10FFFF; the caller has refused or replaced
 * surrogates) as UTF-8 into o[0..4) and returns how many bytes (1-4).  Inline:
 * the COPY converter decodes \uXXXX escapes with it on the hot path. */
static inline size_t utf8_encode(unsigned long cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* True when s[0..n) is entirely valid UTF-8 (NUL bytes count as valid). */
bool utf8_valid(const char *s, size_t n);

/* Appends s[0..n) to out so that it is safe to print on one terminal line or store in
 * a UTF-8 text column: valid printable UTF-8 is copied, a backslash is doubled, control
 * bytes become \n, \r, \t or \xNN, DEL and each byte of an invalid sequence become \xNN.
 * A file name like "bad\xff\nerror: forged.json" therefore prints as one line. */
void utf8_escape_display(Buf *out, const char *s, size_t n);

/* The same for a NUL-terminated string (NULL appends nothing). */
void utf8_escape_display_str(Buf *out, const char *s);

#endif
