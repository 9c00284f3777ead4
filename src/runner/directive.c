/* directive.c - `-- stargen:` directive lines and COPY statement text; see directive.h.
 *
 * Each directive kind is a row of kinds[] naming its keys; a key is free text,
 * a name (limited length) or a choice among fixed words.  The reader walks the
 * words once, checks each against that table and fills a typed struct.
 */
#include "directive.h"

#include "../common/datetime.h"
#include "../common/utf8.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TEXT_MAX 4096 /* longest free-text value (a path or URI), bytes */

/* V_PHNAME: a placeholder name [A-Z_][A-Z0-9_]*, at most PH_NAME_MAX bytes;
 * V_OFFSET: a byte offset, decimal digits, less than 1e9;
 * V_FORMAT: a date/time format: a bare word, or "text with spaces" in double
 * quotes (no quote inside); checked by dt_check_format. */
typedef enum ValueKind { V_TEXT, V_NAME, V_CHOICE, V_PHNAME, V_OFFSET, V_FORMAT } ValueKind;
#define PH_NAME_MAX 64

typedef struct KeySpec {
    const char *key;
    ValueKind kind;
    const char *const *choices; /* V_CHOICE: NULL-terminated */
    bool required;
} KeySpec;

typedef struct KindSpec {
    const char *name;
    DirectiveKind kind;
    const KeySpec *keys;
    size_t nkeys;
} KindSpec;

static const char *const on_off[] = {"on", "off", NULL};
static const char *const compressions[] = {"gzip", "none", NULL};
static const char *const key_cases[] = {"exact", "ignorecase", NULL};
static const char *const severities[] = {"error", "warn", NULL};
static const char *const changed_policies[] = {"error", "skip", "reload", NULL};

enum {
    K_SOURCE,
    K_S3,
    K_JSONPATHS,
    K_EMPTY,
    K_BLANKS,
    K_TIME,
    K_DATE,
    K_ROUNDEC,
    K_COMPRESSION,
    K_KEYS,
    K_REGION,
    K_INCREMENTAL,
    K_CHANGED
};
static const KeySpec copy_keys[] = {
    [K_SOURCE] = {"source", V_TEXT, NULL, true},
    [K_S3] = {"s3", V_TEXT, NULL, false},
    [K_JSONPATHS] = {"jsonpaths", V_TEXT, NULL, true},
    [K_EMPTY] = {"emptyasnull", V_CHOICE, on_off, false},
    [K_BLANKS] = {"blanksasnull", V_CHOICE, on_off, false},
    [K_TIME] = {"timeformat", V_FORMAT, NULL, false},
    [K_DATE] = {"dateformat", V_FORMAT, NULL, false},
    [K_ROUNDEC] = {"roundec", V_CHOICE, on_off, false},
    [K_COMPRESSION] = {"compression", V_CHOICE, compressions, false},
    [K_KEYS] = {"keys", V_CHOICE, key_cases, false},
    [K_REGION] = {"region", V_NAME, NULL, false},
    [K_INCREMENTAL] = {"incremental", V_CHOICE, on_off, false},
    [K_CHANGED] = {"changed", V_CHOICE, changed_policies, false},
};
enum { K_NAME, K_SEVERITY, K_TALLY };
static const KeySpec check_keys[] = {
    [K_NAME] = {"name", V_NAME, NULL, true},
    [K_SEVERITY] = {"severity", V_CHOICE, severities, true},
    [K_TALLY] = {"tally", V_NAME, NULL, false},
};
static const KeySpec tally_keys[] = {
    [K_NAME] = {"name", V_NAME, NULL, true},
};

static const char *const count_kinds[] = {"staged", "unchanged", "updated", "inserted",
                                          "new",    "inferred",  NULL};
enum { K_AS, K_TABLE, K_FROM };
static const KeySpec count_keys[] = {
    [K_AS] = {"as", V_CHOICE, count_kinds, true},
    [K_TABLE] = {"table", V_NAME, NULL, true},
    [K_FROM] = {"from", V_NAME, NULL, false},
};

/* `after steps=a,b,c`: step names, comma-separated */
static const KeySpec after_keys[] = {
    {"steps", V_TEXT, NULL, true},
};

static const char *const ph_types[] = {"iam_role", "manifest", NULL};
/* source=, manifests=, changed= and region= belong to type=manifest (the first
 * three required there), and to no other type */
enum { K_PHNAME, K_PHTYPE, K_OFFSET, K_MSOURCE, K_MANIFESTS, K_MCHANGED, K_MREGION };
static const KeySpec placeholder_keys[] = {
    [K_PHNAME] = {"name", V_PHNAME, NULL, true},
    [K_PHTYPE] = {"type", V_CHOICE, ph_types, true},
    [K_OFFSET] = {"offset", V_OFFSET, NULL, true},
    [K_MSOURCE] = {"source", V_TEXT, NULL, false},
    [K_MANIFESTS] = {"manifests", V_TEXT, NULL, false},
    [K_MCHANGED] = {"changed", V_CHOICE, changed_policies, false},
    [K_MREGION] = {"region", V_NAME, NULL, false},
};

static const KindSpec kinds[] = {
    {"copy", DIR_COPY, copy_keys, sizeof copy_keys / sizeof copy_keys[0]},
    {"check", DIR_CHECK, check_keys, sizeof check_keys / sizeof check_keys[0]},
    {"tally", DIR_TALLY, tally_keys, sizeof tally_keys / sizeof tally_keys[0]},
    {"no-transaction", DIR_NO_TRANSACTION, NULL, 0},
    {"count", DIR_COUNT, count_keys, sizeof count_keys / sizeof count_keys[0]},
    {"placeholder", DIR_PLACEHOLDER, placeholder_keys,
     sizeof placeholder_keys / sizeof placeholder_keys[0]},
    {"after", DIR_AFTER, after_keys, sizeof after_keys / sizeof after_keys[0]},
};

const char *directive_kind_name(DirectiveKind k)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == k)
            return kinds[i].name;
    return "?";
}

static bool ph_name_ok(const char *v, size_t n)
{
    if (n == 0 || n > PH_NAME_MAX || !((v[0] >= 'A' && v[0] <= 'Z') || v[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '_'))
            return false;
    return true;
}

static bool offset_ok(const char *v, size_t n)
{
    if (n == 0 || n > 9 || (n > 1 && v[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}
#define MAX_KEYS 16

static const char tag[] = "-- stargen:";

bool directive_is(const char *p, const char *eol)
{
    return (size_t)(eol - p) >= sizeof tag - 1 && memcmp(p, tag, sizeof tag - 1) == 0;
}

static void list_choices(Buf *err, const char *const *c)
{
    for (size_t i = 0; c[i]; i++)
        buf_printf(err, "%s%s", i == 0 ? "" : c[i + 1] ? ", " : " or ", c[i]);
}

/* A value may hold any printable UTF-8 but no control byte. */
static bool printable(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return false;
    return utf8_valid(v, n);
}

/* A step name as gen writes one: [A-Za-z0-9_], at most PLAN_NAME_MAX bytes. */
static bool step_name_ok(const char *v, size_t n)
{
    if (n == 0 || n > PLAN_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && v[i] != '_')
            return false;
    return true;
}

/* steps=a,b,c -> d->after; each name once, none empty. */
static int read_after(Arena *a, const char *path, int line, const char *v, Directive *d, Buf *err)
{
    AfterDirective *af = arena_alloc(a, sizeof *af);
    size_t cap = 1;
    for (const char *p = v; *p; p++)
        cap += *p == ',';
    af->names = arena_alloc(a, cap * sizeof *af->names);
    af->n = 0;
    af->line = line;
    for (const char *p = v;;) {
        size_t n = strcspn(p, ",");
        if (!step_name_ok(p, n)) {
            Buf shown;
            buf_init(&shown);
            utf8_escape_display(&shown, p, n);
            buf_printf(err,
                       "%s:%d: stargen:after: \"%s\" is not a step name (steps=NAME,NAME,...: "
                       "letters, digits, _)",
                       path, line, shown.data);
            buf_free(&shown);
            return -1;
        }
        const char *name = arena_strndup(a, p, n);
        for (size_t i = 0; i < af->n; i++) {
            if (strcmp(af->names[i], name) == 0) {
                buf_printf(err, "%s:%d: stargen:after: step %s is named twice", path, line, name);
                return -1;
            }
        }
        af->names[af->n++] = name;
        if (!p[n])
            break;
        p += n + 1;
    }
    d->after = af;
    return 0;
}

int directive_read(Arena *a, const char *path, int line, const char *p, const char *eol,
                   Directive *d, Buf *err)
{
    memset(d, 0, sizeof *d);
    d->line = line;
    p += sizeof tag - 1;
    const char *kw = p;
    while (p < eol && *p != ' ' && *p != '\t')
        p++;
    size_t kwlen = (size_t)(p - kw);
    const KindSpec *ks = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i].name) == kwlen && memcmp(kinds[i].name, kw, kwlen) == 0)
            ks = &kinds[i];
    if (!ks) {
        Buf shown;
        buf_init(&shown);
        utf8_escape_display(&shown, kw, kwlen);
        buf_printf(err,
                   "%s:%d: unknown directive \"stargen:%s\" (known: copy, check, "
                   "tally, count, no-transaction, placeholder, after)",
                   path, line, shown.data);
        buf_free(&shown);
        return -1;
    }
    const char *vals[MAX_KEYS] = {0};
    while (p < eol) {
        while (p < eol && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= eol)
            break;
        const char *w = p;
        while (p < eol && *p != ' ' && *p != '\t' && *p != '"')
            p++;
        if (p < eol && *p == '"' && p > w && p[-1] == '=') { /* key="quoted value" */
            const char *q = memchr(p + 1, '"', (size_t)(eol - p - 1));
            if (!q) {
                buf_printf(err, "%s:%d: stargen:%s: unterminated \" in a value", path, line,
                           ks->name);
                return -1;
            }
            p = q + 1;
        }
        while (p < eol && *p != ' ' && *p != '\t')
            p++;
        size_t wl = (size_t)(p - w);
        Buf shown;
        buf_init(&shown);
        const char *eq = memchr(w, '=', wl);
        if (!eq || eq == w) {
            utf8_escape_display(&shown, w, wl);
            buf_printf(err, "%s:%d: stargen:%s: expected key=value, got \"%s\"", path, line,
                       ks->name, shown.data);
            buf_free(&shown);
            return -1;
        }
        size_t klen = (size_t)(eq - w), vlen = wl - klen - 1;
        const char *v = eq + 1;
        int quoted = vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"';
        if (quoted) {
            v++;
            vlen -= 2;
        }
        size_t k = 0;
        while (k < ks->nkeys &&
               !(strlen(ks->keys[k].key) == klen && memcmp(ks->keys[k].key, w, klen) == 0))
            k++;
        int bad = 0;
        if (k == ks->nkeys) {
            utf8_escape_display(&shown, w, klen);
            buf_printf(err, "%s:%d: stargen:%s: unknown key \"%s\"", path, line, ks->name,
                       shown.data);
            bad = 1;
        } else if (vals[k]) {
            buf_printf(err, "%s:%d: stargen:%s: key %s= given twice", path, line, ks->name,
                       ks->keys[k].key);
            bad = 1;
        } else if (vlen == 0) {
            buf_printf(err, "%s:%d: stargen:%s: %s= has no value", path, line, ks->name,
                       ks->keys[k].key);
            bad = 1;
        } else if (!printable(v, vlen)) {
            buf_printf(err, "%s:%d: stargen:%s: %s= holds a control character or invalid UTF-8",
                       path, line, ks->name, ks->keys[k].key);
            bad = 1;
        } else if (ks->keys[k].kind == V_NAME && vlen > PLAN_NAME_MAX) {
            buf_printf(err,
                       "%s:%d: stargen:%s: %s= is %zu bytes long, more than the %d allowed "
                       "(names are never cut short)",
                       path, line, ks->name, ks->keys[k].key, vlen, PLAN_NAME_MAX);
            bad = 1;
        } else if (ks->keys[k].kind == V_TEXT && vlen > TEXT_MAX) {
            buf_printf(err, "%s:%d: stargen:%s: %s= is %zu bytes long, more than the %d allowed",
                       path, line, ks->name, ks->keys[k].key, vlen, TEXT_MAX);
            bad = 1;
        } else if (ks->keys[k].kind == V_PHNAME && !ph_name_ok(v, vlen)) {
            buf_printf(err,
                       "%s:%d: stargen:%s: %s= must be a placeholder name ([A-Z_][A-Z0-9_]*, "
                       "at most %d bytes)",
                       path, line, ks->name, ks->keys[k].key, PH_NAME_MAX);
            bad = 1;
        } else if (ks->keys[k].kind == V_OFFSET && !offset_ok(v, vlen)) {
            buf_printf(err, "%s:%d: stargen:%s: %s= must be a byte offset (decimal digits)", path,
                       line, ks->name, ks->keys[k].key);
            bad = 1;
        } else if (quoted && ks->keys[k].kind != V_FORMAT) {
            buf_printf(err, "%s:%d: stargen:%s: %s= takes no quoted value", path, line, ks->name,
                       ks->keys[k].key);
            bad = 1;
        } else if (ks->keys[k].kind == V_FORMAT && vlen <= 64) {
            char why[128];
            char *f = arena_strndup(a, v, vlen);
            if (strcmp(f, "auto") && strcmp(f, "epochmillisecs") && strcmp(f, "epochsecs") &&
                dt_check_format(f, why)) {
                buf_printf(err, "%s:%d: stargen:%s: %s=\"%s\": %s", path, line, ks->name,
                           ks->keys[k].key, f, why);
                bad = 1;
            } else if (k == K_DATE && (!strcmp(f, "epochmillisecs") || !strcmp(f, "epochsecs"))) {
                buf_printf(err, "%s:%d: stargen:%s: dateformat cannot be %s (TIMEFORMAT only)",
                           path, line, ks->name, f);
                bad = 1;
            }
        } else if (ks->keys[k].kind == V_FORMAT) {
            buf_printf(err, "%s:%d: stargen:%s: %s= is longer than 64 bytes", path, line, ks->name,
                       ks->keys[k].key);
            bad = 1;
        } else if (ks->keys[k].kind == V_CHOICE) {
            const char *const *c = ks->keys[k].choices;
            while (*c && !(strlen(*c) == vlen && memcmp(*c, v, vlen) == 0))
                c++;
            if (!*c) {
                utf8_escape_display(&shown, v, vlen);
                buf_printf(err, "%s:%d: stargen:%s: %s must be ", path, line, ks->name,
                           ks->keys[k].key);
                list_choices(err, ks->keys[k].choices);
                buf_printf(err, ", not \"%s\"", shown.data);
                bad = 1;
            }
        }
        buf_free(&shown);
        if (bad)
            return -1;
        vals[k] = arena_strndup(a, v, vlen);
    }
    for (size_t k = 0; k < ks->nkeys; k++) {
        if (ks->keys[k].required && !vals[k]) {
            buf_printf(err, "%s:%d: stargen:%s: %s= is required", path, line, ks->name,
                       ks->keys[k].key);
            return -1;
        }
    }
    d->kind = ks->kind;
    if (ks->kind == DIR_COPY) {
        CopyDirective *c = arena_alloc(a, sizeof *c);
        memset(c, 0, sizeof *c);
        c->line = line;
        c->source = vals[K_SOURCE];
        c->s3 = vals[K_S3];
        c->jsonpaths = vals[K_JSONPATHS];
        c->emptyasnull = vals[K_EMPTY] && strcmp(vals[K_EMPTY], "on") == 0;
        c->blanksasnull = vals[K_BLANKS] && strcmp(vals[K_BLANKS], "on") == 0;
        c->timeformat = vals[K_TIME];
        c->tf = !c->timeformat                                 ? TF_NONE
                : strcmp(c->timeformat, "epochmillisecs") == 0 ? TF_EPOCHMILLIS
                : strcmp(c->timeformat, "epochsecs") == 0      ? TF_EPOCHSECS
                : strcmp(c->timeformat, "auto") == 0           ? TF_AUTO
                                                               : TF_STRING;
        c->dateformat = vals[K_DATE];
        c->roundec = vals[K_ROUNDEC] && strcmp(vals[K_ROUNDEC], "on") == 0;
        c->gzip = vals[K_COMPRESSION] && strcmp(vals[K_COMPRESSION], "gzip") == 0;
        c->ignorecase = vals[K_KEYS] && strcmp(vals[K_KEYS], "ignorecase") == 0;
        c->region = vals[K_REGION];
        c->incremental = vals[K_INCREMENTAL] && strcmp(vals[K_INCREMENTAL], "on") == 0;
        c->changed = !vals[K_CHANGED]                         ? CHANGED_ERROR
                     : strcmp(vals[K_CHANGED], "skip") == 0   ? CHANGED_SKIP
                     : strcmp(vals[K_CHANGED], "reload") == 0 ? CHANGED_RELOAD
                                                              : CHANGED_ERROR;
        d->copy = c;
    } else if (ks->kind == DIR_CHECK) {
        CheckDirective *c = arena_alloc(a, sizeof *c);
        c->line = line;
        c->name = vals[K_NAME];
        c->warn = strcmp(vals[K_SEVERITY], "warn") == 0;
        c->tally = vals[K_TALLY];
        d->check = c;
    } else if (ks->kind == DIR_TALLY) {
        TallyDirective *t = arena_alloc(a, sizeof *t);
        t->line = line;
        t->name = vals[K_NAME];
        d->tally = t;
    } else if (ks->kind == DIR_COUNT) {
        CountDirective *c = arena_alloc(a, sizeof *c);
        c->line = line;
        c->table = vals[K_TABLE];
        c->from = vals[K_FROM];
        c->as = !strcmp(vals[K_AS], "staged")      ? COUNT_STAGED
                : !strcmp(vals[K_AS], "unchanged") ? COUNT_UNCHANGED
                : !strcmp(vals[K_AS], "updated")   ? COUNT_UPDATED
                : !strcmp(vals[K_AS], "new")       ? COUNT_NEW
                : !strcmp(vals[K_AS], "inferred")  ? COUNT_INFERRED
                                                   : COUNT_INSERTED;
        d->count = c;
    } else if (ks->kind == DIR_AFTER) {
        if (read_after(a, path, line, vals[0], d, err))
            return -1;
    } else if (ks->kind == DIR_PLACEHOLDER) {
        PlaceholderUse *u = arena_alloc(a, sizeof *u);
        memset(u, 0, sizeof *u);
        u->name = vals[K_PHNAME];
        u->type = strcmp(vals[K_PHTYPE], "manifest") == 0 ? PH_MANIFEST : PH_IAM_ROLE;
        u->off = (size_t)strtoul(vals[K_OFFSET], NULL, 10);
        u->len = strlen(u->name) + 3; /* "${" NAME "}" */
        u->line = line;
        static const int mkeys[] = {K_MSOURCE, K_MANIFESTS, K_MCHANGED, K_MREGION};
        for (size_t i = 0; i < sizeof mkeys / sizeof mkeys[0]; i++) {
            const char *key = placeholder_keys[mkeys[i]].key;
            if (u->type != PH_MANIFEST && vals[mkeys[i]]) {
                buf_printf(err, "%s:%d: stargen:placeholder: %s= belongs to type=manifest only",
                           path, line, key);
                return -1;
            }
            if (u->type == PH_MANIFEST && mkeys[i] != K_MREGION && !vals[mkeys[i]]) {
                buf_printf(err, "%s:%d: stargen:placeholder: type=manifest needs %s=", path, line,
                           key);
                return -1;
            }
        }
        if (u->type == PH_MANIFEST) {
            ManifestSpot *m = arena_alloc(a, sizeof *m);
            m->source = vals[K_MSOURCE];
            m->manifests = vals[K_MANIFESTS];
            m->region = vals[K_MREGION];
            m->changed = strcmp(vals[K_MCHANGED], "skip") == 0     ? CHANGED_SKIP
                         : strcmp(vals[K_MCHANGED], "reload") == 0 ? CHANGED_RELOAD
                                                                   : CHANGED_ERROR;
            size_t ml = strlen(m->manifests);
            if (strncmp(m->source, "s3://", 5) != 0 || strncmp(m->manifests, "s3://", 5) != 0 ||
                ml < 7 || m->manifests[ml - 1] != '/' || !strchr(m->manifests + 5, '/')) {
                buf_printf(err,
                           "%s:%d: stargen:placeholder: type=manifest needs source=s3://... "
                           "and manifests=s3://BUCKET/PREFIX/ (ending with /)",
                           path, line);
                return -1;
            }
            if (strncmp(m->manifests, m->source, strlen(m->source)) == 0) {
                buf_printf(err,
                           "%s:%d: stargen:placeholder: manifests= lies under source=: the COPY "
                           "would read the manifests as data",
                           path, line);
                return -1;
            }
            u->manifest = m;
        }
        d->ph = u;
    }
    return 0;
}

/* ---- COPY statement text ---- */

typedef struct Cursor {
    const char *p, *end;
} Cursor;

static int is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static void skip_space(Cursor *c)
{
    for (;;) {
        while (c->p < c->end && isspace((unsigned char)*c->p))
            c->p++;
        if (c->end - c->p >= 2 && c->p[0] == '-' && c->p[1] == '-') {
            while (c->p < c->end && *c->p != '\n')
                c->p++;
            continue;
        }
        return;
    }
}

/* Reads one identifier (quoted or not) into a folded copy, or NULL. */
static const char *read_ident(Arena *a, Cursor *c)
{
    const char *p = c->p;
    Buf b;
    buf_init(&b);
    if (p < c->end && *p == '"') {
        p++;
        for (;;) {
            if (p >= c->end) {
                buf_free(&b);
                return NULL;
            }
            if (*p == '"' && p + 1 < c->end && p[1] == '"') {
                buf_putc(&b, '"');
                p += 2;
            } else if (*p == '"') {
                break;
            } else {
                buf_putc(&b, *p++);
            }
        }
        p++;
    } else {
        if (p >= c->end || !is_word_char(*p) || isdigit((unsigned char)*p)) {
            buf_free(&b);
            return NULL;
        }
        while (p < c->end && is_word_char(*p))
            buf_putc(&b, (char)tolower((unsigned char)*p++));
    }
    c->p = p;
    const char *s = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

static int keyword(Cursor *c, const char *kw)
{
    size_t n = strlen(kw);
    if ((size_t)(c->end - c->p) >= n && strncasecmp(c->p, kw, n) == 0 &&
        (c->p + n == c->end || !is_word_char(c->p[n]))) {
        c->p += n;
        return 1;
    }
    return 0;
}

/* Reads a '...' literal (doubled quotes undone) into b. */
static int read_string(Cursor *c, Buf *b)
{
    const char *p = c->p;
    if (p >= c->end || *p != '\'')
        return -1;
    p++;
    for (;;) {
        if (p >= c->end)
            return -1;
        if (*p == '\'' && p + 1 < c->end && p[1] == '\'') {
            buf_putc(b, '\'');
            p += 2;
        } else if (*p == '\'') {
            break;
        } else {
            buf_putc(b, *p++);
        }
    }
    c->p = p + 1;
    return 0;
}

int copy_stmt_parse(Arena *a, const char *s, size_t n, CopyStmt *out)
{
    memset(out, 0, sizeof *out);
    Cursor c = {s, s + n};
    skip_space(&c);
    if (!keyword(&c, "copy"))
        return -1;
    skip_space(&c);
    const char *tstart = c.p;
    for (;;) {
        if (!(out->bare = read_ident(a, &c)))
            return -1;
        if (c.p >= c.end || *c.p != '.')
            break;
        c.p++;
    }
    out->table = arena_strndup(a, tstart, (size_t)(c.p - tstart));
    skip_space(&c);
    if (c.p < c.end && *c.p == '(') {
        int cap = 16;
        out->cols = arena_alloc(a, (size_t)cap * sizeof *out->cols);
        c.p++;
        for (;;) {
            skip_space(&c);
            const char *col = read_ident(a, &c);
            if (!col)
                return -1;
            if (out->ncols == cap) {
                const char **nc = arena_alloc(a, (size_t)cap * 2 * sizeof *nc);
                memcpy(nc, out->cols, (size_t)cap * sizeof *nc);
                out->cols = nc;
                cap *= 2;
            }
            out->cols[out->ncols++] = col;
            skip_space(&c);
            if (c.p < c.end && *c.p == ',') {
                c.p++;
                continue;
            }
            if (c.p < c.end && *c.p == ')') {
                c.p++;
                break;
            }
            return -1;
        }
    }
    skip_space(&c);
    if (!keyword(&c, "from"))
        return -1;
    skip_space(&c);
    out->from_stdin = keyword(&c, "stdin");
    /* options: the words BINARY and CSV, and JSON 's3://...', outside strings and comments */
    Buf lit;
    buf_init(&lit);
    while (c.p < c.end) {
        if (*c.p == '\'') {
            buf_reset(&lit);
            if (read_string(&c, &lit))
                break;
            continue;
        }
        if (c.end - c.p >= 2 && c.p[0] == '-' && c.p[1] == '-') {
            skip_space(&c);
            continue;
        }
        if (is_word_char(*c.p) && (c.p == s || !is_word_char(c.p[-1]))) {
            if (keyword(&c, "binary")) {
                out->binary = true;
                continue;
            }
            if (keyword(&c, "csv")) {
                out->csv = true;
                continue;
            }
            if (keyword(&c, "region")) {
                skip_space(&c);
                if (keyword(&c, "as"))
                    skip_space(&c);
                buf_reset(&lit);
                if (!out->region && c.p < c.end && *c.p == '\'' && read_string(&c, &lit) == 0)
                    out->region = arena_strdup(a, lit.data);
                continue;
            }
            if (keyword(&c, "json")) {
                skip_space(&c);
                buf_reset(&lit);
                if (!out->json_uri && c.p < c.end && *c.p == '\'' && read_string(&c, &lit) == 0 &&
                    strncmp(lit.data, "s3://", 5) == 0)
                    out->json_uri = arena_strdup(a, lit.data);
                continue;
            }
            while (c.p < c.end && is_word_char(*c.p))
                c.p++;
            continue;
        }
        c.p++;
    }
    buf_free(&lit);
    return 0;
}
