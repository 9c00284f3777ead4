/* s3.h - the S3 client of the runner: list, stream and put objects.
 *
 * Built on libcurl and its AWS SigV4 signing (CURLOPT_AWS_SIGV4).  libcurl
 * 7.88 signs the path and the query exactly as given, so this file builds
 * them in SigV4 canonical form itself: keys URI-encoded byte by byte (only
 * A-Z a-z 0-9 - _ . ~ and the key's '/' stay as they are), query parameters
 * sorted by name with '/' encoded too, and the payload hash sent as
 * x-amz-content-sha256 (curl signs every x-amz-* header it is given).
 *
 * Streaming: s3_read() is a JsonReadFn.  It pulls the body with a curl multi
 * handle driven from inside the read call (no thread): the write callback
 * appends to a bounded spill buffer and pauses the transfer when it is full,
 * the read call hands out the spill and unpauses.  Memory per object is the
 * spill (512 KiB) whatever the object's size.
 *
 * Failures: transient errors (HTTP 5xx and 429, timeouts, refused or reset
 * connections, a body cut short) are retried with exponential backoff up to
 * S3Config.attempts in total per request, each retry announced on stderr.  A
 * read that fails after bytes were handed out continues with
 * `Range: bytes=N-` and `If-Match: ETAG`, and checks the ETag of the answer,
 * so the consumer sees every byte exactly once or an error.  Other HTTP
 * errors (403, 404, ...) fail at once with the service's <Code> and
 * <Message>.  Credentials never appear in messages: every message built here
 * goes through s3_redact.
 */
#ifndef STARGEN_S3_H
#define STARGEN_S3_H

#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"

typedef struct S3Config {
    char *access_key, *secret_key, *session_token; /* all NULL: anonymous; owned */
    char *region;                                  /* never NULL after s3_config_load */
    char *endpoint;    /* AWS_ENDPOINT_URL without a trailing '/', or NULL: AWS */
    char *cred_source; /* "environment", "profile NAME (FILE)", "none" (for messages) */
    int attempts;      /* per request, >= 1 (STARGEN_S3_ATTEMPTS, default 4) */
    long backoff_ms;   /* first retry delay, doubled each time (STARGEN_S3_BACKOFF_MS, 200) */
    long page_size;    /* ListObjectsV2 max-keys, 0 = the service's (STARGEN_S3_PAGE_SIZE) */
    long timeout_s;    /* connect timeout and stall limit (STARGEN_S3_TIMEOUT, 30) */
    void *share;       /* CURLSH: connections and DNS reused across requests; one thread */
} S3Config;

/* Fills c from the environment: credentials from AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else cfg_key / cfg_secret (the
 * --config file's [AWS] KEY and SECRET; may be NULL), else the AWS_PROFILE profile
 * (default "default") of AWS_SHARED_CREDENTIALS_FILE (default
 * ~/.aws/credentials), else none (anonymous); no_sign forces anonymous.
 * Region from AWS_REGION, AWS_DEFAULT_REGION, else us-east-1.  Returns 0, or
 * -1 with a message (an AWS_PROFILE that names no profile, half a key pair).
 * Free with s3_config_free (which wipes the secrets). */
int s3_config_load(S3Config *c, const char *cfg_key, const char *cfg_secret, int no_sign, Buf *err);
void s3_config_free(S3Config *c);
/* Appends "credentials: SOURCE; region R[; endpoint E]" for the settings
 * line a run prints, each part escaped (utf8_escape_display: the region and
 * endpoint come from the environment). */
void s3_config_describe(const S3Config *c, Buf *out);

/* Parses an INI credentials file (NUL-terminated) and copies the profile's
 * aws_access_key_id, aws_secret_access_key and aws_session_token into the
 * out pointers (malloc'ed, NULL if absent).  Sections "[name]" and
 * "[profile name]" both name a profile.  Returns 1 if the profile exists,
 * else 0. */
int s3_credentials_parse(const char *text, const char *profile, char **key, char **secret,
                         char **token);

/* "s3://bucket/key" -> bucket and key (malloc'ed; key may be "").  -1 with a
 * message if uri is not an s3:// URI with a bucket. */
int s3_parse_uri(const char *uri, char **bucket, char **key, Buf *err);

/* Appends s[0..n) URI-encoded by the SigV4 rules; '/' kept if keep_slash. */
void s3_uri_encode(Buf *out, const char *s, size_t n, int keep_slash);

/* The URL of an object (key may be "" for the bucket itself): path-style
 * under the endpoint when one is set, else virtual-hosted
 * https://bucket.s3.REGION.amazonaws.com/KEY (path-style on AWS for bucket
 * names with dots, which the wildcard certificate does not cover). */
void s3_object_url(Buf *out, const S3Config *c, const char *bucket, const char *key);
/* The URL of one ListObjectsV2 page (token may be NULL; max_keys 0 = default). */
void s3_list_url(Buf *out, const S3Config *c, const char *bucket, const char *prefix,
                 const char *token, long max_keys);

typedef struct S3Object {
    char *key; /* decoded */
    uint64_t size;
    char *etag; /* with its quotes, as the service sends it; may be NULL */
} S3Object;

typedef struct S3ObjectList {
    S3Object *v;
    size_t n, cap;
} S3ObjectList;
void s3_objects_free(S3ObjectList *l);

/* Parses one ListObjectsV2 answer, appending its <Contents> to out (XML
 * entities in keys decoded).  *truncated and *next_token (malloc'ed or NULL)
 * from <IsTruncated> and <NextContinuationToken>.  -1 with a message if the
 * document is not a ListBucketResult. */
int s3_parse_list_xml(const char *xml, size_t len, S3ObjectList *out, int *truncated,
                      char **next_token, Buf *err);
/* <Error><Code>..</Code><Message>..</Message></Error> -> malloc'ed strings
 * (NULL when absent or not an error document). */
void s3_parse_error_xml(const char *xml, size_t len, char **code, char **message);
/* Appends the decoded text of s[0..n) (&amp; &lt; &gt; &quot; &apos; &#N; &#xN;). */
void s3_xml_unescape(Buf *out, const char *s, size_t n);

/* Whether a failed request is worth retrying: HTTP 5xx and 429 and the curl
 * errors of a network that hiccups.  http_status 0 = no answer. */
int s3_is_transient(long http_status, int curl_code);

/* Replaces every occurrence of the configured credentials in b by "***". */
void s3_redact(const S3Config *c, Buf *b);

/* Lists every object under prefix (all pages, in key order).  -1 with a
 * message naming s3://bucket/prefix, the HTTP status and the service's error
 * code and message. */
int s3_list(const S3Config *c, const char *bucket, const char *prefix, S3ObjectList *out, Buf *err);

/* PUTs data as bucket/key.  -1 with a message. */
int s3_put(const S3Config *c, const char *bucket, const char *key, const char *data, size_t len,
           const char *content_type, Buf *err);

/* Streaming GET of one object. */
typedef struct S3Reader S3Reader;
/* Nothing is requested before the first read.  c must outlive the reader. */
S3Reader *s3_reader_open(const S3Config *c, const char *bucket, const char *key);
/* A JsonReadFn: up to cap bytes, 0 at the end, -1 on error (see
 * s3_reader_error). */
long s3_read(void *reader, char *buf, size_t cap);
/* The message of the last failure ("" if none), without the object's name. */
const char *s3_reader_error(const S3Reader *r);
void s3_reader_close(S3Reader *r);

#endif
