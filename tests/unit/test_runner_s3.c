/* test_runner_s3.c - the pure parts of the S3 client (src/runner/s3.c):
 * ListObjectsV2 and error XML, URI encoding and URLs, the credentials file,
 * retry classification, redaction, and the data-root join of sources.c. */
#include <curl/curl.h>
#include <stdlib.h>

#include "harness.h"
#include "runner/s3.h"
#include "runner/sources.h"

static S3Config cfg(const char *endpoint, const char *region)
{
    S3Config c;
    memset(&c, 0, sizeof c);
    c.endpoint = endpoint ? xstrdup(endpoint) : NULL;
    c.region = xstrdup(region);
    return c;
}

TEST(s3_list_xml_pages_and_entities)
{
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
        "<Prefix>log_data/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
        "<IsTruncated>true</IsTruncated>"
        "<Contents><Key>log_data/a &amp; b.json</Key><ETag>&quot;abc&quot;</ETag>"
        "<Size>7151</Size></Contents>"
        "<Contents><Key>log_data/&lt;caf&#233;&#x263A;&gt;.json</Key><Size>0</Size></Contents>"
        "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</"
        "NextContinuationToken>"
        "</ListBucketResult>";
    S3ObjectList l;
    memset(&l, 0, sizeof l);
    int trunc;
    char *next;
    Buf err;
    buf_init(&err);
    CHECK(s3_parse_list_xml(xml, strlen(xml), &l, &trunc, &next, &err) == 0);
    CHECK(l.n == 2);
    CHECK(trunc == 1);
    CHECK_STR(next, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
    if (l.n == 2) {
        CHECK_STR(l.v[0].key, "log_data/a & b.json");
        CHECK(l.v[0].size == 7151);
        CHECK_STR(l.v[0].etag, "\"abc\"");
        CHECK_STR(l.v[1].key, "log_data/<caf\xc3\xa9\xe2\x98\xba>.json");
        CHECK(l.v[1].etag == NULL);
    }
    free(next);
    /* the last page appends and says it is not truncated */
    const char *last = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>z.json"
                       "</Key><Size>12</Size></Contents></ListBucketResult>";
    CHECK(s3_parse_list_xml(last, strlen(last), &l, &trunc, &next, &err) == 0);
    CHECK(l.n == 3 && trunc == 0 && next == NULL);
    s3_objects_free(&l);
    /* not a listing, and a truncated listing without a token */
    CHECK(s3_parse_list_xml("<Error/>", 8, &l, &trunc, &next, &err) == -1);
    CHECK_STR(err.data, "the answer is not a ListBucketResult document");
    buf_reset(&err);
    const char *bad = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>";
    CHECK(s3_parse_list_xml(bad, strlen(bad), &l, &trunc, &next, &err) == -1);
    CHECK_STR(err.data, "a truncated listing without <NextContinuationToken>");
    s3_objects_free(&l);
    buf_free(&err);
}

TEST(s3_error_xml)
{
    const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
                      "<Message>The specified bucket does not exist</Message>"
                      "<BucketName>nope</BucketName><RequestId>x</RequestId></Error>";
    char *code, *msg;
    s3_parse_error_xml(xml, strlen(xml), &code, &msg);
    CHECK_STR(code, "NoSuchBucket");
    CHECK_STR(msg, "The specified bucket does not exist");
    free(code);
    free(msg);
    s3_parse_error_xml("<html>502 Bad Gateway</html>", 28, &code, &msg);
    CHECK(code == NULL && msg == NULL);
    s3_parse_error_xml(NULL, 0, &code, &msg);
    CHECK(code == NULL && msg == NULL);
    const char *ent =
        "<Error><Code>AccessDenied</Code><Message>a &lt;b&gt; &amp; c</Message></Error>";
    s3_parse_error_xml(ent, strlen(ent), &code, &msg);
    CHECK_STR(msg, "a <b> & c");
    free(code);
    free(msg);
}

TEST(s3_uri_encoding_and_urls)
{
    Buf b;
    buf_init(&b);
    const char *key = "log data/a+b=c&d/caf\xc3\xa9~x_y-z.json";
    s3_uri_encode(&b, key, strlen(key), 1);
    CHECK_STR(b.data, "log%20data/a%2Bb%3Dc%26d/caf%C3%A9~x_y-z.json");
    buf_reset(&b);
    s3_uri_encode(&b, "a/b c", 5, 0);
    CHECK_STR(b.data, "a%2Fb%20c");

    S3Config aws = cfg(NULL, "us-west-2"), local = cfg("http://127.0.0.1:4568", "us-east-1");
    buf_reset(&b);
    s3_object_url(&b, &aws, "udacity-dend", "log_data/2018/a b.json");
    CHECK_STR(b.data, "https://udacity-dend.s3.us-west-2.amazonaws.com/log_data/2018/a%20b.json");
    buf_reset(&b);
    s3_object_url(&b, &aws, "my.dotted.bucket", "k");
    CHECK_STR(b.data, "https://s3.us-west-2.amazonaws.com/my.dotted.bucket/k");
    buf_reset(&b);
    s3_object_url(&b, &local, "b", "meta/x.jsonpaths.json");
    CHECK_STR(b.data, "http://127.0.0.1:4568/b/meta/x.jsonpaths.json");
    /* dot segments stay (curl is told PATH_AS_IS), so the key is the one asked for */
    buf_reset(&b);
    s3_object_url(&b, &local, "b", "a/../b");
    CHECK_STR(b.data, "http://127.0.0.1:4568/b/a/../b");

    /* parameters sorted by name, values encoded with '/' too */
    buf_reset(&b);
    s3_list_url(&b, &local, "b", "log_data/", NULL, 0);
    CHECK_STR(b.data, "http://127.0.0.1:4568/b?list-type=2&prefix=log_data%2F");
    buf_reset(&b);
    s3_list_url(&b, &aws, "b", "a b", "x/y+z=", 7);
    CHECK_STR(b.data, "https://b.s3.us-west-2.amazonaws.com/"
                      "?continuation-token=x%2Fy%2Bz%3D&list-type=2&max-keys=7&prefix=a%20b");
    buf_free(&b);
    s3_config_free(&aws);
    s3_config_free(&local);
}

TEST(s3_parse_uri)
{
    char *bucket, *key;
    Buf err;
    buf_init(&err);
    CHECK(s3_parse_uri("s3://udacity-dend/log_data/", &bucket, &key, &err) == 0);
    CHECK_STR(bucket, "udacity-dend");
    CHECK_STR(key, "log_data/");
    free(bucket);
    free(key);
    CHECK(s3_parse_uri("s3://b", &bucket, &key, &err) == 0);
    CHECK_STR(bucket, "b");
    CHECK_STR(key, "");
    free(bucket);
    free(key);
    CHECK(s3_parse_uri("s3:///x", &bucket, &key, &err) == -1);
    CHECK_STR(err.data, "s3:///x names no bucket (s3://BUCKET/PREFIX)");
    buf_reset(&err);
    CHECK(s3_parse_uri("data/log", &bucket, &key, &err) == -1);
    CHECK_STR(err.data, "data/log is not an s3:// URI");
    buf_free(&err);

    char *j = sources_join("s3://b/root//", "log_data/");
    CHECK_STR(j, "s3://b/root/log_data/");
    free(j);
    j = sources_join("s3://b", "song_data/");
    CHECK_STR(j, "s3://b/song_data/");
    free(j);
}

TEST(s3_credentials_profiles)
{
    const char *text = "# comment\n"
                       "[default]\n"
                       "aws_access_key_id = AKIDDEFAULT\n"
                       "aws_secret_access_key=secretdefault\n"
                       "\n"
                       "[profile dev]\n"
                       "  aws_access_key_id=AKIDDEV  \n"
                       "aws_secret_access_key = secret=dev\n"
                       "aws_session_token = TOKEN\n"
                       "; another comment\n"
                       "[other]\n"
                       "region = us-west-2\n";
    char *k, *s, *t;
    CHECK(s3_credentials_parse(text, "default", &k, &s, &t) == 1);
    CHECK_STR(k, "AKIDDEFAULT");
    CHECK_STR(s, "secretdefault");
    CHECK(t == NULL);
    free(k);
    free(s);
    CHECK(s3_credentials_parse(text, "dev", &k, &s, &t) == 1);
    CHECK_STR(k, "AKIDDEV");
    CHECK_STR(s, "secret=dev");
    CHECK_STR(t, "TOKEN");
    free(k);
    free(s);
    free(t);
    CHECK(s3_credentials_parse(text, "other", &k, &s, &t) == 1);
    CHECK(k == NULL && s == NULL && t == NULL);
    CHECK(s3_credentials_parse(text, "missing", &k, &s, &t) == 0);
    CHECK(k == NULL && s == NULL);
}

TEST(s3_retry_classification)
{
    CHECK(s3_is_transient(500, CURLE_OK));
    CHECK(s3_is_transient(503, CURLE_OK));
    CHECK(s3_is_transient(429, CURLE_OK));
    CHECK(!s3_is_transient(403, CURLE_OK));
    CHECK(!s3_is_transient(404, CURLE_OK));
    CHECK(!s3_is_transient(412, CURLE_OK));
    CHECK(s3_is_transient(0, CURLE_COULDNT_CONNECT));
    CHECK(s3_is_transient(0, CURLE_OPERATION_TIMEDOUT));
    CHECK(s3_is_transient(200, CURLE_PARTIAL_FILE));
    CHECK(s3_is_transient(0, CURLE_RECV_ERROR));
    CHECK(s3_is_transient(0, CURLE_GOT_NOTHING));
    CHECK(!s3_is_transient(0, CURLE_PEER_FAILED_VERIFICATION));
    CHECK(!s3_is_transient(0, CURLE_URL_MALFORMAT));
}

TEST(s3_redact)
{
    S3Config c = cfg(NULL, "us-east-1");
    c.access_key = xstrdup("AKIAEXAMPLE");
    c.secret_key = xstrdup("wJalrXUtnFEMI/K7MDENG");
    c.session_token = xstrdup("FwoGZXIvYXdzEXAMPLETOKEN");
    Buf b;
    buf_init(&b);
    buf_puts(&b, "key AKIAEXAMPLE secret wJalrXUtnFEMI/K7MDENG token FwoGZXIvYXdzEXAMPLETOKEN "
                 "again AKIAEXAMPLE");
    s3_redact(&c, &b);
    CHECK_STR(b.data, "key *** secret *** token *** again ***");
    buf_free(&b);
    s3_config_free(&c);
}
