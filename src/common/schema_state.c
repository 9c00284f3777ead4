/* schema_state.c - the one reader and writer of schema.state (see schema_state.h). */
#include "schema_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 16

static bool is_name(const char *s)
{
    if (!*s || strlen(s) > 63 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static bool all_digits(const char *s, size_t n)
{
    if (!n || n > 5)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* TYPE: a bare word, NAME(N), NAME(max) or decimal(P,S). */
static bool is_type(const char *s)
{
    static const char *const bare[] = {"smallint",  "integer",     "bigint", "real",
                                       "double",    "boolean",     "date",   "time",
                                       "timestamp", "timestamptz", NULL};
    for (int i = 0; bare[i]; i++)
        if (!strcmp(s, bare[i]))
            return true;
    const char *open = strchr(s, '(');
    size_t n = strlen(s);
    if (!open || s[n - 1] != ')')
        return false;
    size_t nl = (size_t)(open - s);
    const char *arg = open + 1;
    size_t al = n - nl - 2;
    if (nl == 7 && !strncmp(s, "varchar", 7))
        return (al == 3 && !strncmp(arg, "max", 3)) || all_digits(arg, al);
    if (nl == 4 && !strncmp(s, "char", 4))
        return all_digits(arg, al);
    if (nl == 7 && !strncmp(s, "decimal", 7)) {
        const char *comma = memchr(arg, ',', al);
        return comma && all_digits(arg, (size_t)(comma - arg)) &&
               all_digits(comma + 1, al - (size_t)(comma - arg) - 1);
    }
    return false;
}

/* "a,b,c" of names */
static bool is_name_list(const char *s)
{
    char tmp[1024];
    if (strlen(s) >= sizeof tmp || !*s)
        return false;
    strcpy(tmp, s);
    for (char *save = NULL, *w = strtok_r(tmp, ",", &save); w; w = strtok_r(NULL, ",", &save))
        if (!is_name(w))
            return false;
    return s[strlen(s) - 1] != ',' && !strstr(s, ",,");
}

static bool is_dist(const char *s)
{
    return !strcmp(s, "none") || !strcmp(s, "auto") || !strcmp(s, "even") || !strcmp(s, "all") ||
           (!strncmp(s, "key:", 4) && is_name(s + 4));
}

static bool is_sort(const char *s)
{
    return !strcmp(s, "none") || !strcmp(s, "auto") ||
           (!strncmp(s, "compound:", 9) && is_name_list(s + 9)) ||
           (!strncmp(s, "interleaved:", 12) && is_name_list(s + 12));
}

static bool is_ref(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot || dot == s)
        return false;
    char t[64];
    size_t tl = (size_t)(dot - s);
    if (tl >= sizeof t)
        return false;
    memcpy(t, s, tl);
    t[tl] = '\0';
    return is_name(t) && is_name(dot + 1);
}

/* The value of key=value word w when it starts with key=, else NULL. */
static const char *value_of(const char *w, const char *key)
{
    size_t kl = strlen(key);
    return !strncmp(w, key, kl) && w[kl] == '=' ? w + kl + 1 : NULL;
}

typedef struct Reader {
    Arena *a;
    const char *path;
    int line;
    Buf *err;
} Reader;

__attribute__((format(printf, 2, 3))) static int bad(Reader *r, const char *fmt, ...)
{
    buf_printf(r->err, "%s:%d: ", r->path, r->line);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(r->err, fmt, ap);
    va_end(ap);
    return -1;
}

static int read_table(Reader *r, char **w, int n, StTable **out)
{
    if (n < 3 || !is_name(w[1]))
        return bad(r, "expected `table NAME mode=...`");
    StTable *t = arena_alloc(r->a, sizeof *t);
    t->name = arena_strdup(r->a, w[1]);
    t->line = r->line;
    for (int i = 2; i < n; i++) {
        const char *v;
        if ((v = value_of(w[i], "mode")) && !t->mode) {
            if (strcmp(v, "replace") && strcmp(v, "append") && strcmp(v, "upsert"))
                return bad(r, "unknown mode \"%s\" (replace, append or upsert)", v);
            t->mode = arena_strdup(r->a, v);
        } else if ((v = value_of(w[i], "dist")) && !t->dist) {
            if (!is_dist(v))
                return bad(r, "bad dist \"%s\" (none, auto, even, all or key:COLUMN)", v);
            t->dist = arena_strdup(r->a, v);
        } else if ((v = value_of(w[i], "sort")) && !t->sort) {
            if (!is_sort(v))
                return bad(r, "bad sort \"%s\" (none, auto, compound:A,B or interleaved:A,B)", v);
            t->sort = arena_strdup(r->a, v);
        } else {
            return bad(r, "unexpected word \"%s\" (or a key given twice)", w[i]);
        }
    }
    if (!t->mode)
        return bad(r, "table \"%s\" has no mode=", t->name);
    bool kept = strcmp(t->mode, "replace") != 0;
    if (kept && (!t->dist || !t->sort))
        return bad(r, "kept table \"%s\" needs dist= and sort=", t->name);
    if (!kept && (t->dist || t->sort))
        return bad(r, "replace table \"%s\" takes only mode=", t->name);
    *out = t;
    return 0;
}

static int read_column(Reader *r, char **w, int n, StTable *t)
{
    if (!t || !schema_state_kept(t))
        return bad(r, "a column line must follow a kept table's line");
    if (n < 3 || !is_name(w[1]))
        return bad(r, "expected `column NAME TYPE ...`");
    if (!is_type(w[2]))
        return bad(r, "unknown type \"%s\"", w[2]);
    if (schema_state_column(t, w[1]))
        return bad(r, "column \"%s\" listed twice", w[1]);
    StColumn *c = arena_alloc(r->a, sizeof *c);
    c->name = arena_strdup(r->a, w[1]);
    c->type = arena_strdup(r->a, w[2]);
    for (int i = 3; i < n; i++) {
        const char *v;
        if (!strcmp(w[i], "not_null") && !c->not_null)
            c->not_null = true;
        else if (!strcmp(w[i], "pk") && !c->pk)
            c->pk = true;
        else if (!strcmp(w[i], "identity") && !c->identity)
            c->identity = true;
        else if (!strcmp(w[i], "natural") && !c->natural)
            c->natural = true;
        else if (!strcmp(w[i], "hash") && !c->hash)
            c->hash = true;
        else if ((v = value_of(w[i], "encode")) && !c->encode && is_name(v))
            c->encode = arena_strdup(r->a, v);
        else if ((v = value_of(w[i], "ref")) && !c->ref && is_ref(v))
            c->ref = arena_strdup(r->a, v);
        else
            return bad(r, "unexpected word \"%s\" (or a flag given twice)", w[i]);
    }
    vec_push(r->a, &t->columns, c);
    return 0;
}

static bool is_migration_file(const char *s)
{
    size_t n = strlen(s);
    if (n < 10 || n > 128 || strcmp(s + n - 4, ".sql") || !all_digits(s, 4) || s[4] != '_')
        return false;
    for (size_t i = 5; i < n - 4; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

int schema_state_parse(Arena *a, const char *path, const char *text, size_t len, SchemaState *st,
                       Buf *err)
{
    memset(st, 0, sizeof *st);
    Reader r = {a, path, 0, err};
    bool header = false;
    StTable *table = NULL;
    StMigration *mig = NULL;
    if (memchr(text, '\0', len))
        return buf_printf(err, "%s: holds a NUL byte", path), -1;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            return r.line++, bad(&r, "the last line has no newline");
        r.line++;
        size_t ll = (size_t)(eol - p);
        char line[2048];
        if (ll >= sizeof line)
            return bad(&r, "line too long");
        memcpy(line, p, ll);
        line[ll] = '\0';
        p = eol + 1;
        if (line[0] == '#')
            continue;
        if (!ll || line[0] == ' ' || line[ll - 1] == ' ' || strstr(line, "  ") ||
            strchr(line, '\t'))
            return bad(&r, "words are separated by one space, with none at the ends");
        char *w[MAX_WORDS] = {0};
        int n = 0;
        for (char *save = NULL, *t = strtok_r(line, " ", &save); t;
             t = strtok_r(NULL, " ", &save)) {
            if (n == MAX_WORDS)
                return bad(&r, "too many words");
            w[n++] = t;
        }
        if (!header) {
            if (n != 2 || strcmp(w[0], "stargen-state") || strcmp(w[1], "1"))
                return bad(&r, "expected `stargen-state 1` first");
            header = true;
            continue;
        }
        if (!strcmp(w[0], "table")) {
            StTable *t = NULL;
            if (read_table(&r, w, n, &t))
                return -1;
            Vec *into = mig ? &mig->before : &st->tables;
            if (schema_state_find(into, t->name))
                return bad(&r, "table \"%s\" listed twice", t->name);
            vec_push(a, into, t);
            table = t;
        } else if (!strcmp(w[0], "column")) {
            if (read_column(&r, w, n, table))
                return -1;
        } else if (!strcmp(w[0], "migration")) {
            if (n != 2 || !is_migration_file(w[1]))
                return bad(&r, "expected `migration NNNN_name.sql`");
            for (size_t i = 0; i < st->migrations.len; i++)
                if (strcmp(((StMigration *)st->migrations.items[i])->file, w[1]) >= 0)
                    return bad(&r, "migration %s is out of order or listed twice", w[1]);
            mig = arena_alloc(a, sizeof *mig);
            mig->file = arena_strdup(a, w[1]);
            mig->line = r.line;
            vec_push(a, &st->migrations, mig);
            table = NULL;
        } else {
            return bad(&r, "unknown record \"%s\" (table, column or migration)", w[0]);
        }
    }
    if (!header)
        return buf_printf(err, "%s: empty (expected `stargen-state 1`)", path), -1;
    for (size_t i = 0; i < st->tables.len; i++) {
        StTable *t = st->tables.items[i];
        if (schema_state_kept(t) && !t->columns.len) {
            r.line = t->line;
            return bad(&r, "kept table \"%s\" has no columns", t->name);
        }
    }
    return 0;
}

static void print_table(Buf *b, const StTable *t)
{
    buf_printf(b, "table %s mode=%s", t->name, t->mode);
    if (!schema_state_kept(t)) {
        buf_putc(b, '\n');
        return;
    }
    buf_printf(b, " dist=%s sort=%s\n", t->dist, t->sort);
    for (size_t i = 0; i < t->columns.len; i++) {
        const StColumn *c = t->columns.items[i];
        buf_printf(b, "column %s %s", c->name, c->type);
        if (c->not_null)
            buf_puts(b, " not_null");
        if (c->pk)
            buf_puts(b, " pk");
        if (c->identity)
            buf_puts(b, " identity");
        if (c->natural)
            buf_puts(b, " natural");
        if (c->hash)
            buf_puts(b, " hash");
        if (c->encode)
            buf_printf(b, " encode=%s", c->encode);
        if (c->ref)
            buf_printf(b, " ref=%s", c->ref);
        buf_putc(b, '\n');
    }
}

void schema_state_print(Buf *b, const SchemaState *st, const char *dialect, const char *model)
{
    buf_printf(b,
               "# Generated by stargen from %s (dialect: %s). Do not edit: change the model and\n"
               "# run ./gen. The star tables as this folder's migrations and steps leave them;\n"
               "# gen reads it back to write migrations, the runner checks live kept tables\n"
               "# against it (docs/out-format.md, \"Migrations\").\n",
               model, dialect);
    buf_puts(b, "stargen-state 1\n");
    for (size_t i = 0; i < st->tables.len; i++)
        print_table(b, st->tables.items[i]);
    for (size_t i = 0; i < st->migrations.len; i++) {
        const StMigration *m = st->migrations.items[i];
        buf_printf(b, "# before %s:\nmigration %s\n", m->file, m->file);
        for (size_t j = 0; j < m->before.len; j++)
            print_table(b, m->before.items[j]);
    }
}

StTable *schema_state_find(const Vec *v, const char *name)
{
    for (size_t i = 0; i < v->len; i++) {
        StTable *t = v->items[i];
        if (!strcmp(t->name, name))
            return t;
    }
    return NULL;
}

StColumn *schema_state_column(const StTable *t, const char *name)
{
    for (size_t i = 0; i < t->columns.len; i++) {
        StColumn *c = t->columns.items[i];
        if (!strcmp(c->name, name))
            return c;
    }
    return NULL;
}

bool schema_state_kept(const StTable *t)
{
    return strcmp(t->mode, "replace") != 0;
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

bool schema_state_same_table(const StTable *a, const StTable *b)
{
    if (strcmp(a->name, b->name) || strcmp(a->mode, b->mode) || !same_str(a->dist, b->dist) ||
        !same_str(a->sort, b->sort) || a->columns.len != b->columns.len)
        return false;
    for (size_t i = 0; i < a->columns.len; i++) {
        const StColumn *x = a->columns.items[i], *y = b->columns.items[i];
        if (strcmp(x->name, y->name) || strcmp(x->type, y->type) ||
            !same_str(x->encode, y->encode) || !same_str(x->ref, y->ref) ||
            x->not_null != y->not_null || x->pk != y->pk || x->identity != y->identity ||
            x->natural != y->natural || x->hash != y->hash)
            return false;
    }
    return true;
}
