/* utf8.c - see utf8.h. */
#include "utf8.h"

#include <string.h>

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq_len(p + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

void utf8_escape_display(Buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t k = utf8_seq_len(p + i, n - i);
        if (k > 1) {
            buf_putn(out, (const char *)p + i, k);
            i += k;
            continue;
        }
        switch (c) {
        case '\\': buf_puts(out, "\\\\"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        default:
            if (c < 0x20 || c >= 0x7F)
                buf_printf(out, "\\x%02X", c);
            else
                buf_putc(out, (char)c);
        }
        i++;
    }
}

void utf8_escape_display_str(Buf *out, const char *s)
{
    if (s)
        utf8_escape_display(out, s, strlen(s));
}
