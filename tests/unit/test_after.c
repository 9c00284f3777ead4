/* test_after.c - `-- stargen:after steps=…` (runner --jobs): gen's lists (emit_after.c:
 * conflicts, the fallback to the step before, the transitive reduction) and the runner's
 * reader (directive.c, split.c: names, once, before the first statement, step files only). */
#include <stdio.h>
#include <string.h>

#include "gen/emit_internal.h"
#include "harness.h"
#include "runner/directive.h"
#include "runner/plan.h"

static const char *list_of(const char *const *v, size_t i)
{
    return v[i] ? v[i] : "(none)";
}

TEST(after_lists_conflicts_and_reduction)
{
    Arena a;
    arena_init(&a);
    static char x, y, z, w;
    StepUse u[6];
    memset(u, 0, sizeof u);
    u[0].name = "make_x"; /* first: no list */
    vec_push(&a, &u[0].writes, &x);
    u[1].name = "make_y"; /* conflicts with nothing: waits for the step before */
    vec_push(&a, &u[1].writes, &y);
    u[2].name = "join_xy"; /* reads x and y; make_y already waits for make_x */
    vec_push(&a, &u[2].reads, &x);
    vec_push(&a, &u[2].reads, &y);
    vec_push(&a, &u[2].writes, &z);
    u[3].name = "read_x"; /* reads what make_x wrote: beside join_xy */
    vec_push(&a, &u[3].reads, &x);
    vec_push(&a, &u[3].writes, &w);
    u[4].name = "write_z_and_x"; /* writes what join_xy wrote and read_x read */
    vec_push(&a, &u[4].writes, &z);
    vec_push(&a, &u[4].writes, &x);
    u[5].name = "publish";
    u[5].all_before = true;
    const char **l = emit_after_lists(&a, u, 6);
    CHECK_STR(list_of(l, 0), "(none)");
    CHECK_STR(list_of(l, 1), "make_x");
    CHECK_STR(list_of(l, 2), "make_y");
    CHECK_STR(list_of(l, 3), "make_x");
    CHECK_STR(list_of(l, 4), "join_xy,read_x");
    CHECK_STR(list_of(l, 5), "(none)");
    arena_free(&a);
}

static int split_step(Arena *a, const char *text, const AfterDirective **af, Buf *err)
{
    Statement *st;
    size_t n;
    bool notx;
    buf_reset(err);
    return plan_split_step(a, "f.sql", text, strlen(text), &st, &n, &notx, af, err);
}

TEST(after_directive_reader)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    const AfterDirective *af = NULL;
    CHECK(split_step(&a, "-- h\n-- stargen:after steps=drop,load_x\n\nSELECT 1;", &af, &err) == 0);
    CHECK(af != NULL);
    if (af) {
        CHECK(af->n == 2);
        CHECK_STR(af->names[0], "drop");
        CHECK_STR(af->names[1], "load_x");
        CHECK(af->line == 2);
    }
    CHECK(split_step(&a, "SELECT 1;\n-- stargen:after steps=drop\nSELECT 2;", &af, &err) == -1);
    CHECK_STR(err.data, "f.sql:2: stargen:after must come once, before the first statement");
    CHECK(split_step(&a, "-- stargen:after steps=a\n-- stargen:after steps=b\nSELECT 1;", &af,
                     &err) == -1);
    CHECK_STR(err.data, "f.sql:2: stargen:after must come once, before the first statement");
    CHECK(split_step(&a, "-- stargen:after steps=a,,b\nSELECT 1;", &af, &err) == -1);
    CHECK_STR(err.data, "f.sql:1: stargen:after: \"\" is not a step name (steps=NAME,NAME,...: "
                        "letters, digits, _)");
    CHECK(split_step(&a, "-- stargen:after steps=a,a\nSELECT 1;", &af, &err) == -1);
    CHECK_STR(err.data, "f.sql:1: stargen:after: step a is named twice");
    CHECK(split_step(&a, "-- stargen:after\nSELECT 1;", &af, &err) == -1);
    CHECK_STR(err.data, "f.sql:1: stargen:after: steps= is required");
    CHECK(split_step(&a, "-- stargen:after steps=a steps=b\nSELECT 1;", &af, &err) == -1);
    CHECK_STR(err.data, "f.sql:1: stargen:after: key steps= given twice");
    /* a query or a migration: not a step file */
    Statement *st;
    size_t n;
    bool notx;
    buf_reset(&err);
    const char *q = "-- stargen:after steps=a\nSELECT 1;";
    CHECK(plan_split(&a, "q.sql", q, strlen(q), &st, &n, &notx, &err) == -1);
    CHECK_STR(err.data, "q.sql:1: stargen:after applies to a step file only");
    buf_free(&err);
    arena_free(&a);
}

/* The reference the lists must equal: every pair compared (one writes what the other
 * reads or writes), the fallback to the step before, then the transitive reduction by
 * brute force.  emit_after.c gets them from each thing's last writer and readers. */
static bool ref_shares(const Vec *x, const Vec *y)
{
    for (size_t i = 0; i < x->len; i++)
        for (size_t k = 0; k < y->len; k++)
            if (x->items[i] == y->items[k])
                return true;
    return false;
}

TEST(after_lists_equal_pairwise_reference_random)
{
    enum { N = 24, THINGS = 7 };
    static char things[THINGS];
    unsigned seed = 12345;
    for (int round = 0; round < 300; round++) {
        Arena a;
        arena_init(&a);
        StepUse u[N];
        memset(u, 0, sizeof u);
        size_t n = 2 + (seed = seed * 1103515245u + 12345u) % (N - 2);
        char names[N][24];
        for (size_t j = 0; j < n; j++) {
            snprintf(names[j], sizeof names[j], "s%zu", j);
            u[j].name = names[j];
            for (int t = 0; t < THINGS; t++) {
                seed = seed * 1103515245u + 12345u;
                unsigned r = (seed >> 16) % 10;
                if (r == 0)
                    vec_push(&a, &u[j].writes, &things[t]);
                else if (r == 1)
                    vec_push(&a, &u[j].reads, &things[t]);
                else if (r == 2) {
                    vec_push(&a, &u[j].reads, &things[t]);
                    vec_push(&a, &u[j].writes, &things[t]);
                }
            }
        }
        if (round % 3 == 0) /* publish-like last steps */
            u[n - 1].all_before = true;
        bool dep[N][N], reach[N][N];
        memset(dep, 0, sizeof dep);
        memset(reach, 0, sizeof reach);
        for (size_t j = 0; j < n; j++) {
            if (u[j].all_before) {
                for (size_t i = 0; i < j; i++)
                    dep[j][i] = true;
                continue;
            }
            bool any = false;
            for (size_t i = 0; i < j; i++)
                if (ref_shares(&u[i].writes, &u[j].writes) ||
                    ref_shares(&u[i].writes, &u[j].reads) || ref_shares(&u[i].reads, &u[j].writes))
                    dep[j][i] = any = true;
            if (!any && j > 0)
                dep[j][j - 1] = true;
        }
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < j; i++)
                if (dep[j][i]) {
                    reach[j][i] = true;
                    for (size_t k = 0; k < i; k++)
                        reach[j][k] |= reach[i][k];
                }
        const char **l = emit_after_lists(&a, u, n);
        for (size_t j = 1; j < n; j++) {
            if (u[j].all_before) {
                CHECK(l[j] == NULL);
                continue;
            }
            Buf want;
            buf_init(&want);
            for (size_t i = 0; i < j; i++) {
                if (!dep[j][i])
                    continue;
                bool implied = false;
                for (size_t k = i + 1; k < j && !implied; k++)
                    implied = dep[j][k] && reach[k][i];
                if (!implied)
                    buf_printf(&want, "%s%s", want.len ? "," : "", u[i].name);
            }
            CHECK_STR(list_of(l, j), want.data);
            buf_free(&want);
        }
        arena_free(&a);
    }
}
