/* test_common.c - the shared helpers in src/common: whole-file read, atomic write, UTF-8. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/common/arena.h"
#include "../../src/common/readfile.h"
#include "../../src/common/tempfile.h"
#include "../../src/common/utf8.h"
#include "harness.h"

static char *scratch_dir(void)
{
    char tmpl[] = "/tmp/stargen-unit-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? xstrdup(d) : NULL;
}

static char *path_in(const char *dir, const char *name)
{
    char *p;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        abort();
    return p;
}

TEST(readfile_reports_errors)
{
    size_t n = 0;
    errno = 0;
    CHECK(read_whole_file("/nonexistent/stargen", 0, &n) == NULL && errno == ENOENT);
    CHECK(read_whole_file("/tmp", 0, &n) == NULL && errno == EISDIR);
    char *d = scratch_dir();
    char *p = path_in(d, "f");
    CHECK(write_file_atomic(p, "hello", 5, 0644) == 0);
    CHECK(read_whole_file(p, 4, &n) == NULL && errno == EFBIG);
    char *s = read_whole_file(p, 0, &n);
    CHECK(s && n == 5 && strcmp(s, "hello") == 0);
    free(s);
    /* a file we may not read (skipped as root, who may read anything) */
    if (geteuid() != 0) {
        chmod(p, 0);
        CHECK(read_whole_file(p, 0, &n) == NULL && errno == EACCES);
    }
    unlink(p);
    rmdir(d);
    free(p);
    free(d);
}

TEST(atomic_write_old_or_new)
{
    char *d = scratch_dir();
    char *p = path_in(d, "out.sql");
    CHECK(write_file_atomic(p, "old\n", 4, 0644) == 0);
    /* an abandoned temp file leaves the destination as it was */
    TempFile t;
    CHECK(tempfile_create(&t, p, 0644) == 0);
    CHECK(tempfile_write(&t, "new, half", 9) == 0);
    tempfile_rollback(&t);
    size_t n;
    char *s = read_whole_file(p, 0, &n);
    CHECK(s && strcmp(s, "old\n") == 0);
    free(s);
    /* a failed commit (the destination became a folder) keeps it and removes the temp */
    char *q = path_in(d, "dir");
    mkdir(q, 0755);
    char *inner = path_in(q, "x");
    CHECK(write_file_atomic(inner, "x", 1, 0644) == 0);
    CHECK(write_file_atomic(q, "new\n", 4, 0644) == -1);
    struct stat st;
    CHECK(stat(q, &st) == 0 && S_ISDIR(st.st_mode));
    /* a symlink planted at a temp-like name is never written through */
    char *victim = path_in(d, "victim");
    CHECK(write_file_atomic(victim, "safe", 4, 0644) == 0);
    CHECK(write_file_atomic(p, "new\n", 4, 0644) == 0);
    s = read_whole_file(p, 0, &n);
    CHECK(s && strcmp(s, "new\n") == 0);
    free(s);
    s = read_whole_file(victim, 0, &n);
    CHECK(s && strcmp(s, "safe") == 0);
    free(s);
    /* no temp file is left behind */
    char *cmd;
    if (asprintf(&cmd, "test -z \"$(ls -A %s | grep stargen-)\"", d) < 0)
        abort();
    CHECK(system(cmd) == 0);
    CHECK(tempfile_is_temp_name(".out.sql.stargen-12-3"));
    CHECK(!tempfile_is_temp_name("out.sql"));
    free(cmd);
    unlink(inner);
    rmdir(q);
    unlink(victim);
    unlink(p);
    rmdir(d);
    free(inner);
    free(q);
    free(victim);
    free(p);
    free(d);
}

TEST(utf8_sequences)
{
    CHECK(utf8_seq_len((const unsigned char *)"a", 1) == 1);
    CHECK(utf8_seq_len((const unsigned char *)"\xC3\xA9", 2) == 2);
    CHECK(utf8_seq_len((const unsigned char *)"\xC3\xA9", 1) == 0);     /* cut */
    CHECK(utf8_seq_len((const unsigned char *)"\xC0\xAF", 2) == 0);     /* overlong */
    CHECK(utf8_seq_len((const unsigned char *)"\xED\xA0\x80", 3) == 0); /* surrogate */
    CHECK(utf8_seq_len((const unsigned char *)"\xF0\x9F\x98\x80", 4) == 4);
    CHECK(utf8_seq_len((const unsigned char *)"\xF4\x90\x80\x80", 4) == 0); /* > U+10FFFF */
    CHECK(utf8_valid("caf\xC3\xA9", 5));
    CHECK(!utf8_valid("bad\xFF", 4));
}

TEST(utf8_encode_round_trip)
{
    /* every length boundary encodes to a valid sequence of the expected length that
     * decodes back (the one encoder: json.c keys, convert.c values, s3.c XML) */
    const unsigned long cps[] = {0x41,   0x7F,   0x80,    0x7FF,   0x800,   0xD7FF,
                                 0xE000, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    const size_t lens[] = {1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char o[4];
        size_t n = utf8_encode(cps[i], o);
        CHECK(n == lens[i]);
        CHECK(utf8_seq_len((const unsigned char *)o, n) == n);
    }
    char o[4];
    CHECK(utf8_encode(0x1F600, o) == 4 && memcmp(o, "\xF0\x9F\x98\x80", 4) == 0);
    CHECK(utf8_encode(0xE9, o) == 2 && memcmp(o, "\xC3\xA9", 2) == 0);
}

TEST(utf8_escape_display_one_line)
{
    Buf b;
    buf_init(&b);
    const char name[] = "bad\xff\nerror: forged\\.json \xC3\xA9\x7F";
    utf8_escape_display(&b, name, sizeof name - 1);
    CHECK_STR(b.data, "bad\\xFF\\nerror: forged\\\\.json \xC3\xA9\\x7F");
    buf_free(&b);
}
