/* model_fields.c - typed reads of YAML nodes for the model builder (see model_fields.h).
 *
 * Each object kind has a table of the keys it accepts; unknown keys (with a "did
 * you mean"), duplicate keys (YAML keeps one silently), wrong node kinds, missing
 * required keys, bad names and bad flags are all reported, not just the first.
 */
#include "model_fields.h"

#include <stdlib.h>
#include <string.h>

#include "ident.h"

Scalar *scalar(Loader *L, YNode *n, const char *what)
{
    if (n->kind != Y_SCALAR) {
        diag_error(L->d, n->mark, "model-shape", "%s must be a scalar, not %s", what,
                   ynode_kind_name(n));
        return NULL;
    }
    Scalar *s = arena_alloc(L->a, sizeof *s);
    s->len = n->len;
    s->s = arena_strndup(L->a, n->value, s->len);
    if (strlen(s->s) != s->len) {
        diag_error(L->d, n->mark, "model-shape", "%s contains a NUL character", what);
        return NULL;
    }
    s->mark = n->mark;
    s->style = n->style;
    return s;
}

/* A non-empty scalar (text after trimming spaces). */
Scalar *nonempty(Loader *L, YNode *n, const char *what)
{
    Scalar *s = scalar(L, n, what);
    if (s && ynode_is_null(n) && s->len) {
        diag_error(L->d, n->mark, "model-shape", "%s is missing: YAML reads \"%s\" as no value",
                   what, s->s);
        diag_hint(L->d, "write the value; for the SQL NULL expression quote it: \"null\"");
        return NULL;
    }
    if (s && (ynode_is_null(n) || strspn(s->s, " \t\r\n") == s->len)) {
        diag_error(L->d, n->mark, "model-shape", "%s is empty", what);
        return NULL;
    }
    return s;
}

bool flag(Loader *L, YNode *n, const char *what, bool *out)
{
    if (n->kind == Y_SCALAR && n->style == SCALAR_PLAIN) {
        const char *v = n->value;
        if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE")) {
            *out = true;
            return true;
        }
        if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE")) {
            *out = false;
            return true;
        }
    }
    diag_error(L->d, n->mark, "model-shape", "%s must be true or false", what);
    return false;
}

/* Checks a name for a table, column, source or alias. */
const char *name_of(Loader *L, YNode *n, const char *what)
{
    Scalar *s = scalar(L, n, what);
    if (!s)
        return NULL;
    const char *why;
    if (!ident_valid(s->s, &why)) {
        diag_error(L->d, s->mark, "identifier", "bad %s \"%s\": %s", what, s->s, why);
        return NULL;
    }
    return s->s;
}

/* Validates a mapping's keys against `keys`: reports unknown keys (with a
 * suggestion), duplicates and missing required ones.  Returns false if n is not
 * a mapping.  vals[i] receives the value node of keys[i] (or NULL). */
bool fields(Loader *L, YNode *n, const char *what, const Key *keys, int nkeys, YNode **vals)
{
    YNode *keyn[16] = {0};
    for (int i = 0; i < nkeys; i++)
        vals[i] = NULL;
    if (n->kind != Y_MAPPING) {
        diag_error(L->d, n->mark, "model-shape", "%s must be a mapping, not %s", what,
                   ynode_kind_name(n));
        return false;
    }
    for (size_t pi = 0; pi < n->n; pi++) {
        YNode *k = n->items[2 * pi], *v = n->items[2 * pi + 1];
        if (k->kind != Y_SCALAR) {
            diag_error(L->d, k->mark, "model-shape", "keys in %s must be scalars", what);
            continue;
        }
        const char *ks = k->value;
        int i;
        for (i = 0; i < nkeys; i++)
            if (!strcmp(keys[i].name, ks))
                break;
        if (i == nkeys) {
            diag_error(L->d, k->mark, "unknown-key", "unknown key \"%s\" in %s", ks, what);
            const char *best = NULL;
            int bd = 3;
            for (int j = 0; j < nkeys; j++) {
                int dd = ident_distance(ks, keys[j].name, 2);
                if (dd < bd) {
                    bd = dd;
                    best = keys[j].name;
                }
            }
            if (strchr(ks, ')') && n->flow) {
                diag_hint(L->d, "a comma splits a {…} mapping: quote the value, e.g. "
                                "type: \"decimal(10,2)\"");
            } else if (best) {
                diag_hint(L->d, "did you mean \"%s\"?", best);
            } else {
                Buf b;
                buf_init(&b);
                for (int j = 0; j < nkeys; j++)
                    buf_printf(&b, "%s%s", j ? ", " : "", keys[j].name);
                diag_hint(L->d, "%s takes: %s", what, b.data);
                buf_free(&b);
            }
            continue;
        }
        if (vals[i]) {
            diag_error(L->d, k->mark, "duplicate-key", "duplicate key \"%s\" in %s", ks, what);
            diag_hint(L->d, "the first \"%s\" is at line %d; YAML keeps only one of them", ks,
                      (i < 16 && keyn[i] ? keyn[i] : vals[i])->mark.line);
            continue;
        }
        vals[i] = v;
        if (i < 16)
            keyn[i] = k;
    }
    for (int i = 0; i < nkeys && !n->merged; i++) /* merged: its "<<" is reported */
        if (keys[i].required && !vals[i])
            diag_error(L->d, n->mark, "missing-key", "%s needs the key \"%s\"", what, keys[i].name);
    return true;
}

static int cmp_key(const void *a, const void *b)
{
    const YNode *const *x = a, *const *y = b;
    int c = strcmp((*x)->value, (*y)->value);
    if (c)
        return c;
    return (*x)->offset < (*y)->offset ? -1 : 1;
}

void named_entries(Loader *L, YNode *n, const char *what, const char *item, EntryFn fn, void *ctx)
{
    if (n->kind != Y_MAPPING) {
        diag_error(L->d, n->mark, "model-shape", "%s must be a mapping of %s names, not %s", what,
                   item, ynode_kind_name(n));
        return;
    }
    size_t cnt = n->n;
    YNode **ks = xmalloc((cnt ? cnt : 1) * sizeof *ks);
    size_t nk = 0;
    for (size_t pi = 0; pi < n->n; pi++) {
        YNode *k = n->items[2 * pi];
        if (k->kind == Y_SCALAR)
            ks[nk++] = k;
    }
    qsort(ks, nk, sizeof *ks, cmp_key);
    for (size_t i = 1; i < nk; i++) {
        if (!strcmp(ks[i]->value, ks[i - 1]->value)) {
            diag_error(L->d, ks[i]->mark, "duplicate-key", "duplicate %s \"%s\" in %s", item,
                       ks[i]->value, what);
            diag_hint(L->d, "the first one is at line %d", ks[i - 1]->mark.line);
            ks[i]->len = (size_t)-1; /* mark as duplicate */
        }
    }
    free(ks);
    for (size_t pi = 0; pi < n->n; pi++) {
        YNode *k = n->items[2 * pi], *v = n->items[2 * pi + 1];
        if (k->kind != Y_SCALAR) {
            diag_error(L->d, k->mark, "model-shape", "a %s name must be a scalar", item);
            continue;
        }
        if (k->len == (size_t)-1)
            continue;
        const char *nm = name_of(L, k, item);
        if (nm)
            fn(L, nm, k, v, ctx);
    }
}

bool severity(Loader *L, YNode *n, bool *warn)
{
    Scalar *s = nonempty(L, n, "severity");
    if (!s)
        return false;
    if (!strcmp(s->s, "warn"))
        *warn = true;
    else if (strcmp(s->s, "error") != 0) {
        diag_error(L->d, s->mark, "check-severity", "severity \"%s\" is not error or warn", s->s);
        return false;
    }
    return true;
}

void scalar_list(Loader *L, YNode *n, Vec *out, const char *what)
{
    if (n->kind == Y_SCALAR) {
        Scalar *s = nonempty(L, n, what);
        if (s)
            vec_push(L->a, out, s);
        return;
    }
    if (n->kind != Y_SEQUENCE) {
        diag_error(L->d, n->mark, "model-shape", "%s must be a list", what);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        Scalar *s = nonempty(L, n->items[i], what);
        if (s)
            vec_push(L->a, out, s);
    }
}
