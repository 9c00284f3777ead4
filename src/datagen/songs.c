/* songs.c - the song catalogue and the song_data writer; see songs.h. */
#include "songs.h"

#include <stdio.h>
#include <stdlib.h>

/* Sub-stream numbers for rng_derive(): one per kind of regenerated item. */
enum { STREAM_CATALOG = 1, STREAM_PHANTOM_SONG = 2, STREAM_PHANTOM_ARTIST = 3 };

static const char hexup[] = "0123456789ABCDEF";
static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

static void put_random(Rng *r, char *d, const char *alphabet, size_t alen, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = alphabet[rng_below(r, alen)];
}

/* Writes the low 4*n bits of v as n upper-case hex digits. */
static void put_hex(char *d, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 4)
        d[i] = hexup[v & 15];
}

/* A bijection of [0, 2^bits) chosen by (seed, kind): ids built from it
 * never collide, and ids of different kinds look unrelated. */
static uint64_t permute(uint64_t i, uint64_t seed, uint64_t kind, int bits)
{
    uint64_t mask = (1ULL << bits) - 1;
    uint64_t mul = rng_mix(seed ^ (kind << 32)) | 1, add = rng_mix(seed + kind);
    return (i * mul + add) & mask;
}

static const char *quote_log(Arena *a, const char *s, size_t *len)
{
    size_t n = strlen(s);
    char *d = arena_alloc(a, JSONW_QUOTED_MAX(n) + 1);
    *len = jsonw_quote(d, s, n, JSONW_ASCII | JSONW_SLASH);
    return d;
}

/* A duration in seconds, shaped like the real data (mostly 2.5 to 5.5
 * minutes, a few short interludes and long tracks), in 1e-5 s units. */
static int64_t make_duration(Rng *r)
{
    uint64_t sec, p = rng_below(r, 100);
    if (p < 5)
        sec = rng_range(r, 30, 149);
    else if (p < 85)
        sec = rng_range(r, 150, 329);
    else
        sec = rng_range(r, 330, 719);
    return (int64_t)(sec * 100000 + rng_below(r, 100000));
}

static void make_artist(Catalog *c, Rng *r, size_t i, int two_spellings)
{
    Artist *a = &c->artists[i];
    memcpy(a->id, "AR", 2);
    put_random(r, a->id + 2, alnum, 36, 5);
    memcpy(a->id + 7, "1187", 4);
    put_hex(a->id + 11, permute(i, c->seed, 1, 28), 7);
    a->id[18] = '\0';

    Buf b = {0};
    const char *famous = names_famous_artist(i);
    if (famous)
        buf_puts(&b, famous);
    else
        names_artist(r, &b);
    a->name[0] = arena_strndup(&c->arena, b.data, b.len);
    for (int s = 0; s < 2; s++) {
        if (s == 1 && !two_spellings)
            break;
        if (s == 1) {
            buf_reset(&b);
            names_artist_variant(r, a->name[0], &b);
            a->name[1] = arena_strndup(&c->arena, b.data, b.len);
        }
        a->name_log[s] = quote_log(&c->arena, a->name[s], &a->name_log_len[s]);
        /* location "" for about a third; coordinates null for about 55%,
         * sometimes known without a location name */
        const Place *p = names_place(r);
        int named = rng_below(r, 100) >= 35;
        a->location[s] = named ? p->name : "";
        a->coord[s] = rng_below(r, 100) < (named ? 65u : 5u) ? p : NULL;
    }
    buf_free(&b);
}

void catalog_build(Catalog *c, uint64_t seed, size_t nsongs)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->arena);
    c->seed = seed;
    c->nsongs = nsongs;
    c->nartists = nsongs / 3 ? nsongs / 3 : 1;
    c->phantoms = nsongs * 20 < 2000 ? 2000 : nsongs * 20;
    c->songs = xcalloc(nsongs, sizeof *c->songs);
    c->artists = xcalloc(c->nartists, sizeof *c->artists);

    Rng r;
    rng_derive(&r, seed, STREAM_CATALOG, 0);
    for (size_t i = 0; i < c->nartists; i++)
        make_artist(c, &r, i, rng_below(&r, 100) < 6);

    Buf b = {0};
    for (size_t i = 0; i < nsongs; i++) {
        Song *s = &c->songs[i];
        /* Every artist gets one song, then popular artists get more. */
        s->artist = (uint32_t)(i < c->nartists ? i : rng_skew(&r, c->nartists));
        const Artist *a = &c->artists[s->artist];
        s->spelling = (unsigned char)(a->name[1] && i >= c->nartists && rng_below(&r, 2));

        memcpy(s->track_id, "TRA", 3);
        put_random(&r, s->track_id + 3, upper, 26, 4);
        if (rng_below(&r, 2)) {
            memcpy(s->track_id + 7, "128F", 4);
            put_hex(s->track_id + 11, permute(i, seed, 2, 28), 7);
        } else {
            memcpy(s->track_id + 7, "12903", 5);
            put_hex(s->track_id + 12, permute(i, seed, 3, 24), 6);
        }
        memcpy(s->song_id, "SO", 2);
        put_random(&r, s->song_id + 2, upper, 26, 5);
        memcpy(s->song_id + 7, "12A", 3);
        s->song_id[10] = "8BF"[rng_below(&r, 3)];
        put_hex(s->song_id + 11, permute(i, seed, 4, 28), 7);

        /* About 3% reuse the title of an earlier song by another artist. */
        size_t j = i ? rng_below(&r, i) : 0;
        if (i && rng_below(&r, 100) < 3 && c->songs[j].artist != s->artist) {
            s->title = c->songs[j].title;
            s->title_log = c->songs[j].title_log;
            s->title_log_len = c->songs[j].title_log_len;
        } else {
            buf_reset(&b);
            names_title(&r, &b);
            s->title = arena_strndup(&c->arena, b.data, b.len);
            s->title_log = quote_log(&c->arena, s->title, &s->title_log_len);
        }
        s->duration = make_duration(&r) & ~(int64_t)1;
        s->length_len = jsonw_fixed5(s->length, s->duration);
        s->year = rng_below(&r, 100) < 45 ? 0 : (unsigned)(2010 - rng_skew(&r, 50));
    }
    buf_free(&b);
    buf_init(&c->raw);
}

void catalog_free(Catalog *c)
{
    free(c->songs);
    free(c->artists);
    buf_free(&c->raw);
    arena_free(&c->arena);
}

void catalog_play(Catalog *c, Rng *r, uint32_t match_ppm, Play *out)
{
    if (c->nsongs && rng_chance(r, match_ppm)) {
        const Song *s = &c->songs[rng_skew(r, c->nsongs)];
        const Artist *a = &c->artists[s->artist];
        out->artist = a->name_log[s->spelling];
        out->artist_len = a->name_log_len[s->spelling];
        out->title = s->title_log;
        out->title_len = s->title_log_len;
        out->length = s->length;
        out->length_len = s->length_len;
        out->matched = 1;
        return;
    }
    /* A phantom song: everything follows from its pool index k; four
     * songs share each phantom artist. */
    uint64_t k = rng_skew(r, c->phantoms);
    Rng pa, ps;
    rng_derive(&pa, c->seed, STREAM_PHANTOM_ARTIST, k / 4);
    rng_derive(&ps, c->seed, STREAM_PHANTOM_SONG, k);
    buf_reset(&c->raw);
    if (rng_below(&pa, 100) < 25) {
        buf_puts(&c->raw, c->artists[rng_below(&pa, c->nartists)].name[0]);
    } else {
        names_artist(&pa, &c->raw);
    }
    size_t n = c->raw.len < 512 ? c->raw.len : 512;
    out->artist_len = jsonw_quote(c->qartist, c->raw.data, n, JSONW_ASCII | JSONW_SLASH);
    out->artist = c->qartist;

    buf_reset(&c->raw);
    names_title(&ps, &c->raw);
    n = c->raw.len < 512 ? c->raw.len : 512;
    out->title_len = jsonw_quote(c->qtitle, c->raw.data, n, JSONW_ASCII | JSONW_SLASH);
    out->title = c->qtitle;

    out->length_len = jsonw_fixed5(c->qlength, make_duration(&ps) | 1);
    out->length = c->qlength;
    out->matched = 0;
}

static int by_track_id(const void *x, const void *y)
{
    const Song *a = *(const Song *const *)x, *b = *(const Song *const *)y;
    return strcmp(a->track_id, b->track_id);
}

static void put_json_string(Out *o, const char *s)
{
    char q[JSONW_QUOTED_MAX(512)];
    size_t n = strlen(s);
    if (n > 512)
        n = 512;
    out_put(o, q, jsonw_quote(q, s, n, JSONW_ASCII));
}

static void put_fixed5(Out *o, int64_t units)
{
    char t[24];
    out_put(o, t, jsonw_fixed5(t, units));
}

static void write_song(Out *o, const Catalog *c, const Song *s)
{
    const Artist *a = &c->artists[s->artist];
    int sp = s->spelling;
    const Place *coord = a->coord[sp];
    OUT_LIT(o, "{\"num_songs\": 1, \"artist_id\": \"");
    out_put(o, a->id, 18);
    OUT_LIT(o, "\", \"artist_latitude\": ");
    if (coord)
        put_fixed5(o, coord->lat);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ", \"artist_longitude\": ");
    if (coord)
        put_fixed5(o, coord->lon);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ", \"artist_location\": ");
    put_json_string(o, a->location[sp]);
    OUT_LIT(o, ", \"artist_name\": ");
    put_json_string(o, a->name[sp]);
    OUT_LIT(o, ", \"song_id\": \"");
    out_put(o, s->song_id, 18);
    OUT_LIT(o, "\", \"title\": ");
    put_json_string(o, s->title);
    OUT_LIT(o, ", \"duration\": ");
    out_put(o, s->length, s->length_len);
    OUT_LIT(o, ", \"year\": ");
    char t[20];
    out_put(o, t, jsonw_u64(t, s->year));
    OUT_LIT(o, "}");
}

int catalog_write(const Catalog *c, Out *o, const char *dir, size_t per_file)
{
    /* track ids are unique, so the order is total and the same everywhere */
    const Song **order = xmalloc((c->nsongs ? c->nsongs : 1) * sizeof *order);
    for (size_t i = 0; i < c->nsongs; i++)
        order[i] = &c->songs[i];
    qsort(order, c->nsongs, sizeof *order, by_track_id);

    int rc = 0;
    char path[FILES_PATH_MAX];
    for (size_t i = 0; i < c->nsongs && rc == 0; i += per_file) {
        const char *tid = order[i]->track_id;
        int n =
            snprintf(path, sizeof path, "%s/%c/%c/%c/%s.json", dir, tid[2], tid[3], tid[4], tid);
        if (n < 0 || (size_t)n >= sizeof path || out_open(o, path) != 0) {
            rc = -1;
            break;
        }
        for (size_t k = i; k < i + per_file && k < c->nsongs; k++) {
            if (k > i)
                OUT_LIT(o, "\n");
            write_song(o, c, order[k]);
        }
        rc = out_close(o);
    }
    free(order);
    return rc;
}
