/* fuzz_expr.c - libFuzzer harness: expression strings through the scanner and
 * grammar (expr_parse) in every mode, and, when a string parses as an
 * expression, through the resolver against a fixed, checked model.
 *
 * Input: the bytes are the expression text (not NUL-terminated: expr_parse
 * takes a length and must never read past it).  Each input is parsed as
 * PARSE_EXPR, PARSE_TYPE and PARSE_ORDER; a parsed tree is dumped
 * (expr_dump walks every node), then resolved in a scope of two staging
 * tables (aliases t and u) and assigned to each column of a star table, and
 * checked as a boolean, so the type rules run on every shape the grammar
 * builds; a tree that resolves cleanly is printed as SQL in every dialect.  Diagnostics go to a
 * memory stream that is thrown away.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/analyze.h"
#include "gen/dialect.h"
#include "gen/resolve.h"

static const char model_yaml[] =
    "version: 1\n"
    "sources:\n"
    "  src: {s3: 's3://b/p/', path: p/}\n"
    "staging:\n"
    "  t:\n"
    "    source: src\n"
    "    columns:\n"
    "      i: integer\n      s: smallint\n      b: bigint\n      d: \"decimal(10,2)\"\n"
    "      r: real\n      f: double precision\n      bo: boolean\n      c: char(2)\n"
    "      v: varchar(10)\n      vm: varchar(max)\n      dt: date\n      ts: timestamp\n"
    "      tz: timestamptz\n      k: integer\n      tm: time\n"
    "  u:\n"
    "    source: src\n"
    "    columns:\n"
    "      ui: integer\n      k: integer\n      \"user\": varchar(16)\n"
    "tables:\n"
    "  t2:\n"
    "    kind: dimension\n"
    "    columns:\n"
    "      ci: integer\n      cv: varchar(20)\n      cdt: date\n      cts: timestamp\n"
    "      cbo: boolean\n      cd: \"decimal(38,4)\"\n      cf: double precision\n"
    "      cnn: {type: integer, not_null: true}\n"
    "    load:\n"
    "      from: t\n"
    "      map: {cnn: t.i}\n";

static Arena fixture_arena;
static Diag fixture_diag;
static Model *fixture_model;
static Scope fixture_scope;
static FILE *devnull;

static void fixture_init(void)
{
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    arena_init(&fixture_arena);
    diag_init(&fixture_diag, "model", stderr);
    diag_set_source(&fixture_diag, model_yaml, sizeof model_yaml - 1);
    fixture_model =
        model_from_yaml(&fixture_arena, &fixture_diag, model_yaml, sizeof model_yaml - 1);
    if (fixture_model && !fixture_diag.errors)
        analyze_model(&fixture_arena, &fixture_diag, fixture_model);
    if (!fixture_model || fixture_diag.errors) {
        fprintf(stderr, "fuzz_expr: the fixture model has errors\n");
        abort();
    }
    fixture_scope.alias[0] = "t";
    fixture_scope.table[0] = model_table(fixture_model, "t");
    fixture_scope.alias[1] = "u";
    fixture_scope.table[1] = model_table(fixture_model, "u");
    fixture_scope.n = 2;
}

static void count_error(void *ctx, int start, int end, const char *msg)
{
    size_t len = *(size_t *)ctx;
    /* The error range must lie inside the text (diag maps it to the file). */
    if (start < 0 || end < start || (size_t)end > len + 1 || !msg || !*msg)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fixture_model)
        fixture_init();
    if (size > 1 << 16)
        return 0;
    /* An exact-size heap copy, so ASan catches any read past the length. */
    char *text = malloc(size ? size : 1);
    if (!text)
        abort();
    memcpy(text, data, size);

    Arena a;
    arena_init(&a);
    static const ParseMode modes[] = {PARSE_EXPR, PARSE_TYPE, PARSE_ORDER};
    Expr *expr = NULL;
    for (int i = 0; i < 3; i++) {
        size_t len = size;
        Expr *e = expr_parse(&a, text, size, modes[i], count_error, &len);
        if (e) {
            Buf b;
            buf_init(&b);
            expr_dump(e, &b);
            buf_free(&b);
        }
        if (modes[i] == PARSE_EXPR)
            expr = e;
    }

    /* The resolver works on NUL-terminated scalars (as loaded from YAML, which
     * cannot hold NUL): only texts without NUL go there. */
    if (expr && !memchr(text, '\0', size)) {
        char *s = arena_strndup(&a, text, size);
        Scalar sc = {s, size, {1, 1}, SCALAR_PLAIN};
        Diag d;
        diag_init(&d, "model", devnull);
        diag_set_source(&d, s, size);
        Expr *e = resolve_parse(&a, &d, &sc, PARSE_EXPR);
        if (e) {
            Resolver r = {&a, &d, &sc, &fixture_scope, size & 1};
            resolve_expr(&r, e);
            if (!d.errors) {
                (void)expr_has_aggregate(e);
                resolve_boolean(&r, e, "where");
                const TableDef *t2 = model_table(fixture_model, "t2");
                for (size_t c = 0; c < t2->columns.len; c++)
                    resolve_assignable(&r, e, t2->columns.items[c]);
                for (int k = 0; dialects[k]; k++) { /* SQL text from the checked tree */
                    Buf b;
                    buf_init(&b);
                    print_expr(&b, dialects[k], e);
                    buf_free(&b);
                }
            }
        }
        diag_free(&d);
    }
    arena_free(&a);
    free(text);
    return 0;
}
