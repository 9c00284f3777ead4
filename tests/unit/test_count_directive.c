/* test_count_directive.c - `-- stargen:count` (runner/directive.c): every kind,
 * the optional from= naming the table the load reads (issue 14 item 6, the
 * runner's skipped rows), and the strictness rule applied to it. */
#include <string.h>

#include "harness.h"
#include "runner/directive.h"
#include "runner/plan.h"

static int split(Arena *a, const char *text, Statement **st, size_t *n, Buf *err)
{
    bool notx;
    buf_reset(err);
    return plan_split(a, "f.sql", text, strlen(text), st, n, &notx, err);
}

TEST(count_directive_kinds_and_from)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    Statement *st;
    size_t n;
    CHECK(
        split(
            &a,
            "-- stargen:count as=staged table=users from=staging_events\nINSERT INTO s SELECT 1;\n"
            "-- stargen:count as=unchanged table=users from=staging_events\nDELETE FROM s;\n"
            "-- stargen:count as=updated table=users\nDELETE FROM users;\n"
            "-- stargen:count as=inserted table=users from=staging_events\nINSERT INTO users "
            "SELECT 1;\nSELECT 2;\n"
            "-- stargen:count as=new table=dim from=staging_events\nINSERT INTO dim SELECT 1;\n"
            "-- stargen:count as=inferred table=dim\nINSERT INTO dim SELECT 2;",
            &st, &n, &err) == 0);
    CHECK(n == 7);
    CHECK(st[0].count && st[0].count->as == COUNT_STAGED);
    CHECK_STR(st[0].count->table, "users");
    CHECK_STR(st[0].count->from, "staging_events");
    CHECK(st[1].count && st[1].count->as == COUNT_UNCHANGED);
    CHECK(st[2].count && st[2].count->as == COUNT_UPDATED);
    CHECK(st[2].count->from == NULL); /* from= is optional: an older out/ has none */
    CHECK(st[3].count && st[3].count->as == COUNT_INSERTED);
    CHECK_STR(st[3].count->from, "staging_events");
    CHECK(st[4].count == NULL);
    CHECK(st[5].count && st[5].count->as == COUNT_NEW);
    CHECK_STR(st[5].count->table, "dim");
    CHECK(st[6].count && st[6].count->as == COUNT_INFERRED && st[6].count->from == NULL);
    buf_free(&err);
    arena_free(&a);
}

TEST(count_directive_from_strict)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    Statement *st;
    size_t n;
    CHECK(split(&a, "-- stargen:count as=inserted table=t from=a from=b\nINSERT INTO t SELECT 1;",
                &st, &n, &err) == -1);
    CHECK_STR(err.data, "f.sql:1: stargen:count: key from= given twice");
    CHECK(split(&a, "-- stargen:count as=inserted table=t form=a\nINSERT INTO t SELECT 1;", &st, &n,
                &err) == -1);
    CHECK_STR(err.data, "f.sql:1: stargen:count: unknown key \"form\"");
    buf_free(&err);
    arena_free(&a);
}
