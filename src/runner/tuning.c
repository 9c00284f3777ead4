/* tuning.c - session settings and fresh statistics for PostgreSQL; see tuning.h.
 *
 * Every value here was chosen by measuring the generated Sparkify steps at 1M
 * events on a default PostgreSQL 15 (BENCH.md, "Directions", has the commands,
 * the timings and the EXPLAIN (ANALYZE, BUFFERS) output):
 *   work_mem 256MB   users' and time's dedupe windows and the data checks'
 *                    GROUP BYs spill to disk with the default 4MB (songplays'
 *                    window over every row, ~300 MB on disk even at 256MB, is
 *                    gone: its load ranks only repeated keys, src/gen/emit.c).
 *                    It is per sort or hash node of each of the runner's
 *                    backends: one, or up to N with --jobs N (src/runner/jobs.c).
 *   jit off          once the staging tables have statistics the transforms cost
 *                    more than jit_above_cost, and compiling their expressions
 *                    then costs more than it saves.  gen now creates staging
 *                    tables with autovacuum off (dialect_postgres.c), but an
 *                    older out/ or someone's ANALYZE still gives them statistics
 *                    (autovacuum's ANALYZE ran about a minute after the COPY).
 * Measured and not kept: maintenance_work_mem (no step builds an index or a
 * foreign key after its rows are in: primary keys exist before the INSERT) and an
 * ANALYZE of the staging tables after their COPY (the plans of every transform
 * are the same with and without statistics: sequential scans, one hash join,
 * one sort per window; BENCH.md shows both EXPLAINs).  Statistics would not fix
 * the one estimate that matters, the twin's RTRIM(page) = 'NextSong' (0.5% of the
 * rows: PostgreSQL keeps none on expressions), so the split songplays load sets
 * enable_nestloop off for its own transaction instead (dialect_postgres.c).
 */
#include "tuning.h"

#include <string.h>

#include "../common/message.h"
#include "conn.h"

static const struct {
    const char *name;  /* a PostgreSQL setting */
    const char *value; /* as SET takes it */
} SETTINGS[] = {
    {"work_mem", "'256MB'"},
    {"jit", "off"},
};

/* 1 when pg_settings says name still has its compiled-in default; 0 when
 * someone set it (configuration file, role, database, client); -1 on error. */
static int at_default(PGconn *c, const char *name, Buf *err)
{
    const char *params[1] = {name};
    PGresult *r = PQexecParams(c, "SELECT source FROM pg_settings WHERE name = $1", 1, NULL, params,
                               NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        conn_put_error(err, c, r);
        PQclear(r);
        return -1;
    }
    /* an unknown name (an older server): leave it alone */
    int yes = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "default") == 0;
    PQclear(r);
    return yes;
}

int tuning_session(PGconn *c, int *applied, Buf *err)
{
    int n_set = 0;
    for (size_t i = 0; i < sizeof SETTINGS / sizeof SETTINGS[0]; i++) {
        int d = at_default(c, SETTINGS[i].name, err);
        if (d < 0)
            return -1;
        if (!d)
            continue;
        Buf sql;
        buf_init(&sql);
        buf_printf(&sql, "SET %s = %s", SETTINGS[i].name, SETTINGS[i].value);
        int rc = conn_exec(c, sql.data, err);
        buf_free(&sql);
        if (rc)
            return -1;
        n_set++;
    }
    if (applied)
        *applied = n_set;
    return 0;
}

void tuning_open(PGconn *c)
{
    Buf err;
    buf_init(&err);
    if (tuning_session(c, NULL, &err))
        msg_warning("could not apply the session settings for loading (%s); going on with the "
                    "server's own",
                    err.data);
    buf_free(&err);
}
