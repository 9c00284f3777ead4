/* rng.c - xoshiro256** with splitmix64 seeding; see rng.h for the contract. */
#include "rng.h"

uint64_t rng_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void rng_seed(Rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15ULL;
        r->s[i] = rng_mix(x);
    }
    /* xoshiro must not start from the all-zero state; rng_mix makes that
     * practically impossible, but be exact about it. */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
}

void rng_derive(Rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    rng_seed(r, rng_mix(rng_mix(seed ^ 0x5851f42d4c957f2dULL) ^ stream) ^ rng_mix(index));
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rng_below(Rng *r, uint64_t n)
{
    /* Reject the low values that would make "% n" favour small results. */
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = rng_next(r);
        if (x >= threshold)
            return x % n;
    }
}

uint64_t rng_range(Rng *r, uint64_t lo, uint64_t hi)
{
    if (hi - lo == UINT64_MAX)
        return rng_next(r);
    return lo + rng_below(r, hi - lo + 1);
}

int rng_chance(Rng *r, uint32_t ppm)
{
    return rng_below(r, 1000000) < ppm;
}

uint64_t rng_skew(Rng *r, uint64_t n)
{
    uint64_t a = rng_below(r, n), b = rng_below(r, n);
    return a * b / n;
}

const char *rng_pick(Rng *r, const char *const *table, uint64_t n)
{
    return table[rng_below(r, n)];
}
