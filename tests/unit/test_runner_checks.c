/* test_runner_checks.c - result-set formatting (runner/table.c) and the checks step kind.
 * Result sets are built client-side with libpq's PQmakeEmptyPGresult/PQsetvalue,
 * so no server is needed. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "runner/datachecks.h"
#include "runner/table.h"

static PGresult *make_result(int nf, const char *const *names, const Oid *types, int nt,
                             const char *const *values)
{
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc att[8];
    memset(att, 0, sizeof att);
    for (int f = 0; f < nf; f++) {
        att[f].name = (char *)names[f];
        att[f].typid = types[f];
        att[f].typlen = -1;
        att[f].atttypmod = -1;
    }
    PQsetResultAttrs(r, nf, att);
    for (int t = 0; t < nt; t++)
        for (int f = 0; f < nf; f++) {
            const char *v = values[t * nf + f];
            PQsetvalue(r, t, f, (char *)v, v ? (int)strlen(v) : -1);
        }
    return r;
}

TEST(runner_format_table)
{
    const char *names[] = {"title", "plays"};
    Oid types[] = {25, 20};
    const char *vals[] = {"Setanta matins", "1", "Déjà vu", "120", NULL, "7"};
    PGresult *r = make_result(2, names, types, 3, vals);
    Buf b;
    buf_init(&b);
    format_table(&b, r, 0);
    CHECK_STR(b.data, "  title          | plays\n"
                      "  ---------------+------\n"
                      "  Setanta matins |     1\n"
                      "  Déjà vu        |   120\n"
                      "                 |     7\n");
    buf_reset(&b);
    format_table(&b, r, 1);
    CHECK(strstr(b.data, "Setanta") && !strstr(b.data, "120"));
    buf_free(&b);
    PQclear(r);
}

TEST(runner_format_csv)
{
    const char *names[] = {"name", "note"};
    Oid types[] = {25, 25};
    const char *vals[] = {"a,b", "say \"hi\"", "plain", NULL, " lead", "line\nbreak"};
    PGresult *r = make_result(2, names, types, 3, vals);
    Buf b;
    buf_init(&b);
    format_csv(&b, r);
    CHECK_STR(b.data,
              "name,note\r\n\"a,b\",\"say \"\"hi\"\"\"\r\nplain,\r\n\" lead\",\"line\nbreak\"\r\n");
    buf_free(&b);
    PQclear(r);
}

TEST(runner_check_directive)
{
    static const char text[] = "-- header\n"
                               "-- The primary key of users is unique.\n"
                               "-- stargen:check name=unique_users_user_id severity=error\n"
                               "SELECT user_id FROM users;\n"
                               "\n"
                               "-- stargen:check name=plays_after_launch severity=warn\n"
                               "SELECT 1;\n"
                               "SELECT 2;\n";
    Arena a;
    arena_init(&a);
    Statement *st;
    size_t n;
    bool notx;
    Buf err;
    buf_init(&err);
    CHECK(plan_split(&a, "t.sql", text, sizeof text - 1, &st, &n, &notx, &err) == 0);
    CHECK(n == 3);
    if (n == 3) {
        CHECK(st[0].check && st[1].check && !st[2].check);
        CHECK_STR(st[0].check->name, "unique_users_user_id");
        CHECK(!st[0].check->warn && st[0].check->line == 3);
        CHECK_STR(st[1].check->name, "plays_after_launch");
        CHECK(st[1].check->warn);
    }
    buf_free(&err);
    arena_free(&a);
}
