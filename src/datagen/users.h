/* users.h - the Sparkify listeners: who they are, rendered once as the JSON
 * values the event logs repeat on every logged-in event.
 */
#ifndef SPARKIFY_USERS_H
#define SPARKIFY_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"

/* A JSON value as text (quoted string, number or null). */
typedef struct Text {
    const char *s;
    size_t n;
} Text;

typedef struct User {
    Text first, gender, last, location, registration, agent, id;
    unsigned ms;       /* millisecond part shared by the user's ts and registration */
    unsigned paid;     /* 1: level "paid" when the data starts */
    unsigned activity; /* relative weight of how much the user listens, >= 1 */
} User;

typedef struct Users {
    Arena arena;
    User *v;
    size_t n;
} Users;

/* Builds n users for seed; user i has userId "i+1".  Each registered
 * between one hour and 120 days before start_ms (epoch milliseconds). */
void users_build(Users *u, uint64_t seed, size_t n, int64_t start_ms);
void users_free(Users *u);

#endif
