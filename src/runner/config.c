/* config.c - dwh.cfg INI reader; see config.h. */
#include "config.h"

#include "../common/readfile.h"
#include "../common/secret.h"
#include "../common/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *config_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static void set(char **slot, const char *v)
{
    free(*slot);
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
        *slot = xmalloc(n - 1);
        memcpy(*slot, v + 1, n - 2);
        (*slot)[n - 2] = '\0';
    } else {
        *slot = xstrdup(v);
    }
}

int config_parse(Config *c, const char *text, const char *path, Buf *err)
{
    memset(c, 0, sizeof *c);
    char *copy = xstrdup(text);
    char section[64] = "";
    int lineno = 0, rc = 0;
    char *save = NULL;
    for (char *line = copy; line && rc == 0; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        char *s = config_trim(line);
        if (*s == '\0' || *s == ';' || *s == '#')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close) {
                buf_printf(err, "%s:%d: expected ']' closing the section name", path, lineno);
                rc = -1;
                break;
            }
            *close = '\0';
            snprintf(section, sizeof section, "%s", config_trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq)
            eq = strchr(s, ':');
        if (!eq) {
            buf_printf(err, "%s:%d: expected key = value", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = config_trim(s), *val = config_trim(eq + 1);
        if (strcasecmp(section, "CLUSTER") == 0) {
            if (strcasecmp(key, "HOST") == 0)
                set(&c->host, val);
            else if (strcasecmp(key, "DB_NAME") == 0)
                set(&c->dbname, val);
            else if (strcasecmp(key, "DB_USER") == 0)
                set(&c->user, val);
            else if (strcasecmp(key, "DB_PASSWORD") == 0)
                set(&c->password, val);
            else if (strcasecmp(key, "DB_PORT") == 0)
                set(&c->port, val);
        } else if (strcasecmp(section, "IAM_ROLE") == 0 && strcasecmp(key, "ARN") == 0) {
            set(&c->iam_role, val);
        } else if (strcasecmp(section, "AWS") == 0) {
            if (strcasecmp(key, "KEY") == 0 || strcasecmp(key, "AWS_ACCESS_KEY_ID") == 0)
                set(&c->aws_key, val);
            else if (strcasecmp(key, "SECRET") == 0 ||
                     strcasecmp(key, "AWS_SECRET_ACCESS_KEY") == 0)
                set(&c->aws_secret, val);
        }
    }
    free(copy);
    if (rc)
        config_free(c);
    return rc;
}

int config_load(Config *c, const char *path, Buf *err)
{
    memset(c, 0, sizeof *c);
    Buf shown; /* the path as messages print it (it comes from the command line) */
    buf_init(&shown);
    utf8_escape_display_str(&shown, path);
    size_t len;
    char *text = read_whole_file(path, (size_t)1 << 20, &len);
    if (!text) {
        buf_printf(err, "cannot read config %s: %s", shown.data, strerror(errno));
        buf_free(&shown);
        return -1;
    }
    int rc = config_parse(c, text, shown.data, err);
    memset(text, 0, len); /* it held passwords */
    free(text);
    buf_free(&shown);
    return rc;
}

void config_free(Config *c)
{
    free(c->host);
    free(c->port);
    free(c->dbname);
    free(c->user);
    secret_free(c->password);
    free(c->iam_role);
    secret_free(c->aws_key);
    secret_free(c->aws_secret);
    memset(c, 0, sizeof *c);
}
