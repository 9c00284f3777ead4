/* ident.c - reserved words of both dialects, quoting, name validity, edit distance. */
#include "ident.h"

#include <stdlib.h>
#include <string.h>

/* Redshift's reserved words (AWS r_pg_keywords, plus CONNECT, LANGUAGE, START from
 * the 2023 page) merged with PostgreSQL 15's category R and T keywords
 * (pg_get_keywords()), lowercased and sorted for bsearch. */
static const char *const reserved[] = {
    "aes128",
    "aes256",
    "all",
    "allowoverwrite",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "az64",
    "backup",
    "between",
    "binary",
    "blanksasnull",
    "both",
    "bytedict",
    "bzip2",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "connect",
    "constraint",
    "create",
    "credentials",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "current_user_id",
    "default",
    "deferrable",
    "deflate",
    "defrag",
    "delta",
    "delta32k",
    "desc",
    "disable",
    "distinct",
    "do",
    "else",
    "emptyasnull",
    "enable",
    "encode",
    "encrypt",
    "encryption",
    "end",
    "except",
    "explicit",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "globaldict256",
    "globaldict64k",
    "grant",
    "group",
    "gzip",
    "having",
    "identity",
    "ignore",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "language",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "lun",
    "luns",
    "lzo",
    "lzop",
    "minus",
    "mostly16",
    "mostly32",
    "mostly8",
    "natural",
    "new",
    "not",
    "notnull",
    "null",
    "nulls",
    "off",
    "offline",
    "offset",
    "oid",
    "old",
    "on",
    "only",
    "open",
    "or",
    "order",
    "outer",
    "overlaps",
    "parallel",
    "partition",
    "percent",
    "permissions",
    "pivot",
    "placing",
    "primary",
    "raw",
    "readratio",
    "recover",
    "references",
    "rejectlog",
    "resort",
    "respect",
    "restore",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "snapshot",
    "some",
    "start",
    "symmetric",
    "sysdate",
    "system",
    "table",
    "tablesample",
    "tag",
    "tdes",
    "text255",
    "text32k",
    "then",
    "timestamp",
    "to",
    "top",
    "trailing",
    "true",
    "truncatecolumns",
    "union",
    "unique",
    "unnest",
    "unpivot",
    "user",
    "using",
    "variadic",
    "verbose",
    "wallet",
    "when",
    "where",
    "window",
    "with",
    "without",
};

static int cmp(const void *k, const void *e)
{
    return strcmp(k, *(const char *const *)e);
}

bool ident_is_reserved(const char *word)
{
    return bsearch(word, reserved, sizeof reserved / sizeof reserved[0], sizeof reserved[0], cmp) !=
           NULL;
}

static bool plain(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$'))
            return false;
    return true;
}

void ident_quote(Buf *b, const char *name)
{
    if (plain(name) && !ident_is_reserved(name)) {
        buf_puts(b, name);
        return;
    }
    buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

bool ident_valid(const char *name, const char **why)
{
    size_t n = strlen(name);
    if (n == 0) {
        *why = "a name cannot be empty";
        return false;
    }
    if (n > IDENT_MAX_BYTES) {
        *why = "names are at most 63 bytes (PostgreSQL truncates longer ones)";
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            *why = "names must be lowercase (Redshift folds quoted names to lowercase)";
            return false;
        }
    }
    if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) {
        *why = "a name starts with a lowercase letter or \"_\"";
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
            *why = "a name holds only lowercase letters, digits and \"_\"";
            return false;
        }
    }
    return true;
}

void ident_literal(Buf *b, const char *text, bool double_backslash)
{
    buf_putc(b, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '\'' || (double_backslash && *p == '\\'))
            buf_putc(b, *p);
        buf_putc(b, *p);
    }
    buf_putc(b, '\'');
}

int ident_distance(const char *a, const char *b, int limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((int)(la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    int *row = calloc(lb + 1, sizeof *row);
    if (!row)
        return limit + 1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        int best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int v = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < v)
                v = row[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            prev = cur;
            if (v < best)
                best = v;
        }
        if (best > limit) {
            free(row);
            return limit + 1;
        }
    }
    int d = row[lb];
    free(row);
    return d;
}
