/* fuzz_json.c - libFuzzer harness: source file bytes through the runner's
 * streaming JSON reader (json.c) and the JSON -> COPY text converter
 * (convert.c), with no database.
 *
 * Input layout: byte 0 chooses the options, the rest is the file's contents.
 *   bits 0-1  timeformat: none, epochmillisecs, epochsecs, auto
 *   bit  2    emptyasnull          bit 3  blanksasnull
 *   bit  4    also read the bytes as a jsonpaths document (jsonpaths_parse_doc)
 *             and compile the paths it holds
 *   bits 5-7  read chunk for the second pass: 1, 2, 3, 7, 16, 64, 251, 4096 bytes
 * The contents are loaded twice: with the default 256 KiB chunk and with the
 * small chunk (objects restart across reads).  Both passes must give the same
 * COPY text, or the same error on the same line: that is the reader's
 * contract (an object split across reads parses the same).  The second pass
 * uses max_object = 2048 so the "object larger than" path is reached with
 * small inputs; a difference caused only by that limit is allowed.  Small
 * chunks re-parse a partial object once per read, so they are used on small
 * inputs only (under 2 KiB for chunks below 16 bytes, under 16 KiB below 251).
 *
 * Every error message must be valid UTF-8 without control bytes (check_message).
 * The columns cover every ColType, varchar limits and nested and quoted keys.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/convert.h"
#include "runner/json.h"

static const char *const paths[] = {
    "$.a", "$.b",         "$.c",   "$.d",       "$.e",   "$.f", "$.g",  "$.h",         "$.i", "$.j",
    "$.k", "$['userId']", "$.o.p", "$['q\"k']", "$.o.q", "$.a", "$.ch", "$[\"it's\"]", "$.n",
};
#define NCOLS ((int)(sizeof paths / sizeof *paths))
static const ColSpec cols[NCOLS] = {
    {"a", CT_TEXT, -1, 0, 0},  {"b", CT_TEXT, 5, 0, 0},       {"c", CT_INT2, -1, 0, 0},
    {"d", CT_INT4, -1, 0, 0},  {"e", CT_INT8, -1, 0, 0},      {"f", CT_FLOAT, -1, 0, 0},
    {"g", CT_BOOL, -1, 0, 0},  {"h", CT_TIMESTAMP, -1, 0, 0}, {"i", CT_TIMESTAMPTZ, -1, 0, 0},
    {"j", CT_JSON, -1, 0, 0},  {"k", CT_OTHER, -1, 0, 0},     {"user_id", CT_INT4, -1, 0, 0},
    {"op", CT_TEXT, 16, 0, 0}, {"qk", CT_TEXT, -1, 0, 0},     {"oq", CT_INT8, -1, 0, 0},
    {"a2", CT_TEXT, 3, 0, 0},  {"ch", CT_TEXT, 1, 0, 0},      {"its", CT_TEXT, -1, 0, 0},
    {"n", CT_FLOAT, -1, 0, 0},
};

typedef struct Result {
    CopyBuf out;
    Buf err;
    long err_line;
    int failed, too_large;
} Result;

static void load(const JsonPaths *jp, const uint8_t *data, size_t size, size_t chunk,
                 size_t max_object, const ConvOpts *o, Result *res)
{
    memset(res, 0, sizeof *res);
    cb_init(&res->out, 64);
    buf_init(&res->err);
    JsonReader r;
    jr_init(&r, jp, chunk, max_object);
    JsonMemSrc m = {(const char *)data, size, 0, chunk};
    jr_open(&r, json_mem_read, &m);
    for (;;) {
        int k = jr_next(&r);
        if (k == 0)
            break;
        if (k < 0) {
            res->failed = 1;
            res->err_line = r.err_line;
            buf_puts(&res->err, r.err);
            res->too_large = strstr(r.err, "larger than") != NULL;
            break;
        }
        if (r.obj_line < 1 || r.obj_line > (long)size + 1)
            abort();
        if (conv_row(&res->out, cols, NCOLS, jp->col_slot, r.vals, o, &res->err)) {
            res->failed = 1;
            res->err_line = r.obj_line;
            break;
        }
        /* A good row is NCOLS fields, NCOLS-1 tabs and one newline, with no raw
         * tab, newline or CR inside a field (COPY text escaping). */
    }
    jr_free(&r);
}

/* Error messages are printed, written to the --json report and stored in
 * stargen_history (a UTF-8 database): they must be valid UTF-8 with no control
 * bytes, whatever bytes the data held. */
static void check_message(const char *m, size_t n)
{
    const unsigned char *p = (const unsigned char *)m;
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t len = c < 0x80                   ? 1
                     : (c >= 0xC2 && c <= 0xDF) ? 2
                     : (c >= 0xE0 && c <= 0xEF) ? 3
                     : (c >= 0xF0 && c <= 0xF4) ? 4
                                                : 0;
        if (len == 0 || i + len > n || c < 0x20 || c == 0x7F)
            abort();
        for (size_t k = 1; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                abort();
        i += len;
    }
}

static void check_rows(const CopyBuf *b)
{
    int tabs = 0;
    for (size_t i = 0; i < b->len; i++) {
        char c = b->p[i];
        if (c == '\r')
            abort();
        if (c == '\t')
            tabs++;
        if (c == '\n') {
            if (tabs != NCOLS - 1)
                abort();
            tabs = 0;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 20))
        return 0;
    static const size_t chunks[8] = {1, 2, 3, 7, 16, 64, 251, 4096};
    uint8_t opt = data[0];
    /* bits 0-1: TIMEFORMAT (none, epochmillisecs, epochsecs, auto); 2: EMPTYASNULL; 3:
     * BLANKSASNULL; 4: ROUNDEC; 5-7: the read chunk size */
    ConvOpts o = {
        (opt >> 2) & 1, (opt >> 3) & 1, (TimeFormat)(opt & 3), NULL, NULL, (opt >> 4) & 1, NULL};
    size_t small = chunks[opt >> 5];
    data++;
    size--;

    if (opt & 16) {
        Arena a;
        arena_init(&a);
        Buf err;
        buf_init(&err);
        char *text = malloc(size + 1);
        if (!text)
            abort();
        memcpy(text, data, size);
        text[size] = '\0';
        char **list = NULL;
        int n = jsonpaths_parse_doc(&a, text, size, &list, &err);
        if (n > 0) {
            JsonPaths jp;
            Buf e2;
            buf_init(&e2);
            jsonpaths_compile(&jp, (const char *const *)list, n, &e2);
            jsonpaths_free(&jp);
            buf_free(&e2);
        }
        free(text);
        buf_free(&err);
        arena_free(&a);
    }

    JsonPaths jp;
    Buf perr;
    buf_init(&perr);
    if (jsonpaths_compile(&jp, paths, NCOLS, &perr))
        abort();
    buf_free(&perr);

    Result big, little;
    load(&jp, data, size, 65536, 0, &o, &big);
    if (big.failed)
        check_message(big.err.data, big.err.len);
    if ((small >= 16 || size <= 2048) && (small >= 251 || size <= 16384)) {
        load(&jp, data, size, small, 2048, &o, &little);
        if (!big.failed)
            check_rows(&big.out);
        if (!little.too_large && !big.too_large) {
            int same =
                big.failed == little.failed && big.err_line == little.err_line &&
                big.out.len == little.out.len &&
                memcmp(big.out.p, little.out.p, big.out.len) == 0 &&
                big.err.len == little.err.len &&
                (big.err.len == 0 || memcmp(big.err.data, little.err.data, big.err.len) == 0);
            if (!same) {
                fprintf(stderr, "chunk %zu differs: [%ld %s] vs [%ld %s]\n", small, big.err_line,
                        big.err.len ? big.err.data : "", little.err_line,
                        little.err.len ? little.err.data : "");
                abort();
            }
        }
        cb_free(&little.out);
        buf_free(&little.err);
    }
    cb_free(&big.out);
    buf_free(&big.err);
    jsonpaths_free(&jp);
    return 0;
}
