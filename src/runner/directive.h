/* directive.h - the one reader of `-- stargen:KIND key=value ...` lines.
 *
 * Every directive of the out/ contract goes through directive_read(), with one
 * strictness rule: an unknown KIND, an unknown key, a key given twice, a word
 * that is not key=value, a value outside its allowed set (severity=eror), a
 * missing required key or a value longer than its limit is an error naming
 * file:line.  Values contain no spaces; nothing is ever cut short.
 */
#ifndef STARGEN_DIRECTIVE_H
#define STARGEN_DIRECTIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "plan.h"

typedef enum DirectiveKind {
    DIR_NONE,
    DIR_COPY,
    DIR_CHECK,
    DIR_TALLY,
    DIR_NO_TRANSACTION,
    DIR_PLACEHOLDER,
    DIR_COUNT,
    DIR_AFTER
} DirectiveKind;

typedef struct Directive {
    DirectiveKind kind;
    int line;
    CopyDirective *copy;   /* DIR_COPY */
    CheckDirective *check; /* DIR_CHECK */
    TallyDirective *tally; /* DIR_TALLY */
    PlaceholderUse *ph;    /* DIR_PLACEHOLDER (off as declared; len set) */
    CountDirective *count; /* DIR_COUNT */
    AfterDirective *after; /* DIR_AFTER (names as written; plan.c resolves them) */
} Directive;

/* The name of a kind as written after "stargen:" ("copy"). */
const char *directive_kind_name(DirectiveKind k);

/* True when the comment line [p, eol) starts with "-- stargen:". */
bool directive_is(const char *p, const char *eol);

/* Reads the directive line [p, eol) (which directive_is()) at path:line into d,
 * allocating in a.  Returns 0, or -1 with "path:LINE: stargen:KIND: ..." in err. */
int directive_read(Arena *a, const char *path, int line, const char *p, const char *eol,
                   Directive *d, Buf *err);

/* Parses a COPY statement's text (s[0..n)) into c, allocating in a.  Returns 0,
 * or -1 when it is not "COPY name [(col, ...)] FROM ..." (no message: the caller
 * knows whether that is an error). */
int copy_stmt_parse(Arena *a, const char *s, size_t n, CopyStmt *c);

#endif
