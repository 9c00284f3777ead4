/* distkey.c - the tunable values of the distribution health checks; see distkey.h. */
#include "distkey.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MARK "/*stargen:"

/* A plain non-negative number: digits, at most one '.', at most 18 characters. */
static bool plain_number(const char *v, bool integer)
{
    size_t n = strlen(v), dots = 0;
    if (n == 0 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '.')
            dots++;
        else if (v[i] < '0' || v[i] > '9')
            return false;
    }
    return dots == 0 || (!integer && dots == 1 && n > 1);
}

int distkey_settings_apply(const char *sql, size_t len, Buf *out, Buf *err)
{
    const char *p = sql, *end = sql + len;
    while (p < end) {
        const char *m = NULL;
        for (const char *q = p; q + sizeof MARK - 1 <= end; q++)
            if (!memcmp(q, MARK, sizeof MARK - 1)) {
                m = q;
                break;
            }
        if (!m) {
            buf_putn(out, p, (size_t)(end - p));
            break;
        }
        const char *name = m + sizeof MARK - 1, *ne = name;
        while (ne < end && ((*ne >= 'a' && *ne <= 'z') || *ne == '_'))
            ne++;
        if (ne + 2 > end || ne[0] != '*' || ne[1] != '/' || ne == name) {
            buf_putn(out, p, (size_t)(name - p));
            p = name;
            continue;
        }
        const char *lit = ne + 2, *le = lit;
        while (le < end && ((*le >= '0' && *le <= '9') || *le == '.'))
            le++;
        buf_putn(out, p, (size_t)(lit - p));
        char env[64] = "STARGEN_";
        size_t k = strlen(env);
        for (const char *c = name; c < ne && k + 1 < sizeof env; c++)
            env[k++] = (char)(*c == '_' ? '_' : *c - 32);
        env[k] = '\0';
        const char *v = getenv(env);
        if (v && *v) {
            bool slices = !strcmp(env, "STARGEN_DIST_SLICES");
            bool integer = slices || strstr(env, "_ROWS") != NULL;
            if (!plain_number(v, integer) || (slices && (atol(v) < 1 || atol(v) > 100000))) {
                buf_printf(err, "%s=\"%s\" is not %s", env, v,
                           slices    ? "a number of slices from 1 to 100000"
                           : integer ? "a whole number of rows"
                                     : "a plain number such as 0.25");
                return -1;
            }
            buf_puts(out, v);
        } else {
            buf_putn(out, lit, (size_t)(le - lit));
        }
        p = le;
    }
    return 0;
}
