/* model_yaml.c - YAML text -> a tree of located nodes.  The only file that includes yaml.h.
 *
 * The text is read with libyaml's event API, not its document loader: the loader's
 * cost grows with the square of the nesting depth, so a hostile model of 200,000
 * "[" would keep it busy for minutes before gen saw anything.  Reading events lets
 * us stop at YAML_MAX_DEPTH with a located error.  What YAML offers and the model
 * language does not use is refused here, located, instead of being half-honoured
 * later: tags (!custom), merge keys (<<), a second document, a NUL byte, and alias
 * chains that would repeat more than YAML_MAX_REPEAT nodes ("billion laughs").
 * An alias is the node its anchor built (shared), so one text can be reached from
 * two places; model_forget_repeats() drops the second report of the same problem.
 */
#include "model_yaml.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../common/utf8.h"
#include "model.h"

/* Nodes that aliases may add on top of the text's own. */
#define YAML_MAX_REPEAT 1000000u

typedef struct Frame {
    YNode *node;
    const char *anchor;
    Vec items;
    bool skip_value; /* the key just read was a refused "<<": drop its value */
} Frame;

typedef struct Anchor {
    const char *name;
    YNode *node;
} Anchor;

typedef struct Reader {
    Arena *a;
    Diag *d;
    Frame stack[YAML_MAX_DEPTH + 1];
    int depth;
    Anchor *anchors; /* open addressing, cap a power of two */
    size_t nanchors, anchor_cap;
    size_t nodes, repeated;
} Reader;

static Mark mark_of(yaml_mark_t m)
{
    return (Mark){(int)m.line + 1, (int)m.column + 1};
}

const char *ynode_kind_name(const YNode *n)
{
    switch (n->kind) {
    case Y_SCALAR: return "a scalar";
    case Y_SEQUENCE: return "a list";
    case Y_MAPPING: return "a mapping";
    }
    return "nothing";
}

bool ynode_is_null(const YNode *n)
{
    if (n->kind != Y_SCALAR || n->style != SCALAR_PLAIN)
        return false;
    const char *v = n->value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

/* ---- anchors ---- */

static size_t hash_name(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static Anchor *anchor_slot(Reader *r, const char *name)
{
    size_t mask = r->anchor_cap - 1, i = hash_name(name) & mask;
    while (r->anchors[i].name && strcmp(r->anchors[i].name, name) != 0)
        i = (i + 1) & mask;
    return &r->anchors[i];
}

/* A later anchor of the same name replaces the earlier one, as YAML says. */
static void anchor_set(Reader *r, const char *name, YNode *n)
{
    if ((r->nanchors + 1) * 2 > r->anchor_cap) {
        Anchor *old = r->anchors;
        size_t old_cap = r->anchor_cap;
        r->anchor_cap = old_cap ? old_cap * 2 : 16;
        r->anchors = arena_alloc(r->a, r->anchor_cap * sizeof *r->anchors);
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].name)
                *anchor_slot(r, old[i].name) = old[i];
    }
    Anchor *s = anchor_slot(r, name);
    if (!s->name)
        r->nanchors++;
    s->name = name;
    s->node = n;
}

static YNode *anchor_get(Reader *r, const char *name)
{
    return r->anchor_cap ? anchor_slot(r, name)->node : NULL;
}

/* ---- building ---- */

static YNode *new_node(Reader *r, YKind k, const yaml_event_t *ev)
{
    YNode *n = arena_alloc(r->a, sizeof *n);
    n->kind = k;
    n->mark = mark_of(ev->start_mark);
    n->offset = ev->start_mark.index;
    n->reach = 1;
    r->nodes++;
    return n;
}

/* Refuses a tag: gen reads every value as text and checks it itself. */
static void refuse_tag(Reader *r, const yaml_event_t *ev, const yaml_char_t *tag)
{
    if (!tag)
        return;
    Buf b;
    buf_init(&b);
    utf8_escape_display_str(&b, (const char *)tag);
    diag_error(r->d, mark_of(ev->start_mark), "yaml", "YAML tags are not supported: \"%s\"",
               b.data);
    diag_hint(r->d, "remove the tag; gen reads every value as text and checks it itself");
    buf_free(&b);
}

/* Hands a finished node to the collection being read (or makes it the root). */
static void add_child(Reader *r, YNode *n, YNode **root)
{
    if (r->depth == 0) {
        *root = n;
        return;
    }
    Frame *f = &r->stack[r->depth - 1];
    if (f->skip_value) {
        f->skip_value = false;
        return;
    }
    bool is_key = f->node->kind == Y_MAPPING && f->items.len % 2 == 0;
    if (is_key && n->kind == Y_SCALAR && n->style == SCALAR_PLAIN && !strcmp(n->value, "<<")) {
        diag_error(r->d, n->mark, "yaml", "YAML merge keys (<<) are not supported");
        diag_hint(r->d, "write the keys of the anchored mapping out here instead of \"<<: *NAME\"");
        f->skip_value = true;
        f->node->merged = true;
        return;
    }
    vec_push(r->a, &f->items, n);
}

static void finish_collection(Reader *r, YNode **root)
{
    Frame *f = &r->stack[--r->depth];
    YNode *n = f->node;
    n->items = (YNode **)f->items.items;
    n->n = n->kind == Y_MAPPING ? f->items.len / 2 : f->items.len;
    n->reach = 1;
    for (size_t i = 0; i < f->items.len; i++) {
        n->reach += ((YNode *)f->items.items[i])->reach;
        if (n->reach > YAML_MAX_REPEAT * 4)
            n->reach = YAML_MAX_REPEAT * 4; /* saturate: more is refused anyway */
    }
    if (f->anchor)
        anchor_set(r, f->anchor, n);
    add_child(r, n, root);
}

/* One event; false to stop reading (after reporting why). */
static bool on_event(Reader *r, yaml_event_t *ev, YNode **root)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        YNode *n = new_node(r, Y_SCALAR, ev);
        refuse_tag(r, ev, ev->data.scalar.tag);
        n->len = ev->data.scalar.length;
        n->value = arena_strndup(r->a, (const char *)ev->data.scalar.value, n->len);
        switch (ev->data.scalar.style) {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = SCALAR_SINGLE; break;
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = SCALAR_DOUBLE; break;
        case YAML_LITERAL_SCALAR_STYLE: n->style = SCALAR_LITERAL; break;
        case YAML_FOLDED_SCALAR_STYLE: n->style = SCALAR_FOLDED; break;
        default: n->style = SCALAR_PLAIN; break;
        }
        if (ev->data.scalar.anchor)
            anchor_set(r, arena_strdup(r->a, (const char *)ev->data.scalar.anchor), n);
        add_child(r, n, root);
        return true;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (r->depth == YAML_MAX_DEPTH) {
            diag_error(r->d, mark_of(ev->start_mark), "yaml",
                       "the model nests deeper than %d levels", YAML_MAX_DEPTH);
            diag_hint(r->d, "a model needs at most 6 levels (tables: NAME: columns: NAME: "
                            "{...}); close the [ and { that are left open");
            return false;
        }
        bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
        YNode *n = new_node(r, seq ? Y_SEQUENCE : Y_MAPPING, ev);
        const yaml_char_t *anchor =
            seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
        refuse_tag(r, ev, seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag);
        n->flow = seq ? ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                      : ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
        Frame *f = &r->stack[r->depth++];
        memset(f, 0, sizeof *f);
        f->node = n;
        f->anchor = anchor ? arena_strdup(r->a, (const char *)anchor) : NULL;
        return true;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: finish_collection(r, root); return true;
    case YAML_ALIAS_EVENT: {
        /* an anchor counts once its node is complete: "&a [*a]" names nothing yet */
        YNode *n = anchor_get(r, (const char *)ev->data.alias.anchor);
        if (!n) {
            diag_error(r->d, mark_of(ev->start_mark), "yaml",
                       "invalid YAML: found undefined alias");
            return false;
        }
        r->repeated += n->reach; /* the walk visits the whole node again */
        if (r->repeated > YAML_MAX_REPEAT + r->nodes) {
            diag_error(r->d, mark_of(ev->start_mark), "yaml",
                       "aliases repeat more than %u nodes of the model", YAML_MAX_REPEAT);
            diag_hint(r->d, "write the repeated parts out; an alias may stand for a "
                            "small piece of the model, not multiply it");
            return false;
        }
        add_child(r, n, root);
        return true;
    }
    default: return true;
    }
}

/* Reader errors (bad UTF-8, control characters) carry a byte offset, not a mark. */
static Mark offset_mark(const char *text, size_t at)
{
    Mark m = {1, 1};
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n') {
            m.line++;
            m.col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            m.col++;
        }
    }
    return m;
}

static void report_yaml_error(Diag *d, const yaml_parser_t *p, const char *text, size_t len)
{
    Mark m = mark_of(p->problem_mark);
    if (p->error == YAML_READER_ERROR && p->problem_offset < len) {
        size_t at = p->problem_offset;
        /* "invalid trailing octet" points past the sequence's first byte: report that byte */
        for (int k = 0; k < 3 && at > 0 && ((unsigned char)text[at] & 0xC0) != 0xC0 &&
                        (unsigned char)text[at - 1] >= 0x80;
             k++)
            at--;
        m = offset_mark(text, at);
    }
    const char *what = p->problem ? p->problem : "cannot parse";
    if (p->context)
        diag_error(d, m, "yaml", "invalid YAML: %s (%s at line %d)", what, p->context,
                   (int)p->context_mark.line + 1);
    else
        diag_error(d, m, "yaml", "invalid YAML: %s", what);
    /* a tab in the indentation of the problem line */
    size_t o = 0;
    for (int line = 1; line < m.line && o < len; o++)
        if (text[o] == '\n')
            line++;
    while (o < len && (text[o] == ' ' || text[o] == '\t')) {
        if (text[o] == '\t') {
            diag_hint(d, "YAML indents with spaces; replace the tab on line %d", m.line);
            break;
        }
        o++;
    }
}

YNode *yaml_read(Arena *a, Diag *d, const char *text, size_t len, bool *empty)
{
    *empty = false;
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        diag_error(d, offset_mark(text, (size_t)(nul - text)), "yaml",
                   "the model contains a NUL byte; a model is UTF-8 text");
        diag_hint(d, "remove the NUL byte (and anything else that is not text) from the file");
        return NULL;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        diag_file_error(d, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    Reader r = {.a = a, .d = d};
    YNode *root = NULL;
    int docs = 0;
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            report_yaml_error(d, &parser, text, len);
            ok = false;
            break;
        }
        if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs == 2) {
            diag_error(d, mark_of(ev.start_mark), "yaml",
                       "the model must be one YAML document; found a second one");
            done = true;
        } else if (ev.type == YAML_STREAM_END_EVENT) {
            done = true;
        } else {
            ok = on_event(&r, &ev, &root);
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (!ok)
        return NULL;
    if (!root || ynode_is_null(root)) {
        *empty = true;
        return NULL;
    }
    return root;
}

static size_t hash_text(const char *s, size_t n)
{
    size_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

void model_forget_repeats(Diag *d, int from)
{
    int n = d->npending - from;
    if (n < 2)
        return;
    size_t cap = 16;
    while (cap < (size_t)n * 2)
        cap *= 2;
    int *slot = xmalloc(cap * sizeof *slot); /* index into pending of a kept entry, or -1 */
    for (size_t i = 0; i < cap; i++)
        slot[i] = -1;
    int kept = from;
    for (int i = from; i < d->npending; i++) {
        DiagEntry e = d->pending[i];
        size_t h = hash_text(e.text, e.len) & (cap - 1);
        bool seen = false;
        while (slot[h] >= 0 && !seen) {
            const DiagEntry *k = &d->pending[slot[h]];
            seen = k->len == e.len && !memcmp(k->text, e.text, e.len);
            h = (h + 1) & (cap - 1);
        }
        if (!seen) {
            slot[h] = kept;
            d->pending[kept++] = e;
            continue;
        }
        if (strstr(e.text, ": error: "))
            d->errors--;
        else if (strstr(e.text, ": warning: "))
            d->warnings--;
        free(e.text);
    }
    free(slot);
    d->npending = kept;
}
