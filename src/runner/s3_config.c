/* s3_config.c - S3 settings and credentials: environment, --config [AWS],
 * ~/.aws/credentials profiles, region, endpoint, retry knobs; redacting
 * secrets from messages.  See s3.h. */
#include "config.h"
#include "s3.h"

#include "../common/readfile.h"
#include "../common/secret.h"
#include "../common/utf8.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration ------------------------------------------------------ */

static char *env_dup(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? xstrdup(v) : NULL;
}

static long env_long(const char *name, long dflt, long min)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n < min ? dflt : n;
}

int s3_credentials_parse(const char *text, const char *profile, char **key, char **secret,
                         char **token)
{
    *key = *secret = *token = NULL;
    char *copy = xstrdup(text);
    int in = 0, found = 0;
    char *next;
    for (char *line = copy; line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        char *s = config_trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (close)
                *close = '\0';
            char *name = config_trim(s + 1);
            if (strncmp(name, "profile", 7) == 0 && isspace((unsigned char)name[7]))
                name = config_trim(name + 8);
            in = strcmp(name, profile) == 0;
            found |= in;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in || !eq)
            continue;
        *eq = '\0';
        char *k = config_trim(s), *v = config_trim(eq + 1);
        char **slot =
            strcasecmp(k, "aws_access_key_id") == 0       ? key
            : strcasecmp(k, "aws_secret_access_key") == 0 ? secret
            : strcasecmp(k, "aws_session_token") == 0 || strcasecmp(k, "aws_security_token") == 0
                ? token
                : NULL;
        if (slot && *v) {
            secret_free(*slot);
            *slot = xstrdup(v);
        }
    }
    size_t n = strlen(text);
    memset(copy, 0, n); /* the copy held secrets */
    free(copy);
    return found;
}

/* The share's locks, one per kind of shared data: runner --jobs runs COPYs from S3 on
 * several threads at once (jobs.h), and libcurl asks for them around every use. */
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *user)
{
    (void)h;
    (void)access;
    (void)user;
    pthread_mutex_lock(&share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *user)
{
    (void)h;
    (void)user;
    pthread_mutex_unlock(&share_locks[data]);
}

static pthread_once_t share_locks_once = PTHREAD_ONCE_INIT;
static void share_locks_init(void)
{
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&share_locks[i], NULL);
}

int s3_config_load(S3Config *c, const char *cfg_key, const char *cfg_secret, int no_sign, Buf *err)
{
    memset(c, 0, sizeof *c);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c->attempts = (int)env_long("STARGEN_S3_ATTEMPTS", 4, 1);
    c->backoff_ms = env_long("STARGEN_S3_BACKOFF_MS", 200, 0);
    c->page_size = env_long("STARGEN_S3_PAGE_SIZE", 0, 1);
    c->timeout_s = env_long("STARGEN_S3_TIMEOUT", 30, 1);
    /* one connection cache for every request: thousands of small objects would otherwise
     * each pay a TCP (and TLS) handshake.  Under runner --jobs several steps' requests run
     * at once, each on its own thread: the share takes a lock around each use. */
    pthread_once(&share_locks_once, share_locks_init);
    CURLSH *sh = curl_share_init();
    if (sh) {
        curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock);
        curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
        curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        c->share = sh;
    }
    c->region = env_dup("AWS_REGION");
    if (!c->region)
        c->region = env_dup("AWS_DEFAULT_REGION");
    if (!c->region)
        c->region = xstrdup("us-east-1");
    c->endpoint = env_dup("AWS_ENDPOINT_URL");
    if (c->endpoint) {
        size_t n = strlen(c->endpoint);
        while (n && c->endpoint[n - 1] == '/')
            c->endpoint[--n] = '\0';
    }
    if (no_sign) {
        c->cred_source = xstrdup("none (--no-sign-request)");
        return 0;
    }
    char *k = env_dup("AWS_ACCESS_KEY_ID"), *s = env_dup("AWS_SECRET_ACCESS_KEY");
    if (k || s) {
        if (!k || !s) {
            buf_puts(err, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
            secret_free(k);
            secret_free(s);
            s3_config_free(c);
            return -1;
        }
        c->access_key = k;
        c->secret_key = s;
        c->session_token = env_dup("AWS_SESSION_TOKEN");
        c->cred_source = xstrdup("environment");
        return 0;
    }
    if (cfg_key && *cfg_key && cfg_secret && *cfg_secret) {
        c->access_key = xstrdup(cfg_key);
        c->secret_key = xstrdup(cfg_secret);
        c->cred_source = xstrdup("--config [AWS] KEY and SECRET");
        return 0;
    }
    const char *profile_env = getenv("AWS_PROFILE");
    const char *profile = profile_env && *profile_env ? profile_env : "default";
    Buf path;
    buf_init(&path);
    const char *file = getenv("AWS_SHARED_CREDENTIALS_FILE");
    if (file && *file)
        buf_puts(&path, file);
    else if (getenv("HOME"))
        buf_printf(&path, "%s/.aws/credentials", getenv("HOME"));
    size_t tlen = 0;
    char *text = path.len ? read_whole_file(path.data, 0, &tlen) : NULL;
    int found = 0;
    if (!text && path.len && errno != ENOENT && errno != ENOTDIR) {
        /* a credentials file that exists but cannot be read is not "no credentials" */
        buf_puts(err, "cannot read ");
        utf8_escape_display_str(err, path.data);
        buf_printf(err, ": %s", strerror(errno));
        buf_free(&path);
        s3_config_free(c);
        return -1;
    }
    if (text) {
        char *t = NULL;
        found = s3_credentials_parse(text, profile, &k, &s, &t);
        memset(text, 0, tlen);
        free(text);
        if (found && k && s) {
            c->access_key = k;
            c->secret_key = s;
            c->session_token = t;
            Buf src;
            buf_init(&src);
            buf_printf(&src, "profile %s (%s)", profile, path.data); /* raw: see describe */
            c->cred_source = buf_detach(&src, NULL);
            buf_free(&path);
            return 0;
        }
        secret_free(k);
        secret_free(s);
        secret_free(t);
        if (found) {
            buf_puts(err, "profile ");
            utf8_escape_display_str(err, profile);
            buf_puts(err, " in ");
            utf8_escape_display_str(err, path.data);
            buf_puts(err, " has no aws_access_key_id and aws_secret_access_key");
            buf_free(&path);
            s3_config_free(c);
            return -1;
        }
    }
    if (profile_env && *profile_env) {
        buf_puts(err, "AWS_PROFILE names profile ");
        utf8_escape_display_str(err, profile);
        buf_puts(err, ", which ");
        if (path.len)
            utf8_escape_display_str(err, path.data);
        else
            buf_puts(err, "the credentials file");
        buf_puts(err, " does not hold");
        buf_free(&path);
        s3_config_free(c);
        return -1;
    }
    buf_free(&path);
    c->cred_source = xstrdup("none (anonymous)");
    return 0;
}

void s3_config_free(S3Config *c)
{
    secret_free(c->access_key);
    secret_free(c->secret_key);
    secret_free(c->session_token);
    free(c->region);
    free(c->endpoint);
    free(c->cred_source);
    if (c->share)
        curl_share_cleanup(c->share);
    memset(c, 0, sizeof *c);
}

void s3_config_describe(const S3Config *c, Buf *out)
{
    buf_puts(out, "credentials: ");
    utf8_escape_display_str(out, c->cred_source);
    buf_puts(out, "; region ");
    utf8_escape_display_str(out, c->region);
    if (c->endpoint) {
        buf_puts(out, "; endpoint ");
        utf8_escape_display_str(out, c->endpoint);
    }
}

static void redact_one(Buf *b, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n < 4 || !b->len)
        return;
    char *hit;
    while ((hit = strstr(b->data, secret)) != NULL) {
        size_t at = (size_t)(hit - b->data);
        Buf t;
        buf_init(&t);
        buf_putn(&t, b->data, at);
        buf_puts(&t, "***");
        buf_puts(&t, hit + n);
        buf_reset(b);
        buf_putn(b, t.data, t.len);
        buf_free(&t);
    }
}

void s3_redact(const S3Config *c, Buf *b)
{
    redact_one(b, c->secret_key);
    redact_one(b, c->session_token);
    redact_one(b, c->access_key);
}
