/* placeholder.c - ${NAME} substitution with a position map; see placeholder.h. */
#include "placeholder.h"

#include <stdlib.h>
#include <string.h>

void ph_set(PhVars *v, const char *name, const char *value)
{
    for (int i = 0; i < v->n; i++) {
        if (strcmp(v->names[i], name) == 0) {
            v->values[i] = value;
            return;
        }
    }
    if (v->n < (int)(sizeof v->names / sizeof v->names[0])) {
        v->names[v->n] = name;
        v->values[v->n] = value;
        v->n++;
    }
}

const char *ph_lookup(const PhVars *v, const char *name)
{
    const char *e = getenv(name);
    if (e)
        return e;
    for (int i = 0; v && i < v->n; i++)
        if (strcmp(v->names[i], name) == 0)
            return v->values[i];
    return NULL;
}

/* Length of the placeholder at p ("${NAME}"), or 0 if p does not start one;
 * the name is copied into name (truncated names are not placeholders). */
static size_t match_ph(const char *p, const char *end, char *name, size_t namecap)
{
    if (end - p < 4 || p[0] != '$' || p[1] != '{')
        return 0;
    const char *q = p + 2;
    if (!((*q >= 'A' && *q <= 'Z') || *q == '_'))
        return 0;
    while (q < end && ((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_'))
        q++;
    if (q >= end || *q != '}')
        return 0;
    size_t nl = (size_t)(q - p - 2);
    if (nl + 1 > namecap)
        return 0;
    memcpy(name, p + 2, nl);
    name[nl] = '\0';
    return (size_t)(q - p + 1);
}

int ph_missing(const PhVars *v, const char *text, size_t len, Buf *missing)
{
    const char *p = text, *end = text + len;
    char name[256];
    int added = 0;
    while ((p = memchr(p, '$', (size_t)(end - p))) != NULL) {
        size_t m = match_ph(p, end, name, sizeof name);
        if (!m) {
            p++;
            continue;
        }
        p += m;
        if (ph_lookup(v, name))
            continue;
        /* already listed? */
        int dup = 0;
        if (missing->len) {
            const char *s = missing->data;
            size_t nl = strlen(name);
            while (s && *s) {
                size_t wl = strcspn(s, ",");
                if (wl == nl && memcmp(s, name, nl) == 0)
                    dup = 1;
                s += wl;
                if (*s == ',')
                    s += 2; /* ", " */
            }
        }
        if (dup)
            continue;
        if (missing->len)
            buf_puts(missing, ", ");
        buf_puts(missing, name);
        added++;
    }
    return added;
}

void ph_apply(const PhVars *v, const char *text, size_t len, Buf *out, PhMap *map)
{
    buf_reset(out);
    map->n = 0;
    const char *p = text, *end = text + len, *run = text;
    char name[256];
    while (p < end) {
        const char *d = memchr(p, '$', (size_t)(end - p));
        if (!d)
            break;
        size_t m = match_ph(d, end, name, sizeof name);
        const char *val = m ? ph_lookup(v, name) : NULL;
        if (!val) {
            p = d + 1;
            continue;
        }
        buf_putn(out, run, (size_t)(d - run));
        if (map->n == map->cap) {
            map->cap = map->cap ? map->cap * 2 : 4;
            map->segs = xrealloc(map->segs, map->cap * sizeof *map->segs);
        }
        PhSeg *s = &map->segs[map->n++];
        s->out_off = out->len;
        s->in_off = (size_t)(d - text);
        s->in_len = m;
        for (const char *q = val; *q; q++) {
            if (*q == '\'')
                buf_putc(out, '\'');
            buf_putc(out, *q);
        }
        s->out_len = out->len - s->out_off;
        p = run = d + m;
    }
    buf_putn(out, run, (size_t)(end - run));
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

char *ph_redact(const PhVars *v, const char *text, size_t len, char *s)
{
    if (!s)
        return s;
    const char *p = text, *end = text + len;
    char name[256];
    while ((p = memchr(p, '$', (size_t)(end - p))) != NULL) {
        size_t m = match_ph(p, end, name, sizeof name);
        if (!m) {
            p++;
            continue;
        }
        p += m;
        const char *val = ph_lookup(v, name);
        size_t vl = val ? strlen(val) : 0;
        if (vl < PH_REDACT_MIN || !strstr(s, val))
            continue;
        Buf out;
        buf_init(&out);
        const char *q = s, *hit;
        while ((hit = strstr(q, val)) != NULL) {
            buf_putn(&out, q, (size_t)(hit - q));
            buf_printf(&out, "${%s}", name);
            q = hit + vl;
        }
        buf_puts(&out, q);
        free(s);
        s = buf_detach(&out, NULL);
    }
    return s;
}
