/* secret.h - forgetting a secret: zero a password or key before its memory is freed.
 *
 * A freed buffer keeps its bytes until reused; a core dump or a later bug could
 * show them.  The volatile writes are not optimised away.
 */
#ifndef STARGEN_SECRET_H
#define STARGEN_SECRET_H

/* Zeroes the NUL-terminated string s, then frees it.  NULL does nothing. */
void secret_free(char *s);

#endif
