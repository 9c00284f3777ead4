/* test_runner_json_parity.c - the runner's JSON -> COPY path does what
 * Redshift's COPY does (issue 12): nested JSONPath members and array
 * elements (copy-usage_notes-copy-from-json), escaped and long keys, 'auto
 * ignorecase', DECIMAL truncation and ROUNDEC (copy-parameters-data-conversion),
 * VARCHAR's 65535-byte limit (r_Character_types), DATEFORMAT/TIMEFORMAT
 * (r_DATEFORMAT_and_TIMEFORMAT_strings, automatic-recognition) and time zones
 * in TIMESTAMP / TIMESTAMPTZ input (r_Datetime_types).  Pages are under
 * docs.aws.amazon.com/redshift/latest/dg/. */
#include <stdlib.h>
#include <string.h>

#include "common/datetime.h"
#include "harness.h"
#include "runner/convert.h"
#include "runner/json.h"

/* Loads doc (one object per line) with paths and columns; returns the COPY
 * text or "ERR: LINE: message"; caller frees.  *seen gets the reader's seen
 * flags of slot 0 when not NULL. */
static char *run(const char *doc, const char *const *paths, int n, const ColSpec *cols,
                 const ConvOpts *o, int ignorecase, int *seen0)
{
    JsonPaths jp;
    Buf e;
    buf_init(&e);
    if (jsonpaths_compile_ex(&jp, paths, n, ignorecase, &e)) {
        char *r = xstrdup(e.data);
        buf_free(&e);
        jsonpaths_free(&jp);
        return r;
    }
    JsonReader r;
    jr_init(&r, &jp, 0, 0);
    JsonMemSrc m = {doc, strlen(doc), 0, 0};
    jr_open(&r, json_mem_read, &m);
    CopyBuf out;
    cb_init(&out, 64);
    char *res = NULL;
    for (;;) {
        int k = jr_next(&r);
        if (k == 0)
            break;
        if (k < 0) {
            buf_printf(&e, "ERR: %ld: %s", r.err_line, r.err);
            break;
        }
        if (conv_row(&out, cols, n, jp.col_slot, r.vals, o, &e))
            break;
    }
    if (e.len) {
        res = buf_detach(&e, NULL);
    } else {
        *cb_reserve(&out, 1) = '\0';
        res = xstrdup(out.p);
        buf_free(&e);
    }
    if (seen0)
        *seen0 = r.seen[0];
    cb_free(&out);
    jr_free(&r);
    jsonpaths_free(&jp);
    return res;
}

static const ConvOpts plain = {0, 0, TF_NONE, NULL, NULL, 0, NULL};

#define ONE(doc, path, type, maxlen, opts, want)                                                   \
    do {                                                                                           \
        static const char *const p_[] = {path};                                                    \
        ColSpec c_[] = {{"v", type, maxlen, 0, 0}};                                                \
        char *got_ = run(doc, p_, 1, c_, opts, 0, NULL);                                           \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)

TEST(parity_nested_paths_and_array_elements)
{
    const char *doc = "{\"customer\": {\"id\": 7, \"tags\": [\"a\", {\"k\": \"b\"}]}, \"x\": 1}\n"
                      "{\"customer\": {\"tags\": []}}\n";
    static const char *const p[] = {"$['customer']['id']", "$.customer.tags[1].k",
                                    "$['customer']['tags'][0]"};
    ColSpec c[] = {{"id", CT_INT4, -1, 0, 0}, {"k", CT_TEXT, -1, 0, 0}, {"t0", CT_TEXT, -1, 0, 0}};
    char *got = run(doc, p, 3, c, &plain, 0, NULL);
    CHECK_STR(got, "7\tb\ta\n\\N\t\\N\t\\N\n");
    free(got);
    /* a key spelled with a dot is one key, as in Redshift's bracket notation */
    ONE("{\"customer.id\": 5, \"customer\": {\"id\": 6}}", "$['customer.id']", CT_INT4, -1, &plain,
        "5\n");
    static const char *const bad[] = {"$.a[01]"};
    ColSpec c1[] = {{"v", CT_TEXT, -1, 0, 0}};
    got = run("{}", bad, 1, c1, &plain, 0, NULL);
    CHECK(strstr(got, "expected $.key") != NULL);
    free(got);
}

TEST(parity_seen_flags_report_a_key_never_present)
{
    static const char *const p[] = {"$.nope"};
    ColSpec c[] = {{"v", CT_TEXT, -1, 0, 0}};
    int seen = -1;
    char *got = run("{\"a\":1}\n{\"b\":2}\n", p, 1, c, &plain, 0, &seen);
    CHECK_STR(got, "\\N\n\\N\n");
    CHECK(seen == 0);
    free(got);
    got = run("{\"a\":1}\n{\"nope\":null}\n", p, 1, c, &plain, 0, &seen);
    CHECK(seen == 1); /* present, even as null: not a wrong key */
    free(got);
}

TEST(parity_escaped_and_long_keys)
{
    /* Python's json.dumps writes U+1F600 as a surrogate pair */
    ONE("{\"\\ud83d\\ude00\": \"smile\"}", "$['\xF0\x9F\x98\x80']", CT_TEXT, -1, &plain, "smile\n");
    /* a 300-byte key with one \u006b escape matches in full, never cut */
    Buf key, doc;
    buf_init(&key);
    buf_init(&doc);
    for (int i = 0; i < 299; i++)
        buf_putc(&key, 'a');
    buf_puts(&doc, "{\"");
    buf_puts(&doc, key.data);
    buf_puts(&doc, "\\u006b\": 1}");
    buf_putc(&key, 'k');
    Buf path;
    buf_init(&path);
    buf_printf(&path, "$['%s']", key.data);
    const char *p[] = {path.data};
    ColSpec c[] = {{"v", CT_INT4, -1, 0, 0}};
    char *got = run(doc.data, p, 1, c, &plain, 0, NULL);
    CHECK_STR(got, "1\n");
    free(got);
    buf_free(&key);
    buf_free(&doc);
    buf_free(&path);
}

TEST(parity_ignorecase_keys)
{
    static const char *const p[] = {"$['title']"};
    ColSpec c[] = {{"title", CT_TEXT, -1, 0, 0}};
    char *got = run("{\"Title\": \"x\"}\n{\"TITLE\": \"y\"}\n{\"title\": \"z\"}\n", p, 1, c, &plain,
                    1, NULL);
    CHECK_STR(got, "x\ny\nz\n");
    free(got);
    got = run("{\"Title\": \"x\"}\n", p, 1, c, &plain, 0, NULL);
    CHECK_STR(got, "\\N\n"); /* a jsonpaths file matches exactly */
    free(got);
}

TEST(parity_decimal_truncate_round_overflow)
{
    const ConvOpts round = {0, 0, TF_NONE, NULL, NULL, 1, NULL};
#define DEC(doc, opts, want)                                                                       \
    do {                                                                                           \
        static const char *const p_[] = {"$.v"};                                                   \
        ColSpec c_[] = {{"v", CT_NUMERIC, -1, 8, 2}};                                              \
        char *got_ = run(doc, p_, 1, c_, opts, 0, NULL);                                           \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)
    /* copy-parameters-data-conversion: "20.259 ... truncates the value to 20.25" */
    DEC("{\"v\": 20.259}", &plain, "20.25\n");
    DEC("{\"v\": 20.259}", &round, "20.26\n");
    DEC("{\"v\": \"20.259\"}", &plain, "20.25\n");
    DEC("{\"v\": 19.999}", &plain, "19.99\n");
    DEC("{\"v\": 19.999}", &round, "20.00\n");
    DEC("{\"v\": -0.001}", &plain, "0.00\n");
    DEC("{\"v\": -1.005}", &round, "-1.01\n");
    DEC("{\"v\": 1.5e2}", &plain, "150.00\n");
    DEC("{\"v\": 0.000123e3}", &plain, "0.12\n");
    DEC("{\"v\": 7}", &plain, "7.00\n");
    DEC("{\"v\": 0}", &plain, "0\n");
    DEC("{\"v\": 123456}", &plain, "123456.00\n");
    DEC("{\"v\": 1234567}", &plain,
        "column v: numeric field overflow: 1234567 does not fit decimal(8,2)");
    DEC("{\"v\": 999999.999}", &round,
        "column v: numeric field overflow: 999999.999 does not fit decimal(8,2)");
    DEC("{\"v\": \"NaN\"}", &plain,
        "column v: invalid number (Redshift's DECIMAL has no NaN or Infinity) \"NaN\"");
    DEC("{\"v\": 1e999}", &plain,
        "column v: numeric field overflow: 1e999 does not fit decimal(8,2)");
    DEC("{\"v\": 1e-999}", &plain, "0.00\n");
#undef DEC
}

TEST(parity_float_and_varchar_limits)
{
    ONE("{\"v\": 1e999}", "$.v", CT_FLOAT, -1, &plain,
        "column v: number out of range for double precision 1e999");
    ONE("{\"v\": \"-1e999\"}", "$.v", CT_FLOAT, -1, &plain,
        "column v: number out of range for double precision \"-1e999\"");
    ONE("{\"v\": 1e300}", "$.v", CT_FLOAT, -1, &plain, "1e300\n");
    Buf doc;
    buf_init(&doc);
    buf_puts(&doc, "{\"v\": \"");
    for (int i = 0; i < 70000; i++)
        buf_putc(&doc, 'x');
    buf_puts(&doc, "\"}");
    static const char *const p[] = {"$.v"};
    ColSpec c[] = {{"v", CT_TEXT, 0, 0, 0}};
    unsigned oid_text = 25;
    conv_type_from_oid(oid_text, -1, &c[0]);
    CHECK(c[0].maxlen == CONV_VARCHAR_MAX);
    char *got = run(doc.data, p, 1, c, &plain, 0, NULL);
    CHECK(strncmp(got, "column v: value is 70000 bytes, longer than varchar(65535)", 58) == 0);
    free(got);
    buf_free(&doc);
}

TEST(parity_timestamps_default_format)
{
    ConvStats st = {0, NULL, ""};
    const ConvOpts o = {0, 0, TF_NONE, NULL, NULL, 0, &st};
    ONE("{\"v\": \"2018-11-01 23:30:00\"}", "$.v", CT_TIMESTAMP, -1, &o, "2018-11-01 23:30:00\n");
    ONE("{\"v\": \"2018-11-01 23:30:00.123\"}", "$.v", CT_TIMESTAMP, -1, &o,
        "2018-11-01 23:30:00.123000\n");
    /* r_Datetime_types: TIMESTAMP ignores the zone; counted for a warning */
    ONE("{\"v\": \"2018-11-01 23:30:00+02:00\"}", "$.v", CT_TIMESTAMP, -1, &o,
        "2018-11-01 23:30:00\n");
    CHECK(st.zone_ignored == 1);
    CHECK_STR(st.zone_example, "2018-11-01 23:30:00+02:00");
    /* TIMESTAMPTZ: the offset converts; none means UTC (never the session's zone) */
    ONE("{\"v\": \"2018-11-01 23:30:00-8:00\"}", "$.v", CT_TIMESTAMPTZ, -1, &o,
        "2018-11-01 23:30:00-08:00\n");
    ONE("{\"v\": \"2018-11-01 23:30:00\"}", "$.v", CT_TIMESTAMPTZ, -1, &o,
        "2018-11-01 23:30:00+00\n");
    ONE("{\"v\": \"2018-11-01T23:30:00\"}", "$.v", CT_TIMESTAMP, -1, &o,
        "column v: invalid timestamp \"2018-11-01T23:30:00\": does not match the default format "
        "'YYYY-MM-DD HH:MI:SS' (set time_format or date_format)");
    ONE("{\"v\": \"now\"}", "$.v", CT_TIMESTAMP, -1, &o,
        "column v: invalid timestamp \"now\": does not match the default format 'YYYY-MM-DD "
        "HH:MI:SS' (set time_format or date_format)");
    ONE("{\"v\": \"05/03/2024 14:22\"}", "$.v", CT_TIMESTAMP, -1, &o,
        "column v: invalid timestamp \"05/03/2024 14:22\": does not match the default format "
        "'YYYY-MM-DD HH:MI:SS' (set time_format or date_format)");
    ONE("{\"v\": \"2019-02-29 00:00:00\"}", "$.v", CT_TIMESTAMP, -1, &o,
        "column v: invalid timestamp \"2019-02-29 00:00:00\": day 29 out of range for 2019-02");
    ONE("{\"v\": \"2024-05-03\"}", "$.v", CT_DATE, -1, &o, "2024-05-03\n");
    ONE("{\"v\": 20240503}", "$.v", CT_DATE, -1, &o,
        "column v: a number is not a date (DATEFORMAT has no epoch form): 20240503");
}

TEST(parity_timestamps_auto_and_format_strings)
{
    const ConvOpts au = {0, 0, TF_AUTO, NULL, "auto", 0, NULL};
    const ConvOpts fm = {0, 0, TF_STRING, "MM/DD/YYYY HH24:MI", "DD.MM.YYYY", 0, NULL};
    const ConvOpts h12 = {0, 0, TF_STRING, "MON DD YYYY HH12:MI:SS AM", NULL, 0, NULL};
    ONE("{\"v\": \"2018-11-01T23:30:00Z\"}", "$.v", CT_TIMESTAMPTZ, -1, &au,
        "2018-11-01T23:30:00Z\n");
    ONE("{\"v\": \"now\"}", "$.v", CT_TIMESTAMP, -1, &au,
        "column v: invalid timestamp \"now\": names no fixed date or time (words like now, "
        "today, epoch or infinity are refused: a load must not depend on when it ran)");
    ONE("{\"v\": 1541105830796}", "$.v", CT_TIMESTAMP, -1, &au,
        "column v: a number needs timeformat=epochmillisecs or epochsecs (auto and format strings "
        "read text only): 1541105830796");
    ONE("{\"v\": \"05/03/2024 14:22\"}", "$.v", CT_TIMESTAMP, -1, &fm, "2024-05-03 14:22:00\n");
    ONE("{\"v\": \"03.05.2024\"}", "$.v", CT_DATE, -1, &fm, "2024-05-03\n");
    ONE("{\"v\": \"Nov 01 2018 11:30:00 PM\"}", "$.v", CT_TIMESTAMP, -1, &h12,
        "2018-11-01 23:30:00\n");
    ONE("{\"v\": \"November 01 2018 12:05:00 AM\"}", "$.v", CT_TIMESTAMP, -1, &h12,
        "2018-11-01 00:05:00\n");
    ONE("{\"v\": \"2024-05-03 14:22\"}", "$.v", CT_TIMESTAMP, -1, &fm,
        "column v: invalid timestamp \"2024-05-03 14:22\": does not match the format 'MM/DD/YYYY "
        "HH24:MI'");
    char why[128];
    CHECK(dt_check_format("YYYY-MM-DD HH:MI:SS", why) == 0);
    CHECK(dt_check_format("YYYY-MM-DD HH:MI:SS TZ", why) == -1);
}
