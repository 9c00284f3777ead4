/* ident.h - identifier rules and the one helper that quotes names and literals.
 *
 * Every name and string literal that reaches generated SQL goes through
 * ident_quote() / ident_literal(); nothing else in the generator quotes.
 */
#ifndef STARGEN_IDENT_H
#define STARGEN_IDENT_H

#include <stdbool.h>

#include "../common/arena.h"

#define IDENT_MAX_BYTES 63

/* True if word (lowercase) is reserved in Redshift or is a PostgreSQL
 * category R/T keyword (redshift-notes.md section 1). */
bool ident_is_reserved(const char *word);

/* Appends name to b, double-quoted (embedded '"' doubled) only when needed:
 * when it is reserved or is not a plain lowercase identifier
 * ([a-z_][a-z0-9_$]*). */
void ident_quote(Buf *b, const char *name);

/* True for a name the model accepts: 1..63 bytes, [a-z_][a-z0-9_]*.
 * On false, *why is set to a short reason (static text). */
bool ident_valid(const char *name, const char **why);

/* Appends a SQL string literal: 'text' with ' doubled; when
 * double_backslash is set, backslashes are doubled too (Redshift treats a
 * backslash in a literal as an escape). */
void ident_literal(Buf *b, const char *text, bool double_backslash);

/* Levenshtein distance, capped at limit+1 (for "did you mean" hints). */
int ident_distance(const char *a, const char *b, int limit);

#endif
