/* main.c - runs every unit test registered with TEST() (harness.h).
 * Usage: unit-tests [substring]   runs the tests whose name contains substring. */
#include <stdlib.h>

#include "harness.h"

typedef struct {
    const char *name, *file;
    TestFn fn;
} Test;

static Test tests[1024];
static int ntests;

void harness_register(const char *name, const char *file, TestFn fn)
{
    if (ntests == (int)(sizeof tests / sizeof tests[0])) {
        fputs("harness: too many tests\n", stderr);
        abort();
    }
    tests[ntests].name = name;
    tests[ntests].file = file;
    tests[ntests].fn = fn;
    ntests++;
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        if (filter && !strstr(tests[i].name, filter))
            continue;
        int f = 0;
        tests[i].fn(&f);
        if (f) {
            failed++;
            printf("FAIL %s (%s)\n", tests[i].name, tests[i].file);
        } else {
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
