/* config.h - the Sparkify-style dwh.cfg INI file.
 *
 * Reads [CLUSTER] HOST, DB_NAME, DB_USER, DB_PASSWORD, DB_PORT and
 * [IAM_ROLE] ARN, and [AWS] KEY / SECRET (credentials for reading S3 sources
 * and --publish; Sparkify's dwh.cfg has this section).  Section and key names are case-insensitive;
 * `key=value` or `key = value`; full-line `;` and `#` comments; one pair of matching surrounding
 * quotes is stripped from a value.  Unknown sections and keys are ignored (the same file feeds
 * other tools).  The password is kept only to hand it to libpq, the AWS secret only to hand it to
 * libcurl; nothing here prints a value.
 */
#ifndef STARGEN_CONFIG_H
#define STARGEN_CONFIG_H

#include "../common/arena.h"

typedef struct Config {
    char *host, *port, *dbname, *user, *password; /* NULL when absent; owned */
    char *iam_role;                               /* [IAM_ROLE] ARN */
    char *aws_key, *aws_secret;                   /* [AWS] KEY, SECRET */
} Config;

/* Parses text (NUL-terminated); path names the file in messages.  Returns 0,
 * or -1 with "path:LINE: ..." appended to err.  Free with config_free. */
int config_parse(Config *c, const char *text, const char *path, Buf *err);
/* Reads and parses a file; -1 with a message if it cannot be read. */
int config_load(Config *c, const char *path, Buf *err);
void config_free(Config *c);

/* s without its leading and trailing white space (in place): the INI rule both of the
 * runner's INI readers (--config and ~/.aws/credentials) follow. */
char *config_trim(char *s);

#endif
