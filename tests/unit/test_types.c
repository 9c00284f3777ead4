/* test_types.c - type inference, type checks and quoting (resolve.c, types.c, ident.c).
 *
 * The cases are data: tests/unit/type_cases.txt (format atop that file).  Each
 * expression is parsed and resolved against a fixed scope built from a real
 * model (loaded and checked like any schema.yaml), so these tests go through
 * the same code as gen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/analyze.h"
#include "gen/ident.h"
#include "gen/resolve.h"
#include "harness.h"

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
    "      tz: timestamptz\n      k: integer\n"
    "  u:\n"
    "    source: src\n"
    "    columns:\n"
    "      ui: integer\n      k: integer\n"
    "tables:\n"
    "  t2:\n"
    "    kind: dimension\n"
    "    columns:\n"
    "      ci: integer\n      cv: varchar(20)\n      cdt: date\n      cts: timestamp\n"
    "      cbo: boolean\n      cnn: {type: integer, not_null: true}\n"
    "    load:\n"
    "      from: t\n"
    "      map: {cnn: t.i}\n";

typedef struct Fixture {
    Arena a;
    Diag d;
    Model *m;
    Scope scope;
    char *errbuf;
    size_t errlen;
} Fixture;

static bool fixture(Fixture *f)
{
    memset(f, 0, sizeof *f);
    arena_init(&f->a);
    FILE *mem = open_memstream(&f->errbuf, &f->errlen);
    diag_init(&f->d, "model", mem);
    diag_set_source(&f->d, model_yaml, sizeof model_yaml - 1);
    f->m = model_from_yaml(&f->a, &f->d, model_yaml, sizeof model_yaml - 1);
    if (f->m && !f->d.errors)
        analyze_model(&f->a, &f->d, f->m);
    fflush(mem);
    if (!f->m || f->d.errors) {
        fprintf(stderr, "fixture model has errors:\n%s", f->errbuf);
        return false;
    }
    f->scope.alias[0] = "t";
    f->scope.table[0] = model_table(f->m, "t");
    f->scope.alias[1] = "u";
    f->scope.table[1] = model_table(f->m, "u");
    f->scope.n = 2;
    return true;
}

static void fixture_free(Fixture *f)
{
    diag_free(&f->d); /* flushes into the stream: before fclose */
    fclose(f->d.out);
    free(f->errbuf);
    arena_free(&f->a);
}

/* Resolves text (optionally assigning to column `col` of t2); returns the type
 * spelling or "error: <first message line without location>" in out. */
static void run_case(Fixture *f, const char *text, const char *col, char *out, size_t n)
{
    fflush(f->d.out); /* errlen now counts everything written so far */
    f->d.errors = 0;
    size_t start = f->errlen;
    Scalar s = {text, strlen(text), {1, 1}, SCALAR_PLAIN};
    Diag *d = &f->d;
    Expr *e = resolve_parse(&f->a, d, &s, PARSE_EXPR);
    if (e) {
        Resolver r = {&f->a, d, &s, &f->scope, false};
        resolve_expr(&r, e);
        if (!d->errors && col)
            resolve_assignable(&r, e, table_column(model_table(f->m, "t2"), col));
    }
    diag_flush(d);
    if (d->errors) {
        const char *msg = f->errbuf + start;
        const char *p = strstr(msg, ": error: ");
        p = p ? p + 9 : msg;
        const char *nl = strchr(p, '\n');
        snprintf(out, n, "error: %.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
    } else if (col) {
        snprintf(out, n, "ok");
    } else {
        type_str(e->type, out, (int)n);
    }
}

TEST(type_cases)
{
    Fixture f;
    if (!fixture(&f)) {
        CHECK(!"fixture");
        return;
    }
    FILE *in = fopen("tests/unit/type_cases.txt", "r");
    CHECK(in != NULL);
    if (!in) {
        fixture_free(&f);
        return;
    }
    char line[1024], got[512];
    int cases = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *arrow = strstr(line, " => ");
        CHECK(arrow != NULL);
        if (!arrow)
            continue;
        *arrow = '\0';
        const char *want = arrow + 4;
        char *col = NULL, *assign = strstr(line, " -> ");
        if (assign) {
            *assign = '\0';
            col = assign + 4;
        }
        run_case(&f, line, col, got, sizeof got);
        if (strcmp(got, want) != 0)
            fprintf(stderr, "  case: %s%s%s\n", line, col ? " -> " : "", col ? col : "");
        CHECK_STR(got, want);
        cases++;
    }
    fclose(in);
    CHECK(cases >= 100);
    fixture_free(&f);
}

TEST(ident_quoting)
{
    static const char *const cases[][2] = {
        {"users", "users"},     {"user", "\"user\""},
        {"order", "\"order\""}, {"timestamp", "\"timestamp\""},
        {"level", "level"},     {"time", "time"},
        {"start", "\"start\""}, {"Mixed", "\"Mixed\""},
        {"a b", "\"a b\""},     {"x\"; drop", "\"x\"\"; drop\""},
        {"_ok$1", "_ok$1"},     {"1abc", "\"1abc\""},
        {"été", "\"été\""},     {"end", "\"end\""},
        {"desc", "\"desc\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Buf b;
        buf_init(&b);
        ident_quote(&b, cases[i][0]);
        CHECK_STR(b.data, cases[i][1]);
        buf_free(&b);
    }
}

TEST(literal_quoting)
{
    Buf b;
    buf_init(&b);
    ident_literal(&b, "it's a \\ test", false);
    CHECK_STR(b.data, "'it''s a \\ test'");
    buf_reset(&b);
    ident_literal(&b, "it's a \\ test", true);
    CHECK_STR(b.data, "'it''s a \\\\ test'");
    buf_reset(&b);
    ident_literal(&b, "'); DROP TABLE users; --", false);
    CHECK_STR(b.data, "'''); DROP TABLE users; --'");
    buf_free(&b);
}

TEST(ident_validity)
{
    const char *why;
    CHECK(ident_valid("user_id", &why));
    CHECK(!ident_valid("UserId", &why));
    CHECK(!ident_valid("9lives", &why));
    CHECK(!ident_valid("a-b", &why));
    CHECK(!ident_valid("", &why));
    char name[80];
    memset(name, 'a', 63);
    name[63] = '\0';
    CHECK(ident_valid(name, &why));
    name[63] = 'a';
    name[64] = '\0';
    CHECK(!ident_valid(name, &why));
    CHECK(ident_distance("userid", "user_id", 2) == 1);
    CHECK(ident_distance("abc", "xyz", 2) == 3);
}

TEST(type_names)
{
    static const char *const ok[][2] = {
        {"int", "integer"},
        {"int8", "bigint"},
        {"float", "double precision"},
        {"character varying", "varchar(10)"},
        {"numeric", "decimal(18,0)"},
        {"timestamp with time zone", "timestamptz"},
        {"bool", "boolean"},
    };
    char ten[] = "10", big_s[] = "70000", zero_s[] = "0", eleven[] = "11";
    char *p10[2] = {ten, NULL};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        SqlType t;
        const char *err, *hint;
        bool param = !strcmp(ok[i][0], "character varying");
        CHECK(type_from_name(ok[i][0], param ? 1 : 0, p10, &t, &err, &hint));
        char buf[64];
        CHECK_STR(type_str(t, buf, sizeof buf), ok[i][1]);
    }
    SqlType t;
    const char *err, *hint;
    char *big[2] = {big_s, NULL}, *zero[2] = {zero_s, NULL}, *dec[2] = {ten, eleven};
    CHECK(!type_from_name("varchar", 1, big, &t, &err, &hint));
    CHECK(!type_from_name("varchar", 1, zero, &t, &err, &hint));
    CHECK(!type_from_name("varchar", 0, zero, &t, &err, &hint));
    CHECK(!type_from_name("decimal", 2, dec, &t, &err, &hint));
    CHECK(!type_from_name("text", 0, zero, &t, &err, &hint) && hint);
}
