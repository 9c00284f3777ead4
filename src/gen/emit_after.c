/* emit_after.c - each step's `-- stargen:after steps=…` list (docs/out-format.md, "Directives").
 *
 * A step declares what it reads and what it writes (a staging table, a star table under
 * either of its names, the ledger of incremental sources); two steps conflict when one
 * writes what the other reads or writes.  A step comes after every earlier step it
 * conflicts with; the list keeps only those not already implied by another entry (a
 * transitive reduction), so it reads like a make rule.  A step that conflicts with no
 * earlier one comes after the step just before it: when in doubt, wait.
 */
#include "emit_internal.h"

#include <stdlib.h>
#include <string.h>

/* Linear in the steps and what they use (22-scaling doubles a model of 3,000 staging
 * tables): a step's direct waits come from each shared thing's last writer and the readers
 * since, as make does with files; the reduction then drops a wait that another wait of the
 * same step already reaches.  Both conflict rules above give the same transitive closure
 * (a chain of writers and readers links any two conflicting steps), and a DAG's transitive
 * reduction depends only on its closure, so the lists are those of comparing every pair. */

typedef struct Reader {
    size_t step;
    struct Reader *next;
} Reader;

typedef struct Thing {
    const void *what;
    long last_writer; /* -1: none yet */
    Reader *readers;  /* readers since the last writer */
} Thing;

static int by_what(const void *x, const void *y)
{
    const void *a = ((const Thing *)x)->what, *b = ((const Thing *)y)->what;
    return a < b ? -1 : a > b;
}

/* what's entry in t[0..n), sorted by address; every thing a step uses is there */
static Thing *thing_of(Thing *t, size_t n, const void *what)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].what <= what)
            lo = mid;
        else
            hi = mid;
    }
    return &t[lo];
}

typedef struct Waits {
    size_t *items, len, cap;
} Waits;

static void wait_on(Arena *a, Waits *w, size_t *mark, size_t j, size_t i)
{
    if (mark[i] == j + 1)
        return;
    mark[i] = j + 1;
    if (w->len == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 4;
        size_t *items = arena_alloc(a, cap * sizeof *items);
        if (w->len)
            memcpy(items, w->items, w->len * sizeof *items);
        w->items = items;
        w->cap = cap;
    }
    w->items[w->len++] = i;
}

static int by_index(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

const char **emit_after_lists(Arena *a, const StepUse *steps, size_t n)
{
    const char **out = arena_alloc(a, (n ? n : 1) * sizeof *out);
    Waits *w = arena_alloc(a, (n ? n : 1) * sizeof *w);
    size_t *mark = arena_alloc(a, (n ? n : 1) * sizeof *mark);
    size_t *seen = arena_alloc(a, (n ? n : 1) * sizeof *seen);
    /* a step's waits, then each earlier step at most once */
    size_t *stack = arena_alloc(a, (2 * n + 1) * sizeof *stack);
    memset(w, 0, (n ? n : 1) * sizeof *w);
    memset(mark, 0, (n ? n : 1) * sizeof *mark);
    memset(seen, 0, (n ? n : 1) * sizeof *seen);

    /* every thing any step uses, sorted by address (thing_of) */
    size_t nt = 0;
    for (size_t j = 0; j < n; j++)
        nt += steps[j].reads.len + steps[j].writes.len;
    Thing *t = arena_alloc(a, (nt ? nt : 1) * sizeof *t);
    nt = 0;
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < steps[j].reads.len; i++)
            t[nt++] = (Thing){steps[j].reads.items[i], -1, NULL};
        for (size_t i = 0; i < steps[j].writes.len; i++)
            t[nt++] = (Thing){steps[j].writes.items[i], -1, NULL};
    }
    qsort(t, nt, sizeof *t, by_what);
    size_t u = 0;
    for (size_t i = 0; i < nt; i++)
        if (u == 0 || t[u - 1].what != t[i].what)
            t[u++] = t[i];
    nt = u;

    /* direct waits: the last writer of what a step reads; the last writer and the readers
     * since of what it writes */
    for (size_t j = 0; j < n; j++) {
        out[j] = NULL;
        if (steps[j].all_before)
            continue;
        for (size_t i = 0; i < steps[j].reads.len; i++) {
            Thing *x = thing_of(t, nt, steps[j].reads.items[i]);
            if (x->last_writer >= 0)
                wait_on(a, &w[j], mark, j, (size_t)x->last_writer);
        }
        for (size_t i = 0; i < steps[j].writes.len; i++) {
            Thing *x = thing_of(t, nt, steps[j].writes.items[i]);
            if (x->last_writer >= 0)
                wait_on(a, &w[j], mark, j, (size_t)x->last_writer);
            for (Reader *r = x->readers; r; r = r->next)
                if (r->step != j)
                    wait_on(a, &w[j], mark, j, r->step);
        }
        for (size_t i = 0; i < steps[j].reads.len; i++) {
            Thing *x = thing_of(t, nt, steps[j].reads.items[i]);
            Reader *r = arena_alloc(a, sizeof *r);
            r->step = j;
            r->next = x->readers;
            x->readers = r;
        }
        for (size_t i = 0; i < steps[j].writes.len; i++) {
            Thing *x = thing_of(t, nt, steps[j].writes.items[i]);
            x->last_writer = (long)j;
            x->readers = NULL;
        }
        if (w[j].len == 0 && j > 0)
            wait_on(a, &w[j], mark, j, j - 1);
    }

    /* the reduction: a wait that another wait of the same step reaches is dropped; the
     * search only visits steps above the lowest wait (waits point to earlier steps), and an
     * all_before step reaches every step before it */
    for (size_t j = 1; j < n; j++) {
        if (steps[j].all_before)
            continue;
        Waits *wj = &w[j];
        qsort(wj->items, wj->len, sizeof *wj->items, by_index);
        size_t low = wj->len ? wj->items[0] : 0, top = 0, below_all = 0;
        for (size_t k = 0; k < wj->len; k++) /* start from each wait's own waits */
            stack[top++] = wj->items[k];
        while (top) {
            size_t v = stack[--top];
            if (steps[v].all_before) {
                if (v > below_all)
                    below_all = v;
                continue;
            }
            for (size_t e = 0; e < w[v].len; e++) {
                size_t x = w[v].items[e];
                if (x >= low && seen[x] != j + 1) {
                    seen[x] = j + 1;
                    stack[top++] = x;
                }
            }
        }
        Buf b;
        buf_init(&b);
        for (size_t k = 0; k < wj->len; k++) {
            size_t i = wj->items[k];
            if (seen[i] == j + 1 || i < below_all)
                continue;
            buf_printf(&b, "%s%s", b.len ? "," : "", steps[i].name);
        }
        out[j] = arena_strdup(a, b.data);
        buf_free(&b);
    }
    return out;
}
