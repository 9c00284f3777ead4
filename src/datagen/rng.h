/* rng.h - deterministic pseudo-random numbers for the data generator.
 *
 * xoshiro256** seeded through splitmix64.  Every helper works on integers
 * only, so the numbers (and therefore the generated files) never depend on
 * libm, the FPU, floating-point contraction or the platform's rand().
 * The same seed gives the same sequence on every machine.
 */
#ifndef SPARKIFY_RNG_H
#define SPARKIFY_RNG_H

#include <stdint.h>

typedef struct Rng {
    uint64_t s[4];
} Rng;

/* splitmix64 finalizer: a good 64-bit mix, used to hash (seed, stream, index). */
uint64_t rng_mix(uint64_t x);

/* Seeds r from one 64-bit value (any value, 0 included). */
void rng_seed(Rng *r, uint64_t seed);

/* Seeds r for an independent sub-stream: the same (seed, stream, index)
 * always gives the same sequence, different triples give unrelated ones.
 * Used to regenerate an item (a phantom song, say) from its index alone. */
void rng_derive(Rng *r, uint64_t seed, uint64_t stream, uint64_t index);

uint64_t rng_next(Rng *r);

/* Uniform in [0, n); n must be > 0.  Unbiased (rejection sampling). */
uint64_t rng_below(Rng *r, uint64_t n);

/* Uniform in [lo, hi], lo <= hi. */
uint64_t rng_range(Rng *r, uint64_t lo, uint64_t hi);

/* 1 with probability ppm / 1,000,000. */
int rng_chance(Rng *r, uint32_t ppm);

/* In [0, n), n <= 2^32, skewed toward 0: the product of two uniforms scaled
 * back to n (density ~ -ln x).  Applying it to its own result skews more. */
uint64_t rng_skew(Rng *r, uint64_t n);

/* Picks one element of a string table of n entries uniformly. */
const char *rng_pick(Rng *r, const char *const *table, uint64_t n);

#define RNG_PICK(r, table) rng_pick((r), (table), sizeof(table) / sizeof((table)[0]))

#endif
