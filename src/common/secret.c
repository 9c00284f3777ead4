/* secret.c - see secret.h. */
#include "secret.h"

#include <stdlib.h>

void secret_free(char *s)
{
    if (!s)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = '\0';
    free(s);
}
