/* arena.h - one region allocator per compilation, plus a growable byte buffer.
 *
 * Everything the generator builds for one run (model, expression trees,
 * catalog, generated text) is allocated from one Arena and released with one
 * arena_free().  Allocation never fails: on out-of-memory the process prints
 * one line and aborts (style.md: "Out of memory: one line, then abort").
 *
 * Buf is a heap-backed (not arena-backed) byte buffer for text that grows a
 * lot (emitted SQL); the caller owns it and calls buf_free().
 */
#ifndef STARGEN_ARENA_H
#define STARGEN_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *head;
} Arena;

/* Aborts with a message when malloc/realloc fail. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

void arena_init(Arena *a);
/* Zeroed memory, aligned for any object; lives until arena_free(a). */
void *arena_alloc(Arena *a, size_t n);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(Arena *a);

/* Growable pointer array allocated in an arena (old storage is abandoned to
 * the arena on growth, which is fine for the sizes we handle). */
typedef struct Vec {
    void **items;
    size_t len, cap;
} Vec;
void vec_push(Arena *a, Vec *v, void *item);

typedef struct Buf {
    char *data; /* always NUL-terminated when len > 0 or after buf_init */
    size_t len, cap;
} Buf;
void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_reset(Buf *b);
void buf_putn(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the NUL-terminated contents to the caller (free() it); b is reset. */
char *buf_detach(Buf *b, size_t *len);

#endif
