/* test_convert_binary.c - the binary COPY encoding of src/runner/convert.c
 * (conv_row_binary, conv_binary_header/trailer, conv_binary_oid), without a
 * database: the exact bytes of each field for every type of the binary set
 * (integers of each width with their limits, floats incl. -0, denormals, the
 * range edges and what float8in/float4in refuse, NULL, decoded strings,
 * booleans), and the checks that stay the same as in text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "runner/convert.h"
#include "runner/json.h"

static const ConvOpts plain = {0, 0, TF_NONE, NULL, NULL, 0, NULL};

static void hex(Buf *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%02x", p[i]);
}

/* Loads doc (objects) with paths "$.v", "$.w" ... for ncols columns in the
 * binary format; returns each row as "F:" field count, then per field
 * " NULL" or " LEN:HEX" (caller frees), or "LINE: message" on an error. */
static char *bin_rows(const char *doc, const ColSpec *cols, int ncols, const ConvOpts *o)
{
    static const char *const paths[] = {"$.v", "$.w", "$.x"};
    JsonPaths jp;
    Buf e, res;
    buf_init(&e);
    buf_init(&res);
    if (jsonpaths_compile(&jp, paths, ncols, &e))
        return buf_detach(&e, NULL);
    JsonReader r;
    jr_init(&r, &jp, 0, 0);
    JsonMemSrc m = {doc, strlen(doc), 0, 0};
    jr_open(&r, json_mem_read, &m);
    CopyBuf out;
    cb_init(&out, 16);
    for (;;) {
        int k = jr_next(&r);
        if (k <= 0) {
            if (k < 0)
                buf_printf(&e, "%ld: %s", r.err_line, r.err);
            break;
        }
        out.len = 0;
        size_t mark = e.len;
        if (conv_row_binary(&out, cols, ncols, jp.col_slot, r.vals, o, &e)) {
            char *why = xstrdup(e.data + mark);
            buf_reset(&e);
            buf_printf(&e, "%ld: %s", r.obj_line, why);
            free(why);
            break;
        }
        const unsigned char *p = (const unsigned char *)out.p;
        size_t at = 2;
        buf_printf(&res, "%sF%u:", res.len ? "|" : "", (unsigned)(p[0] << 8 | p[1]));
        for (int i = 0; i < ncols; i++) {
            uint32_t len = (uint32_t)p[at] << 24 | (uint32_t)p[at + 1] << 16 |
                           (uint32_t)p[at + 2] << 8 | p[at + 3];
            at += 4;
            if (len == 0xFFFFFFFFu) {
                buf_puts(&res, " NULL");
                continue;
            }
            buf_printf(&res, " %u:", len);
            hex(&res, p + at, len);
            at += len;
        }
        if (at != out.len)
            buf_printf(&res, " (%zu bytes left over)", out.len - at);
    }
    cb_free(&out);
    jr_free(&r);
    jsonpaths_free(&jp);
    if (e.len) {
        buf_free(&res);
        return buf_detach(&e, NULL);
    }
    buf_free(&e);
    return buf_detach(&res, NULL);
}

static char *bin_one(const char *doc, ColType t, long maxlen, const ConvOpts *o)
{
    ColSpec c[] = {{"v", t, maxlen, 0, 0}};
    return bin_rows(doc, c, 1, o);
}

#define EXPECT_BIN(doc, type, maxlen, opts, want)                                                  \
    do {                                                                                           \
        char *got_ = bin_one(doc, type, maxlen, opts);                                             \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)

TEST(convert_binary_header_trailer)
{
    CopyBuf b;
    cb_init(&b, 4);
    conv_binary_header(&b);
    static const unsigned char want[19] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xFF, '\r', '\n',
                                           0,   0,   0,   0,   0,   0,   0,    0,    0};
    CHECK(b.len == 19 && memcmp(b.p, want, 19) == 0);
    b.len = 0;
    conv_binary_trailer(&b);
    CHECK(b.len == 2 && (unsigned char)b.p[0] == 0xFF && (unsigned char)b.p[1] == 0xFF);
    cb_free(&b);
}

TEST(convert_binary_types)
{
    /* the set with an exact encoding; name (19), numeric, date, timestamps, json stay text */
    static const unsigned yes[] = {25, 1042, 1043, 21, 23, 20, 700, 701, 16};
    static const unsigned no[] = {19, 1700, 1082, 1114, 1184, 114, 3802, 2950, 0};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        CHECK(conv_binary_oid(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK(!conv_binary_oid(no[i]));
    ColSpec c;
    CHECK(conv_type_from_oid(700, -1, &c) == CT_FLOAT4);
    CHECK(conv_type_from_oid(701, -1, &c) == CT_FLOAT);
}

TEST(convert_binary_integers)
{
    EXPECT_BIN("{\"v\":0}", CT_INT2, -1, &plain, "F1: 2:0000");
    EXPECT_BIN("{\"v\":32767}", CT_INT2, -1, &plain, "F1: 2:7fff");
    EXPECT_BIN("{\"v\":-32768}", CT_INT2, -1, &plain, "F1: 2:8000");
    EXPECT_BIN("{\"v\":-1}", CT_INT2, -1, &plain, "F1: 2:ffff");
    EXPECT_BIN("{\"v\":\"-5\"}", CT_INT2, -1, &plain, "F1: 2:fffb");
    EXPECT_BIN("{\"v\":32768}", CT_INT2, -1, &plain, "1: column v: integer out of range 32768");
    EXPECT_BIN("{\"v\":2147483647}", CT_INT4, -1, &plain, "F1: 4:7fffffff");
    EXPECT_BIN("{\"v\":-2147483648}", CT_INT4, -1, &plain, "F1: 4:80000000");
    EXPECT_BIN("{\"v\":\"+258\"}", CT_INT4, -1, &plain, "F1: 4:00000102");
    EXPECT_BIN("{\"v\":-2147483649}", CT_INT4, -1, &plain,
               "1: column v: integer out of range -2147483649");
    EXPECT_BIN("{\"v\":9223372036854775807}", CT_INT8, -1, &plain, "F1: 8:7fffffffffffffff");
    EXPECT_BIN("{\"v\":-9223372036854775808}", CT_INT8, -1, &plain, "F1: 8:8000000000000000");
    EXPECT_BIN("{\"v\":1541105830796}", CT_INT8, -1, &plain, "F1: 8:00000166d110cb8c");
    EXPECT_BIN("{\"v\":9223372036854775808}", CT_INT8, -1, &plain,
               "1: column v: integer out of range 9223372036854775808");
    EXPECT_BIN("{\"v\":1.0}", CT_INT8, -1, &plain, "1: column v: invalid integer 1.0");
    EXPECT_BIN("{\"v\":\" 1\"}", CT_INT4, -1, &plain, "1: column v: invalid integer \" 1\"");
    EXPECT_BIN("{\"v\":\"\"}", CT_INT4, -1, &plain, "F1: NULL");
    EXPECT_BIN("{\"v\":null}", CT_INT4, -1, &plain, "F1: NULL");
    EXPECT_BIN("{\"w\":1}", CT_INT4, -1, &plain, "F1: NULL");
}

TEST(convert_binary_floats)
{
    EXPECT_BIN("{\"v\":1.5}", CT_FLOAT, -1, &plain, "F1: 8:3ff8000000000000");
    EXPECT_BIN("{\"v\":-0}", CT_FLOAT, -1, &plain, "F1: 8:8000000000000000");
    EXPECT_BIN("{\"v\":\"-0.0\"}", CT_FLOAT, -1, &plain, "F1: 8:8000000000000000");
    EXPECT_BIN("{\"v\":0}", CT_FLOAT, -1, &plain, "F1: 8:0000000000000000");
    EXPECT_BIN("{\"v\":5e-324}", CT_FLOAT, -1, &plain, "F1: 8:0000000000000001"); /* denormal */
    EXPECT_BIN("{\"v\":2.2250738585072014e-308}", CT_FLOAT, -1, &plain, "F1: 8:0010000000000000");
    EXPECT_BIN("{\"v\":1e308}", CT_FLOAT, -1, &plain, "F1: 8:7fe1ccf385ebc8a0");
    EXPECT_BIN("{\"v\":1.7976931348623157e308}", CT_FLOAT, -1, &plain, "F1: 8:7fefffffffffffff");
    EXPECT_BIN("{\"v\":0.1}", CT_FLOAT, -1, &plain, "F1: 8:3fb999999999999a");
    EXPECT_BIN("{\"v\":\"NaN\"}", CT_FLOAT, -1, &plain, "F1: 8:7ff8000000000000");
    EXPECT_BIN("{\"v\":\"-Infinity\"}", CT_FLOAT, -1, &plain, "F1: 8:fff0000000000000");
    EXPECT_BIN("{\"v\":\"inf\"}", CT_FLOAT, -1, &plain, "F1: 8:7ff0000000000000");
    EXPECT_BIN("{\"v\":1e309}", CT_FLOAT, -1, &plain,
               "1: column v: number out of range for double precision 1e309");
    EXPECT_BIN("{\"v\":\"-1e309\"}", CT_FLOAT, -1, &plain,
               "1: column v: number out of range for double precision \"-1e309\"");
    /* underflow to zero: float8in refuses it, so must we (never send 0) */
    EXPECT_BIN("{\"v\":1e-400}", CT_FLOAT, -1, &plain,
               "1: column v: number out of range for double precision 1e-400");
    EXPECT_BIN("{\"v\":\"1,5\"}", CT_FLOAT, -1, &plain, "1: column v: invalid number \"1,5\"");
    EXPECT_BIN("{\"v\":\"\"}", CT_FLOAT, -1, &plain, "F1: NULL");
    /* literals without an exponent that text leaves to the server */
    Buf d;
    buf_init(&d);
    buf_puts(&d, "{\"v\":1");
    for (int i = 0; i < 400; i++)
        buf_putc(&d, '0');
    buf_puts(&d, "}");
    char *got = bin_one(d.data, CT_FLOAT, -1, &plain);
    CHECK(got && strstr(got, "1: column v: number out of range for double precision 1000") == got);
    free(got);
    buf_reset(&d);
    buf_puts(&d, "{\"v\":0.");
    for (int i = 0; i < 400; i++)
        buf_putc(&d, '0');
    buf_puts(&d, "1}");
    got = bin_one(d.data, CT_FLOAT, -1, &plain);
    CHECK(got && strstr(got, "1: column v: number out of range for double precision 0.000") == got);
    free(got);
    /* 0.000...1 with 300 zeros is a double (1e-301): it loads */
    buf_reset(&d);
    buf_puts(&d, "{\"v\":0.");
    for (int i = 0; i < 300; i++)
        buf_putc(&d, '0');
    buf_puts(&d, "1}");
    got = bin_one(d.data, CT_FLOAT, -1, &plain);
    CHECK_STR(got, "F1: 8:017124e63593f5e1");
    free(got);
    buf_free(&d);
    /* real: strtof, float4in's range */
    EXPECT_BIN("{\"v\":1.5}", CT_FLOAT4, -1, &plain, "F1: 4:3fc00000");
    EXPECT_BIN("{\"v\":-0.0}", CT_FLOAT4, -1, &plain, "F1: 4:80000000");
    EXPECT_BIN("{\"v\":0.1}", CT_FLOAT4, -1, &plain, "F1: 4:3dcccccd");
    EXPECT_BIN("{\"v\":3.4028234e38}", CT_FLOAT4, -1, &plain, "F1: 4:7f7fffff");
    EXPECT_BIN("{\"v\":1e-45}", CT_FLOAT4, -1, &plain, "F1: 4:00000001"); /* denormal */
    EXPECT_BIN("{\"v\":3.5e38}", CT_FLOAT4, -1, &plain,
               "1: column v: number out of range for real 3.5e38");
    EXPECT_BIN("{\"v\":1e-50}", CT_FLOAT4, -1, &plain,
               "1: column v: number out of range for real 1e-50");
}

TEST(convert_binary_strings)
{
    const ConvOpts empty = {1, 0, TF_NONE, NULL, NULL, 0, NULL},
                   blank = {0, 1, TF_NONE, NULL, NULL, 0, NULL};
    EXPECT_BIN("{\"v\":\"abc\"}", CT_TEXT, -1, &plain, "F1: 3:616263");
    /* decoded escapes are raw bytes: no COPY escaping in binary */
    EXPECT_BIN("{\"v\":\"a\\tb\\\\c\\n\\\"\\/\"}", CT_TEXT, -1, &plain, "F1: 8:6109625c630a222f");
    EXPECT_BIN("{\"v\":\"\\u00e9\\ud83d\\ude00\"}", CT_TEXT, -1, &plain, "F1: 6:c3a9f09f9880");
    EXPECT_BIN("{\"v\":\"\xc3\xa9\"}", CT_TEXT, -1, &plain, "F1: 2:c3a9");
    EXPECT_BIN("{\"v\":\"\\u0001\\b\\f\\r\"}", CT_TEXT, -1, &plain, "F1: 4:01080c0d");
    EXPECT_BIN("{\"v\":\"\\u0000\"}", CT_TEXT, -1, &plain,
               "1: column v: \\u0000 is not allowed in text in \"\\u0000\"");
    EXPECT_BIN("{\"v\":\"\\ud83d\"}", CT_TEXT, -1, &plain,
               "1: column v: unpaired surrogate \\uD83D in \"\\ud83d\"");
    EXPECT_BIN("{\"v\":\"a\xff\"}", CT_TEXT, -1, &plain,
               "1: column v: invalid UTF-8 byte sequence (byte 0xFF) in \"a\\xFF\"");
    /* empty and blank strings */
    EXPECT_BIN("{\"v\":\"\"}", CT_TEXT, -1, &plain, "F1: 0:");
    EXPECT_BIN("{\"v\":\"\"}", CT_TEXT, -1, &empty, "F1: NULL");
    EXPECT_BIN("{\"v\":\" \\t\"}", CT_TEXT, -1, &blank, "F1: NULL");
    EXPECT_BIN("{\"v\":\" \\t\"}", CT_TEXT, -1, &empty, "F1: 2:2009");
    /* varchar(n) in bytes; trailing spaces beyond n are dropped as varchar does */
    EXPECT_BIN("{\"v\":\"abcd\"}", CT_TEXT, 3, &plain,
               "1: column v: value is 4 bytes, longer than varchar(3) \"abcd\"");
    EXPECT_BIN("{\"v\":\"ab\\u00e8\"}", CT_TEXT, 3, &plain,
               "1: column v: value is 4 bytes, longer than varchar(3) \"ab\\u00e8\"");
    EXPECT_BIN("{\"v\":\"ab\\t \"}", CT_TEXT, 3, &plain, "F1: 3:616209");
    EXPECT_BIN("{\"v\":\"ab   \"}", CT_TEXT, 3, &plain, "F1: 3:616220");
    EXPECT_BIN("{\"v\":\"a\\\\b\"}", CT_TEXT, 3, &plain, "F1: 3:615c62");
    /* other JSON values into text: their text, raw */
    EXPECT_BIN("{\"v\":-1.5e3}", CT_TEXT, -1, &plain, "F1: 6:2d312e356533");
    EXPECT_BIN("{\"v\":true}", CT_TEXT, -1, &plain, "F1: 4:74727565");
    EXPECT_BIN("{\"v\":{\"a\":\"\\\\\"}}", CT_TEXT, -1, &plain, "F1: 10:7b2261223a225c5c227d");
    EXPECT_BIN("{\"v\":[1,\n2]}", CT_TEXT, -1, &plain, "F1: 6:5b312c0a325d");
}

TEST(convert_binary_bools_rows)
{
    EXPECT_BIN("{\"v\":true}", CT_BOOL, -1, &plain, "F1: 1:01");
    EXPECT_BIN("{\"v\":false}", CT_BOOL, -1, &plain, "F1: 1:00");
    EXPECT_BIN("{\"v\":1}", CT_BOOL, -1, &plain, "F1: 1:01");
    EXPECT_BIN("{\"v\":0}", CT_BOOL, -1, &plain, "F1: 1:00");
    EXPECT_BIN("{\"v\":2}", CT_BOOL, -1, &plain, "1: column v: invalid boolean 2");
    /* strings by boolin's rule */
    EXPECT_BIN("{\"v\":\"yes\"}", CT_BOOL, -1, &plain, "F1: 1:01");
    EXPECT_BIN("{\"v\":\"T\"}", CT_BOOL, -1, &plain, "F1: 1:01");
    EXPECT_BIN("{\"v\":\"fAlS\"}", CT_BOOL, -1, &plain, "F1: 1:00");
    EXPECT_BIN("{\"v\":\" off\\n\"}", CT_BOOL, -1, &plain, "F1: 1:00");
    EXPECT_BIN("{\"v\":\"on\"}", CT_BOOL, -1, &plain, "F1: 1:01");
    EXPECT_BIN("{\"v\":\"n\"}", CT_BOOL, -1, &plain, "F1: 1:00");
    EXPECT_BIN("{\"v\":\"o\"}", CT_BOOL, -1, &plain, "1: column v: invalid boolean \"o\"");
    EXPECT_BIN("{\"v\":\"truee\"}", CT_BOOL, -1, &plain, "1: column v: invalid boolean \"truee\"");
    EXPECT_BIN("{\"v\":\"10\"}", CT_BOOL, -1, &plain, "1: column v: invalid boolean \"10\"");
    EXPECT_BIN("{\"v\":\"  \"}", CT_BOOL, -1, &plain, "1: column v: invalid boolean \"  \"");
    EXPECT_BIN("{\"v\":\"\"}", CT_BOOL, -1, &plain, "F1: NULL");
    /* rows: the field count, then the fields in column order */
    ColSpec c[] = {{"v", CT_INT2, -1, 0, 0}, {"w", CT_TEXT, 4, 0, 0}, {"x", CT_FLOAT, -1, 0, 0}};
    char *got = bin_rows("{\"w\":\"hi\",\"v\":7,\"x\":null}\n{\"v\":null,\"w\":\"\",\"x\":2}", c, 3,
                         &plain);
    CHECK_STR(got, "F3: 2:0007 2:6869 NULL|F3: NULL 0: 8:4000000000000000");
    free(got);
    got = bin_rows("{\"v\":1}\n\n{\"v\":1,\"w\":\"toolong\"}", c, 3, &plain);
    CHECK_STR(got, "3: column w: value is 7 bytes, longer than varchar(4) \"toolong\"");
    free(got);
}

/* The float encoding against strtod on many random decimals (the fast path
 * for short ones, strtod for the rest must agree bit for bit). */
TEST(convert_binary_floats_random)
{
    ColSpec c = {"v", CT_FLOAT, -1, 0, 0};
    CopyBuf out;
    cb_init(&out, 64);
    Buf err;
    buf_init(&err);
    unsigned long x = 88172645463325252UL; /* xorshift: the same cases every run */
    int bad = 0;
    for (int iter = 0; iter < 300000 && bad < 5; iter++) {
        char t[96];
        int l = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (x & 1)
            t[l++] = '-';
        int id = 1 + (int)((x >> 8) % 20), fd = (int)((x >> 16) % 21);
        for (int i = 0; i < id; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            t[l++] = (char)('0' + (x >> 20) % 10);
        }
        if (fd) {
            t[l++] = '.';
            for (int i = 0; i < fd; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                t[l++] = (char)('0' + (x >> 20) % 10);
            }
        }
        if ((x >> 30) % 3 == 0)
            l += snprintf(t + l, sizeof t - (size_t)l, "e%d", (int)((x >> 32) % 61) - 30);
        t[l] = '\0';
        JsonValue v = {t, (uint32_t)l, JV_STRING, 0};
        out.len = 0;
        buf_reset(&err);
        double want = strtod(t, NULL);
        unsigned char wb[8];
        uint64_t bits;
        memcpy(&bits, &want, 8);
        for (int i = 7; i >= 0; i--, bits >>= 8)
            wb[i] = (unsigned char)(bits & 0xFF);
        if (conv_field_binary(&out, &c, &v, &plain, &err) || out.len != 12 ||
            memcmp(out.p + 4, wb, 8) != 0) {
            fprintf(stderr, "  %s: binary differs from strtod (%s)\n", t, err.data ? err.data : "");
            bad++;
        }
    }
    CHECK(bad == 0);
    buf_free(&err);
    cb_free(&out);
}
