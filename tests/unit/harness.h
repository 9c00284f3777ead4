/* harness.h - a tiny in-house unit test harness (after Redis's testhelp.h).
 *
 * TEST(name) { ... } defines and registers a test; CHECK(cond) and
 * CHECK_STR(got, want) record a failure with file:line and keep going.
 * tests/unit/main.c runs every registered test and prints the closing
 * line "N passed, N failed" that tests/run sums.  A test passes when none of
 * its CHECKs failed.
 */
#ifndef STARGEN_HARNESS_H
#define STARGEN_HARNESS_H

#include <stdio.h>
#include <string.h>

typedef void (*TestFn)(int *failed);
void harness_register(const char *name, const char *file, TestFn fn);

#define TEST(name)                                                                                 \
    static void test_##name(int *failed_);                                                         \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        harness_register(#name, __FILE__, test_##name);                                            \
    }                                                                                              \
    static void test_##name(int *failed_)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);             \
            *failed_ = 1;                                                                          \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (!g_ || !w_ || strcmp(g_, w_) != 0) {                                                   \
            fprintf(stderr, "  %s:%d: got  \"%s\"\n  %*s  want \"%s\"\n", __FILE__, __LINE__,      \
                    g_ ? g_ : "(null)", (int)strlen(__FILE__) + 6, "", w_ ? w_ : "(null)");        \
            *failed_ = 1;                                                                          \
        }                                                                                          \
    } while (0)

#endif
