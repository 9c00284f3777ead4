/* events.c - listening sessions merged into day files; see events.h.
 *
 * Time inside the simulation is whole seconds since the window start; a
 * user's ts is start + seconds * 1000 + the user's own millisecond part,
 * so two users rarely share a ts even when they act in the same second.
 *
 * Session script of a logged-in user (the shape of the real logs):
 *   [Home, About/Help, Login (logged out)]  Home|NextSong  then mostly NextSong,
 *   with Home, Settings (-> Save Settings), Help, About, Error, Upgrade
 *   (-> Submit Upgrade: paid from the next event on), Downgrade
 *   (-> Submit Downgrade), and Logout followed by logged-out Home, Login
 *   and a logged-in Home.  A few users end with Cancel and Cancellation
 *   Confirmation.  A "guest" pseudo-user adds rare Guest sessions.
 */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>

#include "dates.h"
#include "jsonw.h"
#include "rng.h"

enum { STREAM_PLAN = 20, STREAM_GAPS = 21, STREAM_EVENTS = 22 };

enum Auth { AUTH_IN, AUTH_OUT, AUTH_GUEST, AUTH_CANCELLED };

enum Page {
    P_NEXTSONG,
    P_HOME,
    P_LOGIN,
    P_LOGOUT,
    P_SETTINGS,
    P_SAVE_SETTINGS,
    P_HELP,
    P_ABOUT,
    P_ERROR,
    P_UPGRADE,
    P_SUBMIT_UPGRADE,
    P_DOWNGRADE,
    P_SUBMIT_DOWNGRADE,
    P_CANCEL,
    P_CANCEL_CONFIRM,
    P_REGISTER,
    P_SUBMIT_REGISTRATION
};

/* Page text as it follows "method": ...: method, page and status fields. */
static const struct {
    const char *text;
    unsigned min_gap, max_gap; /* seconds until the user's next event (not NextSong) */
} pages[] = {
    [P_NEXTSONG] = {"PUT\",\"page\":\"NextSong\"", 0, 0},
    [P_HOME] = {"GET\",\"page\":\"Home\"", 0, 120},
    [P_LOGIN] = {"PUT\",\"page\":\"Login\"", 1, 12},
    [P_LOGOUT] = {"PUT\",\"page\":\"Logout\"", 2, 40},
    [P_SETTINGS] = {"GET\",\"page\":\"Settings\"", 0, 60},
    [P_SAVE_SETTINGS] = {"PUT\",\"page\":\"Save Settings\"", 1, 30},
    [P_HELP] = {"GET\",\"page\":\"Help\"", 1, 90},
    [P_ABOUT] = {"GET\",\"page\":\"About\"", 1, 60},
    [P_ERROR] = {"GET\",\"page\":\"Error\"", 1, 30},
    [P_UPGRADE] = {"GET\",\"page\":\"Upgrade\"", 1, 60},
    [P_SUBMIT_UPGRADE] = {"PUT\",\"page\":\"Submit Upgrade\"", 1, 20},
    [P_DOWNGRADE] = {"GET\",\"page\":\"Downgrade\"", 1, 60},
    [P_SUBMIT_DOWNGRADE] = {"PUT\",\"page\":\"Submit Downgrade\"", 1, 20},
    [P_CANCEL] = {"PUT\",\"page\":\"Cancel\"", 1, 10},
    [P_CANCEL_CONFIRM] = {"GET\",\"page\":\"Cancellation Confirmation\"", 1, 10},
    [P_REGISTER] = {"GET\",\"page\":\"Register\"", 1, 60},
    [P_SUBMIT_REGISTRATION] = {"PUT\",\"page\":\"Submit Registration\"", 1, 20},
};

/* Pages that answer with a redirect. */
static int is_redirect(int p)
{
    return p == P_LOGIN || p == P_LOGOUT || p == P_SAVE_SETTINGS || p == P_SUBMIT_UPGRADE ||
           p == P_SUBMIT_DOWNGRADE || p == P_CANCEL || p == P_SUBMIT_REGISTRATION;
}

static const char *const auth_text[] = {
    [AUTH_IN] = ",\"auth\":\"Logged In\",",
    [AUTH_OUT] = ",\"auth\":\"Logged Out\",",
    [AUTH_GUEST] = ",\"auth\":\"Guest\",",
    [AUTH_CANCELLED] = ",\"auth\":\"Cancelled\",",
};

/* Where a user is in the session script. */
enum Phase { PH_START, PH_IN, PH_OUT_HOME, PH_OUT, PH_BACK_HOME, PH_CANCELLED };

typedef struct Actor {
    Rng gaps;      /* replays the between-session gap weights */
    uint64_t left; /* events still to write */
    uint64_t session_id;
    int64_t t;              /* seconds since the window start of the next event */
    uint64_t free_time;     /* seconds spread between sessions */
    uint64_t wsum;          /* sum of all gap weights */
    uint32_t sessions_left; /* sessions not started yet */
    uint32_t sess_left;     /* events left in the current session */
    uint32_t item;
    uint16_t compress; /* per-mille scale of in-session gaps (1000: none) */
    unsigned char phase, paid, prev, cancel, guest;
    unsigned ms;
} Actor;

typedef struct Sim {
    const EventConfig *cfg;
    Catalog *cat;
    const Users *users;
    Out *o;
    Actor *actors;  /* users->n users, then the guest pseudo-user */
    uint64_t *heap; /* (ts_ms << 20) | actor index */
    size_t nheap;
    Rng r;
    int64_t start_ms;
    uint64_t next_session;
    uint32_t visit_ppm; /* chance of an Upgrade / Downgrade page visit */
    EventStats *st;
} Sim;

#define IDX_BITS 20
#define IDX_MASK ((1ULL << IDX_BITS) - 1)

static void heap_push(Sim *s, uint64_t key)
{
    size_t i = s->nheap++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (s->heap[parent] <= key)
            break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = key;
}

static uint64_t heap_pop(Sim *s)
{
    uint64_t top = s->heap[0], last = s->heap[--s->nheap];
    size_t i = 0, n = s->nheap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && s->heap[c + 1] < s->heap[c])
            c++;
        if (last <= s->heap[c])
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n)
        s->heap[i] = last;
    return top;
}

static uint64_t key_of(const Sim *s, const Actor *a, size_t idx)
{
    uint64_t ts = (uint64_t)(s->start_ms + a->t * 1000) + a->ms;
    return (ts << IDX_BITS) | idx;
}

/* Gap before the next session: its weight's share of the free time. */
static int64_t session_gap(Actor *a)
{
    uint64_t w = 1 + rng_skew(&a->gaps, 1000000);
    return (int64_t)(w * a->free_time / a->wsum);
}

/* Plans one actor: its event budget, sessions and the free time between
 * them.  mean_len is the mean session length in events. */
static void plan_actor(Sim *s, Actor *a, size_t idx, uint64_t budget, uint64_t mean_len)
{
    uint64_t window = (uint64_t)s->cfg->days * 86400;
    a->left = budget;
    a->sessions_left = (uint32_t)((budget + mean_len / 2) / mean_len);
    if (a->sessions_left == 0)
        a->sessions_left = 1;
    /* ~240 s per event on average; keep the expected busy time (with a 25%
     * margin) under 80% of the window by compressing gaps if needed. */
    uint64_t busy = budget * 240 * 5 / 4;
    a->compress = 1000;
    if (busy > window * 4 / 5) {
        a->compress = (uint16_t)(window * 4 / 5 * 1000 / busy);
        if (a->compress == 0)
            a->compress = 1;
        busy = busy * a->compress / 1000;
    }
    a->free_time = window > busy ? window - busy : 0;
    rng_derive(&a->gaps, s->cfg->seed, STREAM_GAPS, idx);
    a->wsum = 0;
    for (uint32_t i = 0; i <= a->sessions_left; i++)
        a->wsum += 1 + rng_skew(&a->gaps, 1000000);
    rng_derive(&a->gaps, s->cfg->seed, STREAM_GAPS, idx);
    a->t = session_gap(a);
}

static void start_session(Sim *s, Actor *a)
{
    uint64_t m = a->sessions_left--, len = a->left;
    if (m > 1) {
        uint64_t mean = a->left / m, hi = mean * 2 > 1 ? mean * 2 - 1 : 1;
        len = rng_range(&s->r, 1, hi);
        if (len > a->left - (m - 1))
            len = a->left - (m - 1);
    }
    a->sess_left = (uint32_t)len;
    a->item = 0;
    a->session_id = ++s->next_session;
    if (a->phase != PH_CANCELLED)
        a->phase = PH_START;
}

/* Chooses the page and auth of an actor's next event and moves its phase. */
static int choose_page(Sim *s, Actor *a, int *auth)
{
    Rng *r = &s->r;
    *auth = AUTH_IN;
    if (a->guest) {
        *auth = AUTH_GUEST;
        if (a->item == 0)
            return P_HOME;
        static const int guest_pages[] = {P_HOME, P_HELP, P_ABOUT, P_REGISTER, P_ERROR};
        if (a->prev == P_REGISTER && rng_below(r, 2))
            return P_SUBMIT_REGISTRATION;
        return guest_pages[rng_below(r, 5)];
    }
    switch (a->phase) {
    case PH_START:
        if (a->sess_left >= 3 && rng_chance(r, 80000)) {
            *auth = AUTH_OUT;
            a->phase = PH_OUT;
            return P_HOME;
        }
        a->phase = PH_IN;
        return rng_below(r, 100) < 35 ? P_HOME : P_NEXTSONG;
    case PH_OUT_HOME:
        *auth = AUTH_OUT;
        a->phase = PH_OUT;
        return P_HOME;
    case PH_OUT:
        *auth = AUTH_OUT;
        if (rng_below(r, 100) < 12)
            return rng_below(r, 2) ? P_HELP : P_ABOUT;
        a->phase = PH_BACK_HOME;
        return P_LOGIN;
    case PH_BACK_HOME: a->phase = PH_IN; return P_HOME;
    case PH_CANCELLED: *auth = AUTH_CANCELLED; return P_CANCEL_CONFIRM;
    default: break;
    }
    if (a->cancel && a->left == 2 && a->sess_left == 2) {
        a->phase = PH_CANCELLED;
        return P_CANCEL;
    }
    if (a->prev == P_UPGRADE && rng_below(r, 100) < 40)
        return P_SUBMIT_UPGRADE;
    if (a->prev == P_DOWNGRADE && rng_below(r, 100) < 20)
        return P_SUBMIT_DOWNGRADE;
    if (a->prev == P_SETTINGS && rng_below(r, 100) < 25)
        return P_SAVE_SETTINGS;
    uint64_t x = rng_below(r, 1000000);
    static const struct {
        uint32_t ppm;
        int page;
    } table[] = {{40000, P_HOME}, {15000, P_LOGOUT}, {8000, P_SETTINGS},
                 {5000, P_HELP},  {3000, P_ABOUT},   {1000, P_ERROR}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (x < table[i].ppm) {
            if (table[i].page == P_LOGOUT)
                a->phase = PH_OUT_HOME;
            return table[i].page;
        }
        x -= table[i].ppm;
    }
    if (!a->paid && x < s->visit_ppm)
        return P_UPGRADE;
    if (a->paid && x < 2 * (uint64_t)s->visit_ppm)
        return P_DOWNGRADE;
    return P_NEXTSONG;
}

static void put_num(Out *o, uint64_t v)
{
    char t[20];
    out_put(o, t, jsonw_u64(t, v));
}

static void put_text(Out *o, const Text *t)
{
    out_put(o, t->s, t->n);
}

/* Writes one event line (without the separating newline). */
static void write_event(Sim *s, const Actor *a, const User *u, int page, int auth, uint64_t ts,
                        const Play *play)
{
    Out *o = s->o;
    int named = auth == AUTH_IN || auth == AUTH_CANCELLED;
    OUT_LIT(o, "{\"artist\":");
    if (play)
        out_put(o, play->artist, play->artist_len);
    else
        OUT_LIT(o, "null");
    out_put(o, auth_text[auth], strlen(auth_text[auth]));
    OUT_LIT(o, "\"firstName\":");
    if (named)
        put_text(o, &u->first);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ",\"gender\":");
    if (named)
        put_text(o, &u->gender);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ",\"itemInSession\":");
    put_num(o, a->item);
    OUT_LIT(o, ",\"lastName\":");
    if (named)
        put_text(o, &u->last);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ",\"length\":");
    if (play)
        out_put(o, play->length, play->length_len);
    else
        OUT_LIT(o, "null");
    if (a->paid)
        OUT_LIT(o, ",\"level\":\"paid\",\"location\":");
    else
        OUT_LIT(o, ",\"level\":\"free\",\"location\":");
    if (named)
        put_text(o, &u->location);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ",\"method\":\"");
    out_put(o, pages[page].text, strlen(pages[page].text));
    OUT_LIT(o, ",\"registration\":");
    if (named)
        put_text(o, &u->registration);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ",\"sessionId\":");
    put_num(o, a->session_id);
    OUT_LIT(o, ",\"song\":");
    if (play)
        out_put(o, play->title, play->title_len);
    else
        OUT_LIT(o, "null");
    if (is_redirect(page))
        OUT_LIT(o, ",\"status\":307,\"ts\":");
    else if (page == P_ERROR)
        OUT_LIT(o, ",\"status\":404,\"ts\":");
    else
        OUT_LIT(o, ",\"status\":200,\"ts\":");
    put_num(o, ts);
    OUT_LIT(o, ",\"userAgent\":");
    if (named)
        put_text(o, &u->agent);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ",\"userId\":");
    if (named)
        put_text(o, &u->id);
    else
        OUT_LIT(o, "\"\"");
    OUT_LIT(o, "}");
}

/* Opens the day file of day (days since epoch); returns 0 or -1. */
static int open_day(Sim *s, const char *dir, int64_t day)
{
    Date d = date_from_days(day);
    char path[FILES_PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%04d/%02d/%04d-%02d-%02d-events.json", dir, d.year,
                     d.month, d.year, d.month, d.day);
    if (n < 0 || (size_t)n >= sizeof path) {
        fprintf(stderr, "sparkify-data: path too long under '%s'\n", dir);
        return -1;
    }
    if (out_open(s->o, path) != 0)
        return -1;
    s->st->files++;
    return 0;
}

/* Writes the popped actor's next event and schedules the one after. */
static void step(Sim *s, size_t idx, uint64_t ts)
{
    Actor *a = &s->actors[idx];
    const User *u = a->guest ? NULL : &s->users->v[idx];
    if (a->sess_left == 0)
        start_session(s, a);
    int auth, page = choose_page(s, a, &auth);
    Play play;
    int64_t gap;
    if (page == P_NEXTSONG) {
        catalog_play(s->cat, &s->r, s->cfg->match_ppm, &play);
        write_event(s, a, u, page, auth, ts, &play);
        s->st->nextsong++;
        s->st->matched += (uint64_t)play.matched;
        /* the next event comes when the song ends */
        uint64_t units = 0;
        for (size_t i = 0; i < play.length_len && play.length[i] != '.'; i++)
            units = units * 10 + (uint64_t)(play.length[i] - '0');
        gap = (int64_t)units + (int64_t)rng_below(&s->r, 3);
    } else {
        write_event(s, a, u, page, auth, ts, NULL);
        gap = (int64_t)rng_range(&s->r, pages[page].min_gap, pages[page].max_gap);
        if (page == P_HOME && rng_below(&s->r, 100) < 8)
            gap = 0;
    }
    s->st->logged_out += auth == AUTH_OUT;
    if (page == P_SUBMIT_UPGRADE)
        a->paid = 1;
    else if (page == P_SUBMIT_DOWNGRADE)
        a->paid = 0;
    a->prev = (unsigned char)page;
    a->item++;
    a->sess_left--;
    a->left--;
    a->t += gap * a->compress / 1000;
    if (a->sess_left == 0 && a->left > 0)
        a->t += session_gap(a);
}

int events_write(const EventConfig *cfg, Catalog *cat, const Users *users, Out *o, const char *dir,
                 EventStats *st)
{
    Sim s;
    memset(&s, 0, sizeof s);
    memset(st, 0, sizeof *st);
    s.cfg = cfg;
    s.cat = cat;
    s.users = users;
    s.o = o;
    s.st = st;
    s.start_ms = cfg->start_day * 86400 * 1000;
    size_t nact = users->n + 1;
    s.actors = xcalloc(nact, sizeof *s.actors);
    s.heap = xmalloc(nact * sizeof *s.heap);
    rng_derive(&s.r, cfg->seed, STREAM_EVENTS, 0);

    /* Budgets: a guest share, then the rest by activity weight, exactly. */
    uint64_t guest_budget = cfg->events >= 1000 ? cfg->events / 1000 : 0;
    uint64_t rest = cfg->events - guest_budget, wsum = 0, given = 0;
    for (size_t i = 0; i < users->n; i++)
        wsum += users->v[i].activity;
    uint64_t mean = users->n ? rest / users->n : 0;
    uint64_t mean_len = mean / 10 < 8 ? 8 : mean / 10 > 40 ? 40 : mean / 10;
    /* About 0.8 level changes per user whatever the size: a change is a
     * visit (Upgrade, or Downgrade twice as often) followed by a submit. */
    uint64_t visit = mean ? 2000000 / (mean ? mean : 1) : 20000;
    s.visit_ppm = (uint32_t)(visit < 1000 ? 1000 : visit > 20000 ? 20000 : visit);

    Rng plan;
    rng_derive(&plan, cfg->seed, STREAM_PLAN, 0);
    for (size_t i = 0; i < nact; i++) {
        Actor *a = &s.actors[i];
        uint64_t budget;
        if (i == users->n) {
            budget = guest_budget;
            a->guest = 1;
            a->ms = (unsigned)rng_below(&plan, 1000);
            plan_actor(&s, a, i, budget ? budget : 1, 2);
        } else {
            /* floor of the weighted share; the remainder goes one each to the first users */
            budget = rest * users->v[i].activity / wsum; /* rest <= 1e10: no overflow */
            given += budget;
            a->ms = users->v[i].ms;
            a->paid = (unsigned char)users->v[i].paid;
            a->cancel = rng_below(&plan, 100) < 3;
            plan_actor(&s, a, i, budget ? budget : 1, mean_len);
        }
        a->left = budget;
    }
    for (size_t i = 0; i < users->n && given < rest; i++, given++) {
        Actor *a = &s.actors[i];
        if (a->left == 0)
            plan_actor(&s, a, i, 1, mean_len);
        else
            a->left++;
    }
    for (size_t i = 0; i < nact; i++)
        if (s.actors[i].left > 0)
            heap_push(&s, key_of(&s, &s.actors[i], i));

    int64_t day = INT64_MIN;
    int rc = 0;
    while (s.nheap > 0) {
        uint64_t key = heap_pop(&s);
        size_t idx = (size_t)(key & IDX_MASK);
        uint64_t ts = key >> IDX_BITS;
        int64_t d = (int64_t)(ts / 86400000);
        if (d != day) {
            if (day != INT64_MIN && out_close(o) != 0) {
                rc = -1;
                break;
            }
            day = d;
            if (open_day(&s, dir, d) != 0) {
                rc = -1;
                break;
            }
        } else {
            OUT_LIT(o, "\n");
        }
        step(&s, idx, ts);
        st->events++;
        if (s.actors[idx].left > 0)
            heap_push(&s, key_of(&s, &s.actors[idx], idx));
    }
    if (rc == 0 && day != INT64_MIN && out_close(o) != 0)
        rc = -1;
    free(s.actors);
    free(s.heap);
    return rc;
}
