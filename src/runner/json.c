/* json.c - streaming JSON object reader and jsonpaths; see json.h.
 *
 * The parser is recursive descent over a NUL-terminated window
 * buf[start..end).  Every scanner stops at the NUL sentinel; a NUL at `end`
 * means "need more bytes" (R_MORE: the caller reads and restarts the
 * object), a NUL anywhere else is bad input.  Lines are counted only in
 * whitespace (raw newlines cannot occur inside JSON strings).
 */
#include "json.h"

#include "../common/utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { R_OK = 0, R_MORE = 1, R_ERR = 2 };

/* String scanning classes: 0 plain, 1 '"', 2 '\\', 3 control or NUL. */
static unsigned char str_cls[256];
static unsigned char hexval[256]; /* 0xFF when not a hex digit */
static int tables_ready;

static void init_tables(void)
{
    if (tables_ready)
        return;
    for (int c = 0; c < 256; c++) {
        str_cls[c] = c < 0x20 ? 3 : c == '"' ? 1 : c == '\\' ? 2 : 0;
        hexval[c] = 0xFF;
    }
    for (int c = '0'; c <= '9'; c++)
        hexval[c] = (unsigned char)(c - '0');
    for (int c = 'a'; c <= 'f'; c++)
        hexval[c] = (unsigned char)(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; c++)
        hexval[c] = (unsigned char)(c - 'A' + 10);
    tables_ready = 1;
}

__attribute__((format(printf, 2, 3))) static int fail(JsonReader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    r->err_line = r->line;
    return R_ERR;
}

#define AT_END(r, s) ((s) == (r)->buf + (r)->end)

static inline void skip_ws(JsonReader *r, const char **pp)
{
    const char *p = *pp;
    for (;;) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\r') {
            p++;
        } else if (c == '\n') {
            r->line++;
            p++;
        } else {
            break;
        }
    }
    *pp = p;
}

static const char *show_char(char c, char tmp[8])
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x21 && u < 0x7F)
        snprintf(tmp, 8, "'%c'", c);
    else
        snprintf(tmp, 8, "0x%02X", u);
    return tmp;
}

/* *pp at the opening quote; on R_OK *pp is past the closing quote and
 * n and flags describe the contents. */
static int scan_string(JsonReader *r, const char **pp, uint32_t *n, uint8_t *flags)
{
    const unsigned char *s = (const unsigned char *)*pp + 1;
    const unsigned char *body = s;
    unsigned acc = 0;
    uint8_t f = 0;
    for (;;) {
        while (!str_cls[*s])
            acc |= *s++;
        if (*s == '"')
            break;
        if (*s == '\\') {
            f |= JF_ESCAPE;
            unsigned char c = s[1];
            switch (c) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't': s += 2; continue;
            case 'u':
                for (int i = 2; i < 6; i++) {
                    if (hexval[s[i]] == 0xFF) {
                        if (s[i] == 0 && AT_END(r, (const char *)s + i))
                            return R_MORE;
                        return fail(r, "invalid \\u escape in string (expected 4 hex digits)");
                    }
                }
                s += 6;
                continue;
            case 0:
                if (AT_END(r, (const char *)s + 1))
                    return R_MORE;
                return fail(r, "invalid escape in string");
            default:
                if (c >= 0x21 && c < 0x7F)
                    return fail(r, "invalid escape \\%c in string", c);
                return fail(r, "invalid escape: backslash followed by byte 0x%02X in string", c);
            }
        }
        /* control character or NUL */
        if (*s == 0 && AT_END(r, (const char *)s))
            return R_MORE;
        if (*s == '\n')
            return fail(r, "unterminated string (a raw newline is not allowed in a JSON string)");
        return fail(r, "control character 0x%02X in string (must be escaped)", *s);
    }
    if (acc & 0x80)
        f |= JF_HIGH;
    *n = (uint32_t)(s - body);
    *flags = f;
    *pp = (const char *)s + 1;
    return R_OK;
}

static int scan_number(JsonReader *r, const char **pp, uint8_t *flags)
{
    const char *s = *pp;
    uint8_t f = JF_INT;
    if (*s == '-')
        s++;
    if (*s == '0') {
        s++;
    } else if (*s >= '1' && *s <= '9') {
        while (*s >= '0' && *s <= '9')
            s++;
    } else {
        goto bad;
    }
    if (*s == '.') {
        f = 0;
        s++;
        if (!(*s >= '0' && *s <= '9'))
            goto bad;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        f = JF_EXP;
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            goto bad;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 0 && AT_END(r, s))
        return R_MORE;
    *flags = f;
    *pp = s;
    return R_OK;
bad:
    if (*s == 0 && AT_END(r, s))
        return R_MORE;
    return fail(r, "invalid number");
}

static int scan_literal(JsonReader *r, const char **pp, const char *word)
{
    const char *s = *pp;
    for (const char *w = word; *w; w++, s++) {
        if (*s != *w) {
            if (*s == 0 && AT_END(r, s))
                return R_MORE;
            return fail(r, "invalid literal (expected %s)", word);
        }
    }
    *pp = s;
    return R_OK;
}

/* Decodes the raw text of a key (the reader checked its escapes) into out,
 * which holds at least n bytes: a decoded key is never longer than its raw
 * text (\uXXXX is 6 bytes for at most 3, a surrogate pair 12 for 4).
 * Returns the decoded length; a lone surrogate decodes as U+FFFD, which no
 * path can name. */
static size_t decode_key(const char *key, uint32_t n, char *out)
{
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        char c = key[i];
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        c = key[++i];
        switch (c) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned cp = 0;
            for (int k = 1; k <= 4; k++)
                cp = cp << 4 | hexval[(unsigned char)key[i + (uint32_t)k]];
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < n && key[i + 1] == '\\' &&
                key[i + 2] == 'u') {
                unsigned lo = 0;
                for (int k = 3; k <= 6; k++)
                    lo = lo << 4 | hexval[(unsigned char)key[i + (uint32_t)k]];
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            o += utf8_encode(cp, out + o);
            break;
        }
        default: out[o++] = c; break;
        }
    }
    return o;
}

static int key_eq(const JsonPathNode *c, const char *key, uint32_t n, int ignorecase)
{
    if (c->keylen != n || !c->key)
        return 0;
    if (!ignorecase)
        return memcmp(c->key, key, n) == 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)c->key[i], b = (unsigned char)key[i];
        if (a != b && !(a >= 'A' && a <= 'Z' && a + 32 == b) &&
            !(b >= 'A' && b <= 'Z' && b + 32 == a))
            return 0;
    }
    return 1;
}

/* Finds the kid of node named by the raw key (decoding escapes if any). */
static JsonPathNode *find_kid(const JsonReader *r, JsonPathNode *node, const char *key, uint32_t n,
                              uint8_t flags)
{
    int k = node->nkids;
    if (k == 0)
        return NULL;
    char tmp[256], *heap = NULL;
    if (flags & JF_ESCAPE) { /* rare */
        char *dst = n <= sizeof tmp ? tmp : (heap = xmalloc(n));
        n = (uint32_t)decode_key(key, n, dst);
        key = dst;
    }
    int ic = r->paths->ignorecase;
    JsonPathNode *found = NULL;
    int h = node->hint < k ? node->hint : 0;
    if (key_eq(node->kids[h], key, n, ic)) {
        found = node->kids[h];
        node->hint = h + 1;
    }
    for (int i = 0; i < k && !found; i++) {
        if (key_eq(node->kids[i], key, n, ic)) {
            found = node->kids[i];
            node->hint = i + 1;
        }
    }
    free(heap);
    return found;
}

static JsonPathNode *find_index(JsonPathNode *node, long index)
{
    for (int i = 0; i < node->nkids; i++)
        if (node->kids[i]->index == index)
            return node->kids[i];
    return NULL;
}

static int parse_value(JsonReader *r, const char **pp, JsonPathNode *node, int depth);

static int parse_object(JsonReader *r, const char **pp, JsonPathNode *node, int depth)
{
    const char *p = *pp + 1;
    int rc;
    char tmp[8];
    if (depth > JSON_MAX_DEPTH)
        return fail(r, "JSON nested more than %d levels deep", JSON_MAX_DEPTH);
    skip_ws(r, &p);
    if (*p == '}') {
        *pp = p + 1;
        return R_OK;
    }
    for (;;) {
        if (*p != '"') {
            if (*p == 0 && AT_END(r, p))
                return R_MORE;
            return fail(r, "expected a string key in object, found %s", show_char(*p, tmp));
        }
        const char *key = p + 1;
        uint32_t klen;
        uint8_t kflags;
        if ((rc = scan_string(r, &p, &klen, &kflags)) != R_OK)
            return rc;
        skip_ws(r, &p);
        if (*p != ':') {
            if (*p == 0 && AT_END(r, p))
                return R_MORE;
            return fail(r, "expected ':' after an object key, found %s", show_char(*p, tmp));
        }
        p++;
        skip_ws(r, &p);
        JsonPathNode *kid = node ? find_kid(r, node, key, klen, kflags) : NULL;
        if ((rc = parse_value(r, &p, kid, depth)) != R_OK)
            return rc;
        skip_ws(r, &p);
        if (*p == ',') {
            p++;
            skip_ws(r, &p);
            continue;
        }
        if (*p == '}') {
            *pp = p + 1;
            return R_OK;
        }
        if (*p == 0 && AT_END(r, p))
            return R_MORE;
        return fail(r, "expected ',' or '}' after an object member, found %s", show_char(*p, tmp));
    }
}

static int parse_array(JsonReader *r, const char **pp, JsonPathNode *node, int depth)
{
    long index = 0;
    const char *p = *pp + 1;
    int rc;
    char tmp[8];
    if (depth > JSON_MAX_DEPTH)
        return fail(r, "JSON nested more than %d levels deep", JSON_MAX_DEPTH);
    skip_ws(r, &p);
    if (*p == ']') {
        *pp = p + 1;
        return R_OK;
    }
    for (;;) {
        JsonPathNode *kid = node ? find_index(node, index) : NULL;
        index++;
        if ((rc = parse_value(r, &p, kid, depth)) != R_OK)
            return rc;
        skip_ws(r, &p);
        if (*p == ',') {
            p++;
            skip_ws(r, &p);
            continue;
        }
        if (*p == ']') {
            *pp = p + 1;
            return R_OK;
        }
        if (*p == 0 && AT_END(r, p))
            return R_MORE;
        return fail(r, "expected ',' or ']' in array, found %s", show_char(*p, tmp));
    }
}

static int parse_value(JsonReader *r, const char **pp, JsonPathNode *node, int depth)
{
    const char *start = *pp, *p = start;
    JsonValue v = {start, 0, JV_NULL, 0};
    int rc;
    char tmp[8];
    switch (*p) {
    case '"':
        rc = scan_string(r, &p, &v.n, &v.flags);
        v.kind = JV_STRING;
        v.p = start + 1;
        break;
    case '{':
        rc = parse_object(r, &p, node && node->nkids ? node : NULL, depth + 1);
        v.kind = JV_OBJECT;
        break;
    case '[':
        rc = parse_array(r, &p, node && node->nkids ? node : NULL, depth + 1);
        v.kind = JV_ARRAY;
        break;
    case 't':
        rc = scan_literal(r, &p, "true");
        v.kind = JV_TRUE;
        break;
    case 'f':
        rc = scan_literal(r, &p, "false");
        v.kind = JV_FALSE;
        break;
    case 'n':
        rc = scan_literal(r, &p, "null");
        v.kind = JV_NULL;
        break;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        rc = scan_number(r, &p, &v.flags);
        v.kind = JV_NUMBER;
        break;
    case 0:
        if (AT_END(r, p))
            return R_MORE;
        return fail(r, "NUL byte where a value was expected");
    default: return fail(r, "expected a JSON value, found %s", show_char(*p, tmp));
    }
    if (rc != R_OK)
        return rc;
    if (node && node->slot >= 0) {
        if (v.kind != JV_STRING)
            v.n = (uint32_t)(p - start);
        r->vals[node->slot] = v;
        r->seen[node->slot] = 1;
    }
    *pp = p;
    return R_OK;
}

void jr_init(JsonReader *r, const JsonPaths *paths, size_t chunk, size_t max_object)
{
    init_tables();
    memset(r, 0, sizeof *r);
    r->paths = paths;
    int ns = paths && paths->nslots ? paths->nslots : 1;
    r->vals = xcalloc((size_t)ns, sizeof *r->vals);
    r->seen = xcalloc((size_t)ns, 1);
    r->chunk = chunk ? chunk : JSON_CHUNK;
    r->max_object = max_object ? max_object : JSON_MAX_OBJECT;
    r->cap = 2 * r->chunk + 1;
    r->buf = xmalloc(r->cap);
    r->buf[0] = '\0';
}

void jr_open(JsonReader *r, JsonReadFn fn, void *ctx)
{
    r->read = fn;
    r->ctx = ctx;
    r->start = r->end = 0;
    r->buf[0] = '\0';
    r->eof = 0;
    r->line = 1;
    r->obj_line = 0;
    r->err[0] = '\0';
    r->err_line = 0;
}

void jr_free(JsonReader *r)
{
    free(r->buf);
    free(r->vals);
    free(r->seen);
    r->seen = NULL;
    r->buf = NULL;
    r->vals = NULL;
}

/* Keeps buf[start..end), moves it to the front and reads one more chunk. */
static int refill(JsonReader *r)
{
    size_t keep = r->end - r->start;
    if (r->start) {
        memmove(r->buf, r->buf + r->start, keep);
        r->start = 0;
        r->end = keep;
    }
    if (r->cap - r->end - 1 < r->chunk) {
        size_t cap = r->cap;
        while (cap - r->end - 1 < r->chunk)
            cap *= 2;
        r->buf = xrealloc(r->buf, cap);
        r->cap = cap;
    }
    long got = r->read(r->ctx, r->buf + r->end, r->chunk);
    if (got < 0) {
        snprintf(r->err, sizeof r->err, "read error: %s", strerror(errno));
        r->err_line = r->line;
        r->buf[r->end] = '\0';
        return -1;
    }
    if (got == 0)
        r->eof = 1;
    r->end += (size_t)got;
    r->bytes += (uint64_t)got;
    r->buf[r->end] = '\0';
    return 0;
}

int jr_next(JsonReader *r)
{
    JsonPathNode *root = r->paths ? (JsonPathNode *)&r->paths->root : NULL;
    size_t nslots = r->paths ? (size_t)r->paths->nslots : 0;
    for (;;) {
        const char *p = r->buf + r->start;
        skip_ws(r, &p);
        r->start = (size_t)(p - r->buf);
        if (r->start == r->end) {
            if (r->eof)
                return 0;
            if (refill(r) < 0)
                return -1;
            continue;
        }
        if (*p != '{') {
            char tmp[8];
            if (*p == '[')
                fail(r, "expected '{': a top-level JSON array is not accepted (the source must "
                        "be JSON objects separated by whitespace)");
            else if (*p == ',')
                fail(r, "unexpected ',' between objects (objects must be separated by "
                        "whitespace only)");
            else if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
                     (unsigned char)p[2] == 0xBF)
                /* the guide documents a byte order mark only for ENCODING UTF16
                 * (copy-parameters-data-conversion), not for UTF-8 JSON */
                fail(r, "found a UTF-8 byte order mark (bytes EF BB BF) where a JSON object "
                        "should start: remove it (Redshift COPY documents a byte order mark "
                        "only for ENCODING UTF16, not for UTF-8 JSON)");
            else
                fail(r, "expected '{' starting a JSON object, found %s", show_char(*p, tmp));
            return -1;
        }
        long saved = r->line;
        if (nslots)
            memset(r->vals, 0, nslots * sizeof *r->vals);
        if (root)
            root->hint = 0;
        const char *q = p;
        int rc = parse_object(r, &q, root, 1);
        if (rc == R_OK) {
            if ((size_t)(q - p) > r->max_object) {
                r->line = saved;
                fail(r, "JSON object larger than %zu bytes (the limit Redshift COPY has)",
                     r->max_object);
                return -1;
            }
            r->obj_line = saved;
            r->start = (size_t)(q - r->buf);
            return 1;
        }
        if (rc == R_ERR)
            return -1;
        /* R_MORE: the object continues past the bytes we have */
        r->line = saved;
        if (r->eof) {
            fail(r, "unexpected end of file inside the JSON object starting on this line");
            return -1;
        }
        if (r->end - r->start > r->max_object) {
            fail(r, "JSON object larger than %zu bytes (the limit Redshift COPY has)",
                 r->max_object);
            return -1;
        }
        if (refill(r) < 0)
            return -1;
    }
}

long json_mem_read(void *ctx, char *buf, size_t cap)
{
    JsonMemSrc *m = ctx;
    size_t n = m->len - m->pos;
    if (m->step && n > m->step)
        n = m->step;
    if (n > cap)
        n = cap;
    memcpy(buf, m->p + m->pos, n);
    m->pos += n;
    return (long)n;
}

/* ---- jsonpaths ---------------------------------------------------------- */

/* The kid of node for key (index < 0) or for array element index. */
static JsonPathNode *add_kid(JsonPaths *jp, JsonPathNode *node, const char *key, size_t n,
                             long index)
{
    for (int i = 0; i < node->nkids; i++) {
        JsonPathNode *c = node->kids[i];
        if (index >= 0 ? c->index == index : key_eq(c, key, (uint32_t)n, jp->ignorecase))
            return c;
    }
    if (node->nkids == node->capkids) {
        int cap = node->capkids ? node->capkids * 2 : 8;
        JsonPathNode **k = arena_alloc(&jp->arena, (size_t)cap * sizeof *k);
        if (node->nkids)
            memcpy(k, node->kids, (size_t)node->nkids * sizeof *k);
        node->kids = k;
        node->capkids = cap;
    }
    JsonPathNode *c = arena_alloc(&jp->arena, sizeof *c);
    memset(c, 0, sizeof *c);
    c->key = index >= 0 ? NULL : arena_strndup(&jp->arena, key, n);
    c->keylen = index >= 0 ? 0 : n;
    c->index = index;
    c->slot = -1;
    node->kids[node->nkids++] = c;
    return c;
}

int jsonpaths_compile(JsonPaths *jp, const char *const *paths, int n, Buf *err)
{
    return jsonpaths_compile_ex(jp, paths, n, 0, err);
}

int jsonpaths_compile_ex(JsonPaths *jp, const char *const *paths, int n, int ignorecase, Buf *err)
{
    memset(jp, 0, sizeof *jp);
    arena_init(&jp->arena);
    jp->ignorecase = ignorecase;
    jp->root.slot = -1;
    jp->root.index = -1;
    jp->ncols = n;
    jp->col_slot = arena_alloc(&jp->arena, (size_t)(n ? n : 1) * sizeof *jp->col_slot);
    for (int i = 0; i < n; i++) {
        const char *p = paths[i];
        JsonPathNode *node = &jp->root;
        if (*p != '$')
            goto bad;
        p++;
        while (*p) {
            const char *k = NULL;
            size_t kl = 0;
            long index = -1;
            if (*p == '.') {
                k = ++p;
                while (*p && *p != '.' && *p != '[')
                    p++;
                kl = (size_t)(p - k);
                if (!kl)
                    goto bad;
            } else if (*p == '[' && (p[1] == '\'' || p[1] == '"')) {
                char q = p[1];
                k = p + 2;
                const char *e = strchr(k, q);
                if (!e || e[1] != ']')
                    goto bad;
                kl = (size_t)(e - k);
                p = e + 2;
            } else if (*p == '[' && p[1] >= '0' && p[1] <= '9') {
                char *e;
                errno = 0;
                index = strtol(p + 1, &e, 10);
                if (errno || *e != ']' || (p[1] == '0' && e != p + 2))
                    goto bad;
                p = e + 1;
            } else {
                goto bad;
            }
            node = add_kid(jp, node, k, kl, index);
        }
        if (node == &jp->root)
            goto bad;
        if (node->slot < 0)
            node->slot = jp->nslots++;
        jp->col_slot[i] = node->slot;
        continue;
    bad:
        buf_printf(err,
                   "jsonpath \"%s\": expected $.key, $['key'], [N] (an array element) or a "
                   "chain of them",
                   paths[i]);
        return -1;
    }
    return 0;
}

void jsonpaths_free(JsonPaths *jp)
{
    arena_free(&jp->arena);
}

int jsonpaths_parse_doc(Arena *a, const char *text, size_t len, char ***out, Buf *err)
{
    const char *const want[] = {"$.jsonpaths"};
    JsonPaths jp;
    if (jsonpaths_compile(&jp, want, 1, err))
        return -1;
    JsonReader r;
    jr_init(&r, &jp, 0, 0);
    JsonMemSrc m = {text, len, 0, 0};
    jr_open(&r, json_mem_read, &m);
    int rc = jr_next(&r), count = -1;
    if (rc < 0) {
        buf_printf(err, "line %ld: %s", r.err_line, r.err);
        goto done;
    }
    const JsonValue *v = &r.vals[0];
    if (rc == 0 || v->kind != JV_ARRAY) {
        buf_printf(err, "expected {\"jsonpaths\": [\"$.key\", ...]}");
        goto done;
    }
    size_t cap = 16;
    char **list = arena_alloc(a, cap * sizeof *list);
    count = 0;
    const char *p = v->p + 1, *end = v->p + v->n - 1;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ','))
            p++;
        if (p >= end)
            break;
        if (*p != '"') {
            buf_printf(err, "jsonpaths: expected an array of strings");
            count = -1;
            goto done;
        }
        p++;
        Buf s;
        buf_init(&s);
        while (p < end && *p != '"') {
            if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\' || p[1] == '/'))
                p++;
            buf_putc(&s, *p++);
        }
        p++;
        if ((size_t)count == cap) {
            char **nl = arena_alloc(a, 2 * cap * sizeof *nl);
            memcpy(nl, list, cap * sizeof *nl);
            list = nl;
            cap *= 2;
        }
        list[count++] = arena_strdup(a, s.data);
        buf_free(&s);
    }
    *out = list;
done:
    jr_free(&r);
    jsonpaths_free(&jp);
    return count;
}
