/* split.c - split one SQL file into statements and attach their directives.
 *
 * The splitter is a single forward scan with a small state machine (plain
 * text, '...' and E'...' strings, "..." identifiers, -- and nested block
 * comments, $tag$ dollar quotes).  Leading whitespace and comments are not
 * part of a statement, so a statement's first line is its first code line;
 * the comments seen there are where the directives live.  See steps.h.
 */
#include "plan.h"

#include "directive.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PH_PER_STMT 8 /* placeholders declared for one statement (bits of an unsigned) */

static int is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

void plan_line_col(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Length of a dollar-quote tag "$tag$" starting at p (p[0] == '$'), or 0. */
static size_t dollar_tag(const char *p, const char *end)
{
    const char *q = p + 1;
    if (q < end && (isalpha((unsigned char)*q) || *q == '_' || (unsigned char)*q >= 0x80)) {
        while (q < end && (isalnum((unsigned char)*q) || *q == '_' || (unsigned char)*q >= 0x80))
            q++;
    }
    if (q < end && *q == '$')
        return (size_t)(q - p + 1);
    return 0;
}

/* PostgreSQL (and psql) end a -- comment at a carriage return as well as at a
 * line feed, so text after a CR inside a comment is SQL to the server while it
 * looks like comment to a reader (and to an editor that hides the CR).  out/
 * files use LF only; such a file is refused rather than run. */
static int cr_in_comment(const char *path, int line, Buf *err)
{
    buf_printf(err,
               "%s:%d: carriage return inside a -- comment: PostgreSQL would end the "
               "comment there and run the rest of the line as SQL; refusing the file",
               path, line);
    return -1;
}

/* Skips the (nested) block comment at p ("/" "*"), counting lines; returns
 * the byte after it (end if it is not closed). */
static const char *skip_block_comment(const char *p, const char *end, int *line)
{
    int depth = 1;
    p += 2;
    while (p < end && depth) {
        if (*p == '\n')
            (*line)++;
        if (p + 1 < end && p[0] == '/' && p[1] == '*') {
            depth++;
            p += 2;
        } else if (p + 1 < end && p[0] == '*' && p[1] == '/') {
            depth--;
            p += 2;
        } else {
            p++;
        }
    }
    return p;
}

/* The placeholders declared for statement s (text from start): each names the
 * text ${NAME} at its offset, is the whole content of a plain '...' literal
 * (bit i of in_literal), and they come in increasing order without overlap. */
static int check_placeholders(Arena *a, const char *path, const char *start, Statement *s,
                              PlaceholderUse **phs, size_t nph, unsigned in_literal, Buf *err)
{
    PlaceholderUse *v = arena_alloc(a, nph * sizeof *v);
    for (size_t i = 0; i < nph; i++) {
        const PlaceholderUse *u = phs[i];
        size_t nl = strlen(u->name);
        if (u->off > s->len || s->len - u->off < u->len || memcmp(start + u->off, "${", 2) != 0 ||
            memcmp(start + u->off + 2, u->name, nl) != 0 || start[u->off + 2 + nl] != '}') {
            buf_printf(err,
                       "%s:%d: stargen:placeholder: the statement does not hold ${%s} at offset "
                       "%zu",
                       path, u->line, u->name, u->off);
            return -1;
        }
        if (!(in_literal & (1u << i))) {
            buf_printf(err,
                       "%s:%d: stargen:placeholder: ${%s} at offset %zu is not the whole of a "
                       "'...' string literal",
                       path, u->line, u->name, u->off);
            return -1;
        }
        if (i > 0 && v[i - 1].off + v[i - 1].len > u->off) {
            buf_printf(err,
                       "%s:%d: stargen:placeholder: offsets must increase (one directive per "
                       "placeholder, in statement order)",
                       path, u->line);
            return -1;
        }
        v[i] = *u;
    }
    s->ph = v;
    s->nph = nph;
    return 0;
}

int plan_split(Arena *a, const char *path, const char *text, size_t len, Statement **out, size_t *n,
               bool *no_transaction, Buf *err)
{
    return plan_split_step(a, path, text, len, out, n, no_transaction, NULL, err);
}

int plan_split_step(Arena *a, const char *path, const char *text, size_t len, Statement **out,
                    size_t *n, bool *no_transaction, const AfterDirective **after, Buf *err)
{
    const char *p = text, *end = text + len;
    size_t cap = 8, count = 0;
    Statement *v = arena_alloc(a, cap * sizeof *v);
    int line = 1, seen_stmt = 0;
    *no_transaction = false;
    if (after)
        *after = NULL;
    /* The directives waiting for the next statement: at most one copy or
     * check, any number of placeholders, on consecutive lines ending on the
     * line just before the statement. */
    Directive pending = {DIR_NONE, 0, NULL, NULL, NULL, NULL, NULL, NULL};
    PlaceholderUse *phs[PH_PER_STMT];
    size_t nph = 0;
    int block_first = 0, block_last = 0; /* lines of the pending block; 0: none */
    DirectiveKind block_kind = DIR_NONE; /* kind of the block's first directive */

    for (;;) {
        /* Skip whitespace and comments before a statement; read directives. */
        for (;;) {
            while (p < end && isspace((unsigned char)*p)) {
                if (*p == '\n')
                    line++;
                p++;
            }
            if (p + 1 < end && p[0] == '-' && p[1] == '-') {
                const char *eol = memchr(p, '\n', (size_t)(end - p));
                if (!eol)
                    eol = end;
                if (memchr(p, '\r', (size_t)(eol - p)))
                    return cr_in_comment(path, line, err);
                if (directive_is(p, eol)) {
                    Directive d;
                    if (directive_read(a, path, line, p, eol, &d, err))
                        return -1;
                    if (d.kind == DIR_NO_TRANSACTION) {
                        if (seen_stmt) {
                            buf_printf(err,
                                       "%s:%d: stargen:no-transaction must come before the "
                                       "first statement",
                                       path, line);
                            return -1;
                        }
                        *no_transaction = true;
                    } else if (d.kind == DIR_AFTER) {
                        if (!after) {
                            buf_printf(err, "%s:%d: stargen:after applies to a step file only",
                                       path, line);
                            return -1;
                        }
                        if (seen_stmt || *after) {
                            buf_printf(err,
                                       "%s:%d: stargen:after must come once, before the first "
                                       "statement",
                                       path, line);
                            return -1;
                        }
                        *after = d.after;
                    } else if (block_last &&
                               (line != block_last + 1 ||
                                (pending.kind != DIR_NONE && d.kind != DIR_PLACEHOLDER))) {
                        buf_printf(err, "%s:%d: stargen:%s is not followed by its statement", path,
                                   block_first, directive_kind_name(block_kind));
                        return -1;
                    } else if (d.kind == DIR_PLACEHOLDER && nph == PH_PER_STMT) {
                        buf_printf(err,
                                   "%s:%d: stargen:placeholder: more than %d for one statement",
                                   path, line, PH_PER_STMT);
                        return -1;
                    } else {
                        if (!block_last) {
                            block_first = line;
                            block_kind = d.kind;
                        }
                        block_last = line;
                        if (d.kind == DIR_PLACEHOLDER)
                            phs[nph++] = d.ph;
                        else
                            pending = d;
                    }
                }
                p = eol;
                continue;
            }
            if (p + 1 < end && p[0] == '/' && p[1] == '*') {
                p = skip_block_comment(p, end, &line);
                continue;
            }
            break;
        }
        if (p >= end)
            break;
        if (*p == ';') { /* empty statement */
            p++;
            continue;
        }
        /* A statement starts here; scan to its ';'. */
        const char *start = p;
        unsigned in_literal = 0; /* bit i: phs[i] is exactly a literal's content */
        while (p < end && *p != ';') {
            char c = *p;
            if (c == '\n') {
                line++;
                p++;
            } else if (c == '\'' || c == '"') {
                int backslash = c == '\'' && p > text && (p[-1] == 'E' || p[-1] == 'e') &&
                                (p - 1 == text || !is_ident_char(p[-2]));
                const char *open = p;
                p++;
                while (p < end) {
                    if (*p == '\n')
                        line++;
                    if (backslash && *p == '\\' && p + 1 < end) {
                        if (p[1] == '\n')
                            line++;
                        p += 2;
                        continue;
                    }
                    if (*p == c) {
                        if (p + 1 < end && p[1] == c) {
                            p += 2;
                            continue;
                        }
                        break;
                    }
                    p++;
                }
                if (p >= end) {
                    buf_printf(err, "%s:%d: unterminated %s", path, line,
                               c == '\'' ? "string literal" : "quoted identifier");
                    return -1;
                }
                /* a declared placeholder must be the whole of a plain '...' literal */
                for (size_t i = 0; c == '\'' && !backslash && i < nph; i++)
                    if (phs[i]->off == (size_t)(open + 1 - start) &&
                        phs[i]->off + phs[i]->len == (size_t)(p - start))
                        in_literal |= 1u << i;
                p++;
            } else if (c == '-' && p + 1 < end && p[1] == '-') {
                while (p < end && *p != '\n') {
                    if (*p == '\r')
                        return cr_in_comment(path, line, err);
                    p++;
                }
            } else if (c == '/' && p + 1 < end && p[1] == '*') {
                p = skip_block_comment(p, end, &line);
            } else if (c == '$' && (p == text || !is_ident_char(p[-1])) && dollar_tag(p, end)) {
                size_t tl = dollar_tag(p, end);
                const char *tag = p;
                p += tl;
                for (;;) {
                    if (p >= end) {
                        buf_printf(err, "%s:%d: unterminated dollar-quoted string %.*s", path, line,
                                   (int)tl, tag);
                        return -1;
                    }
                    if (*p == '\n')
                        line++;
                    if (*p == '$' && (size_t)(end - p) >= tl && memcmp(p, tag, tl) == 0) {
                        p += tl;
                        break;
                    }
                    p++;
                }
            } else {
                p++;
            }
        }
        /* trailing comments stay part of the statement; only whitespace is trimmed */
        const char *stop = p;
        while (stop > start && isspace((unsigned char)stop[-1]))
            stop--;
        if (count == cap) {
            Statement *nv = arena_alloc(a, 2 * cap * sizeof *nv);
            memcpy(nv, v, cap * sizeof *nv);
            v = nv;
            cap *= 2;
        }
        Statement *s = &v[count++];
        s->off = (size_t)(start - text);
        s->len = (size_t)(stop - start);
        plan_line_col(text, s->off, &s->line, &s->col);
        s->copy = NULL;
        s->check = NULL;
        s->tally = NULL;
        s->count = NULL;
        s->copy_stmt = NULL;
        seen_stmt = 1;
        CopyStmt cs;
        int is_copy = copy_stmt_parse(a, start, s->len, &cs) == 0;
        if (is_copy) {
            CopyStmt *c = arena_alloc(a, sizeof *c);
            *c = cs;
            s->copy_stmt = c;
        }
        s->ph = NULL;
        s->nph = 0;
        if (block_last && block_last != s->line - 1) {
            buf_printf(err, "%s:%d: stargen:%s must be on the line just before its statement", path,
                       block_first, directive_kind_name(block_kind));
            return -1;
        }
        if (nph && check_placeholders(a, path, start, s, phs, nph, in_literal, err))
            return -1;
        if (pending.kind == DIR_COPY) {
            if (!is_copy && strncasecmp(start, "copy", 4) == 0 && s->len > 4 &&
                isspace((unsigned char)start[4])) {
                buf_printf(err,
                           "%s:%d: expected COPY table [(columns)] FROM STDIN [WITH (FORMAT "
                           "text)] after a stargen:copy directive",
                           path, s->line);
                return -1;
            }
            if (!is_copy) {
                buf_printf(err,
                           "%s:%d: stargen:copy must be on the line just before a COPY "
                           "statement",
                           path, pending.line);
                return -1;
            }
            if (!cs.from_stdin) {
                buf_printf(err,
                           "%s:%d: the COPY after a stargen:copy directive must read FROM STDIN",
                           path, s->line);
                return -1;
            }
            s->copy = pending.copy;
        } else if (pending.kind == DIR_CHECK) {
            s->check = pending.check;
        } else if (pending.kind == DIR_TALLY) {
            s->tally = pending.tally;
        } else if (pending.kind == DIR_COUNT) {
            s->count = pending.count;
        }
        pending.kind = DIR_NONE;
        nph = 0;
        block_first = block_last = 0;
        if (p < end)
            p++; /* the ';' */
    }
    if (block_last) {
        buf_printf(err, "%s:%d: stargen:%s is not followed by its statement", path, block_first,
                   directive_kind_name(block_kind));
        return -1;
    }
    *out = v;
    *n = count;
    return 0;
}
