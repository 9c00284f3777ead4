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

#include <string.h>

static bool shares(const Vec *x, const Vec *y)
{
    for (size_t i = 0; i < x->len; i++)
        for (size_t k = 0; k < y->len; k++)
            if (x->items[i] == y->items[k])
                return true;
    return false;
}

static bool conflicts(const StepUse *a, const StepUse *b)
{
    return shares(&a->writes, &b->writes) || shares(&a->writes, &b->reads) ||
           shares(&a->reads, &b->writes);
}

const char **emit_after_lists(Arena *a, const StepUse *steps, size_t n)
{
    const char **out = arena_alloc(a, (n ? n : 1) * sizeof *out);
    /* dep[j*n+i]: j waits for i (i < j); reach[j*n+i]: j waits for i, directly or not */
    bool *dep = arena_alloc(a, (n * n + 1) * sizeof *dep);
    bool *reach = arena_alloc(a, (n * n + 1) * sizeof *reach);
    memset(dep, 0, n * n * sizeof *dep);
    memset(reach, 0, n * n * sizeof *reach);
    for (size_t j = 0; j < n; j++) {
        out[j] = NULL;
        if (steps[j].all_before)
            continue;
        bool any = false;
        for (size_t i = 0; i < j; i++)
            if (conflicts(&steps[i], &steps[j]))
                dep[j * n + i] = any = true;
        if (!any && j > 0)
            dep[j * n + j - 1] = true;
    }
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < j; i++) {
            bool d = steps[j].all_before || dep[j * n + i];
            if (!d)
                continue;
            reach[j * n + i] = true;
            for (size_t k = 0; k < i; k++)
                reach[j * n + k] |= reach[i * n + k];
        }
    }
    for (size_t j = 1; j < n; j++) {
        if (steps[j].all_before)
            continue;
        Buf b;
        buf_init(&b);
        for (size_t i = 0; i < j; i++) {
            if (!dep[j * n + i])
                continue;
            bool implied = false; /* another step j waits for already waits for i */
            for (size_t k = i + 1; k < j && !implied; k++)
                implied = dep[j * n + k] && reach[k * n + i];
            if (!implied)
                buf_printf(&b, "%s%s", b.len ? "," : "", steps[i].name);
        }
        out[j] = arena_strdup(a, b.data);
        buf_free(&b);
    }
    return out;
}
