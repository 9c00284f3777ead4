/* sha256.h - SHA-256 (FIPS 180-4) for step checksums.
 *
 * libpq has no public digest API, so the runner carries this small
 * implementation.  Streaming interface plus a one-shot hex helper.
 */
#ifndef STARGEN_SHA256_H
#define STARGEN_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct Sha256 {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    unsigned char block[64];
    size_t fill; /* bytes waiting in block */
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t n);
/* Writes the 32-byte digest; s must be re-initialised before reuse. */
void sha256_final(Sha256 *s, unsigned char out[32]);
/* Hashes data and writes 64 lowercase hex digits plus NUL into hex. */
void sha256_hex(const void *data, size_t n, char hex[65]);

#endif
