/* jsonw.c - JSON string escaping and number formatting; see jsonw.h. */
#include "jsonw.h"

#include <string.h>

static const char hexdig[] = "0123456789abcdef";

static char *put_u4(char *d, unsigned cp)
{
    d[0] = '\\';
    d[1] = 'u';
    d[2] = hexdig[(cp >> 12) & 15];
    d[3] = hexdig[(cp >> 8) & 15];
    d[4] = hexdig[(cp >> 4) & 15];
    d[5] = hexdig[cp & 15];
    return d + 6;
}

/* Decodes one UTF-8 sequence at s (len bytes available).  Returns its length
 * and stores the code point, or returns 0 for an invalid sequence. */
static size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
    unsigned c = s[0];
    size_t need;
    unsigned v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        need = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        need = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        need = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return need;
}

size_t jsonw_quote(char *dst, const char *s, size_t n, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)s;
    char *d = dst;
    *d++ = '"';
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '/') {
            *d++ = (char)c;
            i++;
            continue;
        }
        if (c >= 0x80) {
            unsigned cp;
            size_t len = utf8_decode(p + i, n - i, &cp);
            if (len == 0) {
                d = put_u4(d, c); /* stray byte: its Latin-1 reading */
                i++;
            } else if (!(flags & JSONW_ASCII)) {
                memcpy(d, p + i, len);
                d += len;
                i += len;
            } else if (cp >= 0x10000) {
                cp -= 0x10000;
                d = put_u4(d, 0xd800 + (cp >> 10));
                d = put_u4(d, 0xdc00 + (cp & 0x3ff));
                i += len;
            } else {
                d = put_u4(d, cp);
                i += len;
            }
            continue;
        }
        i++;
        switch (c) {
        case '"': *d++ = '\\', *d++ = '"'; break;
        case '\\': *d++ = '\\', *d++ = '\\'; break;
        case '/':
            if (flags & JSONW_SLASH)
                *d++ = '\\';
            *d++ = '/';
            break;
        case '\b': *d++ = '\\', *d++ = 'b'; break;
        case '\f': *d++ = '\\', *d++ = 'f'; break;
        case '\n': *d++ = '\\', *d++ = 'n'; break;
        case '\r': *d++ = '\\', *d++ = 'r'; break;
        case '\t': *d++ = '\\', *d++ = 't'; break;
        default: d = put_u4(d, c); break;
        }
    }
    *d++ = '"';
    return (size_t)(d - dst);
}

size_t jsonw_u64(char *dst, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

size_t jsonw_fixed5(char *dst, int64_t units)
{
    size_t n = 0;
    uint64_t u;
    if (units < 0) {
        dst[n++] = '-';
        u = (uint64_t)0 - (uint64_t)units;
    } else {
        u = (uint64_t)units;
    }
    n += jsonw_u64(dst + n, u / 100000);
    dst[n++] = '.';
    unsigned frac = (unsigned)(u % 100000);
    char f[5];
    for (int i = 4; i >= 0; i--) {
        f[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    int keep = 5;
    while (keep > 1 && f[keep - 1] == '0')
        keep--;
    memcpy(dst + n, f, (size_t)keep);
    return n + (size_t)keep;
}
