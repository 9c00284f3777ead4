/* emit_datachecks.c - the data-checks step.
 *
 * A check is one SELECT that returns the rows breaking its rule; it passes
 * when it returns none.  Each is preceded by its directive
 *   -- stargen:check name=unique_users_user_id severity=error
 * so the runner can count the offending rows and show a few (docs/out-format.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit_internal.h"
#include "resolve.h"

static void qualified(Buf *b, const char *alias, const char *col)
{
    print_name(b, alias);
    buf_putc(b, '.');
    print_name(b, col);
}

/* The key columns of t as "alias.k1, alias.k2, " (nothing when t has no key). */
static void key_prefix(Buf *b, const TableDef *t, const char *alias, const ColumnDef *skip)
{
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        if (c->primary_key && c != skip) {
            qualified(b, alias, c->name);
            buf_puts(b, ", ");
        }
    }
}

static void rowset_from(Emitter *e, Buf *b, const RowSet *r)
{
    buf_puts(b, "FROM ");
    print_name(b, r->name);
    if (strcmp(r->name, r->alias)) {
        buf_puts(b, " AS ");
        print_name(b, r->alias);
    }
    if (r->where_expr) {
        buf_puts(b, " WHERE ");
        print_expr(b, e->d, r->where_expr);
    }
}

/* Model text inside a -- comment: one line, no control characters (PostgreSQL ends a
 * comment at a carriage return too, and what follows would run as SQL). */
void emit_comment_text(Buf *b, const char *s)
{
    size_t start = b->len;
    for (; *s; s++)
        buf_putc(b, ((unsigned char)*s < 0x20 || *s == 0x7f) ? ' ' : *s);
    while (b->len > start && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
}

static void describe(Emitter *e, Buf *b, const CheckDef *c)
{
    const TableDef *t = c->table;
    const ColumnDef *col = c->column;
    switch (c->kind) {
    case CK_UNIQUE:
        buf_printf(b, "-- The %s key of %s is unique.\n", c->natural ? "natural" : "primary",
                   t->name);
        break;
    case CK_NOT_NULL: buf_printf(b, "-- %s.%s holds no NULL.\n", t->name, col->name); break;
    case CK_RELATIONSHIP:
        buf_printf(b, "-- Every %s.%s is in %s.%s (no orphans).\n", t->name, col->name,
                   col->ref_col->table->name, col->ref_col->name);
        break;
    case CK_ACCEPTED:
        buf_printf(b, "-- %s.%s holds only accepted values.\n", t->name, col->name);
        break;
    case CK_ROW_COUNT_EQUAL:
        buf_printf(b, "-- Rows of %s equal rows of %s.\n", c->left->name, c->right->name);
        break;
    case CK_MIN_ROWS:
        buf_printf(b, "-- %s has at least %lld row%s.\n", c->left->name, c->min_rows,
                   c->min_rows == 1 ? "" : "s");
        break;
    case CK_NO_ROWS:
        buf_printf(b, "-- No row of %s matches the condition.\n", c->left->name);
        break;
    case CK_SQL: buf_puts(b, "-- A query from the model that must return no rows.\n"); break;
    }
    if (c->description) {
        buf_puts(b, "-- ");
        emit_comment_text(b, c->description->s);
        buf_putc(b, '\n');
    }
    (void)e;
}

static void accepted_value(Emitter *e, Buf *b, const ColumnDef *col, const Scalar *v)
{
    if (type_cat(col->type) == CAT_STRING)
        print_literal(b, e->d, v->s);
    else
        buf_puts(b, !strcmp(v->s, "true") ? "TRUE" : !strcmp(v->s, "false") ? "FALSE" : v->s);
}

static void check_sql(Emitter *e, Buf *b, const CheckDef *c)
{
    const TableDef *t = c->table;
    const ColumnDef *col = c->column;
    switch (c->kind) {
    case CK_UNIQUE: {
        Buf keys, named;
        buf_init(&keys);
        buf_init(&named);
        for (size_t i = 0; i < t->columns.len; i++) {
            const ColumnDef *k = t->columns.items[i];
            if (!(c->natural ? k->natural_key : k->primary_key))
                continue;
            if (keys.len) {
                buf_puts(&keys, ", ");
                buf_puts(&named, ", ");
            }
            size_t at = keys.len;
            print_key_name(&keys, e->d, NULL, k->name, k->type);
            buf_puts(&named, keys.data + at);
            if (strcmp(keys.data + at, k->name)) { /* RTRIM(k): keep the column's name */
                buf_puts(&named, " AS ");
                print_name(&named, k->name);
            }
        }
        buf_printf(b, "SELECT %s, COUNT(*) AS copies\nFROM ", named.data);
        print_name(b, t->name);
        /* the index enforces the primary key only: a natural key beside it is scanned */
        if (e->d->key_enforced && !c->natural) {
            size_t at = b->len;
            buf_puts(b, "\nWHERE NOT ");
            size_t cond = b->len;
            e->d->key_enforced(b, e->d, t);
            if (b->len == cond) { /* not enforced: nothing to skip */
                b->len = at;
                b->data[at] = '\0';
            }
        }
        buf_printf(b, "\nGROUP BY %s\nHAVING COUNT(*) > 1", keys.data);
        buf_free(&keys);
        buf_free(&named);
        break;
    }
    case CK_NOT_NULL:
        buf_puts(b, "SELECT ");
        key_prefix(b, t, "t", col);
        qualified(b, "t", col->name);
        buf_puts(b, "\nFROM ");
        print_name(b, t->name);
        buf_puts(b, " AS t\nWHERE ");
        qualified(b, "t", col->name);
        buf_puts(b, " IS NULL");
        break;
    case CK_RELATIONSHIP:
        buf_puts(b, "SELECT ");
        key_prefix(b, t, "child", col);
        qualified(b, "child", col->name);
        buf_puts(b, "\nFROM ");
        print_name(b, t->name);
        buf_puts(b, " AS child\nLEFT JOIN ");
        print_name(b, col->ref_col->table->name);
        buf_puts(b, " AS parent\n    ON ");
        print_key_name(b, e->d, "parent", col->ref_col->name, col->ref_col->type);
        buf_puts(b, " = ");
        print_key_name(b, e->d, "child", col->name, col->type);
        buf_puts(b, "\nWHERE ");
        qualified(b, "child", col->name);
        buf_puts(b, " IS NOT NULL AND ");
        qualified(b, "parent", col->ref_col->name);
        buf_puts(b, " IS NULL");
        break;
    case CK_ACCEPTED:
        buf_puts(b, "SELECT ");
        key_prefix(b, t, "t", col);
        qualified(b, "t", col->name);
        buf_puts(b, "\nFROM ");
        print_name(b, t->name);
        buf_puts(b, " AS t\nWHERE ");
        print_key_name(b, e->d, "t", col->name, col->type);
        buf_puts(b, " NOT IN (");
        for (size_t i = 0; i < col->accepted.len; i++) {
            if (i)
                buf_puts(b, ", ");
            accepted_value(e, b, col, col->accepted.items[i]);
        }
        buf_putc(b, ')');
        break;
    case CK_ROW_COUNT_EQUAL:
        buf_puts(b, "SELECT l.n AS left_rows, r.n AS right_rows\nFROM (SELECT COUNT(*) AS n ");
        rowset_from(e, b, c->left);
        buf_puts(b, ") AS l\nCROSS JOIN (SELECT COUNT(*) AS n ");
        rowset_from(e, b, c->right);
        buf_puts(b, ") AS r\nWHERE l.n <> r.n");
        break;
    case CK_MIN_ROWS:
        /* Counts at most min_rows rows: the check fails exactly when the full count is below
         * min_rows (and then reports that count), but stops reading the table once it has
         * found enough (songplays at 1M: 0.10 s -> 0). Redshift takes LIMIT in a subquery, up
         * to 2147483647 (docs.aws.amazon.com/redshift/latest/dg/r_ORDER_BY_clause.html);
         * above that the whole table is counted. */
        buf_printf(b, "SELECT c.n AS found_rows, %lld AS min_rows\nFROM (SELECT COUNT(*) AS n ",
                   c->min_rows);
        if (c->min_rows <= 2147483647LL) {
            buf_puts(b, "FROM (SELECT 1 AS found ");
            rowset_from(e, b, c->left);
            buf_printf(b, " LIMIT %lld) AS f", c->min_rows);
        } else {
            rowset_from(e, b, c->left);
        }
        buf_printf(b, ") AS c\nWHERE c.n < %lld", c->min_rows);
        break;
    case CK_NO_ROWS:
        buf_puts(b, "SELECT *\n");
        rowset_from(e, b, c->left);
        break;
    case CK_SQL: {
        const char *q = c->sql->s;
        size_t n = strlen(q);
        while (n && (q[n - 1] == ' ' || q[n - 1] == '\n' || q[n - 1] == ';' || q[n - 1] == '\t'))
            n--;
        for (size_t i = 0; i < n; i++) /* no trailing spaces in generated files */
            if (!((q[i] == ' ' || q[i] == '\t') && (i + 1 == n || q[i + 1] == '\n')))
                buf_putc(b, q[i]);
        break;
    }
    }
    buf_puts(b, ";\n");
}

/* ---- distribution health (issue 12 item 17) ----
 *
 * Warn-severity checks over the loaded rows, the same SQL on both targets, so a skewed
 * distribution key shows on the local twin before it reaches a cluster
 * (c_best-practices-best-dist-key).  Slices are simulated: a row's slice is the first six
 * hex digits of MD5(key) modulo N (NULL keys all on slice 0, as Redshift puts them on one
 * slice); Redshift's own hash differs, the shape of the skew does not.  Each tunable value
 * is a literal after a marker comment, which the runner replaces from the environment
 * (src/runner/distkey.c): N slices, the shares and the row counts. */
#define DK(name, value) "/*stargen:" name "*/" value

static void slice_digits(Buf *b)
{
    for (int i = 0; i < 6; i++)
        buf_printf(b,
                   "                    %s(STRPOS('0123456789abcdef', SUBSTRING(m, %d, 1)) - 1) "
                   "* %d\n",
                   i ? "+ " : "", i + 1, 1 << (4 * (5 - i)));
}

static const char dist_tail[] = "    WHERE s.n >= " DK(
    "dist_min_rows", "1000") "\n) AS h\n"
                             "WHERE h.null_share > " DK(
                                 "dist_max_null_share",
                                 "0.1") "\n"
                                        "    OR h.top_value_share > " DK(
                                            "dist_max_top_share",
                                            "0.1") "\n"
                                                   "    OR h.slice_skew > " DK("dist_max_skew",
                                                                               "1.5") ";\n";

/* The measurements over the slices (rows, NULL keys, the top key, the biggest slice),
 * up to the slice number's expression, which each one-scan form writes next. */
static const char dist_head[] =
    "SELECT h.rows_total, h.null_share, h.top_value_share, h.slice_skew, h.slices\n"
    "FROM (\n    SELECT\n        s.n AS rows_total,\n"
    "        CAST(s.null_keys AS DOUBLE PRECISION) / s.n AS null_share,\n"
    "        CAST(s.top_rows AS DOUBLE PRECISION) / s.n AS top_value_share,\n"
    "        CAST(s.biggest AS DOUBLE PRECISION) * s.slices / s.n AS slice_skew,\n"
    "        s.slices\n    FROM (\n"
    "        SELECT CAST(SUM(z.c) AS BIGINT) AS n, CAST(SUM(z.null_keys) AS BIGINT) AS null_keys,\n"
    "            COALESCE(MAX(z.top_rows), 0) AS top_rows, MAX(z.c) AS biggest, MAX(z.n) AS "
    "slices\n"
    "        FROM (\n            SELECT CAST(SUM(c) AS BIGINT) AS c, CAST(SUM(null_keys) AS "
    "BIGINT) "
    "AS null_keys,\n"
    "                MAX(top_rows) AS top_rows, MAX(n) AS n FROM (\n"
    "                SELECT COALESCE(MOD(";

/* One scan for a key whose text form is equal exactly when the values are (integers,
 * dates, times, booleans: not strings, whose trailing blanks Redshift ignores, nor
 * numbers such as 1.0 and 1.00): the rows grouped by key and its MD5 give every
 * measurement, each row hashed once (issue 15: three scans and two hashings of a
 * million-row table made these checks most of the checks step). */
static void dist_key_one_scan(Buf *b, const TableDef *t)
{
    const char *k = t->dist_col->name;
    buf_puts(b, dist_head);
    buf_putc(b, '\n');
    slice_digits(b);
    buf_puts(b, "                    , x.n), 0) AS slice, x.n, x.c,\n"
                "                    CASE WHEN x.k IS NULL THEN x.c ELSE 0 END AS null_keys,\n"
                "                    CASE WHEN x.k IS NOT NULL THEN x.c END AS top_rows\n"
                "                FROM (SELECT ");
    print_name(b, k);
    buf_puts(b, " AS k, MD5(CAST(");
    print_name(b, k);
    buf_puts(b, " AS VARCHAR)) AS m, COUNT(*) AS c, " DK("dist_slices", "16") " AS n FROM ");
    print_name(b, t->name);
    buf_puts(b, " GROUP BY ");
    print_name(b, k);
    buf_puts(b, ", MD5(CAST(");
    print_name(b, k);
    buf_puts(b, " AS VARCHAR))) AS x\n            ) AS y\n            GROUP BY slice\n"
                "        ) AS z\n    ) AS s\n");
    buf_puts(b, dist_tail);
}

/* The one-scan form for a dialect that decodes hex in one expression: the rows grouped by
 * key alone (a hash of the key's own value, not of its 32-character MD5), each group's MD5
 * computed once, afterwards.  The same measurements as dist_key_one_scan: at a million rows
 * 2.3 s against 5.2 s (issue 15, BENCH.md). */
static void dist_key_grouped(Emitter *e, Buf *b, const TableDef *t)
{
    const char *k = t->dist_col->name;
    buf_puts(b, dist_head);
    e->d->hex_prefix_int(b, "MD5(CAST(x.k AS VARCHAR))", 6);
    buf_puts(b, ", x.n), 0) AS slice, x.n, x.c,\n"
                "                    CASE WHEN x.k IS NULL THEN x.c ELSE 0 END AS null_keys,\n"
                "                    CASE WHEN x.k IS NOT NULL THEN x.c END AS top_rows\n"
                "                FROM (SELECT ");
    print_name(b, k);
    buf_puts(b, " AS k, COUNT(*) AS c, " DK("dist_slices", "16") " AS n FROM ");
    print_name(b, t->name);
    buf_puts(b, " GROUP BY ");
    print_name(b, k);
    buf_puts(b, ") AS x\n            ) AS y\n            GROUP BY slice\n"
                "        ) AS z\n    ) AS s\n");
    buf_puts(b, dist_tail);
}

static void dist_key_check(Emitter *e, Buf *b, const TableDef *t)
{
    const char *k = t->dist_col->name;
    buf_printf(b,
               "\n-- The distribution key %s.%s spreads the rows evenly: few NULLs, no dominant "
               "value, no slice far above the average.\n",
               t->name, k);
    buf_printf(b, "-- stargen:check name=dist_key_%s severity=warn\n", t->name);
    SqlType kt = t->dist_col->type;
    if (type_is_integer(kt) || type_cat(kt) == CAT_DATETIME || type_cat(kt) == CAT_BOOLEAN) {
        if (e->d->hex_prefix_int)
            dist_key_grouped(e, b, t);
        else
            dist_key_one_scan(b, t);
        return;
    }
    buf_puts(b, "SELECT h.rows_total, h.null_share, h.top_value_share, h.slice_skew, h.slices\n"
                "FROM (\n    SELECT\n        t.n AS rows_total,\n"
                "        CAST(t.null_keys AS DOUBLE PRECISION) / t.n AS null_share,\n"
                "        CAST(v.top_rows AS DOUBLE PRECISION) / t.n AS top_value_share,\n"
                "        CAST(s.biggest AS DOUBLE PRECISION) * s.slices / t.n AS slice_skew,\n"
                "        s.slices\n    FROM (SELECT COUNT(*) AS n, COUNT(*) - COUNT(");
    print_name(b, k);
    buf_puts(b, ") AS null_keys FROM ");
    print_name(b, t->name);
    buf_puts(b,
             ") AS t\n    CROSS JOIN (SELECT COALESCE(MAX(c), 0) AS top_rows FROM (SELECT COUNT(*) "
             "AS c FROM ");
    print_name(b, t->name);
    buf_puts(b, " WHERE ");
    print_name(b, k);
    buf_puts(b, " IS NOT NULL GROUP BY ");
    print_name(b, k);
    buf_puts(b,
             ") AS g) AS v\n    CROSS JOIN (\n        SELECT MAX(c) AS biggest, MAX(n) AS slices\n"
             "        FROM (\n            SELECT SUM(c) AS c, MAX(n) AS n FROM (\n"
             "                SELECT COALESCE(MOD(\n");
    if (e->d->hex_prefix_int) {
        buf_puts(b, "                    ");
        e->d->hex_prefix_int(b, "m", 6);
        buf_putc(b, '\n');
    } else {
        slice_digits(b);
    }
    /* x groups the rows by their hash, so each row's MD5 is computed once (the planner
     * would otherwise inline m into the six digits: six MD5s a row) */
    buf_puts(b, "                    , x.n), 0) AS slice, x.n, x.c\n"
                "                FROM (SELECT MD5(CAST(");
    print_name(b, k);
    buf_puts(b, " AS VARCHAR)) AS m, COUNT(*) AS c, " DK("dist_slices", "16") " AS n FROM ");
    print_name(b, t->name);
    buf_puts(b, " GROUP BY MD5(CAST(");
    print_name(b, k);
    buf_puts(b, " AS VARCHAR))");
    buf_puts(b,
             ") AS x\n            ) AS y\n            GROUP BY slice\n        ) AS z\n"
             "    ) AS s\n    WHERE t.n >= " DK(
                 "dist_min_rows", "1000") "\n) AS h\n"
                                          "WHERE h.null_share > " DK(
                                              "dist_max_null_share",
                                              "0.1") "\n"
                                                     "    OR h.top_value_share > " DK(
                                                         "dist_max_top_share",
                                                         "0.1") "\n"
                                                                "    OR h.slice_skew > " DK(
                                                                    "dist_max_skew", "1.5") ";\n");
}

/* The fact tables an ALL table grows with: those that reference it and the one it is loaded
 * from (time from songplays).  Bounded by the model's relationships, so the checks stay
 * linear in the model's size. */
static bool grows_with(const TableDef *t, const TableDef *f)
{
    if (f->role != ROLE_FACT)
        return false;
    if (t->load && t->load->from_table == f)
        return true;
    for (size_t i = 0; i < f->columns.len; i++) {
        const ColumnDef *c = f->columns.items[i];
        if (c->ref_col && c->ref_col->table == t)
            return true;
    }
    return false;
}

static void dist_all_check(Buf *b, const Model *m, const TableDef *t)
{
    buf_printf(b,
               "\n-- DISTSTYLE ALL copies %s to every node: it must stay small, and well "
               "below the facts it serves.\n",
               t->name);
    buf_printf(b, "-- stargen:check name=dist_all_%s severity=warn\n", t->name);
    buf_puts(b, "SELECT a.n AS rows_total");
    int nf = 0;
    for (size_t i = 0; i < m->tables.len; i++) {
        const TableDef *f = m->tables.items[i];
        if (grows_with(t, f))
            buf_printf(b, ", f%d.n AS %s_rows", nf++, f->name);
    }
    buf_puts(b, "\nFROM (SELECT COUNT(*) AS n FROM ");
    print_name(b, t->name);
    buf_puts(b, ") AS a");
    nf = 0;
    for (size_t i = 0; i < m->tables.len; i++) {
        const TableDef *f = m->tables.items[i];
        if (!grows_with(t, f))
            continue;
        buf_puts(b, "\nCROSS JOIN (SELECT COUNT(*) AS n FROM ");
        print_name(b, f->name);
        buf_printf(b, ") AS f%d", nf++);
    }
    buf_puts(b, "\nWHERE a.n > " DK("dist_all_max_rows", "1000000"));
    for (int i = 0; i < nf; i++)
        buf_printf(b,
                   "\n    OR (a.n >= " DK("dist_min_rows", "1000") " AND a.n > f%d.n * " DK(
                       "dist_all_max_share", "0.5") ")",
                   i);
    buf_puts(b, ";\n");
}

/* ---- tallies: the column checks of a table counted in one scan (issue 15) ----
 *
 * The NOT NULL, accepted-values and relationship checks of one table are each a scan of
 * it.  A tally counts their offending rows in one SELECT over the table (the parents of
 * its relationships joined as their distinct keys, so a parent with a repeated key cannot
 * multiply rows); the runner runs a check's own query only when its count is not zero
 * (docs/out-format.md, "Data checks").  Uniqueness stays its own GROUP BY: counting
 * repeated keys in the same scan would need a COUNT(DISTINCT) sort of every key. */
static bool tallied(const CheckDef *c)
{
    if (!c->table || !c->column)
        return false;
    return c->kind == CK_NOT_NULL || c->kind == CK_ACCEPTED ||
           (c->kind == CK_RELATIONSHIP && c->column->ref_col);
}

/* The tally's name: the table's, when it is a plain word the directive can carry. */
static bool tally_name_ok(const char *s)
{
    if (!*s || strlen(s) > 100)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

/* Tallied checks grouped by table, in file order within a group. */
typedef struct TallyRef {
    const CheckDef *c;
    size_t at; /* index in m->checks */
} TallyRef;

static int by_table(const void *x, const void *y)
{
    const TallyRef *a = x, *b = y;
    uintptr_t ta = (uintptr_t)a->c->table, tb = (uintptr_t)b->c->table;
    if (ta != tb)
        return ta < tb ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

static void tally_sql(Emitter *e, Buf *b, const TallyRef *g, size_t n)
{
    const TableDef *t = g[0].c->table;
    buf_printf(b,
               "\n-- The offending rows of each check on %s marked tally=%s below, counted in one "
               "scan;\n-- a check whose count is 0 passes without running its own query.\n",
               t->name, t->name);
    buf_printf(b, "-- stargen:tally name=%s\nSELECT", t->name);
    int p = 0;
    for (size_t i = 0; i < n; i++) {
        const CheckDef *c = g[i].c;
        const ColumnDef *col = c->column;
        buf_puts(b, i ? ",\n    COUNT(CASE WHEN " : "\n    COUNT(CASE WHEN ");
        switch (c->kind) {
        case CK_NOT_NULL:
            qualified(b, "t", col->name);
            buf_puts(b, " IS NULL");
            break;
        case CK_ACCEPTED:
            print_key_name(b, e->d, "t", col->name, col->type);
            buf_puts(b, " NOT IN (");
            for (size_t v = 0; v < col->accepted.len; v++) {
                if (v)
                    buf_puts(b, ", ");
                accepted_value(e, b, col, col->accepted.items[v]);
            }
            buf_putc(b, ')');
            break;
        default: /* CK_RELATIONSHIP */
            qualified(b, "t", col->name);
            buf_printf(b, " IS NOT NULL AND p%d.k IS NULL", ++p);
            break;
        }
        buf_printf(b, " THEN 1 END) AS c%zu", i + 1);
    }
    buf_puts(b, "\nFROM ");
    print_name(b, t->name);
    buf_puts(b, " AS t");
    p = 0;
    for (size_t i = 0; i < n; i++) {
        const CheckDef *c = g[i].c;
        if (c->kind != CK_RELATIONSHIP)
            continue;
        const ColumnDef *col = c->column, *rc = col->ref_col;
        buf_puts(b, "\nLEFT JOIN (SELECT DISTINCT ");
        print_key_name(b, e->d, NULL, rc->name, rc->type);
        buf_puts(b, " AS k FROM ");
        print_name(b, rc->table->name);
        p++;
        buf_printf(b, ") AS p%d\n    ON p%d.k = ", p, p);
        print_key_name(b, e->d, "t", col->name, col->type);
    }
    buf_puts(b, ";\n");
}

void emit_datachecks(Emitter *e, Buf *b)
{
    emit_header(e, b,
                "Data checks: each query returns the rows that break its rule; a check passes "
                "when it returns none.");
    buf_puts(b, "-- Redshift does not enforce keys: these stand in for them, on both targets.\n");
    size_t nc = e->m->checks.len, nt = 0;
    TallyRef *refs = xcalloc(nc + 1, sizeof *refs);
    const TallyRef **group = xcalloc(nc + 1, sizeof *group); /* check i's group, or NULL */
    size_t *group_len = xcalloc(nc + 1, sizeof *group_len);
    for (size_t i = 0; i < nc; i++) {
        const CheckDef *c = e->m->checks.items[i];
        if (tallied(c) && tally_name_ok(c->table->name))
            refs[nt++] = (TallyRef){c, i};
    }
    qsort(refs, nt, sizeof *refs, by_table);
    for (size_t i = 0, j; i < nt; i = j) {
        for (j = i + 1; j < nt && refs[j].c->table == refs[i].c->table;)
            j++;
        if (j - i < 2) /* one check: its own query is the one scan */
            continue;
        for (size_t k = i; k < j; k++) {
            group[refs[k].at] = &refs[i];
            group_len[refs[k].at] = j - i;
        }
    }
    for (size_t i = 0; i < e->m->checks.len; i++) {
        const CheckDef *c = e->m->checks.items[i];
        bool tally = group[i] != NULL;
        if (tally && group[i]->at == i) /* the table's tally, before its first check */
            tally_sql(e, b, group[i], group_len[i]);
        buf_putc(b, '\n');
        describe(e, b, c);
        buf_printf(b, "-- stargen:check name=%s severity=%s", c->name, c->warn ? "warn" : "error");
        if (tally)
            buf_printf(b, " tally=%s", c->table->name);
        buf_putc(b, '\n');
        check_sql(e, b, c);
    }
    free(refs);
    free(group);
    free(group_len);
    for (size_t i = 0; i < e->m->tables.len; i++) {
        const TableDef *t = e->m->tables.items[i];
        if (t->role == ROLE_STAGING)
            continue;
        if (t->dist == DIST_KEY && t->dist_col)
            dist_key_check(e, b, t);
        else if (t->dist == DIST_ALL)
            dist_all_check(b, e->m, t);
    }
    emit_finish_step(e, "checks", b);
}
