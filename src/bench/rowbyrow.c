/* rowbyrow.c - bench-rowbyrow: the row-by-row route of the load benchmark.
 *
 * It loads the Sparkify star schema the way the well-known Python solutions
 * of this project do (psycopg2, one cursor.execute per row, autocommit):
 *   for each song file, for each song: INSERT the artist, INSERT the song
 *     (ON CONFLICT DO NOTHING);
 *   for each log file, for each NextSong event with a user id: INSERT the
 *     time row (its parts computed on the client, as pandas does), upsert the
 *     user (the level of the latest event wins), one lookup SELECT for the
 *     song and artist ids by title, artist name and duration, INSERT the
 *     songplay.
 * One statement per row, each its own transaction, sent with PQexecParams
 * (parsed and planned every time, like psycopg2's client-side parameters):
 * no batching, no prepared statements, no COPY.  The tables must already
 * exist (bench.sh runs the drop/create steps of out/postgres first).
 *
 * --budget SECONDS stops the database work once the events phase has run
 * that long (the songs phase always completes, so every lookup sees the whole
 * songs table), then only parses the rest to count the remaining events; the
 * estimate is songs time + events time scaled to all events.
 *
 * Prints one line on stdout:
 *   songs=N songs_s=S events=N events_done=N events_s=S matched=N complete=0|1 estimate_s=S
 * Usage: bench-rowbyrow [-d CONNINFO] [--budget SECONDS] DATA_DIR
 * Exit codes: 0 done (or budget reached), 1 database or I/O error, 2 bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libpq-fe.h>

#include "../common/arena.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- file listing: regular *.json files under a folder, in byte order ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_json(Arena *a, Vec *out, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path = arena_printf(a, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            list_json(a, out, path);
        else if (S_ISREG(st.st_mode) && strlen(e->d_name) > 5 &&
                 strcmp(e->d_name + strlen(e->d_name) - 5, ".json") == 0)
            vec_push(a, out, path);
    }
    closedir(d);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench-rowbyrow: cannot read %s: %s\n", path, strerror(errno));
        exit(EXIT_FAIL);
    }
    Buf b;
    buf_init(&b);
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_putn(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_detach(&b, len);
}

/* ---- a tiny JSON reader: a stream of flat objects separated by whitespace ---- */

typedef struct Field {
    const char *key;
    char *val; /* NULL: null or missing; else decoded text (strings) or the number's text */
} Field;

typedef struct Reader {
    const char *p, *end, *path;
    Buf scratch; /* holds the decoded values of the current object */
} Reader;

static void json_fail(const Reader *r, const char *what)
{
    fprintf(stderr, "bench-rowbyrow: %s: bad JSON (%s) at byte %ld\n", r->path, what,
            (long)(r->end - r->p));
    exit(EXIT_FAIL);
}

static void skip_ws(Reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

static unsigned hex4(Reader *r)
{
    if (r->end - r->p < 4)
        json_fail(r, "short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *r->p++;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            json_fail(r, "bad \\u escape");
    }
    return v;
}

static void put_utf8(Buf *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
        return;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        buf_putn(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        buf_putn(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        buf_putn(b, u, 4);
    }
}

/* Decodes the string at r->p (just after its opening quote) into dst. */
static void read_string(Reader *r, Buf *dst)
{
    for (;;) {
        if (r->p >= r->end)
            json_fail(r, "unterminated string");
        char c = *r->p++;
        if (c == '"')
            return;
        if (c != '\\') {
            buf_putc(dst, c);
            continue;
        }
        if (r->p >= r->end)
            json_fail(r, "unterminated escape");
        c = *r->p++;
        switch (c) {
        case 'n': buf_putc(dst, '\n'); break;
        case 't': buf_putc(dst, '\t'); break;
        case 'r': buf_putc(dst, '\r'); break;
        case 'b': buf_putc(dst, '\b'); break;
        case 'f': buf_putc(dst, '\f'); break;
        case 'u': {
            unsigned cp = hex4(r);
            if (cp >= 0xD800 && cp < 0xDC00 && r->end - r->p >= 6 && r->p[0] == '\\' &&
                r->p[1] == 'u') {
                r->p += 2;
                unsigned lo = hex4(r);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            put_utf8(dst, cp);
            break;
        }
        default: buf_putc(dst, c); break; /* \" \\ \/ */
        }
    }
}

/* Skips a nested object or array (its text is not needed here). */
static void skip_nested(Reader *r)
{
    int depth = 0;
    Buf junk;
    buf_init(&junk);
    do {
        if (r->p >= r->end)
            json_fail(r, "unterminated value");
        char c = *r->p++;
        if (c == '"') {
            buf_reset(&junk);
            read_string(r, &junk);
        } else if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
    } while (depth > 0);
    buf_free(&junk);
}

/* Reads the next object into fields (values of keys not listed are dropped).
 * Returns 0 at the end of the input, 1 when an object was read. */
static int read_object(Reader *r, Field *fields, size_t nfields)
{
    skip_ws(r);
    if (r->p >= r->end)
        return 0;
    if (*r->p++ != '{')
        json_fail(r, "expected an object");
    buf_reset(&r->scratch);
    size_t offs[32];
    int has[32] = {0};
    for (size_t i = 0; i < nfields; i++)
        fields[i].val = NULL;
    Buf key;
    buf_init(&key);
    skip_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        buf_free(&key);
        return 1;
    }
    for (;;) {
        skip_ws(r);
        if (r->p >= r->end || *r->p++ != '"')
            json_fail(r, "expected a key");
        buf_reset(&key);
        read_string(r, &key);
        buf_putc(&key, '\0');
        skip_ws(r);
        if (r->p >= r->end || *r->p++ != ':')
            json_fail(r, "expected ':'");
        skip_ws(r);
        if (r->p >= r->end)
            json_fail(r, "expected a value");
        size_t slot = nfields;
        for (size_t i = 0; i < nfields; i++)
            if (strcmp(fields[i].key, key.data) == 0)
                slot = i;
        char c = *r->p;
        size_t start = r->scratch.len;
        if (c == '"') {
            r->p++;
            read_string(r, &r->scratch);
        } else if (c == '{' || c == '[') {
            skip_nested(r);
            slot = nfields;
        } else {
            const char *s = r->p;
            while (r->p < r->end && *r->p != ',' && *r->p != '}' && *r->p != ' ' && *r->p != '\n' &&
                   *r->p != '\r' && *r->p != '\t')
                r->p++;
            if (r->p - s == 4 && memcmp(s, "null", 4) == 0)
                slot = nfields;
            else
                buf_putn(&r->scratch, s, (size_t)(r->p - s));
        }
        buf_putc(&r->scratch, '\0');
        if (slot < nfields) {
            offs[slot] = start;
            has[slot] = 1;
        }
        skip_ws(r);
        if (r->p >= r->end)
            json_fail(r, "unterminated object");
        c = *r->p++;
        if (c == '}')
            break;
        if (c != ',')
            json_fail(r, "expected ',' or '}'");
    }
    buf_free(&key);
    for (size_t i = 0; i < nfields; i++)
        if (has[i])
            fields[i].val = r->scratch.data + offs[i];
    return 1;
}

/* ---- statements ---- */

static PGconn *conn;

/* Runs one statement in autocommit; exits on error.  Returns the result. */
static PGresult *exec(const char *sql, int n, const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench-rowbyrow: %s\n  statement: %s\n", PQresultErrorMessage(res), sql);
        exit(EXIT_FAIL);
    }
    return res;
}

static void exec_clear(const char *sql, int n, const char *const *params)
{
    PQclear(exec(sql, n, params));
}

static const char *nz(const char *s) /* "" -> NULL, as the staging load does */
{
    return s && *s ? s : NULL;
}

enum {
    S_NUM_SONGS,
    S_ARTIST_ID,
    S_LAT,
    S_LON,
    S_LOC,
    S_ARTIST_NAME,
    S_SONG_ID,
    S_TITLE,
    S_DUR,
    S_YEAR,
    S_N
};
enum {
    E_ARTIST,
    E_FIRST,
    E_GENDER,
    E_LAST,
    E_LENGTH,
    E_LEVEL,
    E_LOCATION,
    E_PAGE,
    E_SESSION,
    E_SONG,
    E_TS,
    E_AGENT,
    E_USER,
    E_N
};

int main(int argc, char **argv)
{
    const char *conninfo = "", *data = NULL;
    double budget = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-d") || !strcmp(argv[i], "--dbname")) && i + 1 < argc)
            conninfo = argv[++i];
        else if (!strcmp(argv[i], "--budget") && i + 1 < argc)
            budget = atof(argv[++i]);
        else if (argv[i][0] != '-' && !data)
            data = argv[i];
        else {
            fputs("usage: bench-rowbyrow [-d CONNINFO] [--budget SECONDS] DATA_DIR\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (!data) {
        fputs("usage: bench-rowbyrow [-d CONNINFO] [--budget SECONDS] DATA_DIR\n", stderr);
        return EXIT_USAGE;
    }
    Arena a;
    arena_init(&a);
    Vec songs = {0}, logs = {0};
    list_json(&a, &songs, arena_printf(&a, "%s/song_data", data));
    list_json(&a, &logs, arena_printf(&a, "%s/log_data", data));
    if (!songs.len || !logs.len) {
        fprintf(stderr, "bench-rowbyrow: no song_data or log_data JSON files under %s\n", data);
        return EXIT_FAIL;
    }
    qsort(songs.items, songs.len, sizeof *songs.items, cmp_str);
    qsort(logs.items, logs.len, sizeof *logs.items, cmp_str);

    conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "bench-rowbyrow: %s", PQerrorMessage(conn));
        return EXIT_FAIL;
    }
    PQclear(exec("SET client_min_messages = warning", 0, NULL));

    double t0 = now();
    Field sf[S_N] = {{"num_songs", NULL},       {"artist_id", NULL},
                     {"artist_latitude", NULL}, {"artist_longitude", NULL},
                     {"artist_location", NULL}, {"artist_name", NULL},
                     {"song_id", NULL},         {"title", NULL},
                     {"duration", NULL},        {"year", NULL}};
    long nsongs = 0;
    for (size_t i = 0; i < songs.len; i++) {
        size_t len;
        char *text = slurp(songs.items[i], &len);
        Reader r = {text, text + len, songs.items[i], {0}};
        buf_init(&r.scratch);
        while (read_object(&r, sf, S_N)) {
            const char *artist[] = {sf[S_ARTIST_ID].val, sf[S_ARTIST_NAME].val, sf[S_LOC].val,
                                    nz(sf[S_LAT].val), nz(sf[S_LON].val)};
            exec_clear("INSERT INTO artists (artist_id, name, location, latitude, longitude) "
                       "VALUES ($1, $2, NULLIF($3, ''), $4, $5) "
                       "ON CONFLICT (artist_id) DO NOTHING",
                       5, artist);
            const char *song[] = {sf[S_SONG_ID].val, sf[S_TITLE].val, sf[S_ARTIST_ID].val,
                                  nz(sf[S_YEAR].val), nz(sf[S_DUR].val)};
            exec_clear("INSERT INTO songs (song_id, title, artist_id, year, duration) "
                       "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (song_id) DO NOTHING",
                       5, song);
            nsongs++;
        }
        buf_free(&r.scratch);
        free(text);
    }
    double t1 = now();

    Field ef[E_N] = {{"artist", NULL},   {"firstName", NULL}, {"gender", NULL},
                     {"lastName", NULL}, {"length", NULL},    {"level", NULL},
                     {"location", NULL}, {"page", NULL},      {"sessionId", NULL},
                     {"song", NULL},     {"ts", NULL},        {"userAgent", NULL},
                     {"userId", NULL}};
    long nevents = 0, done = 0, matched = 0;
    int complete = 1;
    double t2 = t1;
    for (size_t i = 0; i < logs.len; i++) {
        size_t len;
        char *text = slurp(logs.items[i], &len);
        Reader r = {text, text + len, logs.items[i], {0}};
        buf_init(&r.scratch);
        while (read_object(&r, ef, E_N)) {
            if (!ef[E_PAGE].val || strcmp(ef[E_PAGE].val, "NextSong") != 0 || !nz(ef[E_USER].val) ||
                !ef[E_TS].val)
                continue;
            nevents++;
            if (!complete)
                continue; /* over budget: only count what is left */
            /* the time row, its parts computed on the client */
            long long ts = atoll(ef[E_TS].val);
            time_t secs = (time_t)(ts / 1000);
            struct tm tm;
            gmtime_r(&secs, &tm);
            char start[32], hour[16], day[16], week[16], month[16], year[16], wday[16];
            strftime(start, sizeof start, "%Y-%m-%d %H:%M:%S", &tm);
            strftime(week, sizeof week, "%V", &tm);
            snprintf(hour, sizeof hour, "%d", tm.tm_hour);
            snprintf(day, sizeof day, "%d", tm.tm_mday);
            snprintf(month, sizeof month, "%d", tm.tm_mon + 1);
            snprintf(year, sizeof year, "%d", tm.tm_year + 1900);
            snprintf(wday, sizeof wday, "%d", tm.tm_wday);
            const char *trow[] = {start, hour, day, week, month, year, wday};
            exec_clear("INSERT INTO time (start_time, hour, day, week, month, year, weekday) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (start_time) DO NOTHING",
                       7, trow);
            const char *urow[] = {ef[E_USER].val, nz(ef[E_FIRST].val), nz(ef[E_LAST].val),
                                  nz(ef[E_GENDER].val), nz(ef[E_LEVEL].val)};
            exec_clear("INSERT INTO users (user_id, first_name, last_name, gender, level) "
                       "VALUES ($1, $2, $3, $4, $5) "
                       "ON CONFLICT (user_id) DO UPDATE SET level = EXCLUDED.level",
                       5, urow);
            const char *look[] = {nz(ef[E_SONG].val), nz(ef[E_ARTIST].val), nz(ef[E_LENGTH].val)};
            PGresult *res = exec("SELECT s.song_id, s.artist_id FROM songs s "
                                 "JOIN artists a ON a.artist_id = s.artist_id "
                                 "WHERE s.title = $1 AND a.name = $2 AND s.duration = $3",
                                 3, look);
            const char *song_id = NULL, *artist_id = NULL;
            if (PQntuples(res) > 0) {
                song_id = PQgetvalue(res, 0, 0);
                artist_id = PQgetvalue(res, 0, 1);
                matched++;
            }
            const char *prow[] = {
                start,     ef[E_USER].val,        nz(ef[E_LEVEL].val),    song_id,
                artist_id, nz(ef[E_SESSION].val), nz(ef[E_LOCATION].val), nz(ef[E_AGENT].val)};
            exec_clear("INSERT INTO songplays (start_time, user_id, level, song_id, artist_id, "
                       "session_id, location, user_agent) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                       8, prow);
            PQclear(res);
            done++;
            if (budget > 0 && now() - t1 > budget) {
                complete = 0;
                t2 = now();
            }
        }
        buf_free(&r.scratch);
        free(text);
    }
    if (complete)
        t2 = now();
    double songs_s = t1 - t0, events_s = t2 - t1;
    double estimate = songs_s + (done ? events_s * (double)nevents / (double)done : 0);
    printf("songs=%ld songs_s=%.3f events=%ld events_done=%ld events_s=%.3f matched=%ld "
           "complete=%d estimate_s=%.3f\n",
           nsongs, songs_s, nevents, done, events_s, matched, complete, estimate);
    PQfinish(conn);
    arena_free(&a);
    return EXIT_OK;
}
