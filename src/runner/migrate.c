/* migrate.c - validate, check drift, apply pending migrations (see migrate.h). */
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/message.h"
#include "../common/readfile.h"
#include "../common/schema_state.h"
#include "conn.h"
#include "history.h"
#include "output.h"
#include "plan.h"
#include "runner.h"
#include "sha256.h"

#define MIG_MAX_BYTES (64u << 20)
#define STEP_PREFIX   "migration:"

typedef struct Mig {
    const char *file, *path;
    char *text;
    size_t len;
    char checksum[65];
    const StMigration *st; /* its entry in schema.state, or NULL (not written by gen) */
    bool applied;
} Mig;

static int cmp_mig(const void *a, const void *b)
{
    return strcmp(((const Mig *)a)->file, ((const Mig *)b)->file);
}

static bool is_mig_name(const char *s)
{
    size_t n = strlen(s);
    return n > 9 && !strcmp(s + n - 4, ".sql") && s[0] >= '0' && s[0] <= '9' && s[4] == '_';
}

/* The migrations folder, sorted; *n = 0 when there is none. */
static Mig *read_migrations(Arena *a, const char *dir, size_t *n, Buf *err)
{
    *n = 0;
    const char *mdir = arena_printf(a, "%s/migrations", dir);
    DIR *dp = opendir(mdir);
    if (!dp) {
        if (errno == ENOENT)
            return NULL;
        buf_printf(err, "cannot open %s: %s", mdir, strerror(errno));
        return NULL;
    }
    size_t cap = 8;
    Mig *v = xmalloc(cap * sizeof *v);
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (!is_mig_name(de->d_name))
            continue;
        if (*n == cap)
            v = xrealloc(v, (cap *= 2) * sizeof *v);
        Mig *m = &v[(*n)++];
        memset(m, 0, sizeof *m);
        m->file = arena_strdup(a, de->d_name);
        m->path = arena_printf(a, "%s/%s", mdir, de->d_name);
    }
    closedir(dp);
    qsort(v, *n, sizeof *v, cmp_mig);
    for (size_t i = 0; i < *n; i++) {
        char *t = read_whole_file(v[i].path, MIG_MAX_BYTES, &v[i].len);
        if (!t) {
            buf_printf(err, "cannot read %s: %s", v[i].path, strerror(errno));
            *n = 0;
            free(v);
            return NULL;
        }
        v[i].text = arena_strndup(a, t, v[i].len);
        free(t);
        sha256_hex(v[i].text, v[i].len, v[i].checksum);
    }
    Mig *out = arena_alloc(a, (*n + 1) * sizeof *out);
    memcpy(out, v, *n * sizeof *out);
    free(v);
    return out;
}

/* ---- live columns ---- */

typedef struct LiveCol {
    const char *name, *type;
    bool not_null;
} LiveCol;

/* information_schema.columns -> the state's TYPE tokens. */
static const char *live_type(Arena *a, const char *dt, const char *len, const char *prec,
                             const char *scale)
{
    static const char *const map[][2] = {
        {"smallint", "smallint"},
        {"integer", "integer"},
        {"bigint", "bigint"},
        {"real", "real"},
        {"double precision", "double"},
        {"boolean", "boolean"},
        {"date", "date"},
        {"time without time zone", "time"},
        {"timestamp without time zone", "timestamp"},
        {"timestamp with time zone", "timestamptz"},
        {"text", "varchar(max)"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(dt, map[i][0]))
            return map[i][1];
    if (!strcmp(dt, "numeric"))
        return arena_printf(a, "decimal(%s,%s)", *prec ? prec : "?", *scale ? scale : "?");
    if (!strcmp(dt, "character varying"))
        return !*len || !strcmp(len, "65535") ? "varchar(max)"
                                              : arena_printf(a, "varchar(%s)", len);
    if (!strcmp(dt, "character"))
        return arena_printf(a, "char(%s)", len);
    return arena_strdup(a, dt);
}

/* The live columns of table name; -1 on a query error, else their count (0: no table). */
static int live_columns(PGconn *c, Arena *a, const char *name, LiveCol **out, Buf *err)
{
    const char *vals[1] = {name};
    PGresult *r = PQexecParams(
        c,
        "SELECT column_name, data_type, COALESCE(CAST(character_maximum_length AS VARCHAR), ''), "
        "COALESCE(CAST(numeric_precision AS VARCHAR), ''), "
        "COALESCE(CAST(numeric_scale AS VARCHAR), ''), is_nullable "
        "FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = $1 ORDER BY ordinal_position",
        1, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        conn_put_error(err, c, r);
        PQclear(r);
        return -1;
    }
    int n = PQntuples(r);
    *out = arena_alloc(a, (size_t)(n + 1) * sizeof **out);
    for (int i = 0; i < n; i++) {
        (*out)[i].name = arena_strdup(a, PQgetvalue(r, i, 0));
        (*out)[i].type = live_type(a, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
                                   PQgetvalue(r, i, 4));
        (*out)[i].not_null = !strcmp(PQgetvalue(r, i, 5), "NO");
    }
    PQclear(r);
    return n;
}

/* Appends to diff what differs between the live columns and t; true if anything. */
static bool compare(const StTable *t, const LiveCol *live, int n, Buf *diff)
{
    size_t start = diff->len;
    for (size_t i = 0; i < t->columns.len; i++) {
        const StColumn *c = t->columns.items[i];
        const LiveCol *l = NULL;
        for (int j = 0; j < n && !l; j++)
            if (!strcmp(live[j].name, c->name))
                l = &live[j];
        if (!l) {
            buf_printf(diff, "    column \"%s\" %s: recorded, missing in the database\n", c->name,
                       c->type);
            continue;
        }
        if (strcmp(l->type, c->type))
            buf_printf(diff, "    column \"%s\": the database has %s, the state says %s\n", c->name,
                       l->type, c->type);
        if (l->not_null != c->not_null)
            buf_printf(diff, "    column \"%s\": the database has %s, the state says %s\n", c->name,
                       l->not_null ? "NOT NULL" : "NULL allowed",
                       c->not_null ? "NOT NULL" : "NULL allowed");
    }
    for (int j = 0; j < n; j++)
        if (!schema_state_column(t, live[j].name))
            buf_printf(diff, "    column \"%s\" %s: in the database, not recorded\n", live[j].name,
                       live[j].type);
    return diff->len > start;
}

/* ---- history ---- */

typedef struct Applied {
    const char *step, *checksum;
} Applied;

static int read_applied(PGconn *c, Arena *a, Applied **out, Buf *err)
{
    PGresult *r = PQexec(c, "SELECT step, checksum FROM stargen_history WHERE step LIKE "
                            "'migration:%' AND status IN ('success', 'skipped') ORDER BY step");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        conn_put_error(err, c, r);
        PQclear(r);
        return -1;
    }
    int n = PQntuples(r);
    *out = arena_alloc(a, (size_t)(n + 1) * sizeof **out);
    for (int i = 0; i < n; i++) {
        (*out)[i].step = arena_strdup(a, PQgetvalue(r, i, 0));
        (*out)[i].checksum = arena_strdup(a, PQgetvalue(r, i, 1));
    }
    PQclear(r);
    return n;
}

/* ---- apply ---- */

static int record(PGconn *c, const char *run_id, const Mig *m, const char *status, double secs,
                  const char *error, Buf *err)
{
    char started[32];
    utc_now_iso(started);
    HistoryRow h = {run_id, NULL, m->file, m->checksum, status, started, error, 0, secs};
    char step[160];
    snprintf(step, sizeof step, STEP_PREFIX "%.*s", (int)(strlen(m->file) - 4), m->file);
    h.step = step;
    return history_insert(c, &h, err);
}

static int apply(PGconn *c, Arena *a, const char *run_id, const Mig *m, Buf *err)
{
    Statement *stmts;
    size_t n;
    bool no_tx;
    if (plan_split(a, m->path, m->text, m->len, &stmts, &n, &no_tx, err))
        return -1;
    double t0 = now_seconds();
    if (!no_tx && conn_exec(c, "BEGIN", err))
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *sql = arena_strndup(a, m->text + stmts[i].off, stmts[i].len);
        if (conn_exec(c, sql, err)) {
            buf_printf(err, "\n    at %s:%d", m->path, stmts[i].line);
            if (!no_tx)
                conn_exec(c, "ROLLBACK", NULL);
            Buf e2;
            buf_init(&e2);
            record(c, run_id, m, "failed", now_seconds() - t0, err->data, &e2);
            buf_free(&e2);
            return -1;
        }
    }
    if (record(c, run_id, m, "success", now_seconds() - t0, NULL, err) ||
        (!no_tx && conn_exec(c, "COMMIT", err))) {
        if (!no_tx)
            conn_exec(c, "ROLLBACK", NULL);
        return -1;
    }
    return 0;
}

/* The tables a migration expects as they were before it: its state entry's. */
static bool tables_absent(PGconn *c, Arena *a, const Mig *m, Buf *err, int *qerr)
{
    if (!m->st || !m->st->before.len)
        return false;
    for (size_t i = 0; i < m->st->before.len; i++) {
        const StTable *t = m->st->before.items[i];
        LiveCol *live;
        int n = live_columns(c, a, t->name, &live, err);
        if (n < 0) {
            *qerr = 1;
            return false;
        }
        if (n > 0)
            return false;
    }
    return true;
}

int migrate_run(PGconn *c, const char *dir, const char *run_id, int quiet)
{
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    int rc = RUNNER_EXIT_OK;
    size_t nm = 0;
    Mig *migs = read_migrations(&a, dir, &nm, &err);
    const char *spath = arena_printf(&a, "%s/%s", dir, SCHEMA_STATE_FILE);
    size_t slen;
    char *stext = err.len ? NULL : read_whole_file(spath, MIG_MAX_BYTES, &slen);
    SchemaState st;
    memset(&st, 0, sizeof st);
    if (err.len) {
        msg_error("%s", err.data);
        rc = RUNNER_EXIT_USAGE;
        goto done;
    }
    if (!stext) {
        if (nm) {
            msg_error("%s holds migrations but %s cannot be read: %s", dir, spath, strerror(errno));
            rc = RUNNER_EXIT_USAGE;
        }
        goto done; /* a folder from before migrations: nothing to check */
    }
    if (schema_state_parse(&a, spath, stext, slen, &st, &err)) {
        free(stext);
        msg_error("%s", err.data);
        rc = RUNNER_EXIT_USAGE;
        goto done;
    }
    free(stext);
    for (size_t i = 0; i < nm; i++)
        for (size_t j = 0; j < st.migrations.len; j++)
            if (!strcmp(((StMigration *)st.migrations.items[j])->file, migs[i].file))
                migs[i].st = st.migrations.items[j];

    /* 1. validate what ran */
    Applied *ap;
    int na = read_applied(c, &a, &ap, &err);
    if (na < 0) {
        msg_error("cannot read stargen_history: %s", err.data);
        rc = RUNNER_EXIT_STEP_FAILED;
        goto done;
    }
    int problems = 0;
    Buf report;
    buf_init(&report);
    for (int k = 0; k < na; k++) {
        const char *name = ap[k].step + strlen(STEP_PREFIX);
        Mig *m = NULL;
        for (size_t i = 0; i < nm && !m; i++)
            if (strlen(migs[i].file) == strlen(name) + 4 &&
                !strncmp(migs[i].file, name, strlen(name)))
                m = &migs[i];
        if (!m) {
            problems++;
            msg_error("migration %s ran on this database but %s/migrations/%s.sql is gone", name,
                      dir, name);
            msg_hint("restore it (git checkout): a migration that ran is never removed");
            continue;
        }
        if (m->applied)
            continue;
        m->applied = true;
        if (strcmp(m->checksum, ap[k].checksum)) {
            problems++;
            msg_error("%s was edited after it ran on this database (checksum %.12s..., it ran "
                      "as %.12s...)",
                      m->path, m->checksum, ap[k].checksum);
            msg_hint("restore the file as it ran (git checkout); a later change of the model "
                     "gets a new migration from ./gen");
        }
    }

    /* 2. drift: each live kept table against what it is before its pending migrations */
    Vec checked = {0};
    for (size_t i = 0; i < nm; i++) {
        if (migs[i].applied || !migs[i].st)
            continue;
        for (size_t j = 0; j < migs[i].st->before.len; j++) {
            StTable *t = migs[i].st->before.items[j];
            if (!schema_state_find(&checked, t->name))
                vec_push(&a, &checked, t);
        }
    }
    for (size_t i = 0; i < st.tables.len; i++) {
        StTable *t = st.tables.items[i];
        if (!schema_state_find(&checked, t->name))
            vec_push(&a, &checked, t);
    }
    for (size_t i = 0; i < checked.len; i++) {
        const StTable *t = checked.items[i];
        if (!schema_state_kept(t))
            continue;
        LiveCol *live;
        int n = live_columns(c, &a, t->name, &live, &err);
        if (n < 0) {
            msg_error("cannot read the columns of \"%s\": %s", t->name, err.data);
            rc = RUNNER_EXIT_STEP_FAILED;
            buf_free(&report);
            goto done;
        }
        buf_reset(&report);
        if (n > 0 && compare(t, live, n, &report)) {
            problems++;
            if (report.len && report.data[report.len - 1] == '\n')
                report.data[--report.len] = '\0';
            msg_error("kept table \"%s\" differs from %s (drift):\n%s", t->name, spath,
                      report.data);
            msg_hint("someone changed the table outside stargen: undo that change, or make the "
                     "model say what the table is and regenerate");
        }
    }
    buf_free(&report);
    if (problems) {
        msg_info("%d problem%s with the kept tables; nothing was changed", problems,
                 problems == 1 ? "" : "s");
        rc = RUNNER_EXIT_USAGE;
        goto done;
    }

    /* 3. apply */
    for (size_t i = 0; i < nm; i++) {
        Mig *m = &migs[i];
        if (m->applied)
            continue;
        int qerr = 0;
        buf_reset(&err);
        if (tables_absent(c, &a, m, &err, &qerr)) {
            if (record(c, run_id, m, "skipped", 0, NULL, &err)) {
                msg_error("cannot record %s: %s", m->file, err.data);
                rc = RUNNER_EXIT_STEP_FAILED;
                goto done;
            }
            if (!quiet)
                printf("migration %s: skipped (its table does not exist yet; the steps create "
                       "it as the model says)\n",
                       m->file);
            continue;
        }
        if (qerr || apply(c, &a, run_id, m, &err)) {
            msg_error("migration %s failed, rolled back: %s", m->path, err.data);
            rc = RUNNER_EXIT_STEP_FAILED;
            goto done;
        }
        if (!quiet)
            printf("migration %s: applied\n", m->file);
    }
done:
    fflush(stdout);
    buf_free(&err);
    arena_free(&a);
    return rc;
}

int migrate_describe(Buf *out, const char *dir, Buf *err)
{
    Arena a;
    arena_init(&a);
    size_t nm = 0;
    Mig *migs = read_migrations(&a, dir, &nm, err);
    int rc = err->len ? -1 : 0;
    if (rc == 0 && nm) {
        buf_printf(out, "\nmigrations: %zu in ", nm);
        put_display_text(out, dir, NULL);
        buf_puts(out, "/migrations, applied in this order before the steps, each once: a run "
                      "applies those stargen_history does not record yet (a dry run connects "
                      "to nothing, so it lists them all)\n");
        for (size_t i = 0; i < nm; i++) {
            buf_printf(out, "\n  migration %s  sha256 %s\n", migs[i].file, migs[i].checksum);
            const char *p = migs[i].text;
            while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                buf_puts(out, "    ");
                buf_putn(out, p, len);
                buf_putc(out, '\n');
                p += len + (nl != NULL);
            }
        }
    }
    arena_free(&a);
    return rc;
}
