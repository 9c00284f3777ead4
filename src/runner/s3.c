/* s3.c - S3 transfers over libcurl: URLs, listing, streaming reads, puts (signed
 * by curl's AWS SigV4 with the settings of s3_config.c); see s3.h. */
#include "s3.h"

#include "../common/utf8.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runner.h"
#include "sha256.h"

#define SPILL_BYTES    ((size_t)512 << 10)
#define MAX_ERROR_BODY ((size_t)64 << 10)
#define MAX_LIST_BODY  ((size_t)64 << 20)
#define EMPTY_SHA256   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ---- URIs and URLs ------------------------------------------------------- */

int s3_parse_uri(const char *uri, char **bucket, char **key, Buf *err)
{
    *bucket = *key = NULL;
    if (strncmp(uri, "s3://", 5) != 0) {
        buf_printf(err, "%s is not an s3:// URI", uri);
        return -1;
    }
    const char *b = uri + 5, *sl = strchr(b, '/');
    size_t bl = sl ? (size_t)(sl - b) : strlen(b);
    if (bl == 0) {
        buf_printf(err, "%s names no bucket (s3://BUCKET/PREFIX)", uri);
        return -1;
    }
    *bucket = xmalloc(bl + 1);
    memcpy(*bucket, b, bl);
    (*bucket)[bl] = '\0';
    *key = xstrdup(sl ? sl + 1 : "");
    return 0;
}

void s3_uri_encode(Buf *out, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' ||
            (ch == '/' && keep_slash)) {
            buf_putc(out, (char)ch);
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            buf_putn(out, e, 3);
        }
    }
}

static int bucket_has_dot(const char *bucket)
{
    return strchr(bucket, '.') != NULL;
}

/* scheme://host[/bucket] with no trailing slash */
static void base_url(Buf *out, const S3Config *c, const char *bucket)
{
    if (c->endpoint) {
        buf_printf(out, "%s/", c->endpoint);
        s3_uri_encode(out, bucket, strlen(bucket), 0);
    } else if (bucket_has_dot(bucket)) {
        buf_printf(out, "https://s3.%s.amazonaws.com/", c->region);
        s3_uri_encode(out, bucket, strlen(bucket), 0);
    } else {
        buf_printf(out, "https://%s.s3.%s.amazonaws.com", bucket, c->region);
    }
}

void s3_object_url(Buf *out, const S3Config *c, const char *bucket, const char *key)
{
    base_url(out, c, bucket);
    buf_putc(out, '/');
    s3_uri_encode(out, key, strlen(key), 1);
}

void s3_list_url(Buf *out, const S3Config *c, const char *bucket, const char *prefix,
                 const char *token, long max_keys)
{
    base_url(out, c, bucket);
    /* path-style: "/bucket?..."; virtual-hosted: "/?..." */
    if (!c->endpoint && !bucket_has_dot(bucket))
        buf_putc(out, '/');
    /* SigV4 wants the parameters sorted by name; curl 7.88 signs them as given */
    char sep = '?';
    if (token) {
        buf_printf(out, "%ccontinuation-token=", sep);
        s3_uri_encode(out, token, strlen(token), 0);
        sep = '&';
    }
    buf_printf(out, "%clist-type=2", sep);
    if (max_keys > 0)
        buf_printf(out, "&max-keys=%ld", max_keys);
    buf_puts(out, "&prefix=");
    s3_uri_encode(out, prefix, strlen(prefix), 0);
}

/* ---- XML ------------------------------------------------------------------ */

static void put_utf8(Buf *out, unsigned long cp)
{
    char b[4];
    buf_putn(out, b, utf8_encode(cp, b));
}

void s3_xml_unescape(Buf *out, const char *s, size_t n)
{
    static const struct {
        const char *name;
        char ch;
    } ents[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '&') {
            buf_putc(out, s[i]);
            continue;
        }
        const char *p = s + i + 1;
        size_t left = n - i - 1;
        int done = 0;
        for (size_t k = 0; k < sizeof ents / sizeof ents[0] && !done; k++) {
            size_t el = strlen(ents[k].name);
            if (left >= el && memcmp(p, ents[k].name, el) == 0) {
                buf_putc(out, ents[k].ch);
                i += el;
                done = 1;
            }
        }
        if (!done && left >= 3 && p[0] == '#') {
            int hexa = p[1] == 'x' || p[1] == 'X';
            size_t j = hexa ? 2 : 1;
            unsigned long cp = 0;
            size_t digits = 0;
            while (j < left &&
                   (hexa ? isxdigit((unsigned char)p[j]) : isdigit((unsigned char)p[j])) &&
                   digits < 8) {
                int d = isdigit((unsigned char)p[j]) ? p[j] - '0'
                                                     : (tolower((unsigned char)p[j]) - 'a' + 10);
                cp = cp * (hexa ? 16 : 10) + (unsigned long)d;
                j++;
                digits++;
            }
            if (digits && j < left && p[j] == ';' && cp <= 0x10FFFF) {
                put_utf8(out, cp);
                i += j + 1;
                done = 1;
            }
        }
        if (!done)
            buf_putc(out, '&');
    }
}

/* The text of the first <tag>...</tag> in [p, end), or NULL. */
static const char *xml_find(const char *p, const char *end, const char *tag, size_t *len)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    size_t ol = strlen(open), cl = strlen(close);
    for (const char *q = p; q + ol <= end; q++) {
        if (memcmp(q, open, ol) != 0)
            continue;
        const char *v = q + ol;
        for (const char *r = v; r + cl <= end; r++) {
            if (memcmp(r, close, cl) == 0) {
                *len = (size_t)(r - v);
                return v;
            }
        }
        return NULL;
    }
    return NULL;
}

static char *xml_text(const char *p, const char *end, const char *tag)
{
    size_t n;
    const char *v = xml_find(p, end, tag, &n);
    if (!v)
        return NULL;
    Buf b;
    buf_init(&b);
    s3_xml_unescape(&b, v, n);
    buf_putc(&b, '\0');
    return buf_detach(&b, NULL);
}

int s3_parse_list_xml(const char *xml, size_t len, S3ObjectList *out, int *truncated,
                      char **next_token, Buf *err)
{
    const char *end = xml + len;
    *truncated = 0;
    *next_token = NULL;
    size_t n;
    if (!memmem(xml, len, "<ListBucketResult", 17)) {
        buf_puts(err, "the answer is not a ListBucketResult document");
        return -1;
    }
    const char *p = xml;
    const char *c;
    while ((c = xml_find(p, end, "Contents", &n)) != NULL) {
        const char *ce = c + n;
        char *key = xml_text(c, ce, "Key");
        char *size = xml_text(c, ce, "Size");
        if (!key || !size) {
            free(key);
            free(size);
            buf_puts(err, "a <Contents> element without <Key> or <Size>");
            return -1;
        }
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 64;
            out->v = xrealloc(out->v, out->cap * sizeof *out->v);
        }
        S3Object *o = &out->v[out->n++];
        o->key = key;
        o->size = strtoull(size, NULL, 10);
        o->etag = xml_text(c, ce, "ETag");
        free(size);
        p = ce;
    }
    char *t = xml_text(xml, end, "IsTruncated");
    *truncated = t && strcmp(t, "true") == 0;
    free(t);
    *next_token = xml_text(xml, end, "NextContinuationToken");
    if (*truncated && !*next_token) {
        buf_puts(err, "a truncated listing without <NextContinuationToken>");
        return -1;
    }
    return 0;
}

void s3_parse_error_xml(const char *xml, size_t len, char **code, char **message)
{
    *code = *message = NULL;
    if (!xml || !memmem(xml, len, "<Error>", 7))
        return;
    *code = xml_text(xml, xml + len, "Code");
    *message = xml_text(xml, xml + len, "Message");
}

void s3_objects_free(S3ObjectList *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].etag);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- requests --------------------------------------------------------------- */

int s3_is_transient(long http_status, int curl_code)
{
    if (curl_code == CURLE_OK)
        return http_status >= 500 || http_status == 429 || http_status == 408;
    switch (curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY: return 1;
    default: return 0;
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static long backoff(const S3Config *c, int attempt) /* attempt: the one about to start, >= 2 */
{
    long ms = c->backoff_ms;
    for (int i = 2; i < attempt && ms < 60000; i++)
        ms *= 2;
    return ms;
}

/* Describes a failed exchange: "HTTP 404 NoSuchBucket: The specified ..." or
 * the curl error. */
static void describe_failure(Buf *out, long status, int curl_code, const char *curl_err,
                             const char *body, size_t body_len)
{
    if (curl_code != CURLE_OK) {
        buf_puts(out, curl_easy_strerror((CURLcode)curl_code));
        if (curl_err && *curl_err)
            buf_printf(out, " (%s)", curl_err);
        return;
    }
    char *code, *msg;
    s3_parse_error_xml(body, body_len, &code, &msg);
    buf_printf(out, "HTTP %ld", status);
    if (code)
        buf_printf(out, " %s", code);
    if (msg)
        buf_printf(out, ": %s", msg);
    else if (!code && status == 404)
        buf_puts(out, ": not found");
    else if (!code && status == 403)
        buf_puts(out, ": access denied");
    free(code);
    free(msg);
}

/* The options every request shares; returns the header list to free. */
static struct curl_slist *setup_easy(CURL *h, const S3Config *c, const char *url,
                                     const char *payload_hash, struct curl_slist *hdrs,
                                     char *errbuf)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->timeout_s);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "stargen-runner/" RUNNER_VERSION_STR);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (c->share)
        curl_easy_setopt(h, CURLOPT_SHARE, (CURLSH *)c->share);
    errbuf[0] = '\0';
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (c->access_key) {
        char sig[128];
        snprintf(sig, sizeof sig, "aws:amz:%s:s3", c->region);
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sig);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->access_key);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret_key);
        char line[128];
        snprintf(line, sizeof line, "x-amz-content-sha256: %s", payload_hash);
        hdrs = curl_slist_append(hdrs, line);
        if (c->session_token) {
            Buf t;
            buf_init(&t);
            buf_printf(&t, "x-amz-security-token: %s", c->session_token);
            hdrs = curl_slist_append(hdrs, t.data);
            memset(t.data, 0, t.len);
            buf_free(&t);
        }
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    return hdrs;
}

typedef struct Sink {
    Buf *b;
    size_t max;
} Sink;

static size_t sink_write(char *p, size_t sz, size_t nm, void *ud)
{
    Sink *s = ud;
    size_t n = sz * nm;
    if (s->b->len + n > s->max)
        return 0;
    buf_putn(s->b, p, n);
    return n;
}

/* One blocking request with retries.  what names the resource in messages.
 * 0 with the 2xx body in resp, else -1 with "DESCRIPTION" in err. */
static int request(const S3Config *c, const char *method, const char *url, const char *what,
                   const char *body, size_t body_len, const char *content_type, Buf *resp, Buf *err)
{
    char hash[65];
    if (body)
        sha256_hex(body, body_len, hash);
    else
        memcpy(hash, EMPTY_SHA256, 65);
    char errbuf[CURL_ERROR_SIZE];
    for (int attempt = 1;; attempt++) {
        CURL *h = curl_easy_init();
        if (!h) {
            buf_puts(err, "cannot start libcurl");
            return -1;
        }
        struct curl_slist *hdrs = NULL;
        if (content_type) {
            char ct[128];
            snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
            hdrs = curl_slist_append(hdrs, ct);
        }
        hdrs = setup_easy(h, c, url, hash, hdrs, errbuf);
        if (strcmp(method, "PUT") == 0) {
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        }
        buf_reset(resp);
        Sink sink = {resp, MAX_LIST_BODY};
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
        CURLcode rc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(h);
        curl_slist_free_all(hdrs);
        if (rc == CURLE_OK && status >= 200 && status < 300)
            return 0;
        Buf why;
        buf_init(&why);
        describe_failure(&why, status, rc, errbuf, resp->data, resp->len);
        s3_redact(c, &why);
        if (s3_is_transient(status, rc) && attempt < c->attempts) {
            fprintf(stderr, "retrying %s (attempt %d/%d): %s\n", what, attempt + 1, c->attempts,
                    why.data);
            buf_free(&why);
            sleep_ms(backoff(c, attempt + 1));
            continue;
        }
        if (s3_is_transient(status, rc) && c->attempts > 1)
            buf_printf(&why, " (gave up after %d attempts)", c->attempts);
        buf_puts(err, why.data);
        buf_free(&why);
        return -1;
    }
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const S3Object *)a)->key, ((const S3Object *)b)->key);
}

int s3_list(const S3Config *c, const char *bucket, const char *prefix, S3ObjectList *out, Buf *err)
{
    memset(out, 0, sizeof *out);
    Buf what, url, resp, why;
    buf_init(&what);
    buf_init(&url);
    buf_init(&resp);
    buf_init(&why);
    buf_printf(&what, "s3://%s/%s", bucket, prefix);
    char *token = NULL;
    int rc = 0;
    for (;;) {
        buf_reset(&url);
        s3_list_url(&url, c, bucket, prefix, token, c->page_size);
        if (request(c, "GET", url.data, what.data, NULL, 0, NULL, &resp, &why)) {
            buf_printf(err, "cannot list %s: %s", what.data, why.data);
            rc = -1;
            break;
        }
        int truncated;
        char *next;
        if (s3_parse_list_xml(resp.data, resp.len, out, &truncated, &next, &why)) {
            buf_printf(err, "cannot list %s: %s", what.data, why.data);
            rc = -1;
            break;
        }
        free(token);
        token = next;
        if (!truncated)
            break;
    }
    free(token);
    buf_free(&what);
    buf_free(&url);
    buf_free(&resp);
    buf_free(&why);
    if (rc)
        s3_objects_free(out);
    else
        qsort(out->v, out->n, sizeof *out->v, cmp_key);
    return rc;
}

int s3_put(const S3Config *c, const char *bucket, const char *key, const char *data, size_t len,
           const char *content_type, Buf *err)
{
    Buf what, url, resp, why;
    buf_init(&what);
    buf_init(&url);
    buf_init(&resp);
    buf_init(&why);
    buf_printf(&what, "s3://%s/%s", bucket, key);
    s3_object_url(&url, c, bucket, key);
    int rc = request(c, "PUT", url.data, what.data, data, len, content_type, &resp, &why);
    if (rc)
        buf_printf(err, "cannot upload %s: %s", what.data, why.data);
    buf_free(&what);
    buf_free(&url);
    buf_free(&resp);
    buf_free(&why);
    return rc;
}

/* ---- streaming reads ---------------------------------------------------------- */

struct S3Reader {
    const S3Config *c;
    char *url, *what;
    CURLM *multi;
    CURL *easy;
    struct curl_slist *hdrs;
    int active, paused, done, failed, changed, attempt;
    char *spill;
    size_t beg, end, cap;
    uint64_t delivered;   /* body bytes accepted so far: the offset to resume at */
    uint64_t pos;         /* object offset of the next byte of the current answer */
    uint64_t range_start; /* from Content-Range */
    long status;
    int status_known, body_ok;
    char etag[256], resp_etag[256];
    Buf errbody, err;
    char curl_err[CURL_ERROR_SIZE];
};

S3Reader *s3_reader_open(const S3Config *c, const char *bucket, const char *key)
{
    S3Reader *r = xcalloc(1, sizeof *r);
    r->c = c;
    Buf b;
    buf_init(&b);
    s3_object_url(&b, c, bucket, key);
    r->url = buf_detach(&b, NULL);
    buf_init(&b);
    buf_printf(&b, "s3://%s/%s", bucket, key);
    r->what = buf_detach(&b, NULL);
    r->multi = curl_multi_init();
    r->cap = SPILL_BYTES;
    r->spill = xmalloc(r->cap);
    r->attempt = 1;
    buf_init(&r->errbody);
    buf_init(&r->err);
    return r;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
    S3Reader *r = ud;
    size_t n = sz * nm;
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        r->resp_etag[0] = '\0';
        r->range_start = 0;
    } else if (n > 5 && strncasecmp(p, "ETag:", 5) == 0) {
        size_t i = 5, e = n;
        while (i < e && (p[i] == ' ' || p[i] == '\t'))
            i++;
        while (e > i && isspace((unsigned char)p[e - 1]))
            e--;
        size_t l = e - i < sizeof r->resp_etag - 1 ? e - i : sizeof r->resp_etag - 1;
        memcpy(r->resp_etag, p + i, l);
        r->resp_etag[l] = '\0';
    } else if (n > 14 && strncasecmp(p, "Content-Range:", 14) == 0) {
        const char *q = memmem(p, n, "bytes ", 6);
        if (q)
            r->range_start = strtoull(q + 6, NULL, 10);
    }
    return n;
}

static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
    S3Reader *r = ud;
    size_t n = sz * nm;
    if (!r->status_known) {
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
        r->status_known = 1;
        r->body_ok = r->status == 200 || r->status == 206;
        if (r->body_ok) {
            if (r->etag[0] && r->resp_etag[0] && strcmp(r->etag, r->resp_etag) != 0) {
                r->changed = 1;
                return 0;
            }
            if (!r->etag[0])
                snprintf(r->etag, sizeof r->etag, "%s", r->resp_etag);
            r->pos = r->status == 206 ? r->range_start : 0;
            if (r->pos > r->delivered) {
                r->changed = 1; /* a gap: never hand out bytes out of order */
                return 0;
            }
        }
    }
    if (!r->body_ok) {
        if (r->errbody.len + n <= MAX_ERROR_BODY)
            buf_putn(&r->errbody, p, n);
        return n;
    }
    size_t skip = 0;
    if (r->pos < r->delivered) {
        uint64_t d = r->delivered - r->pos;
        skip = d >= n ? n : (size_t)d;
    }
    size_t keep = n - skip;
    if (keep && r->end + keep > r->cap) {
        if (r->beg) {
            memmove(r->spill, r->spill + r->beg, r->end - r->beg);
            r->end -= r->beg;
            r->beg = 0;
        }
        if (r->end + keep > r->cap) {
            if (r->end) {
                r->paused = 1;
                return CURL_WRITEFUNC_PAUSE; /* redelivered after curl_easy_pause(CONT) */
            }
            r->cap = keep;
            r->spill = xrealloc(r->spill, r->cap);
        }
    }
    memcpy(r->spill + r->end, p + skip, keep);
    r->end += keep;
    r->delivered += keep;
    r->pos += n;
    return n;
}

static void detach(S3Reader *r)
{
    if (r->easy) {
        curl_multi_remove_handle(r->multi, r->easy);
        curl_easy_cleanup(r->easy);
        r->easy = NULL;
    }
    curl_slist_free_all(r->hdrs);
    r->hdrs = NULL;
    r->active = r->paused = 0;
}

static int start(S3Reader *r)
{
    r->easy = curl_easy_init();
    if (!r->easy) {
        buf_puts(&r->err, "cannot start libcurl");
        r->failed = 1;
        return -1;
    }
    struct curl_slist *h = NULL;
    if (r->delivered) {
        char line[320];
        snprintf(line, sizeof line, "Range: bytes=%llu-", (unsigned long long)r->delivered);
        h = curl_slist_append(h, line);
        if (r->etag[0]) {
            snprintf(line, sizeof line, "If-Match: %s", r->etag);
            h = curl_slist_append(h, line);
        }
    }
    r->hdrs = setup_easy(r->easy, r->c, r->url, EMPTY_SHA256, h, r->curl_err);
    curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, r);
    r->status_known = r->body_ok = 0;
    r->status = 0;
    r->resp_etag[0] = '\0';
    r->range_start = 0;
    buf_reset(&r->errbody);
    curl_multi_add_handle(r->multi, r->easy);
    r->active = 1;
    return 0;
}

static void finish(S3Reader *r, CURLcode rc)
{
    long status = r->status;
    if (!r->status_known)
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    detach(r);
    if (r->changed || status == 412) {
        buf_printf(&r->err,
                   "the object changed while it was being read (ETag %s); it cannot "
                   "be resumed, run the step again",
                   r->etag[0] ? r->etag : "unknown");
        r->failed = 1;
        return;
    }
    if (rc == CURLE_OK && (status == 200 || status == 206)) {
        r->done = 1;
        return;
    }
    Buf why;
    buf_init(&why);
    describe_failure(&why, status, rc, r->curl_err, r->errbody.data, r->errbody.len);
    s3_redact(r->c, &why);
    int transient = s3_is_transient(rc == CURLE_OK ? status : 0, rc);
    if (transient && r->attempt < r->c->attempts) {
        r->attempt++;
        fprintf(stderr, "retrying %s (attempt %d/%d): %s", r->what, r->attempt, r->c->attempts,
                why.data);
        if (r->delivered)
            fprintf(stderr, "; resuming at byte %llu", (unsigned long long)r->delivered);
        fputc('\n', stderr);
        buf_free(&why);
        sleep_ms(backoff(r->c, r->attempt));
        return; /* the next read starts again */
    }
    buf_puts(&r->err, why.data);
    if (transient && r->c->attempts > 1)
        buf_printf(&r->err, " (gave up after %d attempts)", r->c->attempts);
    buf_free(&why);
    r->failed = 1;
}

long s3_read(void *ctx, char *buf, size_t cap)
{
    S3Reader *r = ctx;
    for (;;) {
        if (r->end > r->beg) {
            size_t n = r->end - r->beg < cap ? r->end - r->beg : cap;
            memcpy(buf, r->spill + r->beg, n);
            r->beg += n;
            if (r->beg == r->end)
                r->beg = r->end = 0;
            return (long)n;
        }
        if (r->failed) {
            errno = EIO;
            return -1;
        }
        if (r->done)
            return 0;
        if (!r->active && start(r))
            continue;
        if (r->paused) {
            r->paused = 0;
            curl_easy_pause(r->easy, CURLPAUSE_CONT);
        }
        int running = 0;
        CURLMcode mc = curl_multi_perform(r->multi, &running);
        if (mc != CURLM_OK) {
            buf_printf(&r->err, "libcurl: %s", curl_multi_strerror(mc));
            detach(r);
            r->failed = 1;
            continue;
        }
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(r->multi, &left)) != NULL)
            if (m->msg == CURLMSG_DONE && m->easy_handle == r->easy)
                finish(r, m->data.result);
        if (r->active && r->end == r->beg && !r->paused)
            curl_multi_poll(r->multi, NULL, 0, 1000, NULL);
    }
}

const char *s3_reader_error(const S3Reader *r)
{
    return r->err.len ? r->err.data : "";
}

void s3_reader_close(S3Reader *r)
{
    if (!r)
        return;
    detach(r);
    curl_multi_cleanup(r->multi);
    free(r->spill);
    free(r->url);
    free(r->what);
    buf_free(&r->errbody);
    buf_free(&r->err);
    free(r);
}
