/* sources.c - recursive, sorted listing of a COPY source; see sources.h. */
#include "sources.h"

#include "../common/utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

typedef struct Ancestor {
    dev_t dev;
    ino_t ino;
} Ancestor;

static void add(SourceList *l, const char *display, const char *path, uint64_t size,
                const char *version)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->files = xrealloc(l->files, l->cap * sizeof *l->files);
    }
    l->files[l->n].display = xstrdup(display);
    l->files[l->n].path = xstrdup(path);
    l->files[l->n].size = size;
    l->files[l->n].version = xstrdup(version ? version : "");
    l->n++;
    l->total_bytes += size;
}

/* Deepest folder nesting walked; deeper is an error, never a silent skip. */
#define WALK_MAX_DEPTH 4096

static long raw_read1(SourceReader *r, char *buf, size_t cap)
{
    if (r->s3)
        return s3_read(r->s3, buf, cap);
    for (;;) {
        ssize_t n = read(r->fd, buf, cap);
        if (n < 0 && errno == EINTR)
            continue;
        return (long)n;
    }
}

/* The file's own bytes (before gunzip) feed r->hash: the ledger's checksum. */
static long raw_read(SourceReader *r, char *buf, size_t cap)
{
    long n = raw_read1(r, buf, cap);
    if (n > 0 && r->hash)
        sha256_update(r->hash, buf, (size_t)n);
    return n;
}

/* "mtime:SECONDS.NANOSECONDS" of a local file: with the size, how the ledger
 * tells a file it has seen without reading it again. */
static void mtime_version(const struct stat *st, char out[64])
{
    snprintf(out, 64, "mtime:%lld.%09ld", (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
}

/* The JsonReadFn of every source: raw bytes, or gunzipped (COPY GZIP).  The
 * first bytes are checked either way: gzip data without compression declared
 * is refused rather than parsed as garbage, and a file that is not gzip under
 * compression: gzip fails as Redshift's COPY does. */
static long src_read(void *ctx, char *buf, size_t cap)
{
    SourceReader *r = ctx;
    if (!r->gzip) {
        long n = raw_read(r, buf, cap);
        if (!r->started && n > 0) {
            r->started = 1;
            if (n >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b) {
                snprintf(r->why, sizeof r->why,
                         "the file is gzip-compressed but the source declares no compression "
                         "(add compression: gzip to the source; Redshift's COPY needs GZIP too)");
                return -1;
            }
        }
        return n;
    }
    z_stream *z = r->z;
    for (;;) {
        if (z->avail_in == 0 && !r->in_eof) {
            long n = raw_read(r, r->zbuf, SOURCE_ZCHUNK);
            if (n < 0)
                return -1;
            if (n == 0)
                r->in_eof = 1;
            if (!r->started && n > 0) {
                r->started = 1;
                if (n < 2 || (unsigned char)r->zbuf[0] != 0x1f ||
                    (unsigned char)r->zbuf[1] != 0x8b) {
                    snprintf(r->why, sizeof r->why,
                             "not a gzip file, but the source declares compression: gzip (every "
                             "file under a GZIP COPY must be gzip-compressed)");
                    return -1;
                }
            }
            z->next_in = (Bytef *)r->zbuf;
            z->avail_in = (uInt)n;
        }
        if (r->z_end) {
            if (z->avail_in == 0 && r->in_eof)
                return 0;
            /* concatenated gzip members, as gzip(1) writes them */
            if (inflateReset(z) != Z_OK)
                return -1;
            r->z_end = 0;
        }
        if (z->avail_in == 0 && r->in_eof) {
            if (!r->started)
                return 0; /* an empty file: no rows */
            snprintf(r->why, sizeof r->why, "truncated gzip data");
            return -1;
        }
        z->next_out = (Bytef *)buf;
        z->avail_out = (uInt)cap;
        int rc = inflate(z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            r->z_end = 1;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(r->why, sizeof r->why, "invalid gzip data (%s)", z->msg ? z->msg : "zlib");
            return -1;
        }
        size_t got = cap - z->avail_out;
        if (got)
            return (long)got;
    }
}

static int walk(SourceList *l, const char *path, const char *display, Ancestor *anc, int depth,
                Buf *err)
{
    if (depth >= WALK_MAX_DEPTH) {
        buf_printf(err, "folder %s is nested more than %d folders deep under the source", display,
                   WALK_MAX_DEPTH);
        return -1;
    }
    DIR *d = opendir(path);
    if (!d) {
        buf_printf(err, "cannot read folder %s: %s", display, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t pl = strlen(path), dl = strlen(display), nl = strlen(e->d_name);
        char *p = xmalloc(pl + nl + 2), *q = xmalloc(dl + nl + 2);
        memcpy(p, path, pl);
        p[pl] = '/';
        memcpy(p + pl + 1, e->d_name, nl + 1);
        if (dl && display[dl - 1] != '/') {
            memcpy(q, display, dl);
            q[dl] = '/';
            memcpy(q + dl + 1, e->d_name, nl + 1);
        } else {
            memcpy(q, display, dl);
            memcpy(q + dl, e->d_name, nl + 1);
        }
        struct stat st;
        if (stat(p, &st) != 0) {
            /* unreadable, a loop of links or a dangling link: COPY would fail on
             * such a key, so say so rather than load less data */
            int e0 = errno;
            struct stat lst;
            if (e0 == ENOENT && lstat(p, &lst) == 0 && S_ISLNK(lst.st_mode))
                buf_printf(err, "cannot read %s: a symbolic link to nothing (dangling)", q);
            else
                buf_printf(err, "cannot read %s: %s", q, strerror(e0));
            rc = -1;
        } else {
            if (S_ISDIR(st.st_mode)) {
                int loop = 0;
                for (int i = 0; i <= depth; i++)
                    if (anc[i].dev == st.st_dev && anc[i].ino == st.st_ino)
                        loop = 1;
                if (!loop) {
                    anc[depth + 1].dev = st.st_dev;
                    anc[depth + 1].ino = st.st_ino;
                    rc = walk(l, p, q, anc, depth + 1, err);
                }
            } else if (S_ISREG(st.st_mode)) {
                /* every file, whatever its name: Redshift's COPY reads every key
                 * under the prefix (copy-parameters-data-source-s3) */
                char ver[64];
                mtime_version(&st, ver);
                add(l, q, p, (uint64_t)st.st_size, ver);
            } else {
                buf_printf(err, "%s is neither a file nor a folder (COPY reads files only)", q);
                rc = -1;
            }
        }
        free(p);
        free(q);
    }
    closedir(d);
    return rc;
}

/* Escapes err's text from byte `from` on: paths come from outside (a file
 * name "x\nerror: forged" must print on one line; utf8_escape_display). */
static void escape_from(Buf *err, size_t from)
{
    Buf t;
    buf_init(&t);
    utf8_escape_display(&t, err->data + from, err->len - from);
    err->len = from;
    buf_putn(err, t.data, t.len);
    buf_free(&t);
}

static int cmp_display(const void *a, const void *b)
{
    return strcmp(((const SourceFile *)a)->display, ((const SourceFile *)b)->display);
}

int sources_list(const char *data_root, const char *source, SourceList *out, Buf *err)
{
    memset(out, 0, sizeof *out);
    size_t err_from = err->len;
    size_t rl = strlen(data_root);
    while (rl > 1 && data_root[rl - 1] == '/')
        rl--;
    Buf path;
    buf_init(&path);
    buf_putn(&path, data_root, rl);
    buf_putc(&path, '/');
    buf_puts(&path, source);
    struct stat st;
    int rc = 0;
    if (stat(path.data, &st) != 0) {
        buf_printf(err,
                   "source %s not found under the data root %.*s (%s; set --data or "
                   "STARGEN_DATA)",
                   source, (int)rl, data_root, strerror(errno));
        rc = -1;
    } else if (S_ISREG(st.st_mode)) {
        char ver[64];
        mtime_version(&st, ver);
        add(out, source, path.data, (uint64_t)st.st_size, ver);
    } else if (S_ISDIR(st.st_mode)) {
        Ancestor *anc = xmalloc((WALK_MAX_DEPTH + 1) * sizeof *anc);
        anc[0].dev = st.st_dev;
        anc[0].ino = st.st_ino;
        rc = walk(out, path.data, source, anc, 0, err);
        free(anc);
        if (rc == 0 && out->n > 1)
            qsort(out->files, out->n, sizeof *out->files, cmp_display);
    } else {
        buf_printf(err, "source %s is neither a file nor a folder", source);
        rc = -1;
    }
    buf_free(&path);
    if (rc) {
        escape_from(err, err_from);
        sources_free(out);
    }
    return rc;
}

char *sources_join(const char *data_root, const char *source)
{
    size_t rl = strlen(data_root);
    while (rl > 1 && data_root[rl - 1] == '/')
        rl--;
    Buf b;
    buf_init(&b);
    buf_putn(&b, data_root, rl);
    buf_putc(&b, '/');
    buf_puts(&b, source);
    return buf_detach(&b, NULL);
}

int sources_list_s3(const S3Config *c, const char *uri, SourceList *out, Buf *err)
{
    memset(out, 0, sizeof *out);
    char *bucket, *prefix;
    if (s3_parse_uri(uri, &bucket, &prefix, err))
        return -1;
    S3ObjectList objs;
    if (s3_list(c, bucket, prefix, &objs, err)) {
        free(bucket);
        free(prefix);
        return -1;
    }
    int rc = 0;
    if (objs.n == 0) {
        size_t from = err->len;
        buf_printf(err,
                   "no object under %s (Redshift's COPY fails the same way: the prefix "
                   "matches nothing)",
                   uri);
        escape_from(err, from);
        rc = -1;
    }
    Buf disp, ver;
    buf_init(&disp);
    buf_init(&ver);
    for (size_t i = 0; i < objs.n && rc == 0; i++) {
        const char *key = objs.v[i].key;
        size_t kl = strlen(key);
        /* every object under the prefix, as COPY reads them; only a zero-byte
         * "folder/" marker (which holds no rows either way) is passed over */
        if (kl && key[kl - 1] == '/' && objs.v[i].size == 0)
            continue;
        buf_reset(&disp);
        buf_printf(&disp, "s3://%s/%s", bucket, key);
        buf_reset(&ver);
        if (objs.v[i].etag)
            buf_printf(&ver, "etag:%s", objs.v[i].etag);
        add(out, disp.data, key, objs.v[i].size, ver.data);
    }
    buf_free(&disp);
    buf_free(&ver);
    s3_objects_free(&objs);
    free(prefix);
    if (rc) {
        free(bucket);
        sources_free(out);
        return -1;
    }
    /* s3_list returns key order; display names share "s3://bucket/", so the order holds */
    out->s3_bucket = bucket;
    out->s3 = c;
    return 0;
}

static int gzip_start(SourceReader *r)
{
    r->gzip = 1;
    r->z = xcalloc(1, sizeof *r->z);
    r->zbuf = xmalloc(SOURCE_ZCHUNK);
    return inflateInit2(r->z, 15 + 16) == Z_OK ? 0 : -1; /* 15 + 16: gzip header */
}

int source_open(const SourceList *l, size_t i, SourceReader *r, Buf *err)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->read = src_read;
    r->ctx = r;
    const SourceFile *f = &l->files[i];
    if (l->gzip && gzip_start(r)) {
        buf_printf(err, "%s: cannot start gzip decompression", f->display);
        return -1;
    }
    if (l->s3_bucket) {
        r->s3 = s3_reader_open(l->s3, l->s3_bucket, f->path);
        return 0;
    }
    r->fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        buf_printf(err, "%s: cannot open: %s", f->display, strerror(errno));
        return -1;
    }
    posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return 0;
}

const char *source_error(const SourceReader *r)
{
    if (r->why[0])
        return r->why;
    return r->s3 && *s3_reader_error(r->s3) ? s3_reader_error(r->s3) : NULL;
}

void source_close(SourceReader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    s3_reader_close(r->s3);
    if (r->z) {
        inflateEnd(r->z);
        free(r->z);
    }
    free(r->zbuf);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

void sources_free(SourceList *l)
{
    free(l->s3_bucket);
    for (size_t i = 0; i < l->n; i++) {
        free(l->files[i].display);
        free(l->files[i].path);
        free(l->files[i].version);
    }
    free(l->files);
    memset(l, 0, sizeof *l);
}
