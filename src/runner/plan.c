/* plan.c - read an out/<dialect>/ folder into a Plan; see plan.h.
 *
 * Lists the step files, reads each one whole (read_whole_file), hashes it,
 * hands its text to plan_split() (split.c), which reads the statements and
 * their directives, then decides each step's kind.  Queries are read the same
 * way on request.
 */
#include "plan.h"

#include "../common/readfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sha256.h"

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

/* A step is a checks step when its statements are data checks: all of them. */
static int step_kind(Step *s, Buf *err)
{
    size_t nchecks = 0, ntallies = 0;
    for (size_t k = 0; k < s->nstmts; k++) {
        nchecks += s->stmts[k].check != NULL;
        ntallies += s->stmts[k].tally != NULL;
    }
    s->kind = nchecks ? STEP_CHECKS : STEP_SQL;
    if (ntallies && !nchecks) {
        buf_printf(err, "%s: a stargen:tally counts data checks, and this step has none", s->path);
        return -1;
    }
    /* a check's tally= names a tally earlier in the step */
    for (size_t k = 0; k < s->nstmts; k++) {
        const CheckDirective *cd = s->stmts[k].check;
        if (!cd || !cd->tally)
            continue;
        size_t j = 0;
        while (j < k && !(s->stmts[j].tally && strcmp(s->stmts[j].tally->name, cd->tally) == 0))
            j++;
        if (j == k) {
            buf_printf(err, "%s:%d: stargen:check: tally=%s names no stargen:tally before it",
                       s->path, cd->line, cd->tally);
            return -1;
        }
    }
    if (nchecks && nchecks + ntallies != s->nstmts) {
        for (size_t k = 0; k < s->nstmts; k++) {
            if (!s->stmts[k].check && !s->stmts[k].tally) {
                buf_printf(err,
                           "%s:%d: a step with data checks holds only checks: this statement "
                           "has no -- stargen:check directive on the line before it",
                           s->path, s->stmts[k].line);
                return -1;
            }
        }
    }
    if (nchecks && s->no_transaction) {
        buf_printf(err, "%s: stargen:no-transaction does not apply to a checks step", s->path);
        return -1;
    }
    if (strcmp(s->name, "publish") == 0) {
        if (nchecks || s->no_transaction) {
            buf_printf(err, "%s: the publish step runs in one transaction and holds no checks",
                       s->path);
            return -1;
        }
        s->kind = STEP_PUBLISH;
    }
    return 0;
}

/* Step i's dependencies: its `after` names, each an earlier step; without the
 * directive, every earlier step.  The publish and checks steps come after
 * everything before them and take no list. */
static int step_deps(Plan *set, size_t i, Buf *err)
{
    Step *s = &set->steps[i];
    const AfterDirective *af = s->after;
    s->deps = arena_alloc(&set->arena, (i ? i : 1) * sizeof *s->deps);
    s->ndeps = 0;
    if (af && s->kind != STEP_SQL) {
        buf_printf(err,
                   "%s:%d: stargen:after does not apply to the %s step: it comes after every "
                   "step before it",
                   s->path, af->line, s->kind == STEP_PUBLISH ? "publish" : "checks");
        return -1;
    }
    if (!af) {
        for (size_t k = 0; k < i; k++)
            s->deps[s->ndeps++] = k;
        return 0;
    }
    bool *on = arena_alloc(&set->arena, (i ? i : 1) * sizeof *on);
    memset(on, 0, (i ? i : 1) * sizeof *on);
    for (size_t k = 0; k < af->n; k++) {
        const char *nm = af->names[k];
        size_t j = 0;
        while (j < set->n && strcmp(set->steps[j].name, nm) != 0)
            j++;
        if (j == set->n) {
            buf_printf(err, "%s:%d: stargen:after: no step is named %s", s->path, af->line, nm);
            return -1;
        }
        if (j >= i) {
            buf_printf(err,
                       "%s:%d: stargen:after: step %s %s: a step comes after earlier steps "
                       "only",
                       s->path, af->line, nm, j == i ? "is this step" : "comes later");
            return -1;
        }
        on[j] = true;
    }
    for (size_t k = 0; k < i; k++)
        if (on[k])
            s->deps[s->ndeps++] = k;
    return 0;
}

/* The table an "INSERT INTO name ..." statement fills, as written, or NULL. */
static const char *insert_target(Arena *a, const char *p, size_t len)
{
    const char *end = p + len;
    if (len < 12 || strncasecmp(p, "INSERT", 6) != 0 || !isspace((unsigned char)p[6]))
        return NULL;
    p += 6;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (end - p < 5 || strncasecmp(p, "INTO", 4) != 0 || !isspace((unsigned char)p[4]))
        return NULL;
    p += 4;
    while (p < end && isspace((unsigned char)*p))
        p++;
    const char *q = p;
    bool quoted = false;
    while (q < end && (quoted || (!isspace((unsigned char)*q) && *q != '('))) {
        if (*q == '"')
            quoted = !quoted;
        q++;
    }
    return q > p ? arena_strndup(a, p, (size_t)(q - p)) : NULL;
}

static void step_fills(Arena *a, Step *s)
{
    s->fills = NULL;
    for (size_t k = 0; k < s->nstmts; k++) {
        const Statement *st = &s->stmts[k];
        const char *t =
            st->copy_stmt ? st->copy_stmt->table : insert_target(a, s->text + st->off, st->len);
        if (t)
            s->fills = t;
    }
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

int plan_load(Plan *set, const char *dir, Buf *err)
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
        if (plan_split_step(a, s->path, s->text, s->len, &s->stmts, &s->nstmts, &s->no_transaction,
                            &s->after, err) ||
            step_kind(s, err))
            rc = -1;
        else
            step_fills(a, s);
    }
    free(names);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = step_deps(set, i, err);
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

void plan_free(Plan *set)
{
    arena_free(&set->arena);
}

long plan_find_step(const Plan *set, const char *key)
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

/* "NN_name.sql" -> "name" */
static const char *name_of(Arena *a, const char *file)
{
    const char *us = strchr(file, '_');
    const char *nm = us ? us + 1 : file;
    return arena_strndup(a, nm, strlen(nm) - 4);
}

/* The first comment line after the two header lines and before the statement. */
static const char *query_title(Arena *a, const char *text, const Statement *st)
{
    const char *p = text;
    for (int line = 1; p && line <= 2; line++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    while (p && p < text + st->off) {
        const char *eol = strchr(p, '\n');
        if (!eol)
            break;
        if (strncmp(p, "-- ", 3) == 0)
            return arena_strndup(a, p + 3, (size_t)(eol - p - 3));
        if (eol != p) /* only blank lines may come between the header and the title */
            break;
        p = eol + 1;
    }
    return "";
}

int plan_load_queries(Plan *plan, Buf *err)
{
    Arena *a = &plan->arena;
    const char *qdir = arena_printf(a, "%s/queries", plan->dir);
    DIR *dp = opendir(qdir);
    if (!dp) {
        buf_printf(err, "%s: no analytics queries here (%s)", qdir, strerror(errno));
        return -1;
    }
    size_t cap = 16, n = 0;
    char **names = xmalloc(cap * sizeof *names);
    struct dirent *de;
    while ((de = readdir(dp))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".sql") != 0 || de->d_name[0] == '.')
            continue;
        if (n == cap)
            names = xrealloc(names, (cap *= 2) * sizeof *names);
        names[n++] = arena_strdup(a, de->d_name);
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    plan->queries = arena_alloc(a, (n ? n : 1) * sizeof *plan->queries);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        Query *q = &plan->queries[i];
        memset(q, 0, sizeof *q);
        q->file = names[i];
        q->name = name_of(a, names[i]);
        q->path = arena_printf(a, "%s/%s", qdir, names[i]);
        q->text = read_file(a, q->path, &q->len, err);
        Statement *st = NULL;
        size_t nst = 0;
        bool notx;
        if (!q->text || plan_split(a, q->path, q->text, q->len, &st, &nst, &notx, err)) {
            rc = -1;
        } else if (nst != 1 || st[0].check || st[0].copy) {
            buf_printf(err, "%s: expected one SELECT statement", q->path);
            rc = -1;
        } else {
            q->stmt = st[0];
            q->title = query_title(a, q->text, &q->stmt);
            plan->nqueries++;
        }
    }
    free(names);
    return rc;
}
