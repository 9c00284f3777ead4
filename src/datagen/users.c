/* users.c - listener profiles; see users.h. */
#include "users.h"

#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "names.h"
#include "rng.h"

enum { STREAM_USERS = 10 };

static Text quoted(Arena *a, const char *s)
{
    size_t n = strlen(s);
    char *d = arena_alloc(a, JSONW_QUOTED_MAX(n) + 1);
    Text t = {d, jsonw_quote(d, s, n, JSONW_ASCII | JSONW_SLASH)};
    return t;
}

static Text number(Arena *a, uint64_t v, const char *suffix)
{
    char *d = arena_alloc(a, 24);
    size_t n = jsonw_u64(d, v);
    size_t sl = strlen(suffix);
    memcpy(d + n, suffix, sl);
    Text t = {d, n + sl};
    return t;
}

void users_build(Users *u, uint64_t seed, size_t n, int64_t start_ms)
{
    arena_init(&u->arena);
    u->n = n;
    u->v = xcalloc(n ? n : 1, sizeof *u->v);
    Rng r;
    rng_derive(&r, seed, STREAM_USERS, 0);
    for (size_t i = 0; i < n; i++) {
        User *p = &u->v[i];
        char gender = rng_below(&r, 100) < 52 ? 'F' : 'M';
        p->first = quoted(&u->arena, names_first(&r, gender));
        p->gender = quoted(&u->arena, gender == 'F' ? "F" : "M");
        p->last = quoted(&u->arena, names_last(&r));
        p->location = quoted(&u->arena, names_metro(&r));
        p->agent = quoted(&u->arena, names_user_agent(&r));
        p->ms = (unsigned)rng_below(&r, 1000);
        uint64_t reg_s = (uint64_t)(start_ms / 1000) - rng_range(&r, 3600, 120 * 86400);
        p->registration = number(&u->arena, reg_s * 1000 + p->ms, ".0");
        char id[24];
        size_t idn = jsonw_u64(id + 1, (uint64_t)i + 1);
        id[0] = '"';
        id[idn + 1] = '"';
        id[idn + 2] = '\0';
        p->id.s = arena_strdup(&u->arena, id);
        p->id.n = idn + 2;
        p->paid = rng_below(&r, 100) < 35;
        /* many light listeners, a few heavy ones (up to ~5x the mean) */
        p->activity =
            200 + (unsigned)rng_skew(&r, rng_skew(&r, 1600) + 1) + (unsigned)rng_below(&r, 100);
    }
}

void users_free(Users *u)
{
    free(u->v);
    u->v = NULL;
    arena_free(&u->arena);
}
