/* placeholder.c - declared ${NAME} placeholders; see placeholder.h. */
#include "placeholder.h"

#include <stdlib.h>
#include <string.h>

void ph_set(PhVars *v, const char *name, const char *value, const char *origin)
{
    for (int i = 0; i < v->n; i++) {
        if (strcmp(v->names[i], name) == 0) {
            v->values[i] = value;
            v->origins[i] = origin;
            return;
        }
    }
    if (v->n < (int)(sizeof v->names / sizeof v->names[0])) {
        v->names[v->n] = name;
        v->values[v->n] = value;
        v->origins[v->n] = origin;
        v->n++;
    }
}

const char *ph_lookup(const PhVars *v, const char *name, const char **origin)
{
    const char *e = getenv(name);
    if (e) {
        if (origin)
            *origin = "the environment";
        return e;
    }
    for (int i = 0; v && i < v->n; i++) {
        if (strcmp(v->names[i], name) == 0) {
            if (origin)
                *origin = v->origins[i] ? v->origins[i] : "the config";
            return v->values[i];
        }
    }
    return NULL;
}

/* The value of placeholder u: the runner's manifest URL for type=manifest, else
 * ph_lookup. */
static const char *value_of(const PhVars *v, const PlaceholderUse *u, const char **origin)
{
    if (u->type == PH_MANIFEST) {
        if (origin)
            *origin = "the runner";
        return v && v->manifest_url[0] ? v->manifest_url : NULL;
    }
    return ph_lookup(v, u->name, origin);
}

/* Is name already in the ", "-separated list? */
static bool listed(const Buf *list, const char *name)
{
    const char *s = list->len ? list->data : "";
    size_t nl = strlen(name);
    while (*s) {
        size_t wl = strcspn(s, ",");
        if (wl == nl && memcmp(s, name, nl) == 0)
            return true;
        s += wl;
        if (*s == ',')
            s += 2; /* ", " */
    }
    return false;
}

int ph_missing(const PhVars *v, const Step *s, Buf *missing)
{
    int added = 0;
    for (size_t k = 0; k < s->nstmts; k++) {
        for (size_t i = 0; i < s->stmts[k].nph; i++) {
            const char *name = s->stmts[k].ph[i].name;
            if (s->stmts[k].ph[i].type == PH_MANIFEST)
                continue;
            if (ph_lookup(v, name, NULL) || listed(missing, name))
                continue;
            if (missing->len)
                buf_puts(missing, ", ");
            buf_puts(missing, name);
            added++;
        }
    }
    return added;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A character of an IAM role path or name (the IAM name characters but ','). */
static bool role_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' ||
           c == '=' || c == '.' || c == '@' || c == '_' || c == '-';
}

/* One ARN in s[0..n); NULL or why not. */
static const char *one_arn(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    if (n < 4 || memcmp(p, "arn:", 4) != 0)
        return "it does not start with arn:";
    p += 4;
    if (end - p < 3 || memcmp(p, "aws", 3) != 0)
        return "the partition is not aws, aws-cn, aws-us-gov or another aws-NAME";
    p += 3;
    while (p < end && *p == '-') { /* aws-cn, aws-us-gov, aws-iso-b */
        const char *q = ++p;
        while (p < end && *p >= 'a' && *p <= 'z')
            p++;
        if (p == q)
            return "the partition is not aws, aws-cn, aws-us-gov or another aws-NAME";
    }
    if (end - p < 6 || memcmp(p, ":iam::", 6) != 0)
        return "the service is not iam (expected :iam:: after the partition)";
    p += 6;
    const char *acct = p;
    while (p < end && is_digit(*p))
        p++;
    if (p - acct != 12 || p >= end || *p != ':')
        return "the account id is not 12 digits";
    p++;
    if (end - p < 5 || memcmp(p, "role/", 5) != 0)
        return "the resource is not role/NAME";
    p += 5;
    const char *name = p;
    for (; p < end; p++) {
        if (*p == '/') {
            if (p == name || p + 1 == end || p[1] == '/')
                return "the role path has an empty part";
            name = p + 1;
        } else if (!role_char(*p)) {
            return "the role name or path holds a character other than A-Z a-z 0-9 + = . @ _ - /";
        }
    }
    if (p == name)
        return "the role name is empty";
    if (p - name > 64)
        return "the role name is longer than 64 characters";
    return NULL;
}

const char *ph_iam_role_check(const char *s)
{
    if (!*s)
        return "it is empty";
    int count = 0;
    for (const char *p = s;;) {
        size_t n = strcspn(p, ",");
        const char *why = one_arn(p, n);
        if (why)
            return count ? "an ARN of the role chain is not valid" : why;
        if (++count > 10)
            return "a role chain holds more than 10 roles";
        if (!p[n])
            return NULL;
        p += n + 1;
    }
}

int ph_check(const PhVars *v, const Step *s, Buf *err)
{
    for (size_t k = 0; k < s->nstmts; k++) {
        for (size_t i = 0; i < s->stmts[k].nph; i++) {
            const PlaceholderUse *u = &s->stmts[k].ph[i];
            if (u->type == PH_MANIFEST)
                continue;
            const char *origin = NULL;
            const char *val = ph_lookup(v, u->name, &origin);
            if (!val)
                continue; /* ph_missing's business */
            const char *why = u->type == PH_IAM_ROLE ? ph_iam_role_check(val) : "unknown type";
            if (why) {
                buf_printf(err,
                           "%s:%d: the value of %s (from %s) is not an IAM role ARN: %s; "
                           "expected arn:aws:iam::<12-digit account id>:role/<name>, or up to "
                           "10 of them separated by commas (the value is not shown)",
                           s->path, u->line, u->name, origin, why);
                return -1;
            }
        }
    }
    return 0;
}

void ph_apply(const PhVars *v, const char *text, const Statement *st, bool backslash_escapes,
              Buf *out, PhMap *map)
{
    buf_reset(out);
    map->n = 0;
    const char *base = text + st->off;
    size_t run = 0; /* statement bytes copied so far */
    for (size_t i = 0; i < st->nph; i++) {
        const PlaceholderUse *u = &st->ph[i];
        const char *val = value_of(v, u, NULL);
        if (!val)
            continue;
        buf_putn(out, base + run, u->off - run);
        if (map->n == map->cap) {
            map->cap = map->cap ? map->cap * 2 : 4;
            map->segs = xrealloc(map->segs, map->cap * sizeof *map->segs);
        }
        PhSeg *s = &map->segs[map->n++];
        s->out_off = out->len;
        s->in_off = u->off;
        s->in_len = u->len;
        for (const char *q = val; *q; q++) {
            if (*q == '\'' || (*q == '\\' && backslash_escapes))
                buf_putc(out, *q);
            buf_putc(out, *q);
        }
        s->out_len = out->len - s->out_off;
        run = u->off + u->len;
    }
    buf_putn(out, base + run, st->len - run);
}

void ph_map_free(PhMap *map)
{
    free(map->segs);
    map->segs = NULL;
    map->n = map->cap = 0;
}

size_t ph_map_back(const PhMap *map, size_t out_off)
{
    long delta = 0; /* input minus output offsets so far */
    for (size_t i = 0; i < map->n; i++) {
        const PhSeg *s = &map->segs[i];
        if (out_off < s->out_off)
            break;
        if (out_off < s->out_off + s->out_len)
            return s->in_off;
        delta = (long)(s->in_off + s->in_len) - (long)(s->out_off + s->out_len);
    }
    return (size_t)((long)out_off + delta);
}

size_t utf8_char_to_byte(const char *s, size_t len, long pos)
{
    if (pos <= 1)
        return 0;
    long chars = 1;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (chars == pos)
                return i;
            chars++;
        }
    }
    return len;
}

/* msg with every occurrence of val[0..vl) replaced by ${name}. */
static char *replace_all(char *msg, const char *val, size_t vl, const char *name)
{
    if (vl < PH_REDACT_MIN || !memmem(msg, strlen(msg), val, vl))
        return msg;
    Buf out;
    buf_init(&out);
    const char *q = msg, *end = msg + strlen(msg), *hit;
    while ((hit = memmem(q, (size_t)(end - q), val, vl)) != NULL) {
        buf_putn(&out, q, (size_t)(hit - q));
        buf_printf(&out, "${%s}", name);
        q = hit + vl;
    }
    buf_puts(&out, q);
    free(msg);
    return buf_detach(&out, NULL);
}

char *ph_redact(const PhVars *v, const Step *s, char *msg)
{
    for (size_t k = 0; msg && k < s->nstmts; k++) {
        for (size_t i = 0; i < s->stmts[k].nph; i++) {
            const char *name = s->stmts[k].ph[i].name;
            if (s->stmts[k].ph[i].type == PH_MANIFEST)
                continue; /* not a secret: the URL helps */
            const char *val = ph_lookup(v, name, NULL);
            if (!val)
                continue;
            msg = replace_all(msg, val, strlen(val), name);
            for (const char *p = val; strchr(p, ',');) { /* each ARN of a chain */
                size_t n = strcspn(p, ",");
                msg = replace_all(msg, p, n, name);
                p += n + 1;
                if (!strchr(p, ','))
                    msg = replace_all(msg, p, strlen(p), name);
            }
        }
    }
    return msg;
}
