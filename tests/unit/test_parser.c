/* test_parser.c - the expression scanner and grammar (parse.c, parser.y, lexer.l).
 *
 * Most cases are data: tests/unit/expr_cases.txt (format described atop that
 * file), one CHECK per case.  Every input is parsed from a heap copy of exactly
 * its length (no NUL after it), so a sanitizer catches any read past `len`;
 * every prefix of every input is parsed too and must give a tree or exactly
 * one error.  The C tests cover what a line of text cannot: nesting limits,
 * reentrancy, garbage input and the dump's own depth guard.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gen/expr.h"
#include "harness.h"

#define CASES_PATH "tests/unit/expr_cases.txt"

typedef struct Errors {
    int n;
    Buf text; /* "S-E: message" of each error, joined with " | " */
} Errors;

static void on_error(void *ctx, int start, int end, const char *msg)
{
    Errors *e = ctx;
    if (e->n++)
        buf_puts(&e->text, " | ");
    buf_printf(&e->text, "%d-%d: %s", start, end, msg);
}

/* Parses exactly len bytes from a private heap copy. */
static Expr *parse_exact(Arena *a, const char *text, size_t len, ParseMode mode, Errors *errs)
{
    char *copy = xmalloc(len);
    if (len)
        memcpy(copy, text, len);
    Expr *e = expr_parse(a, copy, len, mode, on_error, errs);
    free(copy);
    return e;
}

/* Every node's range lies inside [0, len] and inside its parent's range. */
static bool ranges_ok(const Expr *e, int lo, int hi)
{
    if (!e)
        return true;
    if (e->start < lo || e->end > hi || e->start > e->end)
        return false;
    if (e->tn && (e->tn->start < e->start || e->tn->end > e->end || e->tn->start > e->tn->end))
        return false;
    if (!ranges_ok(e->a, e->start, e->end) || !ranges_ok(e->b, e->start, e->end) ||
        !ranges_ok(e->c, e->start, e->end))
        return false;
    for (int i = 0; i < e->list.len; i++)
        if (!ranges_ok(e->list.items[i], e->start, e->end))
            return false;
    return true;
}

/* Decodes the escapes of a case's input: \n \t \r \0 \\ \xNN. */
static size_t unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 == n) {
            out[o++] = s[i];
            continue;
        }
        char c = s[++i];
        if (c == 'n')
            out[o++] = '\n';
        else if (c == 't')
            out[o++] = '\t';
        else if (c == 'r')
            out[o++] = '\r';
        else if (c == '0')
            out[o++] = '\0';
        else if (c == 'x' && i + 2 < n) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else
            out[o++] = c;
    }
    return o;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Runs one case; returns false (after printing why) when it fails. */
static bool run_case(int lineno, char *line)
{
    ParseMode mode = PARSE_EXPR;
    bool want_range = false;
    for (;;) {
        if (starts_with(line, "type: ")) {
            mode = PARSE_TYPE;
            line += 6;
        } else if (starts_with(line, "order: ")) {
            mode = PARSE_ORDER;
            line += 7;
        } else if (starts_with(line, "range: ")) {
            want_range = true;
            line += 7;
        } else {
            break;
        }
    }
    char *sep = strstr(line, " => ");
    if (!sep) {
        fprintf(stderr, "  %s:%d: no \" => \" in the case\n", CASES_PATH, lineno);
        return false;
    }
    const char *want = sep + 4;
    char *input = xmalloc(strlen(line) + 1);
    size_t len = unescape(line, (size_t)(sep - line), input);

    Arena arena;
    arena_init(&arena);
    Errors errs = {0};
    buf_init(&errs.text);
    Expr *e = parse_exact(&arena, input, len, mode, &errs);
    Buf got;
    buf_init(&got);
    bool ok = true;
    if (want[0] != '(' && strchr(want, ':')) { /* an error */
        if (e)
            expr_dump(e, &got);
        else
            buf_puts(&got, errs.text.data);
        ok = !e && errs.n == 1 && strcmp(got.data, want) == 0;
    } else if (!e || errs.n) {
        buf_printf(&got, "no tree; errors: %s", errs.text.data);
        ok = false;
    } else {
        if (want_range)
            buf_printf(&got, "%d-%d", e->start, e->end);
        else
            expr_dump(e, &got);
        ok = strcmp(got.data, want) == 0;
        if (!ranges_ok(e, 0, (int)len)) {
            buf_puts(&got, " [node ranges do not nest]");
            ok = false;
        }
    }
    if (!ok)
        fprintf(stderr, "  %s:%d: %s\n    got  %s\n    want %s\n", CASES_PATH, lineno, line,
                got.data, want);

    /* Every prefix: a tree or exactly one error, never a crash or overread. */
    for (size_t n = 0; n < len; n++) {
        Errors pe = {0};
        buf_init(&pe.text);
        Expr *p = parse_exact(&arena, input, n, mode, &pe);
        if ((p != NULL) == (pe.n != 0) || pe.n > 1) {
            fprintf(stderr, "  %s:%d: prefix of %zu bytes: %d errors (%s)\n", CASES_PATH, lineno, n,
                    pe.n, pe.text.data);
            ok = false;
        }
        buf_free(&pe.text);
    }

    buf_free(&got);
    buf_free(&errs.text);
    arena_free(&arena);
    free(input);
    return ok;
}

TEST(parser_cases)
{
    FILE *f = fopen(CASES_PATH, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, ncases = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        ncases++;
        CHECK(run_case(lineno, line));
    }
    free(line);
    fclose(f);
    CHECK(ncases >= 80); /* the file was read to its end */
}

/* Parses a generated text in PARSE_EXPR mode; returns the dump or the errors. */
static char *try_parse(const char *text, size_t len, int *nerrors)
{
    Arena arena;
    arena_init(&arena);
    Errors errs = {0};
    buf_init(&errs.text);
    Expr *e = parse_exact(&arena, text, len, PARSE_EXPR, &errs);
    Buf out;
    buf_init(&out);
    if (e)
        expr_dump(e, &out);
    else
        buf_puts(&out, errs.text.data);
    *nerrors = errs.n;
    buf_free(&errs.text);
    arena_free(&arena);
    return buf_detach(&out, NULL);
}

static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, head);
    for (int i = 0; i < n; i++)
        buf_puts(&b, unit);
    buf_puts(&b, tail);
    return buf_detach(&b, NULL);
}

TEST(parser_deep_nesting_is_refused)
{
    struct {
        const char *head, *unit, *tail;
        int n;
        const char *want;
    } cases[] = {
        /* the parser stack (EXPR_MAX_STACK) stops right-nested input at the
         * token that would overflow it */
        {"", "(", "", 5000, "997-998: expression too deeply nested"},
        {"", "(", "1", 5000, "997-998: expression too deeply nested"},
        {"", "-", "1", 5000, "997-998: expression too deeply nested"},
        {"", "not ", "x", 5000, "3988-3991: expression too deeply nested"},
        {"", "f(", "", 5000, "997-998: expression too deeply nested"},
        {"", "a+(", "", 5000, "997-998: expression too deeply nested"},
        /* left-nested chains pass the parser; the tree check stops them at
         * the node 1001 levels down */
        {"1", "+1", "", 5000, "0-8001: expression too deeply nested"},
        {"a", " or a", "", 5000, "0-20001: expression too deeply nested"},
        {"1", "::int", "", 5000, "0-20001: expression too deeply nested"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = repeat(cases[i].head, cases[i].unit, cases[i].n, cases[i].tail);
        int nerr;
        char *got = try_parse(text, strlen(text), &nerr);
        CHECK(nerr == 1);
        CHECK_STR(got, cases[i].want);
        free(got);
        free(text);
    }
}

TEST(parser_moderate_nesting_is_fine)
{
    char *open = repeat("", "(", 400, "x");
    char *text = repeat(open, ")", 400, "");
    int nerr;
    char *got = try_parse(text, strlen(text), &nerr);
    CHECK(nerr == 0);
    CHECK_STR(got, "(col - x)");
    free(got);
    free(text);
    free(open);

    text = repeat("1", "+1", 900, "");
    got = try_parse(text, strlen(text), &nerr);
    CHECK(nerr == 0);
    CHECK(strncmp(got, "(+ (+ (+ ", 9) == 0);
    free(got);
    free(text);
}

/* Reentrancy: a parse started from inside another parse's error callback. */
static void nested_on_error(void *ctx, int start, int end, const char *msg)
{
    (void)start;
    (void)end;
    (void)msg;
    Arena arena;
    arena_init(&arena);
    Buf *out = ctx;
    Expr *e = expr_parse(&arena, "a.b * 2", 7, PARSE_EXPR, on_error, NULL);
    expr_dump(e, out);
    arena_free(&arena);
}

TEST(parser_is_reentrant)
{
    Arena arena;
    arena_init(&arena);
    Buf out;
    buf_init(&out);
    Expr *e = expr_parse(&arena, "a + ", 4, PARSE_EXPR, nested_on_error, &out);
    CHECK(e == NULL);
    CHECK_STR(out.data, "(* (col a b) (int 2))");
    buf_free(&out);
    arena_free(&arena);
}

TEST(parser_survives_garbage)
{
    static const char *const pieces[] = {
        "a",           "b.c",   "1",        ".5",   "1e3",  "'s'",   "'",     "\"Q\"",    "\"",
        "(",           ")",     ",",        "+",    "-",    "*",     "/",     "%",        "||",
        "=",           "<>",    "!=",       "<",    "<=",   ">",     ">=",    "::",       "int",
        "varchar(10)", "and",   "or",       "not",  "is",   "null",  "true",  "in",       "between",
        "like",        "ilike", "case",     "when", "then", "else",  "end",   "cast",     "as",
        "extract",     "from",  "distinct", "asc",  "desc", "nulls", "first", "count(*)", "@",
        "\xc3\xa9",    "\x80",  " ",        "\n",   "f(",
    };
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    unsigned long long seed = 42;
    int bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        Buf b;
        buf_init(&b);
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int n = 1 + (int)((seed >> 33) % 12);
        for (int i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            buf_puts(&b, pieces[(seed >> 33) % npieces]);
            if ((seed >> 20) & 1)
                buf_putc(&b, ' ');
        }
        for (int mode = PARSE_EXPR; mode <= PARSE_ORDER; mode++) {
            Arena arena;
            arena_init(&arena);
            Errors errs = {0};
            buf_init(&errs.text);
            Expr *e = parse_exact(&arena, b.data, b.len, (ParseMode)mode, &errs);
            if ((e != NULL) == (errs.n != 0) || errs.n > 1 || (e && !ranges_ok(e, 0, (int)b.len)))
                bad++;
            if (e) {
                Buf d;
                buf_init(&d);
                expr_dump(e, &d);
                buf_free(&d);
            }
            buf_free(&errs.text);
            arena_free(&arena);
        }
        buf_free(&b);
    }
    CHECK(bad == 0);
}

TEST(parser_dump_depth_guard)
{
    Arena arena;
    arena_init(&arena);
    Expr *leaf = arena_alloc(&arena, sizeof *leaf);
    leaf->kind = EX_NULL;
    Expr *top = leaf;
    for (int i = 0; i < 5000; i++) {
        Expr *u = arena_alloc(&arena, sizeof *u);
        u->kind = EX_UNARY;
        u->op = OP_NOT;
        u->a = top;
        top = u;
    }
    Buf out;
    buf_init(&out);
    expr_dump(top, &out);
    CHECK(strstr(out.data, "(not (...))") != NULL);
    CHECK(strstr(out.data, "(null)") == NULL);
    buf_reset(&out);
    expr_dump(NULL, &out);
    CHECK_STR(out.data, "-");
    buf_free(&out);
    arena_free(&arena);
}

TEST(parser_reports_through_null_callback)
{
    Arena arena;
    arena_init(&arena);
    CHECK(expr_parse(&arena, "a +", 3, PARSE_EXPR, NULL, NULL) == NULL);
    CHECK(expr_parse(&arena, "", 0, PARSE_EXPR, NULL, NULL) == NULL);
    CHECK(expr_parse(&arena, NULL, 0, PARSE_TYPE, NULL, NULL) == NULL);
    arena_free(&arena);
}
