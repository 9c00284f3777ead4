/* test_runner_json.c - the runner's streaming JSON reader and the JSON ->
 * COPY text conversion (src/runner/json.c, src/runner/convert.c), without a
 * database.  Every document is also fed byte by byte to prove that objects
 * split across read chunks parse the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/datetime.h"
#include "harness.h"
#include "runner/convert.h"
#include "runner/json.h"

/* Loads doc through the reader and converter; returns the COPY text (caller
 * frees) or NULL with "LINE: message" in *err (caller frees). */
static char *load_ex(const char *doc, size_t len, const char *const *paths, int n,
                     const ColSpec *cols, const ConvOpts *o, size_t step, size_t max_object,
                     char **err)
{
    JsonPaths jp;
    Buf e;
    buf_init(&e);
    *err = NULL;
    if (jsonpaths_compile(&jp, paths, n, &e)) {
        *err = buf_detach(&e, NULL);
        jsonpaths_free(&jp);
        return NULL;
    }
    JsonReader r;
    jr_init(&r, &jp, step ? step : 0, max_object);
    JsonMemSrc m = {doc, len, 0, step};
    jr_open(&r, json_mem_read, &m);
    CopyBuf out;
    cb_init(&out, 64);
    char *res = NULL;
    for (;;) {
        int k = jr_next(&r);
        if (k == 0) {
            *cb_reserve(&out, 1) = '\0';
            res = xstrdup(out.p);
            break;
        }
        if (k < 0) {
            buf_printf(&e, "%ld: %s", r.err_line, r.err);
            *err = buf_detach(&e, NULL);
            break;
        }
        size_t mark = e.len;
        if (conv_row(&out, cols, n, jp.col_slot, r.vals, o, &e)) {
            char *why = xstrdup(e.data + mark);
            buf_reset(&e);
            buf_printf(&e, "%ld: %s", r.obj_line, why);
            free(why);
            *err = buf_detach(&e, NULL);
            break;
        }
    }
    if (!*err)
        buf_free(&e);
    cb_free(&out);
    jr_free(&r);
    jsonpaths_free(&jp);
    return res;
}

/* Runs both with one big chunk and byte by byte; checks they agree. */
static char *load(const char *doc, const char *const *paths, int n, const ColSpec *cols,
                  const ConvOpts *o, char **err, int *agree)
{
    char *e1, *e2;
    char *a = load_ex(doc, strlen(doc), paths, n, cols, o, 0, 0, &e1);
    char *b = load_ex(doc, strlen(doc), paths, n, cols, o, 1, 0, &e2);
    *agree = (a && b && strcmp(a, b) == 0) || (e1 && e2 && strcmp(e1, e2) == 0);
    if (!*agree)
        fprintf(stderr, "  chunked: [%s|%s] vs byte-by-byte: [%s|%s]\n", a ? a : "-", e1 ? e1 : "-",
                b ? b : "-", e2 ? e2 : "-");
    free(b);
    free(e2);
    *err = e1;
    return a;
}

static const ConvOpts plain = {0, 0, TF_NONE, NULL, NULL, 0, NULL};

/* One text column "a" from $.a, unlimited length. */
static char *one_text(const char *doc, char **err)
{
    static const char *const p[] = {"$.a"};
    static const ColSpec c[] = {{"a", CT_TEXT, -1, 0, 0}};
    int agree;
    char *r = load(doc, p, 1, c, &plain, err, &agree);
    if (!agree) {
        free(r);
        free(*err);
        *err = xstrdup("byte-by-byte differs");
        return NULL;
    }
    return r;
}

#define EXPECT_TEXT(doc, want)                                                                     \
    do {                                                                                           \
        char *e_, *got_ = one_text(doc, &e_);                                                      \
        CHECK_STR(got_ ? got_ : e_, want);                                                         \
        free(got_);                                                                                \
        free(e_);                                                                                  \
    } while (0)

TEST(runner_json_ndjson_basic)
{
    static const char *const p[] = {"$.a", "$.b"};
    static const ColSpec c[] = {{"a", CT_TEXT, -1, 0, 0}, {"b", CT_INT4, -1, 0, 0}};
    char *err;
    int agree;
    /* no final newline; CRLF and blank lines between objects */
    char *r = load("{\"a\":\"x\",\"b\":1}\r\n\n  {\"b\": 2 , \"a\" : \"y\"}", p, 2, c, &plain, &err,
                   &agree);
    CHECK(agree);
    CHECK_STR(r, "x\t1\ny\t2\n");
    free(r);
    free(err);
}

TEST(runner_json_empty_streams)
{
    EXPECT_TEXT("", "");
    EXPECT_TEXT(" \n\t\r\n ", "");
    EXPECT_TEXT("{}", "\\N\n");
    EXPECT_TEXT("{\"a\":\"1\"}{\"a\":\"2\"}", "1\n2\n"); /* no whitespace needed */
}

TEST(runner_json_escapes)
{
    EXPECT_TEXT("{\"a\":\"q\\\"uote\"}", "q\"uote\n");
    EXPECT_TEXT("{\"a\":\"back\\\\slash\"}", "back\\\\slash\n");
    EXPECT_TEXT("{\"a\":\"Mozilla\\/5.0\"}", "Mozilla/5.0\n");
    EXPECT_TEXT("{\"a\":\"l1\\nl2\\tt\\rr\"}", "l1\\nl2\\tt\\rr\n");
    EXPECT_TEXT("{\"a\":\"\\b\\f\"}", "\\b\\f\n");
    EXPECT_TEXT("{\"a\":\"\\\"Mozilla\\/5.0 (X11)\\\"\"}", "\"Mozilla/5.0 (X11)\"\n");
    /* a raw tab cannot appear in JSON text, an escaped one is COPY-escaped */
    EXPECT_TEXT("{\"a\":\"\\u0009\"}", "\\t\n");
    EXPECT_TEXT("{\"a\":\"\\u005c\"}", "\\\\\n");
    EXPECT_TEXT("{\"a\":\"\\u005C.\"}", "\\\\.\n");
    EXPECT_TEXT("{\"a\":\"nested {\\\"k\\\": [1]} quotes\"}", "nested {\"k\": [1]} quotes\n");
}

TEST(runner_json_unicode)
{
    EXPECT_TEXT("{\"a\":\"Santaf\\u00e8\"}", "Santaf\xc3\xa8\n");
    EXPECT_TEXT("{\"a\":\"\\u20AC\"}", "\xe2\x82\xac\n");
    EXPECT_TEXT("{\"a\":\"\\ud83d\\ude00\"}", "\xf0\x9f\x98\x80\n"); /* surrogate pair */
    EXPECT_TEXT("{\"a\":\"\xf0\x9f\x98\x80 raw\"}", "\xf0\x9f\x98\x80 raw\n");
    EXPECT_TEXT("{\"a\":\"\\u0000\"}",
                "1: column a: \\u0000 is not allowed in text in \"\\u0000\"");
    EXPECT_TEXT("{\"a\":\"\\ud83d\"}", "1: column a: unpaired surrogate \\uD83D in \"\\ud83d\"");
    EXPECT_TEXT("{\"a\":\"\\ude00x\"}", "1: column a: unpaired surrogate \\uDE00 in \"\\ude00x\"");
    EXPECT_TEXT("{\"a\":\"\\ud83d\\u0041\"}",
                "1: column a: unpaired surrogate \\uD83D in \"\\ud83d\\u0041\"");
    EXPECT_TEXT("{\"a\":\"\\u12\"}", "1: invalid \\u escape in string (expected 4 hex digits)");
    EXPECT_TEXT("{\"a\":\"\\x\"}", "1: invalid escape \\x in string");
    /* invalid UTF-8: stray continuation, overlong, truncated, surrogate, > U+10FFFF;
     * the message shows the bytes as \xNN so that it is valid UTF-8 itself */
    EXPECT_TEXT("{\"a\":\"\x80\"}",
                "1: column a: invalid UTF-8 byte sequence (byte 0x80) in \"\\x80\"");
    EXPECT_TEXT("{\"a\":\"\xc0\xaf\"}",
                "1: column a: invalid UTF-8 byte sequence (byte 0xC0) in \"\\xC0\\xAF\"");
    EXPECT_TEXT("{\"a\":\"\xe2\x82\"}",
                "1: column a: invalid UTF-8 byte sequence (byte 0xE2) in \"\\xE2\\x82\"");
    EXPECT_TEXT("{\"a\":\"\xed\xa0\x80\"}",
                "1: column a: invalid UTF-8 byte sequence (byte 0xED) in \"\\xED\\xA0\\x80\"");
    EXPECT_TEXT("{\"a\":\"\xf4\x90\x80\x80\"}",
                "1: column a: invalid UTF-8 byte sequence (byte 0xF4) in \"\\xF4\\x90\\x80\\x80\"");
}

TEST(runner_json_values_as_text)
{
    EXPECT_TEXT("{\"a\":null}", "\\N\n");
    EXPECT_TEXT("{\"b\":1}", "\\N\n"); /* missing key */
    EXPECT_TEXT("{\"a\":-12.5e3}", "-12.5e3\n");
    EXPECT_TEXT("{\"a\":true}", "true\n");
    EXPECT_TEXT("{\"a\":false}", "false\n");
    EXPECT_TEXT("{\"a\":\"\"}", "\n"); /* empty string stays empty without emptyasnull */
    /* nested objects and arrays load as their JSON text, COPY-escaped */
    EXPECT_TEXT("{\"a\":{\"k\": [1, \"x\\\"y\"]}}", "{\"k\": [1, \"x\\\\\"y\"]}\n");
    EXPECT_TEXT("{\"a\":[\n1,\n2]}", "[\\n1,\\n2]\n");
    EXPECT_TEXT("{\"a\":[]}", "[]\n");
}

TEST(runner_json_nested_paths)
{
    static const char *const p[] = {"$.a.b", "$['a']['c']", "$[\"top\"]", "$.a.c.d", "$.top"};
    static const ColSpec c[] = {{"ab", CT_TEXT, -1, 0, 0},
                                {"ac", CT_TEXT, -1, 0, 0},
                                {"top", CT_TEXT, -1, 0, 0},
                                {"acd", CT_INT4, -1, 0, 0},
                                {"top2", CT_TEXT, -1, 0, 0}};
    char *err;
    int agree;
    char *r = load("{\"x\":{\"b\":\"no\"},\"a\":{\"b\":\"yes\",\"c\":{\"d\":7}},\"top\":\"t\"}\n"
                   "{\"a\":5}",
                   p, 5, c, &plain, &err, &agree);
    CHECK(agree);
    CHECK_STR(r, "yes\t{\"d\":7}\tt\t7\tt\n\\N\t\\N\t\\N\t\\N\t\\N\n");
    free(r);
    free(err);
}

TEST(runner_json_escaped_keys)
{
    EXPECT_TEXT("{\"\\u0061\":\"via escape\"}", "via escape\n");
    EXPECT_TEXT("{\"A\":\"case matters\"}", "\\N\n");
}

TEST(runner_json_pretty_and_lines)
{
    static const char *const p[] = {"$.n"};
    static const ColSpec c[] = {{"n", CT_INT8, -1, 0, 0}};
    char *err;
    int agree;
    const char *doc = "{\n  \"n\": 1\n}\n{\n  \"n\": 2\n}\n\n{\n  \"n\": \"abc\"\n}\n";
    char *r = load(doc, p, 1, c, &plain, &err, &agree);
    CHECK(agree);
    CHECK(r == NULL);
    CHECK_STR(err, "8: column n: invalid integer \"abc\""); /* line of the object's '{' */
    free(r);
    free(err);
    r = load("{\"n\":1}\n{\"n\":2}\n{\"n\":x}\n", p, 1, c, &plain, &err, &agree);
    CHECK(agree);
    CHECK_STR(err, "3: expected a JSON value, found 'x'");
    free(r);
    free(err);
}

TEST(runner_json_syntax_errors)
{
    EXPECT_TEXT("{\"a\":\"1\"},{\"a\":\"2\"}",
                "1: unexpected ',' between objects (objects must be separated by whitespace "
                "only)");
    EXPECT_TEXT("[{\"a\":\"1\"}]", "1: expected '{': a top-level JSON array is not accepted (the "
                                   "source must be JSON objects separated by whitespace)");
    EXPECT_TEXT("{\"a\":\"1\"}\n{\"a\":", "2: unexpected end of file inside the JSON object "
                                          "starting on this line");
    EXPECT_TEXT("{\"a\":tru}", "1: invalid literal (expected true)");
    EXPECT_TEXT("{\"a\":01}", "1: expected ',' or '}' after an object member, found '1'");
    EXPECT_TEXT("{\"a\":1,}", "1: expected a string key in object, found '}'");
    EXPECT_TEXT("{\"a\" 1}", "1: expected ':' after an object key, found '1'");
    EXPECT_TEXT("{\"a\":\"x\ny\"}", "1: unterminated string (a raw newline is not allowed in a "
                                    "JSON string)");
    EXPECT_TEXT("{\"a\":\"x\ty\"}", "1: control character 0x09 in string (must be escaped)");
    EXPECT_TEXT("{\"a\":-}", "1: invalid number");
    EXPECT_TEXT("{\"a\":1.}", "1: invalid number");
    EXPECT_TEXT("{\"a\":1e}", "1: invalid number");
    EXPECT_TEXT("{\"a\":[1 2]}", "1: expected ',' or ']' in array, found '2'");
    EXPECT_TEXT("nope", "1: expected '{' starting a JSON object, found 'n'");
    EXPECT_TEXT("{\"a\":\"1\"} x", "1: expected '{' starting a JSON object, found 'x'");
    /* a NUL byte inside the data (not the sentinel) */
    {
        char *e;
        static const char *const p[] = {"$.a"};
        static const ColSpec c[] = {{"a", CT_TEXT, -1, 0, 0}};
        char *r = load_ex("{\"a\":\0}", 7, p, 1, c, &plain, 0, 0, &e);
        CHECK(r == NULL);
        CHECK_STR(e, "1: NUL byte where a value was expected");
        free(r);
        free(e);
    }
    /* deep nesting */
    {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "{\"a\":");
        for (int i = 0; i < 300; i++)
            buf_putc(&b, '[');
        for (int i = 0; i < 300; i++)
            buf_putc(&b, ']');
        buf_putc(&b, '}');
        char *e;
        static const char *const p[] = {"$.a"};
        static const ColSpec c[] = {{"a", CT_TEXT, -1, 0, 0}};
        char *r = load_ex(b.data, b.len, p, 1, c, &plain, 0, 0, &e);
        CHECK(r == NULL);
        CHECK_STR(e, "1: JSON nested more than 256 levels deep");
        free(r);
        free(e);
        buf_free(&b);
    }
}

TEST(runner_json_object_limit)
{
    static const char *const p[] = {"$.a"};
    static const ColSpec c[] = {{"a", CT_TEXT, -1, 0, 0}};
    char *e;
    /* small limit, small chunks: the limit trips while reading */
    char *r = load_ex("{\"a\":\"0123456789012345678901234567890123456789\"}", 46, p, 1, c, &plain,
                      4, 32, &e);
    CHECK(r == NULL);
    CHECK_STR(e, "1: JSON object larger than 32 bytes (the limit Redshift COPY has)");
    free(r);
    free(e);
    /* the real 4 MB limit: 3 MB passes, 5 MB fails */
    for (int mb = 3; mb <= 5; mb += 2) {
        size_t n = (size_t)mb << 20;
        char *doc = xmalloc(n + 32);
        memcpy(doc, "{\"a\":\"", 6);
        memset(doc + 6, 'x', n);
        memcpy(doc + 6 + n, "\"}\n{\"a\":\"z\"}", 12);
        r = load_ex(doc, n + 18, p, 1, c, &plain, 0, 0, &e);
        if (mb == 3) {
            CHECK(r && strlen(r) == n + 3 && e == NULL);
        } else {
            CHECK(r == NULL);
            CHECK_STR(e, "1: JSON object larger than 4194304 bytes (the limit Redshift COPY has)");
        }
        free(r);
        free(e);
        free(doc);
    }
}

static char *one_typed(const char *doc, ColType t, long maxlen, const ConvOpts *o, char **err)
{
    static const char *const p[] = {"$.v"};
    ColSpec c[] = {{"v", t, maxlen, 0, 0}};
    int agree;
    char *r = load(doc, p, 1, c, o, err, &agree);
    if (!agree) {
        free(r);
        free(*err);
        *err = xstrdup("byte-by-byte differs");
        return NULL;
    }
    return r;
}

#define EXPECT_TYPED(doc, type, maxlen, opts, want)                                                \
    do {                                                                                           \
        char *e_, *got_ = one_typed(doc, type, maxlen, opts, &e_);                                 \
        CHECK_STR(got_ ? got_ : e_, want);                                                         \
        free(got_);                                                                                \
        free(e_);                                                                                  \
    } while (0)

TEST(runner_convert_integers)
{
    EXPECT_TYPED("{\"v\":39}", CT_INT4, -1, &plain, "39\n");
    EXPECT_TYPED("{\"v\":\"39\"}", CT_INT4, -1, &plain, "39\n");
    EXPECT_TYPED("{\"v\":\"\"}", CT_INT4, -1, &plain, "\\N\n");
    EXPECT_TYPED("{\"v\":-32768}", CT_INT2, -1, &plain, "-32768\n");
    EXPECT_TYPED("{\"v\":32768}", CT_INT2, -1, &plain, "1: column v: integer out of range 32768");
    EXPECT_TYPED("{\"v\":2147483648}", CT_INT4, -1, &plain,
                 "1: column v: integer out of range 2147483648");
    EXPECT_TYPED("{\"v\":9223372036854775807}", CT_INT8, -1, &plain, "9223372036854775807\n");
    EXPECT_TYPED("{\"v\":-9223372036854775808}", CT_INT8, -1, &plain, "-9223372036854775808\n");
    EXPECT_TYPED("{\"v\":9223372036854775808}", CT_INT8, -1, &plain,
                 "1: column v: integer out of range 9223372036854775808");
    EXPECT_TYPED("{\"v\":1540991795796.0}", CT_INT8, -1, &plain,
                 "1: column v: invalid integer 1540991795796.0");
    EXPECT_TYPED("{\"v\":1e3}", CT_INT8, -1, &plain, "1: column v: invalid integer 1e3");
    EXPECT_TYPED("{\"v\":\"abc\"}", CT_INT4, -1, &plain, "1: column v: invalid integer \"abc\"");
    EXPECT_TYPED("{\"v\":\"1.5\"}", CT_INT4, -1, &plain, "1: column v: invalid integer \"1.5\"");
    EXPECT_TYPED("{\"v\":true}", CT_INT4, -1, &plain, "1: column v: invalid integer true");
    EXPECT_TYPED("{\"v\":{\"x\":1}}", CT_INT4, -1, &plain,
                 "1: column v: cannot load a JSON object as integer {\"x\":1}");
}

TEST(runner_convert_floats_bools)
{
    EXPECT_TYPED("{\"v\":1540991795796.0}", CT_FLOAT, -1, &plain, "1540991795796.0\n");
    EXPECT_TYPED("{\"v\":\"-2.5E-3\"}", CT_FLOAT, -1, &plain, "-2.5E-3\n");
    EXPECT_TYPED("{\"v\":\"NaN\"}", CT_FLOAT, -1, &plain, "NaN\n");
    EXPECT_TYPED("{\"v\":\"\"}", CT_FLOAT, -1, &plain, "\\N\n");
    EXPECT_TYPED("{\"v\":\"1,5\"}", CT_FLOAT, -1, &plain, "1: column v: invalid number \"1,5\"");
    EXPECT_TYPED("{\"v\":true}", CT_BOOL, -1, &plain, "t\n");
    EXPECT_TYPED("{\"v\":false}", CT_BOOL, -1, &plain, "f\n");
    EXPECT_TYPED("{\"v\":1}", CT_BOOL, -1, &plain, "1\n");
    EXPECT_TYPED("{\"v\":2}", CT_BOOL, -1, &plain, "1: column v: invalid boolean 2");
    EXPECT_TYPED("{\"v\":\"yes\"}", CT_BOOL, -1, &plain, "yes\n");
    EXPECT_TYPED("{\"v\":{\"a\" : [1]}}", CT_JSON, -1, &plain, "{\"a\" : [1]}\n");
    EXPECT_TYPED("{\"v\":\"s\\\\t\"}", CT_JSON, -1, &plain, "\"s\\\\\\\\t\"\n");
}

TEST(runner_convert_strings)
{
    const ConvOpts empty = {1, 0, TF_NONE, NULL, NULL, 0, NULL},
                   blank = {0, 1, TF_NONE, NULL, NULL, 0, NULL};
    EXPECT_TYPED("{\"v\":\"\"}", CT_TEXT, -1, &empty, "\\N\n");
    EXPECT_TYPED("{\"v\":\"\"}", CT_TEXT, -1, &plain, "\n");
    EXPECT_TYPED("{\"v\":\"  \"}", CT_TEXT, -1, &blank, "\\N\n");
    EXPECT_TYPED("{\"v\":\" \\t\\n \"}", CT_TEXT, -1, &blank, "\\N\n");
    EXPECT_TYPED("{\"v\":\"  \"}", CT_TEXT, -1, &empty, "  \n");
    EXPECT_TYPED("{\"v\":\" x \"}", CT_TEXT, -1, &blank, " x \n");
    /* varchar(n) counts bytes, like Redshift */
    EXPECT_TYPED("{\"v\":\"abc\"}", CT_TEXT, 3, &plain, "abc\n");
    EXPECT_TYPED("{\"v\":\"abcd\"}", CT_TEXT, 3, &plain,
                 "1: column v: value is 4 bytes, longer than varchar(3) \"abcd\"");
    EXPECT_TYPED("{\"v\":\"a\xc3\xa8\"}", CT_TEXT, 3, &plain, "a\xc3\xa8\n");
    EXPECT_TYPED("{\"v\":\"ab\\u00e8\"}", CT_TEXT, 3, &plain,
                 "1: column v: value is 4 bytes, longer than varchar(3) \"ab\\u00e8\"");
    EXPECT_TYPED("{\"v\":\"a\\\\b\"}", CT_TEXT, 3, &plain, "a\\\\b\n"); /* 3 decoded bytes */
    EXPECT_TYPED("{\"v\":\"ab   \"}", CT_TEXT, 3, &plain, "ab \n");     /* excess spaces cut */
    EXPECT_TYPED("{\"v\":12345}", CT_TEXT, 3, &plain,
                 "1: column v: value is 5 bytes, longer than varchar(3) 12345");
}

TEST(runner_convert_timestamps)
{
    const ConvOpts ms = {0, 0, TF_EPOCHMILLIS, NULL, NULL, 0, NULL},
                   s = {0, 0, TF_EPOCHSECS, NULL, NULL, 0, NULL};
    EXPECT_TYPED("{\"v\":1541105830796}", CT_TIMESTAMP, -1, &ms, "2018-11-01 20:57:10.796\n");
    EXPECT_TYPED("{\"v\":\"1541105830796\"}", CT_TIMESTAMP, -1, &ms, "2018-11-01 20:57:10.796\n");
    EXPECT_TYPED("{\"v\":1541105830796}", CT_TIMESTAMPTZ, -1, &ms, "2018-11-01 20:57:10.796+00\n");
    EXPECT_TYPED("{\"v\":86400}", CT_TIMESTAMP, -1, &s, "1970-01-02 00:00:00\n");
    EXPECT_TYPED("{\"v\":\"\"}", CT_TIMESTAMP, -1, &ms, "\\N\n");
    EXPECT_TYPED("{\"v\":1.5}", CT_TIMESTAMP, -1, &ms, "1: column v: invalid epoch time 1.5");
    EXPECT_TYPED("{\"v\":\"x\"}", CT_TIMESTAMP, -1, &ms, "1: column v: invalid epoch time \"x\"");
    EXPECT_TYPED("{\"v\":5}", CT_TIMESTAMP, -1, &plain,
                 "1: column v: a number needs timeformat=epochmillisecs or epochsecs (auto and "
                 "format strings read text only): 5");
    EXPECT_TYPED("{\"v\":\"2018-11-01 20:57:10\"}", CT_TIMESTAMP, -1, &plain,
                 "2018-11-01 20:57:10\n");
    EXPECT_TYPED("{\"v\":99999999999999999}", CT_TIMESTAMP, -1, &ms,
                 "1: column v: timestamp out of range 99999999999999999");
}

TEST(runner_epoch_format)
{
    char b[48];
    struct {
        int64_t v;
        int millis;
        const char *want;
    } cases[] = {
        {0, 1, "1970-01-01 00:00:00.000"},
        {1541105830796, 1, "2018-11-01 20:57:10.796"},
        {-1, 1, "1969-12-31 23:59:59.999"},
        {-1000, 1, "1969-12-31 23:59:59.000"},
        {-1001, 1, "1969-12-31 23:59:58.999"},
        {1582934400000, 1, "2020-02-29 00:00:00.000"}, /* leap year */
        {951782400000, 1, "2000-02-29 00:00:00.000"},  /* 400-year leap */
        {-2208988800000, 1, "1900-01-01 00:00:00.000"},
        {-2203891200000, 1, "1900-03-01 00:00:00.000"}, /* 1900: no Feb 29 */
        {4102444800000, 1, "2100-01-01 00:00:00.000"},
        {253402300799999, 1, "9999-12-31 23:59:59.999"},
        {-62167219200000, 1, "0001-01-01 00:00:00.000 BC"}, /* year 0 = 1 BC */
        {1541105830, 0, "2018-11-01 20:57:10"},
        {-86401, 0, "1969-12-30 23:59:59"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = epoch_format(cases[i].v, cases[i].millis, b);
        CHECK(n == (int)strlen(cases[i].want));
        CHECK_STR(b, cases[i].want);
    }
    CHECK(epoch_format(INT64_MAX, 1, b) == -1);
    CHECK(epoch_format(INT64_MIN, 0, b) == -1);
    CHECK(epoch_format(INT64_MIN, 1, b) == -1);
}

TEST(runner_json_same_path_twice)
{
    const ConvOpts ms = {0, 0, TF_EPOCHMILLIS, NULL, NULL, 0, NULL};
    static const char *const p[] = {"$.ts", "$.ts"};
    static const ColSpec c[] = {{"ts", CT_INT8, -1, 0, 0}, {"start_time", CT_TIMESTAMP, -1, 0, 0}};
    char *err;
    int agree;
    char *r = load("{\"ts\":1541105830796}", p, 2, c, &ms, &err, &agree);
    CHECK(agree);
    CHECK_STR(r, "1541105830796\t2018-11-01 20:57:10.796\n");
    free(r);
    free(err);
}

TEST(runner_jsonpaths_compile_and_doc)
{
    JsonPaths jp;
    Buf e;
    buf_init(&e);
    static const char *const bad1[] = {"$.a[x]"};
    CHECK(jsonpaths_compile(&jp, bad1, 1, &e) == -1);
    CHECK_STR(e.data, "jsonpath \"$.a[x]\": expected $.key, $['key'], [N] (an array element) "
                      "or a chain of them");
    jsonpaths_free(&jp);
    buf_reset(&e);
    static const char *const bad2[] = {"a.b"};
    CHECK(jsonpaths_compile(&jp, bad2, 1, &e) == -1);
    jsonpaths_free(&jp);
    static const char *const bad3[] = {"$"};
    CHECK(jsonpaths_compile(&jp, bad3, 1, &e) == -1);
    jsonpaths_free(&jp);
    buf_free(&e);

    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    char **list = NULL;
    const char *doc = "{\n  \"jsonpaths\": [\n    \"$.artist\",\n    \"$['userId']\"\n  ]\n}\n";
    int n = jsonpaths_parse_doc(&a, doc, strlen(doc), &list, &err);
    CHECK(n == 2);
    if (n == 2) {
        CHECK_STR(list[0], "$.artist");
        CHECK_STR(list[1], "$['userId']");
    }
    CHECK(jsonpaths_parse_doc(&a, "{\"x\": 1}", 8, &list, &err) == -1);
    buf_free(&err);
    arena_free(&a);
}

/* Many objects through a small chunk size: each chunk boundary lands at a
 * different place inside an object. */
TEST(runner_json_chunk_boundaries)
{
    static const char *const p[] = {"$.id", "$.s"};
    static const ColSpec c[] = {{"id", CT_INT4, -1, 0, 0}, {"s", CT_TEXT, -1, 0, 0}};
    Buf doc, want;
    buf_init(&doc);
    buf_init(&want);
    for (int i = 0; i < 500; i++) {
        buf_printf(&doc, "{\"id\": %d, \"s\": \"v\\u00e8\\\\%d\\/\\ud83d\\ude00\"}%s", i, i * 7,
                   i % 3 ? "\n" : "  \n\n");
        buf_printf(&want, "%d\tv\xc3\xa8\\\\%d/\xf0\x9f\x98\x80\n", i, i * 7);
    }
    for (size_t chunk = 1; chunk <= 97; chunk += 6) {
        char *e;
        char *r = load_ex(doc.data, doc.len, p, 2, c, &plain, chunk, 0, &e);
        CHECK(r != NULL);
        if (r)
            CHECK(strcmp(r, want.data) == 0);
        free(r);
        free(e);
    }
    buf_free(&doc);
    buf_free(&want);
}
