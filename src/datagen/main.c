/* main.c - sparkify-data: writes a deterministic, Sparkify-shaped dataset
 * (song_data and log_data JSON files, like Udacity's) for any size.
 *
 * Command line, defaults and exit codes are in usage() below.  The work is
 * done in DIR/.tmp-XXXXXX and the two finished folders are renamed into
 * DIR at the end, so DIR never holds a half-written dataset.
 *
 * Exit codes (set here only): 0 done, 1 I/O failure, 2 bad usage or
 * refusal to overwrite.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/arena.h"
#include "dates.h"
#include "events.h"
#include "files.h"
#include "songs.h"
#include "users.h"

enum { EXIT_OK = 0, EXIT_IO = 1, EXIT_USAGE = 2 };

#define MAX_EVENTS 10000000000ULL
#define MAX_SONGS  1000000ULL
#define MAX_USERS  1000000ULL

typedef struct Options {
    uint64_t events, seed, songs, users, match_pct, per_file, days;
    Date start;
    const char *out;
    int force;
} Options;

static void usage(FILE *f)
{
    fputs("usage: sparkify-data --events N [options]\n"
          "\n"
          "Writes a deterministic Sparkify-shaped dataset: DIR/song_data/A/B/C/TR*.json\n"
          "and DIR/log_data/YYYY/MM/YYYY-MM-DD-events.json.  The same options always\n"
          "give byte-identical files.\n"
          "\n"
          "  --events N          number of log events (required, 1..10000000000)\n"
          "  --seed S            random seed (default 42)\n"
          "  --out DIR           output folder (default data)\n"
          "  --songs N           songs in song_data (default max(100, N/100), at most 100000)\n"
          "  --users N           users (default max(100, N/1000), at most 100000)\n"
          "  --match-pct P       percent of NextSong events that play a song of song_data,\n"
          "                      matching its title, artist_name and duration (default 30)\n"
          "  --songs-per-file K  songs per song_data file, one JSON object a line (default 1)\n"
          "  --days D            days the events span (default 30)\n"
          "  --start YYYY-MM-DD  first day, UTC (default 2018-11-01)\n"
          "  --force             replace DIR/log_data and DIR/song_data if they exist\n"
          "  --help              this text\n"
          "\n"
          "Exit status: 0 done, 1 I/O error, 2 bad usage or output already present.\n",
          f);
}

/* Prints "sparkify-data: <message>" and the --help hint; returns EXIT_USAGE. */
static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sparkify-data: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'sparkify-data --help'.\n", stderr);
    return EXIT_USAGE;
}

/* Parses a decimal integer in [lo, hi]; returns 0 or -1. */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!*s)
        return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static const struct {
    const char *name;
    uint64_t lo, hi;
    size_t offset;
} numeric[] = {
    {"--events", 1, MAX_EVENTS, offsetof(Options, events)},
    {"--seed", 0, UINT64_MAX, offsetof(Options, seed)},
    {"--songs", 1, MAX_SONGS, offsetof(Options, songs)},
    {"--users", 1, MAX_USERS, offsetof(Options, users)},
    {"--match-pct", 0, 100, offsetof(Options, match_pct)},
    {"--songs-per-file", 1, 100000, offsetof(Options, per_file)},
    {"--days", 1, 3650, offsetof(Options, days)},
};

/* Fills *o from argv.  Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, Options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 42;
    o->match_pct = 30;
    o->per_file = 1;
    o->days = 30;
    o->start = (Date){2018, 11, 1};
    o->out = "data";
    for (int i = 1; i < argc; i++) {
        char name[32];
        const char *arg = argv[i], *val = NULL, *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (strncmp(arg, "--", 2) != 0 || len >= sizeof name)
            return bad_usage("unexpected argument '%s'", arg);
        memcpy(name, arg, len);
        name[len] = '\0';
        if (strcmp(name, "--help") == 0 || strcmp(name, "--force") == 0) {
            if (eq)
                return bad_usage("%s takes no value", name);
            if (name[2] == 'h') {
                usage(stdout);
                return EXIT_OK;
            }
            o->force = 1;
            continue;
        }
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return bad_usage("%s needs a value", name);
        if (strcmp(name, "--out") == 0) {
            if (!*val)
                return bad_usage("--out needs a folder name");
            o->out = val;
            continue;
        }
        if (strcmp(name, "--start") == 0) {
            if (date_parse(val, &o->start) != 0)
                return bad_usage("--start: expected a date YYYY-MM-DD (1970-2200), got '%s'", val);
            continue;
        }
        size_t k;
        for (k = 0; k < sizeof numeric / sizeof numeric[0]; k++)
            if (strcmp(name, numeric[k].name) == 0)
                break;
        if (k == sizeof numeric / sizeof numeric[0])
            return bad_usage("unknown option '%s'", name);
        uint64_t *field = (uint64_t *)((char *)o + numeric[k].offset);
        if (parse_u64(val, numeric[k].lo, numeric[k].hi, field) != 0) {
            return bad_usage("%s: expected an integer in %llu..%llu, got '%s'", name,
                             (unsigned long long)numeric[k].lo, (unsigned long long)numeric[k].hi,
                             val);
        }
    }
    if (o->events == 0)
        return bad_usage("--events N is required");
    if (o->songs == 0)
        o->songs = o->events / 100 < 100      ? 100
                   : o->events / 100 > 100000 ? 100000
                                              : o->events / 100;
    if (o->users == 0)
        o->users = o->events / 1000 < 100      ? 100
                   : o->events / 1000 > 100000 ? 100000
                                               : o->events / 1000;
    return -1;
}

static int join(char *dst, const char *a, const char *b)
{
    int n = snprintf(dst, FILES_PATH_MAX, "%s/%s", a, b);
    if (n < 0 || n >= FILES_PATH_MAX) {
        fprintf(stderr, "sparkify-data: path too long: '%s/%s'\n", a, b);
        return -1;
    }
    return 0;
}

/* Generates everything into tmp; returns 0 or -1 (reported). */
static int generate(const Options *opt, const char *tmp, EventStats *st, Catalog *cat, Users *users,
                    Out *o)
{
    char dir[FILES_PATH_MAX];
    if (join(dir, tmp, "song_data") != 0 || files_mkdirs(dir) != 0 ||
        catalog_write(cat, o, dir, opt->per_file) != 0)
        return -1;
    EventConfig cfg = {opt->events, opt->seed, date_to_days(opt->start), (unsigned)opt->days,
                       (uint32_t)(opt->match_pct * 10000)};
    if (join(dir, tmp, "log_data") != 0 || files_mkdirs(dir) != 0 ||
        events_write(&cfg, cat, users, o, dir, st) != 0)
        return -1;
    return 0;
}

/* Moves tmp/log_data and tmp/song_data into out (replacing old ones when
 * force is set); returns 0 or -1 (reported). */
static int install(const char *tmp, const char *out, int force)
{
    static const char *const names[] = {"song_data", "log_data"};
    char from[FILES_PATH_MAX], to[FILES_PATH_MAX];
    for (int i = 0; i < 2; i++) {
        if (join(from, tmp, names[i]) != 0 || join(to, out, names[i]) != 0)
            return -1;
        if (force && files_remove_tree(to) != 0)
            return -1;
        if (rename(from, to) != 0) {
            fprintf(stderr, "sparkify-data: cannot move '%s' to '%s': %s\n", from, to,
                    strerror(errno));
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    Options opt;
    int rc = parse_args(argc, argv, &opt);
    if (rc >= 0)
        return rc;

    char path[FILES_PATH_MAX];
    if (files_mkdirs(opt.out) != 0)
        return EXIT_IO;
    if (!opt.force) {
        static const char *const names[] = {"log_data", "song_data"};
        for (int i = 0; i < 2; i++) {
            if (join(path, opt.out, names[i]) != 0)
                return EXIT_USAGE;
            if (files_exists(path)) {
                fprintf(stderr, "sparkify-data: '%s' already exists\n", path);
                fputs("Remove it, choose another --out, or pass --force to replace log_data and "
                      "song_data.\n",
                      stderr);
                return EXIT_USAGE;
            }
        }
    }
    char tmp[FILES_PATH_MAX];
    if (join(tmp, opt.out, ".tmp-XXXXXX") != 0)
        return EXIT_IO;
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "sparkify-data: cannot create a folder in '%s': %s\n", opt.out,
                strerror(errno));
        return EXIT_IO;
    }

    Catalog cat;
    Users users;
    Out o;
    EventStats st;
    catalog_build(&cat, opt.seed, (size_t)opt.songs);
    users_build(&users, opt.seed, (size_t)opt.users, date_to_days(opt.start) * 86400 * 1000);
    out_init(&o, 1 << 20);
    rc = generate(&opt, tmp, &st, &cat, &users, &o);
    if (rc == 0)
        rc = install(tmp, opt.out, opt.force);
    if (rc != 0) {
        files_remove_tree(tmp);
    } else if (rmdir(tmp) != 0) {
        fprintf(stderr, "sparkify-data: cannot remove '%s': %s\n", tmp, strerror(errno));
    }
    if (rc == 0) {
        uint64_t pm = st.nextsong ? st.matched * 1000 / st.nextsong : 0;
        fprintf(
            stderr,
            "sparkify-data: %llu files (%llu log, %llu song), %llu events, %llu NextSong, "
            "%llu matched (%llu.%llu%%), %llu songs, %zu artists, %zu users, %llu bytes in %s\n",
            (unsigned long long)o.files, (unsigned long long)st.files,
            (unsigned long long)(o.files - st.files), (unsigned long long)st.events,
            (unsigned long long)st.nextsong, (unsigned long long)st.matched,
            (unsigned long long)(pm / 10), (unsigned long long)(pm % 10),
            (unsigned long long)opt.songs, cat.nartists, users.n, (unsigned long long)o.bytes,
            opt.out);
    }
    out_free(&o);
    users_free(&users);
    catalog_free(&cat);
    return rc == 0 ? EXIT_OK : EXIT_IO;
}
