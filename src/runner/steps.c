/* steps.c - list, read and split the step files of an output folder.
 *
 * The splitter is a single forward scan with a small state machine (plain
 * text, '...' and E'...' strings, "..." identifiers, -- and nested block
 * comments, $tag$ dollar quotes).  Leading whitespace and comments are not
 * part of a statement, so a statement's first line is its first code line;
 * the comments seen there are where the directives live.  See steps.h.
 */
#include "steps.h"

#include "../common/readfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sha256.h"

static int is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

void steps_line_col(const char *text, size_t off, int *line, int *col)
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

/* Parses the words after "-- stargen:copy" on one line. */
static int parse_copy_directive(Arena *a, const char *p, const char *end, CopyDirective *d,
                                const char *path, int line, Buf *err)
{
    memset(d, 0, sizeof *d);
    d->line = line;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= end)
            break;
        const char *w = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        const char *eq = memchr(w, '=', (size_t)(p - w));
        if (!eq || eq == w) {
            buf_printf(err, "%s:%d: stargen:copy: expected key=value, got \"%.*s\"", path, line,
                       (int)(p - w), w);
            return -1;
        }
        size_t klen = (size_t)(eq - w);
        const char *val = arena_strndup(a, eq + 1, (size_t)(p - eq - 1));
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(w, k, klen) == 0)
        if (KEY("source")) {
            d->source = val;
        } else if (KEY("s3")) {
            d->s3 = val;
        } else if (KEY("jsonpaths")) {
            d->jsonpaths = val;
        } else if (KEY("timeformat")) {
            if (strcmp(val, "epochmillisecs") && strcmp(val, "epochsecs") && strcmp(val, "auto")) {
                buf_printf(err, "%s:%d: stargen:copy: unknown timeformat \"%s\"", path, line, val);
                return -1;
            }
            d->timeformat = val;
        } else if (KEY("emptyasnull") || KEY("blanksasnull")) {
            int on = strcmp(val, "on") == 0;
            if (!on && strcmp(val, "off") != 0) {
                buf_printf(err, "%s:%d: stargen:copy: %.*s must be on or off", path, line,
                           (int)klen, w);
                return -1;
            }
            if (KEY("emptyasnull"))
                d->emptyasnull = on;
            else
                d->blanksasnull = on;
        } else {
            buf_printf(err, "%s:%d: stargen:copy: unknown key \"%.*s\"", path, line, (int)klen, w);
            return -1;
        }
#undef KEY
    }
    if (!d->source || !d->jsonpaths) {
        buf_printf(err, "%s:%d: stargen:copy: source= and jsonpaths= are required", path, line);
        return -1;
    }
    return 0;
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

int steps_split(Arena *a, const char *path, const char *text, size_t len, Statement **out,
                size_t *n, int *no_transaction, Buf *err)
{
    const char *p = text, *end = text + len;
    size_t cap = 8, count = 0;
    Statement *v = arena_alloc(a, cap * sizeof *v);
    int line = 1, seen_stmt = 0;
    *no_transaction = 0;
    CopyDirective *pending = NULL;

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
                static const char copy_tag[] = "-- stargen:copy";
                static const char notx_tag[] = "-- stargen:no-transaction";
                size_t clen = (size_t)(eol - p);
                if (clen >= sizeof copy_tag - 1 && memcmp(p, copy_tag, sizeof copy_tag - 1) == 0 &&
                    (clen == sizeof copy_tag - 1 || p[sizeof copy_tag - 1] == ' ')) {
                    pending = arena_alloc(a, sizeof *pending);
                    if (parse_copy_directive(a, p + sizeof copy_tag - 1, eol, pending, path, line,
                                             err))
                        return -1;
                } else if (clen >= sizeof notx_tag - 1 &&
                           memcmp(p, notx_tag, sizeof notx_tag - 1) == 0) {
                    if (seen_stmt) {
                        buf_printf(err,
                                   "%s:%d: stargen:no-transaction must come before the "
                                   "first statement",
                                   path, line);
                        return -1;
                    }
                    *no_transaction = 1;
                }
                p = eol;
                continue;
            }
            if (p + 1 < end && p[0] == '/' && p[1] == '*') {
                int depth = 1;
                p += 2;
                while (p < end && depth) {
                    if (*p == '\n')
                        line++;
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
        while (p < end && *p != ';') {
            char c = *p;
            if (c == '\n') {
                line++;
                p++;
            } else if (c == '\'' || c == '"') {
                int backslash = c == '\'' && p > text && (p[-1] == 'E' || p[-1] == 'e') &&
                                (p - 1 == text || !is_ident_char(p[-2]));
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
                p++;
            } else if (c == '-' && p + 1 < end && p[1] == '-') {
                while (p < end && *p != '\n') {
                    if (*p == '\r')
                        return cr_in_comment(path, line, err);
                    p++;
                }
            } else if (c == '/' && p + 1 < end && p[1] == '*') {
                int depth = 1;
                p += 2;
                while (p < end && depth) {
                    if (*p == '\n')
                        line++;
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
        steps_line_col(text, s->off, &s->line, &s->col);
        s->copy = NULL;
        seen_stmt = 1;
        int is_copy =
            s->len >= 5 && strncasecmp(start, "copy", 4) == 0 && isspace((unsigned char)start[4]);
        if (pending) {
            if (pending->line != s->line - 1 || !is_copy) {
                buf_printf(err,
                           "%s:%d: stargen:copy must be on the line just before a COPY "
                           "statement",
                           path, pending->line);
                return -1;
            }
            s->copy = pending;
            pending = NULL;
        }
        if (p < end)
            p++; /* the ';' */
    }
    if (pending) {
        buf_printf(err, "%s:%d: stargen:copy is not followed by a COPY statement", path,
                   pending->line);
        return -1;
    }
    *out = v;
    *n = count;
    return 0;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* NN_name.sql with at least two digits and a non-empty name. */
static int is_step_file(const char *f)
{
    size_t n = strlen(f), i = 0;
    while (isdigit((unsigned char)f[i]))
        i++;
    return i >= 2 && f[i] == '_' && n > i + 5 && strcmp(f + n - 4, ".sql") == 0;
}

static char *read_file(Arena *a, const char *path, size_t *len, Buf *err)
{
    char *d = read_whole_file(path, 0, len);
    if (!d) {
        buf_printf(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *s = arena_strndup(a, d, *len);
    free(d);
    return s;
}

int steps_load(StepSet *set, const char *dir, Buf *err)
{
    memset(set, 0, sizeof *set);
    arena_init(&set->arena);
    Arena *a = &set->arena;
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    set->dir = arena_strndup(a, dir, dl);
    DIR *d = opendir(set->dir);
    if (!d) {
        buf_printf(err, "cannot open step folder %s: %s", set->dir, strerror(errno));
        return -1;
    }
    size_t cap = 16, n = 0;
    char **names = xmalloc(cap * sizeof *names);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_step_file(e->d_name))
            continue;
        if (n == cap)
            names = xrealloc(names, (cap *= 2) * sizeof *names);
        names[n++] = arena_strdup(a, e->d_name);
    }
    closedir(d);
    if (n == 0) {
        free(names);
        buf_printf(err, "%s holds no step files (NN_name.sql)", set->dir);
        return -1;
    }
    qsort(names, n, sizeof *names, cmp_str);
    set->steps = arena_alloc(a, n * sizeof *set->steps);
    set->n = n;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        Step *s = &set->steps[i];
        s->file = names[i];
        s->number = strtol(names[i], NULL, 10);
        const char *us = strchr(names[i], '_');
        size_t fl = strlen(names[i]);
        s->stem = arena_strndup(a, names[i], fl - 4);
        s->name = arena_strndup(a, us + 1, fl - 4 - (size_t)(us + 1 - names[i]));
        s->path = arena_printf(a, "%s/%s", set->dir, names[i]);
        struct stat st;
        if (stat(s->path, &st) != 0 || !S_ISREG(st.st_mode)) {
            buf_printf(err, "%s is not a regular file", s->path);
            rc = -1;
            break;
        }
        s->text = read_file(a, s->path, &s->len, err);
        if (!s->text) {
            rc = -1;
            break;
        }
        sha256_hex(s->text, s->len, s->checksum);
        if (steps_split(a, s->path, s->text, s->len, &s->stmts, &s->nstmts, &s->no_transaction,
                        err))
            rc = -1;
    }
    free(names);
    if (rc)
        return rc;
    /* Dialect from the header "(dialect: X)", else the folder's base name. */
    const char *h = strstr(set->steps[0].text, "(dialect: ");
    const char *nl = strchr(set->steps[0].text, '\n');
    if (h && (!nl || h < nl)) {
        h += 10;
        size_t k = strcspn(h, ")\n");
        set->dialect = arena_strndup(a, h, k);
    } else {
        const char *base = strrchr(set->dir, '/');
        set->dialect = base ? base + 1 : set->dir;
    }
    return 0;
}

void steps_free(StepSet *set)
{
    arena_free(&set->arena);
}

long steps_find(const StepSet *set, const char *key)
{
    long found = -1;
    char *endp;
    long num = strtol(key, &endp, 10);
    int numeric = *key && *endp == '\0';
    for (size_t i = 0; i < set->n; i++) {
        const Step *s = &set->steps[i];
        if (strcmp(s->stem, key) == 0 || strcmp(s->file, key) == 0)
            return (long)i;
        if (strcmp(s->name, key) == 0 || (numeric && s->number == num)) {
            if (found >= 0)
                return -2;
            found = (long)i;
        }
    }
    return found;
}
