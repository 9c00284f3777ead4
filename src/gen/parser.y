/* parser.y - the grammar of model expressions: builds the raw Expr tree (expr.h).
 *
 * A pure (reentrant) bison parser fed by the reentrant flex scanner in
 * lexer.l.  Actions only build nodes; names and types are resolved later by
 * the checker.  Locations are byte ranges [start, end) (ExprLoc), so every
 * node knows the exact text it came from.  Operator precedence follows
 * PostgreSQL's gram.y (low to high):
 *
 *     OR / AND / NOT / IS / comparison (< > = <= >= <> !=) /
 *     BETWEEN IN LIKE ILIKE / || / + - / * / % / unary minus / :: / primary
 *
 * As in PostgreSQL, the lower bound of BETWEEN is a restricted b_expr (no
 * AND/OR/NOT/IS/IN/LIKE/BETWEEN) so that `a between 1 and 2 and c` parses as
 * `(a between 1 and 2) and c`, and `not` directly before in/like/ilike/between
 * is turned into NOT_LA by a one-token lookahead filter (expr_yylex below) so
 * that `x = a not in (1)` binds like `x = a in (1)`.
 *
 * One grammar serves three modes (expr.h ParseMode): the scanner returns an
 * injected first token START_EXPR, START_TYPE or START_ORDER.
 *
 * The state shared by scanner, parser and expr_parse() (parse.c) is
 * ExprParseState, declared in the generated parser.tab.h.
 */

%require "3.8"
%define api.pure full
%define api.prefix {expr_yy}
%define api.token.prefix {TOK_}
%define api.location.type {ExprLoc}
%define parse.error custom
%define parse.lac full
%locations
%param {yyscan_t scanner}
%parse-param {ExprParseState *st}

%code requires {
#include <stdbool.h>

#include "expr.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* A token's or a rule's byte range [start, end) in the parsed text. */
typedef struct ExprLoc {
    int start, end;
} ExprLoc;

typedef struct ExprParseState ExprParseState;

/* A rule covers its first to its last symbol; an empty rule sits at the end
 * of the symbol before it. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                                \
    do {                                                                                           \
        if (N) {                                                                                   \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                                                  \
            (Cur).end = YYRHSLOC(Rhs, N).end;                                                      \
        } else {                                                                                   \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;                                        \
        }                                                                                          \
    } while (0)
}

%code provides {
/* flex's generated lexer.h spells the types YYSTYPE and YYLTYPE. */
#ifndef YYSTYPE
#define YYSTYPE EXPR_YYSTYPE
#endif
#ifndef YYLTYPE
#define YYLTYPE ExprLoc
#endif

/* Everything one parse needs; lives on expr_parse()'s stack.  The scanner
 * reaches it through yyextra, the parser through its st parameter. */
struct ExprParseState {
    Arena *arena;
    ExprErrorFn on_error;
    void *ctx;
    int nerrors;
    int pos;         /* scanner: byte offset just past the last token */
    int start_token; /* scanner: injected first token, 0 once returned */
    Expr *result;
    /* lookahead filter (expr_yylex) */
    bool have_ahead;
    int ahead_tok;
    EXPR_YYSTYPE ahead_val;
    ExprLoc ahead_loc;
    int prev_tok, cur_tok; /* the last two tokens handed to the parser */
};

/* Reports an error through st->on_error; only the first error of a parse is
 * passed on (parse.c). */
void expr_parse_error(ExprParseState *st, int start, int end, const char *msg);

/* The raw flex scanner (lexer.l); the parser reads tokens through the
 * lookahead filter expr_yylex instead. */
int expr_scan(EXPR_YYSTYPE *yylval_param, ExprLoc *yylloc_param, yyscan_t yyscanner);

/* Nesting limit of the parser stack: deeper input is refused with an error
 * instead of exhausting memory or the C stack of later tree walks. */
#define EXPR_MAX_STACK 1000
}

%code {
#include <stdio.h>
#include <string.h>

#include "lexer.h"

#define YYMAXDEPTH EXPR_MAX_STACK

static Expr *mk(ExprParseState *st, ExprKind kind, ExprLoc loc)
{
    Expr *e = arena_alloc(st->arena, sizeof *e);
    e->kind = kind;
    e->start = loc.start;
    e->end = loc.end;
    return e;
}

static Expr *mk_unary(ExprParseState *st, ExprOp op, Expr *a, ExprLoc loc)
{
    Expr *e = mk(st, EX_UNARY, loc);
    e->op = op;
    e->a = a;
    return e;
}

static Expr *mk_binary(ExprParseState *st, ExprOp op, Expr *a, Expr *b, ExprLoc loc)
{
    Expr *e = mk(st, EX_BINARY, loc);
    e->op = op;
    e->a = a;
    e->b = b;
    return e;
}

static Expr *mk_like(ExprParseState *st, ExprOp op, bool negated, Expr *a, Expr *b, ExprLoc loc)
{
    Expr *e = mk(st, EX_LIKE, loc);
    e->op = op;
    e->negated = negated;
    e->a = a;
    e->b = b;
    return e;
}

static Expr *mk_between(ExprParseState *st, bool negated, Expr *a, Expr *b, Expr *c, ExprLoc loc)
{
    Expr *e = mk(st, EX_BETWEEN, loc);
    e->negated = negated;
    e->a = a;
    e->b = b;
    e->c = c;
    return e;
}

static Expr *mk_in(ExprParseState *st, bool negated, Expr *a, Vec *items, ExprLoc loc)
{
    Expr *e = mk(st, EX_IN, loc);
    e->negated = negated;
    e->a = a;
    e->list.items = (Expr **)items->items;
    e->list.len = (int)items->len;
    return e;
}

static Expr *mk_cast(ExprParseState *st, Expr *a, TypeName *tn, const char *text, ExprLoc loc)
{
    Expr *e = mk(st, EX_CAST, loc);
    e->a = a;
    e->tn = tn;
    e->text = text ? arena_strdup(st->arena, text) : NULL;
    return e;
}

static Expr *mk_text(ExprParseState *st, ExprKind kind, char *text, ExprLoc loc)
{
    Expr *e = mk(st, kind, loc);
    e->text = text;
    return e;
}

static Vec *list_add(ExprParseState *st, Vec *v, Expr *e)
{
    if (!v)
        v = arena_alloc(st->arena, sizeof *v);
    vec_push(st->arena, v, e);
    return v;
}

static TypeName *mk_type(ExprParseState *st, char *name, ExprLoc loc)
{
    TypeName *tn = arena_alloc(st->arena, sizeof *tn);
    tn->name = name;
    tn->start = loc.start;
    tn->end = loc.end;
    return tn;
}

static void yyerror(const ExprLoc *loc, yyscan_t scanner, ExprParseState *st, const char *msg);
}

%union {
    Expr *expr;
    Vec *vec;
    char *str;
    TypeName *tn;
    int ival;
}

/* Injected first tokens, one per ParseMode. */
%token START_EXPR START_TYPE START_ORDER

%token <str> IDENT   "identifier"
%token <str> INTEGER "integer"
%token <str> NUMBER  "number"
%token <str> STRING  "string"
%token CONCAT "||" NE "<>" LE "<=" GE ">=" TYPECAST "::"
%token AND OR NOT NOT_LA IS NULL TRUE FALSE IN BETWEEN LIKE ILIKE
%token CASE WHEN THEN ELSE END CAST AS EXTRACT FROM DISTINCT ASC DESC NULLS

%nterm <expr> a_expr b_expr c_expr columnref func_expr case_expr when_clause case_arg case_else
%nterm <expr> order_item
%nterm <vec> expr_list when_list
%nterm <tn> type_name
%nterm <str> type_words type_param
%nterm <ival> opt_dir opt_nulls

%left OR
%left AND
%precedence NOT
%precedence IS
%left '<' '>' '=' LE GE NE
%nonassoc BETWEEN IN LIKE ILIKE NOT_LA
%left CONCAT
%left '+' '-'
%left '*' '/' '%'
%precedence UMINUS
%precedence TYPECAST

%%

top:
    START_EXPR a_expr       { st->result = $2; }
  | START_TYPE type_name    { st->result = mk_cast(st, NULL, $2, NULL, @2); }
  | START_ORDER order_item  { st->result = $2; }
  ;

order_item:
    a_expr opt_dir opt_nulls
        {
            $$ = mk(st, EX_ORDER, @$);
            $$->a = $1;
            $$->desc = $2;
            $$->nulls = $3;
        }
  ;

opt_dir:
    %empty  { $$ = 0; }
  | ASC     { $$ = 0; }
  | DESC    { $$ = 1; }
  ;

opt_nulls:
    %empty        { $$ = 0; }
  | NULLS IDENT
        {
            if (strcmp($2, "first") == 0) {
                $$ = 1;
            } else if (strcmp($2, "last") == 0) {
                $$ = 2;
            } else {
                expr_parse_error(st, @2.start, @2.end,
                                 "syntax error: unexpected identifier, expected \"first\" or \"last\"");
                YYABORT;
            }
        }
  ;

a_expr:
    c_expr
  | a_expr TYPECAST type_name           { $$ = mk_cast(st, $1, $3, "::", @$); }
  | '+' a_expr %prec UMINUS             { $$ = mk_unary(st, OP_PLUS, $2, @$); }
  | '-' a_expr %prec UMINUS             { $$ = mk_unary(st, OP_NEG, $2, @$); }
  | a_expr '+' a_expr                   { $$ = mk_binary(st, OP_ADD, $1, $3, @$); }
  | a_expr '-' a_expr                   { $$ = mk_binary(st, OP_SUB, $1, $3, @$); }
  | a_expr '*' a_expr                   { $$ = mk_binary(st, OP_MUL, $1, $3, @$); }
  | a_expr '/' a_expr                   { $$ = mk_binary(st, OP_DIV, $1, $3, @$); }
  | a_expr '%' a_expr                   { $$ = mk_binary(st, OP_MOD, $1, $3, @$); }
  | a_expr CONCAT a_expr                { $$ = mk_binary(st, OP_CONCAT, $1, $3, @$); }
  | a_expr '<' a_expr                   { $$ = mk_binary(st, OP_LT, $1, $3, @$); }
  | a_expr '>' a_expr                   { $$ = mk_binary(st, OP_GT, $1, $3, @$); }
  | a_expr '=' a_expr                   { $$ = mk_binary(st, OP_EQ, $1, $3, @$); }
  | a_expr LE a_expr                    { $$ = mk_binary(st, OP_LE, $1, $3, @$); }
  | a_expr GE a_expr                    { $$ = mk_binary(st, OP_GE, $1, $3, @$); }
  | a_expr NE a_expr                    { $$ = mk_binary(st, OP_NE, $1, $3, @$); }
  | a_expr AND a_expr                   { $$ = mk_binary(st, OP_AND, $1, $3, @$); }
  | a_expr OR a_expr                    { $$ = mk_binary(st, OP_OR, $1, $3, @$); }
  | NOT a_expr                          { $$ = mk_unary(st, OP_NOT, $2, @$); }
  | a_expr IS NULL %prec IS
        {
            $$ = mk(st, EX_ISNULL, @$);
            $$->a = $1;
        }
  | a_expr IS NOT NULL %prec IS
        {
            $$ = mk(st, EX_ISNULL, @$);
            $$->a = $1;
            $$->negated = true;
        }
  | a_expr LIKE a_expr                  { $$ = mk_like(st, OP_LIKE, false, $1, $3, @$); }
  | a_expr NOT_LA LIKE a_expr %prec NOT_LA  { $$ = mk_like(st, OP_LIKE, true, $1, $4, @$); }
  | a_expr ILIKE a_expr                 { $$ = mk_like(st, OP_ILIKE, false, $1, $3, @$); }
  | a_expr NOT_LA ILIKE a_expr %prec NOT_LA { $$ = mk_like(st, OP_ILIKE, true, $1, $4, @$); }
  | a_expr IN '(' expr_list ')'         { $$ = mk_in(st, false, $1, $4, @$); }
  | a_expr NOT_LA IN '(' expr_list ')'  { $$ = mk_in(st, true, $1, $5, @$); }
  | a_expr BETWEEN b_expr AND a_expr %prec BETWEEN
        { $$ = mk_between(st, false, $1, $3, $5, @$); }
  | a_expr NOT_LA BETWEEN b_expr AND a_expr %prec NOT_LA
        { $$ = mk_between(st, true, $1, $4, $6, @$); }
  ;

/* The restricted expression of a BETWEEN lower bound (PostgreSQL's b_expr). */
b_expr:
    c_expr
  | b_expr TYPECAST type_name           { $$ = mk_cast(st, $1, $3, "::", @$); }
  | '+' b_expr %prec UMINUS             { $$ = mk_unary(st, OP_PLUS, $2, @$); }
  | '-' b_expr %prec UMINUS             { $$ = mk_unary(st, OP_NEG, $2, @$); }
  | b_expr '+' b_expr                   { $$ = mk_binary(st, OP_ADD, $1, $3, @$); }
  | b_expr '-' b_expr                   { $$ = mk_binary(st, OP_SUB, $1, $3, @$); }
  | b_expr '*' b_expr                   { $$ = mk_binary(st, OP_MUL, $1, $3, @$); }
  | b_expr '/' b_expr                   { $$ = mk_binary(st, OP_DIV, $1, $3, @$); }
  | b_expr '%' b_expr                   { $$ = mk_binary(st, OP_MOD, $1, $3, @$); }
  | b_expr CONCAT b_expr                { $$ = mk_binary(st, OP_CONCAT, $1, $3, @$); }
  | b_expr '<' b_expr                   { $$ = mk_binary(st, OP_LT, $1, $3, @$); }
  | b_expr '>' b_expr                   { $$ = mk_binary(st, OP_GT, $1, $3, @$); }
  | b_expr '=' b_expr                   { $$ = mk_binary(st, OP_EQ, $1, $3, @$); }
  | b_expr LE b_expr                    { $$ = mk_binary(st, OP_LE, $1, $3, @$); }
  | b_expr GE b_expr                    { $$ = mk_binary(st, OP_GE, $1, $3, @$); }
  | b_expr NE b_expr                    { $$ = mk_binary(st, OP_NE, $1, $3, @$); }
  ;

c_expr:
    columnref
  | INTEGER                 { $$ = mk_text(st, EX_INT, $1, @$); }
  | NUMBER                  { $$ = mk_text(st, EX_NUM, $1, @$); }
  | STRING                  { $$ = mk_text(st, EX_STRING, $1, @$); }
  | TRUE                    { $$ = mk(st, EX_BOOL, @$); $$->ival = 1; }
  | FALSE                   { $$ = mk(st, EX_BOOL, @$); $$->ival = 0; }
  | NULL                    { $$ = mk(st, EX_NULL, @$); }
  | IDENT STRING
        {
            $$ = mk_text(st, EX_TYPED_LIT, $2, @$);
            $$->tn = mk_type(st, $1, @1);
        }
  | '(' a_expr ')'          { $$ = $2; }
  | case_expr
  | func_expr
  ;

columnref:
    IDENT
        {
            $$ = mk(st, EX_COLUMN, @$);
            $$->name = $1;
        }
  | IDENT '.' IDENT
        {
            $$ = mk(st, EX_COLUMN, @$);
            $$->qualifier = $1;
            $$->name = $3;
        }
  ;

func_expr:
    IDENT '(' ')'
        {
            $$ = mk(st, EX_CALL, @$);
            $$->name = $1;
        }
  | IDENT '(' '*' ')'
        {
            $$ = mk(st, EX_CALL, @$);
            $$->name = $1;
            $$->star = true;
        }
  | IDENT '(' expr_list ')'
        {
            $$ = mk(st, EX_CALL, @$);
            $$->name = $1;
            $$->list.items = (Expr **)$3->items;
            $$->list.len = (int)$3->len;
        }
  | IDENT '(' DISTINCT expr_list ')'
        {
            $$ = mk(st, EX_CALL, @$);
            $$->name = $1;
            $$->distinct = true;
            $$->list.items = (Expr **)$4->items;
            $$->list.len = (int)$4->len;
        }
  | CAST '(' a_expr AS type_name ')'    { $$ = mk_cast(st, $3, $5, NULL, @$); }
  | EXTRACT '(' IDENT FROM a_expr ')'
        {
            $$ = mk(st, EX_EXTRACT, @$);
            $$->name = $3;
            $$->a = $5;
        }
  ;

expr_list:
    a_expr                  { $$ = list_add(st, NULL, $1); }
  | expr_list ',' a_expr    { $$ = list_add(st, $1, $3); }
  ;

case_expr:
    CASE case_arg when_list case_else END
        {
            $$ = mk(st, EX_CASE, @$);
            $$->a = $2;
            $$->list.items = (Expr **)$3->items;
            $$->list.len = (int)$3->len;
            $$->c = $4;
        }
  ;

case_arg:
    %empty                  { $$ = NULL; }
  | a_expr
  ;

when_list:
    when_clause             { $$ = list_add(st, NULL, $1); }
  | when_list when_clause   { $$ = list_add(st, $1, $2); }
  ;

when_clause:
    WHEN a_expr THEN a_expr
        {
            $$ = mk(st, EX_WHEN, @$);
            $$->a = $2;
            $$->b = $4;
        }
  ;

case_else:
    %empty                  { $$ = NULL; }
  | ELSE a_expr             { $$ = $2; }
  ;

/* `integer`, `double precision`, `timestamp with time zone`, `varchar(256)`,
 * `decimal(10, 2)`, `varchar(max)`: names are not checked here (types.c). */
type_name:
    type_words                              { $$ = mk_type(st, $1, @$); }
  | type_words '(' type_param ')'
        {
            $$ = mk_type(st, $1, @$);
            $$->nparams = 1;
            $$->params[0] = $3;
        }
  | type_words '(' type_param ',' type_param ')'
        {
            $$ = mk_type(st, $1, @$);
            $$->nparams = 2;
            $$->params[0] = $3;
            $$->params[1] = $5;
        }
  ;

type_words:
    IDENT
  | type_words IDENT        { $$ = arena_printf(st->arena, "%s %s", $1, $2); }
  ;

type_param:
    INTEGER
  | IDENT
  ;

%%

/* The token stream the parser reads: the scanner's, except that NOT right
 * before IN, LIKE, ILIKE or BETWEEN becomes NOT_LA (as in PostgreSQL's
 * parser.c), which gives `a not in (...)` the precedence of IN. */
int expr_yylex(YYSTYPE *lval, ExprLoc *lloc, yyscan_t scanner)
{
    ExprParseState *st = expr_yyget_extra(scanner);
    int tok;
    if (st->have_ahead) {
        st->have_ahead = false;
        tok = st->ahead_tok;
        *lval = st->ahead_val;
        *lloc = st->ahead_loc;
    } else {
        tok = expr_scan(lval, lloc, scanner);
    }
    if (tok == TOK_NOT) {
        int next = expr_scan(&st->ahead_val, &st->ahead_loc, scanner);
        st->have_ahead = true;
        st->ahead_tok = next;
        if (next == TOK_IN || next == TOK_LIKE || next == TOK_ILIKE || next == TOK_BETWEEN)
            tok = TOK_NOT_LA;
    }
    st->prev_tok = st->cur_tok;
    st->cur_tok = tok;
    return tok;
}

/* Only called by bison for stack exhaustion (syntax errors go through
 * yyreport_syntax_error). */
static void yyerror(const ExprLoc *loc, yyscan_t scanner, ExprParseState *st, const char *msg)
{
    (void)scanner;
    (void)msg;
    expr_parse_error(st, loc->start, loc->end, "expression too deeply nested");
}

/* How a token is named in messages. */
static const char *token_name(yysymbol_kind_t sym)
{
    switch (sym) {
    case YYSYMBOL_YYEOF: return "end of expression";
    case YYSYMBOL_IDENT: return "identifier";
    case YYSYMBOL_INTEGER:
    case YYSYMBOL_NUMBER: return "number";
    case YYSYMBOL_STRING: return "string";
    case YYSYMBOL_CONCAT: return "\"||\"";
    case YYSYMBOL_NE: return "\"<>\"";
    case YYSYMBOL_LE: return "\"<=\"";
    case YYSYMBOL_GE: return "\">=\"";
    case YYSYMBOL_TYPECAST: return "\"::\"";
    case YYSYMBOL_AND: return "\"and\"";
    case YYSYMBOL_OR: return "\"or\"";
    case YYSYMBOL_NOT:
    case YYSYMBOL_NOT_LA: return "\"not\"";
    case YYSYMBOL_IS: return "\"is\"";
    case YYSYMBOL_NULL: return "\"null\"";
    case YYSYMBOL_TRUE: return "\"true\"";
    case YYSYMBOL_FALSE: return "\"false\"";
    case YYSYMBOL_IN: return "\"in\"";
    case YYSYMBOL_BETWEEN: return "\"between\"";
    case YYSYMBOL_LIKE: return "\"like\"";
    case YYSYMBOL_ILIKE: return "\"ilike\"";
    case YYSYMBOL_CASE: return "\"case\"";
    case YYSYMBOL_WHEN: return "\"when\"";
    case YYSYMBOL_THEN: return "\"then\"";
    case YYSYMBOL_ELSE: return "\"else\"";
    case YYSYMBOL_END: return "\"end\"";
    case YYSYMBOL_CAST: return "\"cast\"";
    case YYSYMBOL_AS: return "\"as\"";
    case YYSYMBOL_EXTRACT: return "\"extract\"";
    case YYSYMBOL_FROM: return "\"from\"";
    case YYSYMBOL_DISTINCT: return "\"distinct\"";
    case YYSYMBOL_ASC: return "\"asc\"";
    case YYSYMBOL_DESC: return "\"desc\"";
    case YYSYMBOL_NULLS: return "\"nulls\"";
    default: break;
    }
    const char *name = yysymbol_name(sym);
    /* single-character tokens: bison names them '+'; we write "+" */
    if (name[0] == '\'' && name[1] && name[2] == '\'') {
        static const char quoted[][4] = {
            ['+'] = "\"+\"", ['-'] = "\"-\"", ['*'] = "\"*\"", ['/'] = "\"/\"", ['%'] = "\"%\"",
            ['<'] = "\"<\"", ['>'] = "\">\"", ['='] = "\"=\"", ['('] = "\"(\"", [')'] = "\")\"",
            [','] = "\",\"", ['.'] = "\".\"",
        };
        unsigned char c = (unsigned char)name[1];
        if (c < sizeof quoted / sizeof quoted[0] && quoted[c][0])
            return quoted[c];
    }
    return name;
}

/* Whether sym is the single-character token c. */
static bool is_char(yysymbol_kind_t sym, char c)
{
    const char *name = yysymbol_name(sym);
    return name[0] == '\'' && name[1] == c && name[2] == '\'' && !name[3];
}

/* Tokens that can start an expression: summarised as "an expression". */
static bool starts_expr(yysymbol_kind_t s)
{
    switch (s) {
    case YYSYMBOL_IDENT: case YYSYMBOL_INTEGER: case YYSYMBOL_NUMBER: case YYSYMBOL_STRING:
    case YYSYMBOL_TRUE: case YYSYMBOL_FALSE: case YYSYMBOL_NULL: case YYSYMBOL_NOT:
    case YYSYMBOL_CASE: case YYSYMBOL_CAST: case YYSYMBOL_EXTRACT:
        return true;
    default:
        return is_char(s, '(') || is_char(s, '+') || is_char(s, '-');
    }
}

/* Tokens that continue a complete expression: summarised as "an operator".
 * AND stays listed by name after a BETWEEN lower bound (where OR is not
 * expected). */
static bool continues_expr(yysymbol_kind_t s, bool or_expected)
{
    switch (s) {
    case YYSYMBOL_AND: case YYSYMBOL_OR:
        return or_expected;
    case YYSYMBOL_CONCAT: case YYSYMBOL_NE: case YYSYMBOL_LE: case YYSYMBOL_GE:
    case YYSYMBOL_TYPECAST: case YYSYMBOL_NOT_LA: case YYSYMBOL_IS: case YYSYMBOL_IN:
    case YYSYMBOL_BETWEEN: case YYSYMBOL_LIKE: case YYSYMBOL_ILIKE:
        return true;
    case YYSYMBOL_STRING: /* after an identifier: a typed literal, */
        return true;
    default: /* ... a call "(" or a qualified name "." */
        for (const char *c = "+-*/%<>=(."; *c; c++)
            if (is_char(s, *c))
                return true;
        return false;
    }
}

static void add_phrase(char *msg, size_t size, int *nphrases, const char *phrase)
{
    size_t used = strlen(msg);
    snprintf(msg + used, size - used, "%s%s", *nphrases ? " or " : ", expected ", phrase);
    (*nphrases)++;
}

/* "syntax error: unexpected X[, expected Y or Z]" at the offending token. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner, ExprParseState *st)
{
    (void)scanner;
    yysymbol_kind_t tok = yypcontext_token(yyctx);
    const ExprLoc *loc = yypcontext_location(yyctx);
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(yyctx, exp, YYNTOKENS);
    if (n < 0)
        n = 0;
    bool has[YYNTOKENS] = {false};
    for (int i = 0; i < n; i++)
        has[exp[i]] = true;

    char msg[512];
    snprintf(msg, sizeof msg, "syntax error: unexpected %s", token_name(tok));
    int nphrases = 0;
    bool expr = has[YYSYMBOL_CASE];
    bool oper = false; /* '*' continues every complete expression */
    for (int i = 0; i < n; i++)
        if (is_char(exp[i], '*'))
            oper = true;
    bool typ = has[YYSYMBOL_IDENT] && !expr &&
               (st->prev_tok == TOK_TYPECAST || st->prev_tok == TOK_AS ||
                st->prev_tok == TOK_START_TYPE);
    if (expr)
        add_phrase(msg, sizeof msg, &nphrases, "an expression");
    if (typ)
        add_phrase(msg, sizeof msg, &nphrases, "a type name");
    if (oper)
        add_phrase(msg, sizeof msg, &nphrases, "an operator");
    for (int i = 0; i <= n; i++) {
        /* the tokens left by name, end of expression last */
        yysymbol_kind_t s = YYSYMBOL_YYEOF;
        if (i < n && (s = exp[i]) == YYSYMBOL_YYEOF)
            continue;
        if (i == n && !has[YYSYMBOL_YYEOF])
            break;
        if ((expr && starts_expr(s)) || (oper && continues_expr(s, has[YYSYMBOL_OR])) ||
            (typ && s == YYSYMBOL_IDENT))
            continue;
        if (s == YYSYMBOL_IDENT && st->prev_tok == TOK_NULLS)
            add_phrase(msg, sizeof msg, &nphrases, "\"first\" or \"last\"");
        else if (s != YYSYMBOL_NUMBER) /* INTEGER already says "number" */
            add_phrase(msg, sizeof msg, &nphrases, token_name(s));
    }
    expr_parse_error(st, loc->start, loc->end, msg);
    return 0;
}
