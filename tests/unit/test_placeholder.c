/* test_placeholder.c - declared placeholders (issue 13 items 2 and 3): only a
 * position gen declared with `-- stargen:placeholder` is filled, every other
 * ${...} is sent byte-exact and asks for no value; values are escaped for the
 * target's string rules and must be IAM role ARNs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "runner/execute.h"
#include "runner/placeholder.h"
#include "runner/plan.h"

/* "-- stargen:placeholder name=NAME type=iam_role offset=N\n" + stmt, with N
 * the offset of the first "${NAME}" in stmt. */
static char *declared(const char *prefix, const char *name, const char *stmt)
{
    char ph[128];
    snprintf(ph, sizeof ph, "${%s}", name);
    const char *at = strstr(stmt, ph);
    size_t off = at ? (size_t)(at - stmt) : 0;
    size_t n = strlen(prefix) + strlen(stmt) + 200;
    char *t = xmalloc(n);
    snprintf(t, n, "%s-- stargen:placeholder name=%s type=iam_role offset=%zu\n%s", prefix, name,
             off, stmt);
    return t;
}

static int split_step(Arena *a, Step *s, const char *text, Buf *err)
{
    memset(s, 0, sizeof *s);
    s->path = "f.sql";
    s->text = text;
    s->len = strlen(text);
    bool notx;
    return plan_split(a, s->path, text, s->len, &s->stmts, &s->nstmts, &notx, err);
}

#define ARN "arn:aws:iam::123456789012:role/dwhRole"

TEST(placeholder_only_declared_positions_are_filled)
{
    setenv("STARGEN_TEST_ROLE", ARN, 1);
    setenv("STARGEN_TEST_SECRET", "QXSECRET9", 1);
    /* the cases: a mapping literal, a where clause, a comment: all undeclared */
    const char *stmt = "INSERT INTO t SELECT 'price in ${STARGEN_TEST_SECRET}' -- ${X}\n"
                       "FROM s WHERE s.v <> '${HOME}' AND r = '${STARGEN_TEST_ROLE}'";
    Arena a;
    arena_init(&a);
    Buf err, out, miss;
    buf_init(&err);
    buf_init(&out);
    buf_init(&miss);
    Step s;
    CHECK(split_step(&a, &s, stmt, &err) == 0);
    CHECK(s.nstmts == 1 && s.stmts[0].nph == 0);
    PhVars v = {0};
    unsetenv("X");
    CHECK(ph_missing(&v, &s, &miss) == 0); /* ${X} asks for nothing */
    PhMap map = {0};
    ph_apply(&v, s.text, &s.stmts[0], false, &out, &map);
    CHECK_STR(out.data, stmt); /* byte-exact */
    CHECK(map.n == 0);

    /* declared: only the declared one is filled, the same name elsewhere is text */
    char *t =
        declared("-- header\n", "STARGEN_TEST_ROLE",
                 "COPY t FROM 's3://x' IAM_ROLE '${STARGEN_TEST_ROLE}' -- ${STARGEN_TEST_ROLE}");
    CHECK(split_step(&a, &s, t, &err) == 0);
    CHECK(s.nstmts == 1 && s.stmts[0].nph == 1);
    if (s.nstmts == 1 && s.stmts[0].nph == 1) {
        CHECK_STR(s.stmts[0].ph[0].name, "STARGEN_TEST_ROLE");
        CHECK(s.stmts[0].ph[0].line == 2);
        ph_apply(&v, s.text, &s.stmts[0], true, &out, &map);
        CHECK_STR(out.data, "COPY t FROM 's3://x' IAM_ROLE '" ARN "' -- ${STARGEN_TEST_ROLE}");
        CHECK(ph_check(&v, &s, &err) == 0);
    }
    /* missing: named once, only for the declared use */
    unsetenv("STARGEN_TEST_ROLE");
    CHECK(ph_missing(&v, &s, &miss) == 1);
    CHECK_STR(miss.data, "STARGEN_TEST_ROLE");
    /* a config value counts, the environment first */
    ph_set(&v, "STARGEN_TEST_ROLE", "arn:aws:iam::210987654321:role/cfg", "[IAM_ROLE] ARN");
    const char *origin = NULL;
    CHECK_STR(ph_lookup(&v, "STARGEN_TEST_ROLE", &origin), "arn:aws:iam::210987654321:role/cfg");
    CHECK_STR(origin, "[IAM_ROLE] ARN");
    setenv("STARGEN_TEST_ROLE", ARN, 1);
    CHECK_STR(ph_lookup(&v, "STARGEN_TEST_ROLE", &origin), ARN);
    CHECK_STR(origin, "the environment");
    free(t);
    ph_map_free(&map);
    buf_free(&out);
    buf_free(&miss);
    buf_free(&err);
    arena_free(&a);
    unsetenv("STARGEN_TEST_ROLE");
    unsetenv("STARGEN_TEST_SECRET");
}

/* plan_split of text must fail with exactly want. */
static int split_fails(const char *text, const char *want)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    Step s;
    int rc = split_step(&a, &s, text, &err);
    int ok = rc == -1 && err.data && strcmp(err.data, want) == 0;
    if (!ok)
        fprintf(stderr, "  rc %d, got \"%s\"\n  want \"%s\"\n", rc, err.data ? err.data : "", want);
    buf_free(&err);
    arena_free(&a);
    return ok;
}

TEST(placeholder_directive_is_verified)
{
    /* the text at the offset is not ${NAME} */
    CHECK(
        split_fails("-- stargen:placeholder name=R type=iam_role offset=3\nSELECT '${R}';",
                    "f.sql:1: stargen:placeholder: the statement does not hold ${R} at offset 3"));
    /* past the end of the statement */
    CHECK(split_fails("-- stargen:placeholder name=R type=iam_role offset=90\nSELECT '${R}';",
                      "f.sql:1: stargen:placeholder: the statement does not hold ${R} at offset "
                      "90"));
    /* ${R} between two literals, not inside one: 'a '${R}' b' */
    CHECK(split_fails("-- stargen:placeholder name=R type=iam_role offset=11\nSELECT 'a '${R}' b';",
                      "f.sql:1: stargen:placeholder: ${R} at offset 11 is not the whole of a "
                      "'...' string literal"));
    /* inside a literal but not all of it */
    CHECK(split_fails("-- stargen:placeholder name=R type=iam_role offset=9\nSELECT 'x${R}';",
                      "f.sql:1: stargen:placeholder: ${R} at offset 9 is not the whole of a "
                      "'...' string literal"));
    /* in a comment */
    CHECK(split_fails("-- stargen:placeholder name=R type=iam_role offset=12\nSELECT 1 -- ${R}\n;",
                      "f.sql:1: stargen:placeholder: ${R} at offset 12 is not the whole of a "
                      "'...' string literal"));
    CHECK(split_fails("-- stargen:placeholder name=r type=iam_role offset=8\nSELECT '${r}';",
                      "f.sql:1: stargen:placeholder: name= must be a placeholder name "
                      "([A-Z_][A-Z0-9_]*, at most 64 bytes)"));
    CHECK(split_fails(
        "-- stargen:placeholder name=R type=password offset=8\nSELECT '${R}';",
        "f.sql:1: stargen:placeholder: type must be iam_role or manifest, not \"password\""));
    CHECK(split_fails("-- stargen:placeholder name=R type=iam_role offset=-8\nSELECT '${R}';",
                      "f.sql:1: stargen:placeholder: offset= must be a byte offset (decimal "
                      "digits)"));
    CHECK(split_fails("-- stargen:placeholder name=R type=iam_role\nSELECT '${R}';",
                      "f.sql:1: stargen:placeholder: offset= is required"));
    CHECK(split_fails("-- stargen:placeholder name=R type=iam_role offset=8\n\nSELECT '${R}';",
                      "f.sql:1: stargen:placeholder must be on the line just before its "
                      "statement"));
    CHECK(split_fails("SELECT 1;\n-- stargen:placeholder name=R type=iam_role offset=8\n",
                      "f.sql:2: stargen:placeholder is not followed by its statement"));
    /* a copy directive and a placeholder stack; a gap between them does not */
    CHECK(split_fails("-- stargen:placeholder name=R type=iam_role offset=8\n-- x\n"
                      "-- stargen:check name=c severity=error\nSELECT '${R}';",
                      "f.sql:1: stargen:placeholder is not followed by its statement"));
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    Step s;
    CHECK(split_step(&a, &s,
                     "-- stargen:check name=c severity=error\n"
                     "-- stargen:placeholder name=R type=iam_role offset=8\n"
                     "-- stargen:placeholder name=S type=iam_role offset=16\n"
                     "SELECT '${R}', '${S}';",
                     &err) == 0);
    CHECK(s.nstmts == 1 && s.stmts[0].nph == 2 && s.stmts[0].check);
    buf_free(&err);
    arena_free(&a);
}

TEST(placeholder_values_escaped_for_the_target)
{
    /* defence in depth: ph_check refuses such values, but ph_apply escapes right anyway */
    setenv("STARGEN_TEST_INJ", "x\\'); CREATE TABLE pwned (i int); --", 1);
    char *t = declared("", "STARGEN_TEST_INJ", "SELECT '${STARGEN_TEST_INJ}'");
    Arena a;
    arena_init(&a);
    Buf err, out;
    buf_init(&err);
    buf_init(&out);
    Step s;
    CHECK(split_step(&a, &s, t, &err) == 0);
    PhVars v = {0};
    PhMap map = {0};
    if (s.nstmts == 1) {
        ph_apply(&v, s.text, &s.stmts[0], false, &out, &map); /* standard_conforming_strings */
        CHECK_STR(out.data, "SELECT 'x\\''); CREATE TABLE pwned (i int); --'");
        ph_apply(&v, s.text, &s.stmts[0], true, &out, &map); /* Redshift: \ escapes */
        CHECK_STR(out.data, "SELECT 'x\\\\''); CREATE TABLE pwned (i int); --'");
        CHECK(ph_check(&v, &s, &err) == -1);
        CHECK(err.data && !strstr(err.data, "pwned") && !strstr(err.data, "x\\"));
        CHECK_STR(err.data, "f.sql:1: the value of STARGEN_TEST_INJ (from the environment) is not "
                            "an IAM role ARN: it does not start with arn:; expected "
                            "arn:aws:iam::<12-digit account id>:role/<name>, or up to 10 of "
                            "them separated by commas (the value is not shown)");
    }
    ph_map_free(&map);
    buf_free(&out);
    buf_free(&err);
    arena_free(&a);
    free(t);
    unsetenv("STARGEN_TEST_INJ");
}

TEST(placeholder_iam_role_grammar)
{
    static const char *const good[] = {
        ARN,
        "arn:aws:iam::123456789012:role/service-role/My.Role+x=y@z_1-2",
        "arn:aws-cn:iam::123456789012:role/r",
        "arn:aws-us-gov:iam::123456789012:role/r",
        "arn:aws:iam::123456789012:role/a,arn:aws:iam::210987654321:role/b",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const char *why = ph_iam_role_check(good[i]);
        if (why)
            fprintf(stderr, "  %s: %s\n", good[i], why);
        CHECK(why == NULL);
    }
    static const char *const bad[] = {
        "",
        "arn:aws:iam::123456789012:role/x\\'); CREATE TABLE pwned (i int); --",
        "arn:aws:iam::123456789012:role/a b",
        "arn:aws:iam::123456789012:role/a'b",
        "arn:aws:iam::12345678901:role/r",    /* 11 digits */
        "arn:aws:iam::0123456789012:role/r",  /* 13 digits */
        "arn:aws:s3:::bucket",                /* not iam */
        "arn:aws:iam::123456789012:user/bob", /* not a role */
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam::123456789012:role//r",
        "arn:aws:iam::123456789012:role/r/",
        "arn:aws:iam::123456789012:role/r,",
        "arn:aws:iam::123456789012:role/r\n",
        "arn:awsx:iam::123456789012:role/r",
        "ARN:AWS:IAM::123456789012:role/r",
        "arn:aws:iam::123456789012:role/r,arn:aws:iam::123456789012:role/r,"
        "arn:aws:iam::123456789012:role/r,arn:aws:iam::123456789012:role/r,"
        "arn:aws:iam::123456789012:role/r,arn:aws:iam::123456789012:role/r,"
        "arn:aws:iam::123456789012:role/r,arn:aws:iam::123456789012:role/r,"
        "arn:aws:iam::123456789012:role/r,arn:aws:iam::123456789012:role/r,"
        "arn:aws:iam::123456789012:role/r", /* 11 roles */
        "arn:aws:iam::123456789012:role/"
        "r12345678901234567890123456789012345678901234567890123456789012345", /* 65 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = ph_iam_role_check(bad[i]);
        if (!why)
            fprintf(stderr, "  accepted: %s\n", bad[i]);
        CHECK(why != NULL);
    }
}

TEST(placeholder_redact_and_map_position)
{
    /* a step whose failing statement is on line 4, with a declared placeholder
     * whose value is longer than its name, and a multi-byte character before the error */
    setenv("STARGEN_TEST_LONG", "arn:aws:iam::123456789012:role/a-much-longer-value", 1);
    const char *text = "-- header\n"
                       "SELECT 1;\n"
                       "-- stargen:placeholder name=STARGEN_TEST_LONG type=iam_role offset=8\n"
                       "SELECT '${STARGEN_TEST_LONG}', 'é',\n"
                       "       nosuchcol FROM t;\n";
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    Step s;
    PhVars v = {0};
    CHECK(split_step(&a, &s, text, &err) == 0);
    CHECK(s.nstmts == 2);
    if (s.nstmts == 2) {
        const Statement *st = &s.stmts[1];
        Buf sent;
        buf_init(&sent);
        PhMap map = {0};
        ph_apply(&v, text, st, false, &sent, &map);
        /* the server's position: 1-based characters of the sent text */
        const char *hit = strstr(sent.data, "nosuchcol");
        long pos = 1;
        for (const char *p = sent.data; p < hit; p++)
            if (((unsigned char)*p & 0xC0) != 0x80)
                pos++;
        int line, col;
        run_map_position(&s, st, sent.data, sent.len, &map, pos, &line, &col);
        CHECK(line == 5 && col == 8);
        /* a position inside the substituted value points at the placeholder */
        run_map_position(&s, st, sent.data, sent.len, &map, 12, &line, &col);
        CHECK(line == 4 && col == 9);
        ph_map_free(&map);
        buf_free(&sent);
        char *m = xstrdup("invalid input syntax: \"arn:aws:iam::123456789012:role/"
                          "a-much-longer-value\"");
        m = ph_redact(&v, &s, m);
        CHECK_STR(m, "invalid input syntax: \"${STARGEN_TEST_LONG}\"");
        free(m);
    }
    CHECK(utf8_char_to_byte("a\xc3\xa8z", 4, 3) == 3);
    CHECK(utf8_char_to_byte("abc", 3, 99) == 3);
    buf_free(&err);
    arena_free(&a);
    unsetenv("STARGEN_TEST_LONG");
}
