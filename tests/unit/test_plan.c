/* test_plan.c - the one reader of the out/ contract (runner/plan.c, split.c,
 * directive.c): every directive kind, the strictness rule (unknown directive or
 * key, duplicate key, misspelled value, over-long name, missing key, a
 * directive without its statement), the checks step kind, query titles, and a
 * whole folder read from disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "runner/directive.h"
#include "runner/plan.h"

/* Splits text as "f.sql"; returns 0/-1 and leaves the message in err. */
static int split_text(Arena *a, const char *text, Statement **st, size_t *n, Buf *err)
{
    bool notx;
    buf_reset(err);
    return plan_split(a, "f.sql", text, strlen(text), st, n, &notx, err);
}

/* The error text of splitting text ("" when it succeeded). */
static const char *split_error(Arena *a, Buf *err, const char *text)
{
    Statement *st;
    size_t n;
    if (split_text(a, text, &st, &n, err) == 0)
        return "";
    return err->data;
}

TEST(plan_directive_copy_every_key)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    Statement *st;
    size_t n;
    CHECK(split_text(&a,
                     "-- stargen:copy source=log_data/ s3=s3://b/log/ jsonpaths=t.jsonpaths.json "
                     "emptyasnull=on blanksasnull=on timeformat=epochsecs\n"
                     "COPY t (a, \"B\") FROM STDIN WITH (FORMAT text);\n",
                     &st, &n, &err) == 0);
    CHECK(n == 1 && st[0].copy && st[0].copy_stmt && !st[0].check);
    if (n == 1 && st[0].copy && st[0].copy_stmt) {
        const CopyDirective *d = st[0].copy;
        CHECK_STR(d->source, "log_data/");
        CHECK_STR(d->s3, "s3://b/log/");
        CHECK_STR(d->jsonpaths, "t.jsonpaths.json");
        CHECK_STR(d->timeformat, "epochsecs");
        CHECK(d->tf == TF_EPOCHSECS && d->emptyasnull && d->blanksasnull && d->line == 1);
        CHECK(st[0].copy_stmt->ncols == 2 && st[0].copy_stmt->from_stdin);
        CHECK_STR(st[0].copy_stmt->cols[1], "B");
    }
    /* optional keys absent: defaults */
    CHECK(split_text(&a, "-- stargen:copy source=x jsonpaths=y\nCOPY t FROM STDIN;", &st, &n,
                     &err) == 0);
    CHECK(n == 1 && st[0].copy && !st[0].copy->s3 && st[0].copy->tf == TF_NONE &&
          !st[0].copy->emptyasnull && !st[0].copy->blanksasnull);
    buf_free(&err);
    arena_free(&a);
}

TEST(plan_directive_check_and_no_transaction)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    Statement *st;
    size_t n;
    bool notx = false;
    const char *text = "-- header\n"
                       "-- stargen:no-transaction\n"
                       "-- stargen:check name=unique_users_user_id severity=error\n"
                       "SELECT 1;\n"
                       "-- stargen:check name=late severity=warn\n"
                       "SELECT 2;\n";
    CHECK(plan_split(&a, "f.sql", text, strlen(text), &st, &n, &notx, &err) == 0);
    CHECK(notx && n == 2);
    if (n == 2) {
        CHECK(st[0].check && !st[0].check->warn && st[0].check->line == 3);
        CHECK_STR(st[0].check->name, "unique_users_user_id");
        CHECK(st[1].check && st[1].check->warn);
    }
    /* no-transaction takes no keys */
    CHECK_STR(split_error(&a, &err, "-- stargen:no-transaction yes=1\nSELECT 1;"),
              "f.sql:1: stargen:no-transaction: unknown key \"yes\"");
    buf_free(&err);
    arena_free(&a);
}

TEST(plan_directive_strictness)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    /* an unknown directive kind */
    CHECK_STR(split_error(&a, &err, "-- stargen:copyx source=x\nSELECT 1;"),
              "f.sql:1: unknown directive \"stargen:copyx\" (known: copy, check, tally, count, "
              "no-transaction, placeholder, after)");
    /* an unknown key: an error naming file:line, in every kind */
    CHECK_STR(
        split_error(&a, &err, "\n-- stargen:check name=a severity=error colour=red\nSELECT 1;"),
        "f.sql:2: stargen:check: unknown key \"colour\"");
    CHECK_STR(
        split_error(&a, &err, "-- stargen:copy source=x jsonpaths=y color=red\nCOPY t FROM STDIN;"),
        "f.sql:1: stargen:copy: unknown key \"color\"");
    /* a duplicate key */
    CHECK_STR(split_error(&a, &err, "-- stargen:check name=a name=b severity=warn\nSELECT 1;"),
              "f.sql:1: stargen:check: key name= given twice");
    CHECK_STR(
        split_error(&a, &err, "-- stargen:copy source=x source=x jsonpaths=y\nCOPY t FROM STDIN;"),
        "f.sql:1: stargen:copy: key source= given twice");
    /* a misspelled value is an error, not "error severity" */
    CHECK_STR(split_error(&a, &err, "-- stargen:check name=a severity=eror\nSELECT 1;"),
              "f.sql:1: stargen:check: severity must be error or warn, not \"eror\"");
    CHECK_STR(
        split_error(&a, &err,
                    "-- stargen:copy source=x jsonpaths=y emptyasnull=yes\nCOPY t FROM STDIN;"),
        "f.sql:1: stargen:copy: emptyasnull must be on or off, not \"yes\"");
    CHECK_STR(split_error(
                  &a, &err,
                  "-- stargen:copy source=x jsonpaths=y timeformat=epochnanos\nCOPY t FROM STDIN;"),
              "f.sql:1: stargen:copy: timeformat=\"epochnanos\": unknown part \"epochnanos\" "
              "(known: YYYY YY MM MON DD HH HH24 HH12 MI SS AM PM; no time zone)");
    /* missing required keys */
    CHECK_STR(split_error(&a, &err, "-- stargen:check name=a\nSELECT 1;"),
              "f.sql:1: stargen:check: severity= is required");
    CHECK_STR(split_error(&a, &err, "-- stargen:check severity=warn\nSELECT 1;"),
              "f.sql:1: stargen:check: name= is required");
    CHECK_STR(split_error(&a, &err, "-- stargen:copy source=x\nCOPY t FROM STDIN;"),
              "f.sql:1: stargen:copy: jsonpaths= is required");
    /* words that are not key=value, empty values, control bytes */
    CHECK_STR(split_error(&a, &err, "-- stargen:check name=a severity=warn loud\nSELECT 1;"),
              "f.sql:1: stargen:check: expected key=value, got \"loud\"");
    CHECK_STR(split_error(&a, &err, "-- stargen:check name= severity=warn\nSELECT 1;"),
              "f.sql:1: stargen:check: name= has no value");
    CHECK_STR(split_error(&a, &err, "-- stargen:check name=a\x01 severity=warn\nSELECT 1;"),
              "f.sql:1: stargen:check: name= holds a control character or invalid UTF-8");
    CHECK_STR(split_error(&a, &err, "-- stargen:check name=caf\xe9 severity=warn\nSELECT 1;"),
              "f.sql:1: stargen:check: name= holds a control character or invalid UTF-8");
    buf_free(&err);
    arena_free(&a);
}

TEST(plan_directive_long_names_rejected_not_cut)
{
    Arena a;
    arena_init(&a);
    Buf err, text;
    buf_init(&err);
    buf_init(&text);
    /* exactly PLAN_NAME_MAX bytes: accepted whole */
    buf_puts(&text, "-- stargen:check name=");
    for (int i = 0; i < PLAN_NAME_MAX; i++)
        buf_putc(&text, (char)('a' + i % 26));
    buf_puts(&text, " severity=error\nSELECT 1;\n");
    Statement *st;
    size_t n;
    CHECK(split_text(&a, text.data, &st, &n, &err) == 0);
    CHECK(n == 1 && st[0].check && strlen(st[0].check->name) == PLAN_NAME_MAX);
    /* one byte more: refused, never truncated */
    buf_reset(&text);
    buf_puts(&text, "-- stargen:check name=");
    for (int i = 0; i < PLAN_NAME_MAX + 1; i++)
        buf_putc(&text, 'x');
    buf_puts(&text, " severity=error\nSELECT 1;\n");
    CHECK(split_text(&a, text.data, &st, &n, &err) == -1);
    char want[160];
    snprintf(want, sizeof want,
             "f.sql:1: stargen:check: name= is %d bytes long, more than the %d allowed (names "
             "are never cut short)",
             PLAN_NAME_MAX + 1, PLAN_NAME_MAX);
    CHECK_STR(err.data, want);
    buf_free(&text);
    buf_free(&err);
    arena_free(&a);
}

TEST(plan_directive_without_statement)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    /* at the end of the file */
    CHECK_STR(split_error(&a, &err, "SELECT 1;\n-- stargen:check name=a severity=warn\n"),
              "f.sql:2: stargen:check is not followed by its statement");
    CHECK_STR(split_error(&a, &err, "-- stargen:copy source=x jsonpaths=y\n"),
              "f.sql:1: stargen:copy is not followed by its statement");
    /* a blank line between directive and statement */
    CHECK_STR(split_error(&a, &err, "-- stargen:check name=a severity=warn\n\nSELECT 1;"),
              "f.sql:1: stargen:check must be on the line just before its statement");
    /* two directives for one statement */
    CHECK_STR(split_error(&a, &err,
                          "-- stargen:check name=a severity=warn\n"
                          "-- stargen:check name=b severity=warn\nSELECT 1;"),
              "f.sql:1: stargen:check is not followed by its statement");
    /* a copy directive before something that is not a COPY FROM STDIN */
    CHECK_STR(split_error(&a, &err, "-- stargen:copy source=x jsonpaths=y\nSELECT 1;"),
              "f.sql:1: stargen:copy must be on the line just before a COPY statement");
    CHECK_STR(split_error(&a, &err, "-- stargen:copy source=x jsonpaths=y\nCOPY t FROM 's3://b/';"),
              "f.sql:2: the COPY after a stargen:copy directive must read FROM STDIN");
    CHECK_STR(
        split_error(&a, &err, "-- stargen:copy source=x jsonpaths=y\nCOPY (SELECT 1) TO STDOUT;"),
        "f.sql:2: expected COPY table [(columns)] FROM STDIN [WITH (FORMAT text)] after a "
        "stargen:copy directive");
    /* no-transaction after a statement */
    CHECK_STR(split_error(&a, &err, "SELECT 1;\n-- stargen:no-transaction\nSELECT 2;"),
              "f.sql:2: stargen:no-transaction must come before the first statement");
    /* a plain comment that merely mentions stargen is not a directive */
    CHECK_STR(split_error(&a, &err, "-- see stargen:check in the docs\nSELECT 1;"), "");
    buf_free(&err);
    arena_free(&a);
}

/* Writes text to dir/name. */
static void put_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(plan_load_folder_kinds_and_queries)
{
    char dir[] = "/tmp/stargen-plan-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char qdir[600];
    snprintf(qdir, sizeof qdir, "%s/queries", dir);
    mkdir(qdir, 0755);
    put_file(dir, "00_drop.sql",
             "-- Generated by stargen from schema.yaml (dialect: redshift). Do not edit.\n"
             "-- Drop.\n\nDROP TABLE IF EXISTS t;\n");
    put_file(dir, "01_load_t.sql",
             "-- h1\n-- h2\n\nCOPY t FROM 's3://b/t/' IAM_ROLE '${ROLE}' "
             "FORMAT AS JSON 's3://b/t.jsonpaths.json';\n");
    put_file(dir, "02_checks.sql",
             "-- h1\n-- h2\n\n-- stargen:check name=one severity=error\nSELECT 1 WHERE false;\n");
    put_file(dir, "notes.md", "not a step\n");
    put_file(qdir, "01_top.sql", "-- h1\n-- h2\n\n-- The top rows.\n\nSELECT 1 AS x;\n");
    put_file(qdir, "02_plain.sql", "-- h1\n-- h2\n\nSELECT 2 AS y;\n");
    Plan p;
    Buf err;
    buf_init(&err);
    CHECK(plan_load(&p, dir, &err) == 0);
    CHECK(p.n == 3);
    if (p.n == 3) {
        CHECK_STR(p.dialect, "redshift");
        CHECK(p.steps[0].kind == STEP_SQL && p.steps[2].kind == STEP_CHECKS);
        CHECK_STR(p.steps[1].name, "load_t");
        CHECK(p.steps[1].number == 1 && p.steps[1].nstmts == 1);
        const CopyStmt *cs = p.steps[1].stmts[0].copy_stmt;
        CHECK(cs && !cs->from_stdin && !p.steps[1].stmts[0].copy);
        if (cs)
            CHECK_STR(cs->json_uri, "s3://b/t.jsonpaths.json");
        CHECK(strlen(p.steps[0].checksum) == 64);
        CHECK(plan_find_step(&p, "checks") == 2);
    }
    CHECK(p.nqueries == 0);
    CHECK(plan_load_queries(&p, &err) == 0);
    CHECK(p.nqueries == 2);
    if (p.nqueries == 2) {
        CHECK_STR(p.queries[0].name, "top");
        CHECK_STR(p.queries[0].title, "The top rows.");
        CHECK_STR(p.queries[1].title, "");
        CHECK(p.queries[1].stmt.line == 4);
    }
    plan_free(&p);

    /* a checks step that also holds a plain statement is refused */
    put_file(dir, "02_checks.sql",
             "-- h1\n-- stargen:check name=one severity=error\nSELECT 1;\nDELETE FROM t;\n");
    buf_reset(&err);
    CHECK(plan_load(&p, dir, &err) == -1);
    CHECK(strstr(err.data, "02_checks.sql:4: a step with data checks holds only checks") != NULL);
    plan_free(&p);
    /* tallies (issue 15): a checks step may hold them; a check's tally= must name one before
     * it; a tally needs checks */
    put_file(dir, "02_checks.sql",
             "-- h1\n-- stargen:tally name=t\nSELECT 0 AS c1;\n"
             "-- stargen:check name=one severity=error tally=t\nSELECT 1 WHERE false;\n");
    buf_reset(&err);
    CHECK(plan_load(&p, dir, &err) == 0);
    CHECK(p.n >= 1 && p.steps[p.n - 1].kind == STEP_CHECKS);
    CHECK(p.n >= 1 && p.steps[p.n - 1].nstmts == 2 && p.steps[p.n - 1].stmts[0].tally &&
          !strcmp(p.steps[p.n - 1].stmts[0].tally->name, "t") &&
          !strcmp(p.steps[p.n - 1].stmts[1].check->tally, "t"));
    plan_free(&p);
    put_file(dir, "02_checks.sql",
             "-- h1\n-- stargen:check name=one severity=error tally=t\nSELECT 1 WHERE false;\n"
             "-- stargen:tally name=t\nSELECT 0 AS c1;\n");
    buf_reset(&err);
    CHECK(plan_load(&p, dir, &err) == -1);
    CHECK(strstr(err.data,
                 "02_checks.sql:2: stargen:check: tally=t names no stargen:tally before it") !=
          NULL);
    plan_free(&p);
    put_file(dir, "02_checks.sql", "-- h1\n-- stargen:tally name=t\nSELECT 0 AS c1;\n");
    buf_reset(&err);
    CHECK(plan_load(&p, dir, &err) == -1);
    CHECK(strstr(err.data, "a stargen:tally counts data checks, and this step has none") != NULL);
    plan_free(&p);
    /* a query file with two statements is refused */
    put_file(dir, "02_checks.sql", "SELECT 1;\n");
    put_file(qdir, "03_two.sql", "SELECT 1; SELECT 2;\n");
    buf_reset(&err);
    CHECK(plan_load(&p, dir, &err) == 0);
    CHECK(plan_load_queries(&p, &err) == -1);
    CHECK(strstr(err.data, "03_two.sql: expected one SELECT statement") != NULL);
    plan_free(&p);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    buf_free(&err);
}
