/* test_manifest.c - the manifest of an incremental COPY on Redshift (issue 14
 * item 1, manifest.h): the JSON builder escapes every key correctly, the URL
 * is per run and step, the type=manifest placeholder is read strictly, filled
 * by the runner only (never from the environment) and escaped as a literal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "runner/ledger.h"
#include "runner/manifest.h"
#include "runner/placeholder.h"
#include "runner/plan.h"

static void add_file(SourceList *l, const char *display, uint64_t size)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->files = xrealloc(l->files, l->cap * sizeof *l->files);
    }
    SourceFile *f = &l->files[l->n++];
    memset(f, 0, sizeof *f);
    f->display = xstrdup(display);
    f->path = xstrdup(display);
    f->version = xstrdup("etag:\"x\"");
    f->size = size;
}

TEST(manifest_json_escapes_keys)
{
    SourceList l;
    memset(&l, 0, sizeof l);
    add_file(&l, "s3://b/plain/2024-01-01.json", 10);
    add_file(&l, "s3://b/q\"uote/back\\slash.json", 20);
    add_file(&l, "s3://b/caf\xc3\xa9/\xe6\x97\xa5.json", 30); /* café/日 kept as UTF-8 */
    add_file(&l, "s3://b/ctl/a\nb\tc\x01\x1f\x7f.json", 40);
    add_file(&l, "s3://b/old.json", 50);
    add_file(&l, "s3://b/sp ace+plus%25.json", 0); /* no percent-encoding: the key as is */
    LedgerVerdict v[] = {LV_NEW, LV_RELOAD, LV_NEW, LV_NEW, LV_LOADED, LV_NEW};
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    CHECK(manifest_json(&out, &l, v, &err) == 5);
    const char *want =
        "{\"entries\":[\n"
        "{\"url\":\"s3://b/plain/"
        "2024-01-01.json\",\"mandatory\":true,\"meta\":{\"content_length\":10}},\n"
        "{\"url\":\"s3://b/q\\\"uote/"
        "back\\\\slash.json\",\"mandatory\":true,\"meta\":{\"content_length\":20}},\n"
        "{\"url\":\"s3://b/caf\xc3\xa9/"
        "\xe6\x97\xa5.json\",\"mandatory\":true,\"meta\":{\"content_length\":30}},\n"
        "{\"url\":\"s3://b/ctl/"
        "a\\u000ab\\u0009c\\u0001\\u001f\\u007f.json\",\"mandatory\":true,\"meta\":{\"content_"
        "length\":40}},\n"
        "{\"url\":\"s3://b/sp "
        "ace+plus%25.json\",\"mandatory\":true,\"meta\":{\"content_length\":0}}\n"
        "]}\n";
    CHECK_STR(out.data, want);
    /* v NULL: every file */
    buf_reset(&out);
    CHECK(manifest_json(&out, &l, NULL, &err) == 6);
    CHECK(strstr(out.data, "s3://b/old.json") != NULL);
    /* nothing chosen: an empty list, still a document */
    LedgerVerdict none[] = {LV_LOADED, LV_LOADED, LV_SKIPPED_CH, LV_LOADED, LV_LOADED, LV_LOADED};
    buf_reset(&out);
    CHECK(manifest_json(&out, &l, none, &err) == 0);
    CHECK_STR(out.data, "{\"entries\":[]}\n");
    /* a key that is not UTF-8 is refused, named (escaped) */
    add_file(&l, "s3://b/bad\xff.json", 1);
    buf_reset(&out);
    CHECK(manifest_json(&out, &l, NULL, &err) == -1);
    CHECK(strstr(err.data, "bad\\xFF.json") != NULL && strstr(err.data, "not valid UTF-8"));
    sources_free(&l);
    buf_free(&out);
    buf_free(&err);
}

TEST(manifest_json_string_every_control_byte)
{
    Buf out;
    buf_init(&out);
    for (int c = 1; c < 0x20; c++) {
        char s[2] = {(char)c, 0};
        buf_reset(&out);
        manifest_json_string(&out, s, 1);
        char want[16];
        snprintf(want, sizeof want, "\"\\u%04x\"", c);
        CHECK_STR(out.data, want);
    }
    buf_reset(&out);
    manifest_json_string(&out, "a\0b", 3); /* a NUL inside n bytes is escaped too */
    CHECK_STR(out.data, "\"a\\u0000b\"");
    buf_free(&out);
}

TEST(manifest_url_per_run_and_step)
{
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    CHECK(manifest_url(&out, "s3://meta/stargen/m/", "0f0e0d0c-0000-4000-8000-000000000001",
                       "03_load_stage_orders", &err) == 0);
    CHECK_STR(out.data, "s3://meta/stargen/m/0f0e0d0c-0000-4000-8000-000000000001/"
                        "03_load_stage_orders.manifest");
    /* a key over S3's 1024 bytes is refused, nothing appended */
    char *longp = xmalloc(1200);
    memcpy(longp, "s3://meta/", 10);
    memset(longp + 10, 'p', 1020);
    strcpy(longp + 1030, "/");
    buf_reset(&out);
    CHECK(manifest_url(&out, longp, "r", "03_x", &err) == -1);
    CHECK(out.len == 0 && strstr(err.data, "1024 bytes"));
    free(longp);
    buf_free(&out);
    buf_free(&err);
}

static int split_text(Arena *a, Step *s, const char *text, Buf *err)
{
    memset(s, 0, sizeof *s);
    s->path = "f.sql";
    s->name = "load_x";
    s->stem = "03_load_x";
    s->text = text;
    s->len = strlen(text);
    bool notx;
    return plan_split(a, s->path, text, s->len, &s->stmts, &s->nstmts, &notx, err);
}

static const char *const MSTMT = "COPY t FROM '${STARGEN_MANIFEST}' IAM_ROLE default MANIFEST;";

TEST(manifest_placeholder_directive_is_strict)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    Step s;
    char t[512];
    snprintf(t, sizeof t,
             "-- stargen:placeholder name=STARGEN_MANIFEST type=manifest offset=13 "
             "source=s3://lake/orders/ manifests=s3://meta/m/ changed=skip region=eu-west-1\n%s",
             MSTMT);
    CHECK(split_text(&a, &s, t, &err) == 0);
    CHECK(s.nstmts == 1 && s.stmts[0].nph == 1);
    const ManifestSpot *m = ledger_manifest_spot(&s.stmts[0]);
    CHECK(m && !strcmp(m->source, "s3://lake/orders/") && !strcmp(m->manifests, "s3://meta/m/") &&
          m->changed == CHANGED_SKIP && m->region && !strcmp(m->region, "eu-west-1"));
    static const struct {
        const char *dir, *want;
    } bad[] = {
        {"name=STARGEN_MANIFEST type=manifest offset=13 manifests=s3://meta/m/ changed=error",
         "type=manifest needs source="},
        {"name=STARGEN_MANIFEST type=manifest offset=13 source=s3://lake/o/ changed=error",
         "type=manifest needs manifests="},
        {"name=STARGEN_MANIFEST type=manifest offset=13 source=s3://lake/o/ manifests=s3://m/x/",
         "type=manifest needs changed="},
        {"name=STARGEN_MANIFEST type=iam_role offset=13 source=s3://lake/o/",
         "source= belongs to type=manifest only"},
        {"name=STARGEN_MANIFEST type=manifest offset=13 source=s3://lake/o/ "
         "manifests=s3://lake/o/m/ changed=error",
         "manifests= lies under source="},
        {"name=STARGEN_MANIFEST type=manifest offset=13 source=s3://lake/o/ "
         "manifests=s3://meta/m changed=error",
         "ending with /"},
        {"name=STARGEN_MANIFEST type=manifest offset=13 source=s3://lake/o/ "
         "manifests=s3://meta/m/ changed=ignore",
         "changed must be error, skip or reload"},
        {"name=STARGEN_MANIFEST type=manifest offset=12 source=s3://lake/o/ "
         "manifests=s3://meta/m/ changed=error",
         "does not hold ${STARGEN_MANIFEST} at offset 12"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(t, sizeof t, "-- stargen:placeholder %s\n%s", bad[i].dir, MSTMT);
        buf_reset(&err);
        int rc = split_text(&a, &s, t, &err);
        CHECK(rc == -1 && strstr(err.data, bad[i].want));
        if (rc != -1 || !strstr(err.data, bad[i].want))
            fprintf(stderr, "  case %zu: got \"%s\"\n", i, err.data);
    }
    buf_free(&err);
    arena_free(&a);
}

TEST(manifest_placeholder_filled_by_the_runner_only)
{
    Arena a;
    arena_init(&a);
    Buf err, out, miss;
    buf_init(&err);
    buf_init(&out);
    buf_init(&miss);
    Step s;
    char t[512];
    snprintf(t, sizeof t,
             "-- stargen:placeholder name=STARGEN_MANIFEST type=manifest offset=13 "
             "source=s3://lake/orders/ manifests=s3://meta/m/ changed=error\n%s",
             MSTMT);
    CHECK(split_text(&a, &s, t, &err) == 0);
    PhVars v;
    memset(&v, 0, sizeof v);
    /* the environment never fills it, nothing asks for a value */
    setenv("STARGEN_MANIFEST", "s3://evil/x", 1);
    CHECK(ph_missing(&v, &s, &miss) == 0 && miss.len == 0);
    CHECK(ph_check(&v, &s, &err) == 0);
    PhMap map = {0};
    ph_apply(&v, s.text, &s.stmts[0], true, &out, &map);
    CHECK(strstr(out.data, "${STARGEN_MANIFEST}") != NULL); /* no value: left as is */
    /* the runner's URL, escaped for Redshift's literals (' doubled, \ doubled) */
    snprintf(v.manifest_url, sizeof v.manifest_url, "s3://meta/m/r/03_it's\\x.manifest");
    ph_apply(&v, s.text, &s.stmts[0], true, &out, &map);
    CHECK_STR(out.data,
              "COPY t FROM 's3://meta/m/r/03_it''s\\\\x.manifest' IAM_ROLE default MANIFEST");
    /* an error position inside the URL maps back to the placeholder */
    CHECK(ph_map_back(&map, 20) == 13);
    /* a manifest URL is not a secret: not redacted */
    char *msg = ph_redact(&v, &s, xstrdup("cannot read s3://meta/m/r/03_it's\\x.manifest"));
    CHECK_STR(msg, "cannot read s3://meta/m/r/03_it's\\x.manifest");
    free(msg);
    unsetenv("STARGEN_MANIFEST");
    ph_map_free(&map);
    buf_free(&err);
    buf_free(&out);
    buf_free(&miss);
    arena_free(&a);
}

TEST(manifest_key_is_uri_encoded_for_the_put)
{
    /* the manifest's own key goes into the PUT's URL SigV4-encoded (s3.h); inside the
     * manifest and the COPY literal the s3:// URL keeps the key as it is */
    Buf url, err, http;
    buf_init(&url);
    buf_init(&err);
    buf_init(&http);
    CHECK(manifest_url(&url, "s3://meta/m x+/", "r1", "03_load_caf\xc3\xa9", &err) == 0);
    CHECK_STR(url.data, "s3://meta/m x+/r1/03_load_caf\xc3\xa9.manifest");
    char *bucket = NULL, *key = NULL;
    CHECK(s3_parse_uri(url.data, &bucket, &key, &err) == 0);
    S3Config c;
    memset(&c, 0, sizeof c);
    char region[] = "us-east-1", endpoint[] = "http://127.0.0.1:9";
    c.region = region;
    c.endpoint = endpoint;
    s3_object_url(&http, &c, bucket, key);
    CHECK_STR(http.data, "http://127.0.0.1:9/meta/m%20x%2B/r1/03_load_caf%C3%A9.manifest");
    free(bucket);
    free(key);
    buf_free(&url);
    buf_free(&err);
    buf_free(&http);
}
