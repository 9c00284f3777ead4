/* parse.c - expr_parse(), the one entry to the expression scanner and grammar,
 * and expr_dump(), the S-expression rendering the parser's tests compare.
 *
 * expr_parse() owns the flex scanner's whole life (as jq's jq_parse does):
 * init, scan a private copy of the text, parse, destroy - on every path.
 * Nodes and strings go to the caller's arena; the scanner's buffers are the
 * only heap memory and yylex_destroy frees them.
 *
 * Limits: input longer than EXPR_MAX_LEN bytes is refused; the bison stack is
 * capped at EXPR_MAX_STACK entries (about 1000 nested parentheses or prefix
 * operators) and the finished tree at EXPR_MAX_DEPTH levels (long operator
 * chains such as 1+1+...+1 nest to the left), so that no later recursive walk
 * can overflow the C stack.  Both report "expression too deeply nested".
 *
 * The dump format (one line, no trailing newline):
 *
 *   -                          a NULL node
 *   (col Q N)                  column N, qualifier Q or - when unqualified
 *   (int 42) (num 1.5e3)       number literals as written
 *   (str "it's")               string literal, decoded
 *   (bool true) (bool false) (null)
 *   (typed T "text")           typed literal: timestamp 'epoch' -> (typed timestamp "epoch")
 *   (neg x) (pos x) (not x)    unary - + not
 *   (OP a b)                   binary; OP is + - * / % || = <> < <= > >= and or
 *   (isnull x) (isnotnull x)
 *   (in x i...) (notin x i...)
 *   (between x lo hi) (notbetween x lo hi)
 *   (like x p) (notlike x p) (ilike x p) (notilike x p)
 *   (case A (when c r)... [(else e)])   A is the operand or -
 *   (cast x "T")               cast(x as T)
 *   (:: x "T")                 x::T
 *   (type "T")                 the result of PARSE_TYPE
 *   (extract F x)
 *   (call F a...) (call F *) (call F distinct a...)
 *   (order x asc|desc [nullsfirst|nullslast])
 *   (...)                      a subtree nested deeper than the dump's limit
 *
 * T is the type as written, normalised: "varchar(10)", "decimal(10,2)",
 * "double precision".  Names (Q, N, T, F) are printed bare when they hold only
 * a-z 0-9 _ $ and bytes >= 0x80, otherwise quoted like strings, so a quoted
 * identifier that kept its case shows as (col - "Name").  Quoted text escapes
 * " and \ with a backslash, and \n \t \r, other control bytes as \xNN; bytes
 * >= 0x80 are copied as they are.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
/* the scanner's header needs the parser's types first */
// clang-format off
#include "parser.tab.h"
#include "lexer.h"
// clang-format on

#define EXPR_MAX_LEN   (INT_MAX / 2)
#define EXPR_MAX_DEPTH 1000
#define DUMP_MAX_DEPTH (EXPR_MAX_DEPTH + 100)

void expr_parse_error(ExprParseState *st, int start, int end, const char *msg)
{
    if (st->nerrors++ == 0 && st->on_error)
        st->on_error(st->ctx, start, end, msg);
}

/* The first node found nested deeper than EXPR_MAX_DEPTH, or NULL.  The
 * recursion itself stops at that depth. */
static const Expr *too_deep(const Expr *e, int depth)
{
    if (!e)
        return NULL;
    if (depth > EXPR_MAX_DEPTH)
        return e;
    const Expr *kids[3] = {e->a, e->b, e->c};
    for (int i = 0; i < 3; i++) {
        const Expr *d = too_deep(kids[i], depth + 1);
        if (d)
            return d;
    }
    for (int i = 0; i < e->list.len; i++) {
        const Expr *d = too_deep(e->list.items[i], depth + 1);
        if (d)
            return d;
    }
    return NULL;
}

static bool only_space(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\n\r\f\v", text[i]) || text[i] == '\0')
            return false;
    return true;
}

Expr *expr_parse(Arena *a, const char *text, size_t len, ParseMode mode, ExprErrorFn on_error,
                 void *ctx)
{
    ExprParseState st = {.arena = a, .on_error = on_error, .ctx = ctx};
    if (len > EXPR_MAX_LEN) {
        expr_parse_error(&st, 0, 0, "expression too long");
        return NULL;
    }
    if (only_space(text, len)) {
        expr_parse_error(&st, 0, 0, mode == PARSE_TYPE ? "empty type name" : "empty expression");
        return NULL;
    }
    switch (mode) {
    case PARSE_EXPR: st.start_token = TOK_START_EXPR; break;
    case PARSE_TYPE: st.start_token = TOK_START_TYPE; break;
    case PARSE_ORDER: st.start_token = TOK_START_ORDER; break;
    }

    yyscan_t scanner;
    if (expr_yylex_init_extra(&st, &scanner) != 0) {
        fputs("stargen: out of memory\n", stderr);
        abort();
    }
    expr_yy_scan_bytes(text ? text : "", (int)len, scanner);
    int rc = expr_yyparse(scanner, &st);
    expr_yylex_destroy(scanner);

    if (rc != 0 || st.nerrors || !st.result) {
        if (!st.nerrors)
            expr_parse_error(&st, 0, (int)len, "syntax error");
        return NULL;
    }
    const Expr *deep = too_deep(st.result, 1);
    if (deep) {
        expr_parse_error(&st, deep->start, deep->end, "expression too deeply nested");
        return NULL;
    }
    return st.result;
}

/* ---- expr_dump ---------------------------------------------------------- */

static void dump_quoted(Buf *out, const char *s)
{
    buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\t': buf_puts(out, "\\t"); break;
        case '\r': buf_puts(out, "\\r"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                buf_printf(out, "\\x%02x", *p);
            else
                buf_putc(out, (char)*p);
        }
    }
    buf_putc(out, '"');
}

static void dump_name(Buf *out, const char *s)
{
    if (!s) {
        buf_putc(out, '-');
        return;
    }
    bool bare = *s != '\0';
    for (const unsigned char *p = (const unsigned char *)s; *p && bare; p++)
        bare = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$' ||
               *p >= 0x80;
    if (bare)
        buf_puts(out, s);
    else
        dump_quoted(out, s);
}

static void dump_type(Buf *out, const TypeName *tn)
{
    if (!tn) {
        buf_putc(out, '-');
        return;
    }
    Buf t = {0};
    buf_puts(&t, tn->name ? tn->name : "");
    for (int i = 0; i < tn->nparams && i < 2; i++)
        buf_printf(&t, "%c%s", i ? ',' : '(', tn->params[i] ? tn->params[i] : "");
    if (tn->nparams > 0)
        buf_putc(&t, ')');
    dump_quoted(out, t.data);
    buf_free(&t);
}

static const char *op_name(ExprOp op)
{
    switch (op) {
    case OP_NEG: return "neg";
    case OP_PLUS: return "pos";
    case OP_NOT: return "not";
    case OP_ADD: return "+";
    case OP_SUB: return "-";
    case OP_MUL: return "*";
    case OP_DIV: return "/";
    case OP_MOD: return "%";
    case OP_CONCAT: return "||";
    case OP_EQ: return "=";
    case OP_NE: return "<>";
    case OP_LT: return "<";
    case OP_LE: return "<=";
    case OP_GT: return ">";
    case OP_GE: return ">=";
    case OP_AND: return "and";
    case OP_OR: return "or";
    case OP_LIKE: return "like";
    case OP_ILIKE: return "ilike";
    case OP_NONE: break;
    }
    return "?";
}

static void dump(const Expr *e, Buf *out, int depth);

static void dump_list(const ExprList *l, Buf *out, int depth)
{
    for (int i = 0; i < l->len; i++) {
        buf_putc(out, ' ');
        dump(l->items[i], out, depth + 1);
    }
}

static void dump(const Expr *e, Buf *out, int depth)
{
    if (!e) {
        buf_putc(out, '-');
        return;
    }
    if (depth > DUMP_MAX_DEPTH) {
        buf_puts(out, "(...)");
        return;
    }
    buf_putc(out, '(');
    switch (e->kind) {
    case EX_COLUMN:
        buf_puts(out, "col ");
        dump_name(out, e->qualifier);
        buf_putc(out, ' ');
        dump_name(out, e->name);
        break;
    case EX_INT: buf_printf(out, "int %s", e->text ? e->text : ""); break;
    case EX_NUM: buf_printf(out, "num %s", e->text ? e->text : ""); break;
    case EX_STRING:
        buf_puts(out, "str ");
        dump_quoted(out, e->text ? e->text : "");
        break;
    case EX_BOOL: buf_puts(out, e->ival ? "bool true" : "bool false"); break;
    case EX_NULL: buf_puts(out, "null"); break;
    case EX_TYPED_LIT:
        buf_puts(out, "typed ");
        dump_name(out, e->tn ? e->tn->name : NULL);
        buf_putc(out, ' ');
        dump_quoted(out, e->text ? e->text : "");
        break;
    case EX_UNARY:
        buf_printf(out, "%s ", op_name(e->op));
        dump(e->a, out, depth + 1);
        break;
    case EX_BINARY:
        buf_printf(out, "%s ", op_name(e->op));
        dump(e->a, out, depth + 1);
        buf_putc(out, ' ');
        dump(e->b, out, depth + 1);
        break;
    case EX_ISNULL:
        buf_puts(out, e->negated ? "isnotnull " : "isnull ");
        dump(e->a, out, depth + 1);
        break;
    case EX_IN:
        buf_puts(out, e->negated ? "notin " : "in ");
        dump(e->a, out, depth + 1);
        dump_list(&e->list, out, depth);
        break;
    case EX_BETWEEN:
        buf_puts(out, e->negated ? "notbetween " : "between ");
        dump(e->a, out, depth + 1);
        buf_putc(out, ' ');
        dump(e->b, out, depth + 1);
        buf_putc(out, ' ');
        dump(e->c, out, depth + 1);
        break;
    case EX_LIKE:
        buf_printf(out, "%s%s ", e->negated ? "not" : "", op_name(e->op));
        dump(e->a, out, depth + 1);
        buf_putc(out, ' ');
        dump(e->b, out, depth + 1);
        break;
    case EX_CASE:
        buf_puts(out, "case ");
        dump(e->a, out, depth + 1);
        dump_list(&e->list, out, depth);
        if (e->c) {
            buf_puts(out, " (else ");
            dump(e->c, out, depth + 1);
            buf_putc(out, ')');
        }
        break;
    case EX_WHEN:
        buf_puts(out, "when ");
        dump(e->a, out, depth + 1);
        buf_putc(out, ' ');
        dump(e->b, out, depth + 1);
        break;
    case EX_CAST:
        if (!e->a) {
            buf_puts(out, "type ");
        } else {
            buf_puts(out, e->text ? ":: " : "cast ");
            dump(e->a, out, depth + 1);
            buf_putc(out, ' ');
        }
        dump_type(out, e->tn);
        break;
    case EX_EXTRACT:
        buf_puts(out, "extract ");
        dump_name(out, e->name);
        buf_putc(out, ' ');
        dump(e->a, out, depth + 1);
        break;
    case EX_CALL:
        buf_puts(out, "call ");
        dump_name(out, e->name);
        if (e->star)
            buf_puts(out, " *");
        if (e->distinct)
            buf_puts(out, " distinct");
        dump_list(&e->list, out, depth);
        break;
    case EX_ORDER:
        buf_puts(out, "order ");
        dump(e->a, out, depth + 1);
        buf_puts(out, e->desc ? " desc" : " asc");
        if (e->nulls == 1)
            buf_puts(out, " nullsfirst");
        else if (e->nulls == 2)
            buf_puts(out, " nullslast");
        break;
    }
    buf_putc(out, ')');
}

void expr_dump(const Expr *e, Buf *out)
{
    dump(e, out, 0);
}
