/* convert.c - JSON value -> COPY text field; see convert.h.
 *
 * Fast path first: a string with no escapes and no high bytes (the common
 * case) is one memcpy; numbers into numeric columns are copied as they are.
 * Everything that needs a decision (escapes, UTF-8, type checks) branches off
 * the fast path.  Messages are "column NAME: reason VALUE".
 */
#include "convert.h"

#include "../common/datetime.h"
#include "../common/utf8.h"

#include <errno.h>
#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void cb_init(CopyBuf *b, size_t cap)
{
    b->p = xmalloc(cap);
    b->len = 0;
    b->cap = cap;
}

void cb_free(CopyBuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void cb_grow(CopyBuf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < need)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

ColType conv_type_from_oid(unsigned oid, int typmod, ColSpec *c)
{
    c->maxlen = -1;
    c->precision = c->scale = 0;
    switch (oid) {
    case 25:   /* text */
    case 19:   /* name */
    case 1042: /* bpchar */
    case 1043: /* varchar */
        /* varchar(max) is TEXT on PostgreSQL: Redshift's limit still holds */
        c->maxlen = (oid == 1042 || oid == 1043) && typmod >= 4 ? typmod - 4 : CONV_VARCHAR_MAX;
        if (oid == 19)
            c->maxlen = -1;
        return CT_TEXT;
    case 21: return CT_INT2;
    case 23: return CT_INT4;
    case 20: return CT_INT8;
    case 700: return CT_FLOAT4;
    case 701: return CT_FLOAT;
    case 1700:
        if (typmod >= 4) {
            c->precision = (typmod - 4) >> 16 & 0xFFFF;
            c->scale = (typmod - 4) & 0xFFFF;
        }
        return CT_NUMERIC;
    case 1082: return CT_DATE;
    case 16: return CT_BOOL;
    case 1114: return CT_TIMESTAMP;
    case 1184: return CT_TIMESTAMPTZ;
    case 114:
    case 3802: return CT_JSON;
    default: return CT_OTHER;
    }
}

/* ---- messages ------------------------------------------------------------ */

/* The value as it stands in the file, for a message: at most 60 bytes (cut at
 * a character boundary), control bytes as spaces and bytes that are not UTF-8
 * as \xNN, so the message itself is always valid UTF-8 (it is printed, put in
 * the --json report and stored in stargen_history). */
static void show_value(Buf *err, const JsonValue *v)
{
    const size_t maxshow = 60;
    const unsigned char *p = (const unsigned char *)v->p;
    if (v->kind == JV_STRING)
        buf_putc(err, '"');
    size_t i = 0;
    while (i < v->n && i < maxshow) {
        size_t k = utf8_seq_len(p + i, v->n - i);
        if (k == 0) {
            buf_printf(err, "\\x%02X", p[i]);
            i++;
        } else if (k == 1) {
            buf_putc(err, p[i] < 0x20 || p[i] == 0x7F ? ' ' : (char)p[i]);
            i++;
        } else {
            if (i + k > maxshow)
                break;
            buf_putn(err, (const char *)p + i, k);
            i += k;
        }
    }
    if (i < v->n)
        buf_puts(err, "...");
    if (v->kind == JV_STRING)
        buf_putc(err, '"');
}

static int bad(Buf *err, const ColSpec *c, const char *what, const JsonValue *v)
{
    buf_printf(err, "column %s: %s ", c->name, what);
    show_value(err, v);
    return -1;
}

/* Rewrites the reason a decoder appended at err[mark..] as
 * "column NAME: reason in VALUE". */
static int wrap(Buf *err, size_t mark, const ColSpec *c, const JsonValue *v)
{
    char *why = xstrdup(err->data + mark);
    err->len = mark;
    err->data[mark] = '\0';
    buf_printf(err, "column %s: %s in ", c->name, why);
    free(why);
    show_value(err, v);
    return -1;
}

static const char *type_word(ColType t)
{
    switch (t) {
    case CT_INT2:
    case CT_INT4:
    case CT_INT8: return "integer";
    case CT_FLOAT:
    case CT_FLOAT4:
    case CT_NUMERIC: return "number";
    case CT_DATE: return "date";
    case CT_BOOL: return "boolean";
    case CT_TIMESTAMP:
    case CT_TIMESTAMPTZ: return "timestamp";
    default: return "value";
    }
}

/* ---- small writers --------------------------------------------------------- */

static inline void put_bytes(CopyBuf *out, const char *s, size_t n)
{
    char *o = cb_reserve(out, n);
    memcpy(o, s, n);
    out->len += n;
}

/* NULL: \\N in text; in binary the field's length word (reserved by
 * conv_field_binary just before, nothing written since) becomes -1. */
static inline void put_null(CopyBuf *out, int bin)
{
    if (bin)
        memset(out->p + out->len - 4, 0xFF, 4);
    else
        put_bytes(out, "\\N", 2);
}

static inline int hex4(const unsigned char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* Writes one decoded ASCII byte, COPY-escaped when esc; returns bytes written. */
static inline int put_ascii(char *o, unsigned c, int esc)
{
    if (esc) {
        char e = 0;
        switch (c) {
        case '\\': e = '\\'; break;
        case '\n': e = 'n'; break;
        case '\r': e = 'r'; break;
        case '\t': e = 't'; break;
        case '\b': e = 'b'; break;
        case '\f': e = 'f'; break;
        case '\v': e = 'v'; break;
        default: break;
        }
        if (e) {
            o[0] = '\\';
            o[1] = e;
            return 2;
        }
    }
    o[0] = (char)c;
    return 1;
}

int json_decode_string(CopyBuf *out, const char *raw, size_t n, int esc, size_t *decoded, Buf *err)
{
    char *o = cb_reserve(out, n + 8);
    char *o0 = o;
    size_t extra = 0; /* escape bytes added beyond the decoded text */
    const unsigned char *s = (const unsigned char *)raw, *e = s + n;
    while (s < e) {
        const unsigned char *run = s;
        while (s < e && *s != '\\' && *s < 0x80)
            s++;
        if (s > run) {
            memcpy(o, run, (size_t)(s - run));
            o += s - run;
        }
        if (s >= e)
            break;
        if (*s >= 0x80) {
            int l = (int)utf8_seq_len(s, (size_t)(e - s));
            if (!l) {
                buf_printf(err, "invalid UTF-8 byte sequence (byte 0x%02X)", *s);
                return -1;
            }
            memcpy(o, s, (size_t)l);
            o += l;
            s += l;
            continue;
        }
        /* backslash escape (the reader checked its syntax) */
        unsigned c = s[1];
        s += 2;
        int w;
        switch (c) {
        case 'b': w = put_ascii(o, '\b', esc); break;
        case 'f': w = put_ascii(o, '\f', esc); break;
        case 'n': w = put_ascii(o, '\n', esc); break;
        case 'r': w = put_ascii(o, '\r', esc); break;
        case 't': w = put_ascii(o, '\t', esc); break;
        case 'u': {
            long cp = e - s >= 4 ? hex4(s) : -1;
            if (cp < 0) {
                buf_printf(err, "invalid \\u escape");
                return -1;
            }
            s += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                long lo = e - s >= 6 && s[0] == '\\' && s[1] == 'u' ? hex4(s + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    buf_printf(err, "unpaired surrogate \\u%04lX", cp);
                    return -1;
                }
                s += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                buf_printf(err, "unpaired surrogate \\u%04lX", cp);
                return -1;
            } else if (cp == 0) {
                buf_printf(err, "\\u0000 is not allowed in text");
                return -1;
            }
            w = cp < 0x80 ? put_ascii(o, (unsigned)cp, esc) : (int)utf8_encode(cp, o);
            break;
        }
        default: /* '"', '\\', '/' */ w = put_ascii(o, c, esc); break;
        }
        if (w == 2 && esc && o[0] == '\\')
            extra++;
        o += w;
    }
    *decoded = (size_t)(o - o0) - extra;
    out->len += (size_t)(o - o0);
    return 0;
}

/* Raw JSON text (object, array, JSON column), escaped for COPY text when esc. */
static int put_raw_escaped(CopyBuf *out, const char *p, size_t n, int esc, Buf *err)
{
    char *o = cb_reserve(out, 2 * n + 2), *o0 = o;
    const unsigned char *s = (const unsigned char *)p, *e = s + n;
    while (s < e) {
        unsigned char c = *s;
        if (c >= 0x80) {
            int l = (int)utf8_seq_len(s, (size_t)(e - s));
            if (!l) {
                buf_printf(err, "invalid UTF-8 byte sequence (byte 0x%02X)", c);
                return -1;
            }
            memcpy(o, s, (size_t)l);
            o += l;
            s += l;
            continue;
        }
        o += put_ascii(o, c, esc);
        s++;
    }
    out->len += (size_t)(o - o0);
    return 0;
}

/* ---- numbers and times ------------------------------------------------------ */

/* [+-]?[0-9]+ into *v; 0 on success, -1 syntax, -2 out of int64 range. */
static int parse_int(const char *s, size_t n, int64_t *v)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == n)
        return -1;
    uint64_t acc = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return -1;
        if (acc > (lim - d) / 10)
            return -2;
        acc = acc * 10 + d;
    }
    *v = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
    return 0;
}

static int int_in_range(ColType t, int64_t v)
{
    if (t == CT_INT2)
        return v >= -32768 && v <= 32767;
    if (t == CT_INT4)
        return v >= INT32_MIN && v <= INT32_MAX;
    return 1;
}

static int is_numeric_text(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    if (n - i == 3 && strncasecmp(s + i, "nan", 3) == 0)
        return 1;
    if ((n - i == 8 && strncasecmp(s + i, "infinity", 8) == 0) ||
        (n - i == 3 && strncasecmp(s + i, "inf", 3) == 0))
        return 1;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, ed++;
        if (!ed)
            return 0;
    }
    return i == n;
}

/* Writes the timestamp for integer text s (an epoch) per the time format. */
static int put_epoch(CopyBuf *out, const ColSpec *c, const JsonValue *v, const char *s, size_t n,
                     TimeFormat tf, Buf *err)
{
    int64_t x;
    if (parse_int(s, n, &x) != 0)
        return bad(err, c, "invalid epoch time", v);
    int millis = tf == TF_EPOCHMILLIS ||
                 (tf == TF_AUTO && (x >= INT64_C(100000000000) || x <= -INT64_C(100000000000)));
    char tmp[48];
    int l = epoch_format(x, millis, tmp);
    if (l < 0)
        return bad(err, c, "timestamp out of range", v);
    if (c->type == CT_TIMESTAMPTZ) {
        memcpy(tmp + l, "+00", 4);
        l += 3;
    }
    put_bytes(out, tmp, (size_t)l);
    return 0;
}

/* A number's text (JSON number or decoded string) into numeric(p,s), as
 * Redshift's COPY loads it (copy-parameters-data-conversion, ROUNDEC): extra
 * fractional digits are truncated, or rounded half away from zero with
 * roundec; more integer digits than p - s is "numeric field overflow".
 * NaN, Infinity and anything that is not a plain decimal number are
 * refused (Redshift's DECIMAL has no NaN).  Writes "[-]int[.frac]". */
static int put_decimal(CopyBuf *out, const ColSpec *c, const JsonValue *v, const char *s, size_t n,
                       int roundec, Buf *err)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    const char *ip = s + i;
    size_t il = 0, fl = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, il++;
    const char *fp = s + i + 1;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, fl++;
    }
    if (il + fl == 0)
        return bad(err, c, "invalid number (Redshift's DECIMAL has no NaN or Infinity)", v);
    long exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (exp < 100000)
                exp = exp * 10 + (s[i] - '0');
            i++, ed++;
        }
        if (!ed)
            return bad(err, c, "invalid number", v);
        if (eneg)
            exp = -exp;
    }
    if (i != n)
        return bad(err, c, "invalid number", v);
    /* value = 0.D x 10^point, D the significant digits */
    char digits[160];
    size_t nd = 0;
    long point = (long)il + exp;
    for (size_t k = 0; k < il + fl; k++) {
        char d = k < il ? ip[k] : fp[k - il];
        if (nd == 0 && d == '0') {
            point--;
            continue;
        }
        if (nd == sizeof digits)
            return bad(err, c, "number has too many digits for DECIMAL", v);
        digits[nd++] = d;
    }
    int scale = c->precision ? c->scale : -1; /* -1: unconstrained numeric keeps every digit */
    int precision = c->precision ? c->precision : 38;
    if (nd == 0) {
        put_bytes(out, "0", 1);
        return 0;
    }
    if (point > precision)
        goto overflow;
    long ipart = point > 0 ? point : 0;
    long fpart = scale >= 0 ? scale : ((long)nd - point > 0 ? (long)nd - point : 0);
    if (fpart > 1000)
        return bad(err, c, "number has too many digits for DECIMAL", v);
    char res[1200];
    size_t rl = 0;
    for (long k = 0; k < ipart + fpart; k++) {
        long j = k + point - ipart; /* D index of the digit worth 10^(ipart-1-k) */
        res[rl++] = j >= 0 && j < (long)nd ? digits[j] : '0';
    }
    long first_dropped = point + fpart; /* D index of the first digit past the scale */
    if (roundec && first_dropped >= 0 && first_dropped < (long)nd && digits[first_dropped] >= '5') {
        long k = (long)rl - 1;
        while (k >= 0 && res[k] == '9')
            res[k--] = '0';
        if (k >= 0) {
            res[k]++;
        } else {
            memmove(res + 1, res, rl);
            res[0] = '1';
            rl++;
            ipart++;
        }
    }
    if (ipart > precision - (scale < 0 ? 0 : scale))
        goto overflow;
    int allzero = 1;
    for (size_t k = 0; k < rl; k++)
        if (res[k] != '0')
            allzero = 0;
    char *o = cb_reserve(out, rl + 4);
    char *o0 = o;
    if (neg && !allzero)
        *o++ = '-';
    if (ipart == 0)
        *o++ = '0';
    memcpy(o, res, (size_t)ipart);
    o += ipart;
    if (rl > (size_t)ipart) {
        *o++ = '.';
        memcpy(o, res + ipart, rl - (size_t)ipart);
        o += rl - (size_t)ipart;
    }
    out->len += (size_t)(o - o0);
    return 0;
overflow:
    buf_printf(err, "column %s: numeric field overflow: ", c->name);
    show_value(err, v);
    buf_printf(err, " does not fit decimal(%d,%d)", precision, scale < 0 ? 0 : scale);
    return -1;
}

/* A double with an exponent must be finite (Redshift: "overflow"). */
static int float_in_range(const char *s, size_t n)
{
    char tmp[64];
    if (n >= sizeof tmp)
        return 1; /* many digits, no exponent worth checking: PostgreSQL decides */
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    double d = strtod(tmp, NULL);
    return isfinite(d);
}

static DtKind dt_kind(ColType t)
{
    return t == CT_DATE ? DT_DATE : t == CT_TIMESTAMP ? DT_TIMESTAMP : DT_TIMESTAMPTZ;
}

/* A date or time string by the COPY's DATEFORMAT / TIMEFORMAT. */
static int put_datetime(CopyBuf *out, const ColSpec *c, const JsonValue *v, const char *s, size_t n,
                        const ConvOpts *o, Buf *err)
{
    const char *fmt;
    if (c->type == CT_DATE)
        fmt = o->datefmt;
    else
        fmt = o->timeformat == TF_AUTO ? "auto" : o->timeformat == TF_STRING ? o->timefmt : NULL;
    char tmp[64], why[128];
    int zone = 0;
    int l = dt_convert(s, n, dt_kind(c->type), fmt, tmp, &zone, why);
    if (l < 0) {
        buf_printf(err, "column %s: invalid %s ", c->name,
                   c->type == CT_DATE ? "date" : "timestamp");
        show_value(err, v);
        buf_printf(err, ": %s", why);
        return -1;
    }
    if (zone && c->type == CT_TIMESTAMP && o->stats) {
        if (!o->stats->zone_ignored++) {
            o->stats->zone_column = c->name;
            snprintf(o->stats->zone_example, sizeof o->stats->zone_example, "%.*s",
                     (int)(n < 60 ? n : 60), s);
        }
    }
    put_bytes(out, tmp, (size_t)l);
    return 0;
}

/* Truncates trailing spaces beyond maxlen (as varchar does), else fails. */
static int check_len(CopyBuf *out, const ColSpec *c, size_t decoded, const JsonValue *v, Buf *err)
{
    size_t over = decoded - (size_t)c->maxlen;
    for (size_t i = 0; i < over; i++) {
        if (out->p[out->len - 1 - i] != ' ') {
            buf_printf(err, "column %s: value is %zu bytes, longer than varchar(%ld) ", c->name,
                       decoded, c->maxlen);
            show_value(err, v);
            return -1;
        }
    }
    out->len -= over;
    return 0;
}

static int raw_is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ' ')
            continue;
        if (c == '\\' && i + 1 < n &&
            (p[i + 1] == 't' || p[i + 1] == 'n' || p[i + 1] == 'r' || p[i + 1] == 'f')) {
            i++;
            continue;
        }
        if (c == '\\' && i + 5 < n && p[i + 1] == 'u' &&
            (memcmp(p + i + 2, "0020", 4) == 0 || memcmp(p + i + 2, "0009", 4) == 0)) {
            i += 5;
            continue;
        }
        return 0;
    }
    return 1;
}

/* ---- per kind ---------------------------------------------------------------- */

static int conv_string(CopyBuf *out, const ColSpec *c, const JsonValue *v, const ConvOpts *o,
                       int bin, Buf *err)
{
    size_t n = v->n, decoded;
    if (c->type == CT_TEXT) {
        if (n == 0 && o->emptyasnull) {
            put_null(out, bin);
            return 0;
        }
        if (o->blanksasnull && n > 0 && raw_is_blank(v->p, n)) {
            put_null(out, bin);
            return 0;
        }
        if (!(v->flags & (JF_ESCAPE | JF_HIGH))) {
            put_bytes(out, v->p, n);
            decoded = n;
        } else {
            size_t emark = err->len;
            if (json_decode_string(out, v->p, n, !bin, &decoded, err))
                return wrap(err, emark, c, v);
        }
        if (c->maxlen >= 0 && decoded > (size_t)c->maxlen)
            return check_len(out, c, decoded, v, err);
        return 0;
    }
    size_t emark = err->len;
    if (c->type == CT_JSON)
        return put_raw_escaped(out, v->p - 1, n + 2, !bin, err) ? wrap(err, emark, c, v) : 0;
    if (n == 0) { /* "" is NULL for every non-string type */
        put_null(out, bin);
        return 0;
    }
    /* decode in place, then judge the decoded text */
    size_t mark = out->len;
    if (json_decode_string(out, v->p, n, (c->type == CT_OTHER || c->type == CT_BOOL) && !bin,
                           &decoded, err))
        return wrap(err, emark, c, v);
    const char *s = out->p + mark;
    switch (c->type) {
    case CT_INT2:
    case CT_INT4:
    case CT_INT8: {
        int64_t x;
        int rc = parse_int(s, decoded, &x);
        if (rc == -1)
            return bad(err, c, "invalid integer", v);
        if (rc == -2 || !int_in_range(c->type, x))
            return bad(err, c, "integer out of range", v);
        return 0;
    }
    case CT_FLOAT:
    case CT_FLOAT4:
        if (!is_numeric_text(s, decoded))
            return bad(err, c, "invalid number", v);
        if ((memchr(s, 'e', decoded) || memchr(s, 'E', decoded)) && !float_in_range(s, decoded))
            return bad(err, c, "number out of range for double precision", v);
        return 0;
    case CT_NUMERIC: {
        char tmp[256];
        if (decoded >= sizeof tmp)
            return bad(err, c, "number has too many digits for DECIMAL", v);
        memcpy(tmp, s, decoded);
        out->len = mark;
        return put_decimal(out, c, v, tmp, decoded, o->roundec, err);
    }
    case CT_DATE: {
        char tmp[128];
        if (decoded >= sizeof tmp)
            return bad(err, c, "invalid date", v);
        memcpy(tmp, s, decoded);
        out->len = mark;
        return put_datetime(out, c, v, tmp, decoded, o, err);
    }
    case CT_TIMESTAMP:
    case CT_TIMESTAMPTZ:
        if (o->timeformat == TF_EPOCHMILLIS || o->timeformat == TF_EPOCHSECS) {
            char tmp[32];
            if (decoded >= sizeof tmp)
                return bad(err, c, "invalid epoch time", v);
            memcpy(tmp, s, decoded);
            out->len = mark;
            return put_epoch(out, c, v, tmp, decoded, o->timeformat, err);
        }
        {
            char tmp[128];
            if (decoded >= sizeof tmp)
                return bad(err, c, "invalid timestamp", v);
            memcpy(tmp, s, decoded);
            out->len = mark;
            return put_datetime(out, c, v, tmp, decoded, o, err);
        }
    default: return 0;
    }
}

static int conv_number(CopyBuf *out, const ColSpec *c, const JsonValue *v, const ConvOpts *o,
                       Buf *err)
{
    switch (c->type) {
    case CT_INT2:
    case CT_INT4:
    case CT_INT8: {
        int64_t x;
        if (!(v->flags & JF_INT))
            return bad(err, c, "invalid integer", v);
        int rc = parse_int(v->p, v->n, &x);
        if (rc != 0 || !int_in_range(c->type, x))
            return bad(err, c, "integer out of range", v);
        break;
    }
    case CT_BOOL:
        if (!(v->n == 1 && (v->p[0] == '0' || v->p[0] == '1')))
            return bad(err, c, "invalid boolean", v);
        break;
    case CT_FLOAT:
    case CT_FLOAT4:
        if ((v->flags & JF_EXP) && !float_in_range(v->p, v->n))
            return bad(err, c, "number out of range for double precision", v);
        break;
    case CT_NUMERIC: return put_decimal(out, c, v, v->p, v->n, o->roundec, err);
    case CT_DATE: return bad(err, c, "a number is not a date (DATEFORMAT has no epoch form):", v);
    case CT_TIMESTAMP:
    case CT_TIMESTAMPTZ:
        if (o->timeformat != TF_EPOCHMILLIS && o->timeformat != TF_EPOCHSECS)
            return bad(err, c,
                       "a number needs timeformat=epochmillisecs or epochsecs (auto and format "
                       "strings read text only):",
                       v);
        if (!(v->flags & JF_INT))
            return bad(err, c, "invalid epoch time", v);
        return put_epoch(out, c, v, v->p, v->n, o->timeformat, err);
    case CT_TEXT:
        if (c->maxlen >= 0 && v->n > (size_t)c->maxlen) {
            buf_printf(err, "column %s: value is %u bytes, longer than varchar(%ld) ", c->name,
                       v->n, c->maxlen);
            show_value(err, v);
            return -1;
        }
        break;
    default: break;
    }
    put_bytes(out, v->p, v->n);
    return 0;
}

static int conv_bool(CopyBuf *out, const ColSpec *c, const JsonValue *v, Buf *err)
{
    int t = v->kind == JV_TRUE;
    switch (c->type) {
    case CT_BOOL: put_bytes(out, t ? "t" : "f", 1); return 0;
    case CT_TEXT:
        if (c->maxlen >= 0 && (size_t)c->maxlen < (t ? 4u : 5u))
            return bad(err, c, "value too long:", v);
        __attribute__((fallthrough));
    case CT_JSON:
    case CT_OTHER: put_bytes(out, t ? "true" : "false", t ? 4 : 5); return 0;
    default: {
        char what[48];
        snprintf(what, sizeof what, "invalid %s", type_word(c->type));
        return bad(err, c, what, v);
    }
    }
}

static int conv_raw(CopyBuf *out, const ColSpec *c, const JsonValue *v, int bin, Buf *err)
{
    if (c->type != CT_TEXT && c->type != CT_JSON && c->type != CT_OTHER) {
        char what[64];
        snprintf(what, sizeof what, "cannot load a JSON %s as %s",
                 v->kind == JV_OBJECT ? "object" : "array", type_word(c->type));
        return bad(err, c, what, v);
    }
    size_t emark = err->len;
    if (put_raw_escaped(out, v->p, v->n, !bin, err))
        return wrap(err, emark, c, v);
    if (c->type == CT_TEXT && c->maxlen >= 0 && v->n > (size_t)c->maxlen) {
        buf_printf(err, "column %s: value is %u bytes, longer than varchar(%ld) ", c->name, v->n,
                   c->maxlen);
        show_value(err, v);
        return -1;
    }
    return 0;
}

static int conv_kind(CopyBuf *out, const ColSpec *c, const JsonValue *v, const ConvOpts *o, int bin,
                     Buf *err)
{
    switch (v->kind) {
    case JV_MISSING:
    case JV_NULL: put_null(out, bin); return 0;
    case JV_STRING: return conv_string(out, c, v, o, bin, err);
    case JV_NUMBER: return conv_number(out, c, v, o, err);
    case JV_TRUE:
    case JV_FALSE: return conv_bool(out, c, v, err);
    default: return conv_raw(out, c, v, bin, err);
    }
}

int conv_field(CopyBuf *out, const ColSpec *c, const JsonValue *v, const ConvOpts *o, Buf *err)
{
    return conv_kind(out, c, v, o, 0, err);
}

int conv_row(CopyBuf *out, const ColSpec *cols, int ncols, const int *col_slot,
             const JsonValue *vals, const ConvOpts *o, Buf *err)
{
    for (int i = 0; i < ncols; i++) {
        if (i)
            *cb_reserve(out, 1) = '\t', out->len++;
        if (conv_kind(out, &cols[i], &vals[col_slot[i]], o, 0, err))
            return -1;
    }
    *cb_reserve(out, 1) = '\n';
    out->len++;
    return 0;
}

/* ---- binary format ---------------------------------------------------------- */

int conv_binary_oid(unsigned oid)
{
    switch (oid) {
    case 25:   /* text */
    case 1042: /* bpchar */
    case 1043: /* varchar */
    case 21:   /* int2 */
    case 23:   /* int4 */
    case 20:   /* int8 */
    case 700:  /* float4 */
    case 701:  /* float8 */
    case 16: /* bool */ return 1;
    default: return 0;
    }
}

void conv_binary_header(CopyBuf *out)
{
    /* "PGCOPY\n\377\r\n\0", flags 0, header extension length 0 */
    static const char h[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
    put_bytes(out, h, sizeof h);
}

void conv_binary_trailer(CopyBuf *out)
{
    put_bytes(out, "\377\377", 2);
}

static inline void put_be(CopyBuf *out, uint64_t x, int width)
{
    char *o = cb_reserve(out, (size_t)width);
    for (int i = width - 1; i >= 0; i--) {
        o[i] = (char)(x & 0xFF);
        x >>= 8;
    }
    out->len += (size_t)width;
}

static int c_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* PostgreSQL's boolin (bool.c): surrounding C-locale white space trimmed,
 * then a case-insensitive prefix of true/false/yes/no, of on/off at least
 * two letters long, or exactly 1/0.  1 true, 0 false, -1 not a boolean. */
static int bool_value(const char *s, size_t n)
{
    while (n && c_space(*s))
        s++, n--;
    while (n && c_space(s[n - 1]))
        n--;
    static const struct {
        const char *word;
        size_t min;
        int val;
    } w[] = {{"true", 1, 1}, {"false", 1, 0}, {"yes", 1, 1}, {"no", 1, 0},
             {"on", 2, 1},   {"off", 2, 0},   {"1", 1, 1},   {"0", 1, 0}};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (n >= w[i].min && n <= strlen(w[i].word) && strncasecmp(s, w[i].word, n) == 0)
            return w[i].val;
    return -1;
}

/* Clinger's fast path: a decimal whose digits make an integer m <= 2^53 and
 * whose power of ten k has |k| <= 22 is m * 10^k or m / 10^-k in one IEEE
 * operation: both operands are exact, so the result is correctly rounded,
 * the same double glibc's strtod returns (never out of range).  Returns 0
 * for anything else (strtod decides).  Most JSON numbers take this path,
 * which costs a fraction of strtod's. */
static int fast_double(const char *s, size_t n, double *out)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    int neg = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    uint64_t m = 0;
    long k = 0;
    int seen = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, seen = 1) {
        if (m || s[i] != '0')
            digits++;
        m = m * 10 + (uint64_t)(s[i] - '0');
        if (digits > 17)
            return 0;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, seen = 1) {
            if (m || s[i] != '0')
                digits++;
            m = m * 10 + (uint64_t)(s[i] - '0');
            k--;
            if (digits > 17)
                return 0;
        }
    }
    if (!seen)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        long e = 0;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        if (i == n)
            return 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            e = e * 10 + (s[i] - '0');
            if (e > 1000)
                return 0;
        }
        k += eneg ? -e : e;
    }
    if (i != n || m > (UINT64_C(1) << 53) || k < -22 || k > 22)
        return 0;
    double d = (double)m;
    d = k < 0 ? d / pow10[-k] : d * pow10[k];
    *out = neg ? -d : d;
    return 1;
}

/* Replaces the validated text form of a field, out->p[start..len), by its
 * binary form.  Floats: the server's float8in/float4in call strtod/strtof on
 * the same text and refuse ERANGE when the result is 0 or +-HUGE_VAL
 * (denormals load); that rule is applied here, so nothing the server would
 * refuse is sent as 0 or infinity. */
static int encode_binary(CopyBuf *out, size_t start, const ColSpec *c, const JsonValue *v, Buf *err)
{
    size_t n = out->len - start;
    switch (c->type) {
    case CT_INT2:
    case CT_INT4:
    case CT_INT8: {
        int64_t x;
        if (parse_int(out->p + start, n, &x) != 0)
            return bad(err, c, "invalid integer", v);
        out->len = start;
        put_be(out, (uint64_t)x, c->type == CT_INT2 ? 2 : c->type == CT_INT4 ? 4 : 8);
        return 0;
    }
    case CT_FLOAT:
    case CT_FLOAT4: {
        *cb_reserve(out, 1) = '\0'; /* after the text, not counted */
        const char *s = out->p + start;
        char *end;
        errno = 0;
        uint64_t bits;
        int range_err;
        if (c->type == CT_FLOAT4) {
            float f = strtof(s, &end);
            range_err = errno == ERANGE && (f == 0.0f || f >= HUGE_VALF || f <= -HUGE_VALF);
            uint32_t b;
            memcpy(&b, &f, 4);
            bits = b;
        } else {
            double d;
            if (fast_double(s, n, &d)) {
                end = (char *)s + n;
                range_err = 0;
            } else {
                d = strtod(s, &end);
                range_err = errno == ERANGE && (d == 0.0 || d >= HUGE_VAL || d <= -HUGE_VAL);
            }
            memcpy(&bits, &d, 8);
        }
        if (n == 0 || end != s + n)
            return bad(err, c, "invalid number", v);
        if (range_err)
            return bad(err, c,
                       c->type == CT_FLOAT4 ? "number out of range for real"
                                            : "number out of range for double precision",
                       v);
        out->len = start;
        put_be(out, bits, c->type == CT_FLOAT4 ? 4 : 8);
        return 0;
    }
    case CT_BOOL: {
        int b = bool_value(out->p + start, n);
        if (b < 0)
            return bad(err, c, "invalid boolean", v);
        out->len = start;
        *cb_reserve(out, 1) = (char)b;
        out->len++;
        return 0;
    }
    default: return 0; /* text: the decoded bytes as they are */
    }
}

int conv_field_binary(CopyBuf *out, const ColSpec *c, const JsonValue *v, const ConvOpts *o,
                      Buf *err)
{
    size_t mark = out->len;
    memset(cb_reserve(out, 4), 0, 4); /* the length word; put_null() sets it to -1 */
    out->len += 4;
    if (conv_kind(out, c, v, o, 1, err))
        return -1;
    const unsigned char *h = (const unsigned char *)out->p + mark;
    if ((h[0] & h[1] & h[2] & h[3]) == 0xFF)
        return 0; /* NULL */
    if (encode_binary(out, mark + 4, c, v, err))
        return -1;
    size_t len = out->len - mark - 4;
    unsigned char *w = (unsigned char *)out->p + mark;
    w[0] = (unsigned char)(len >> 24);
    w[1] = (unsigned char)(len >> 16);
    w[2] = (unsigned char)(len >> 8);
    w[3] = (unsigned char)len;
    return 0;
}

int conv_row_binary(CopyBuf *out, const ColSpec *cols, int ncols, const int *col_slot,
                    const JsonValue *vals, const ConvOpts *o, Buf *err)
{
    put_be(out, (uint64_t)ncols, 2);
    for (int i = 0; i < ncols; i++)
        if (conv_field_binary(out, &cols[i], &vals[col_slot[i]], o, err))
            return -1;
    return 0;
}
