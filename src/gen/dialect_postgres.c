/* dialect_postgres.c - PostgreSQL 15: enforced primary keys (foreign keys
 * informational, as on Redshift), identity columns, unlogged staging tables, and client-side COPY
 * FROM STDIN driven by the runner (docs/out-format.md).  No dist/sort/encode: PostgreSQL has no
 * such storage. */
#include <string.h>

#include "dialect.h"

static void pg_type(Buf *b, SqlType t)
{
    switch (t.kind) {
    case T_SMALLINT: buf_puts(b, "SMALLINT"); break;
    case T_INTEGER: buf_puts(b, "INTEGER"); break;
    case T_BIGINT: buf_puts(b, "BIGINT"); break;
    case T_DECIMAL: buf_printf(b, "NUMERIC(%d, %d)", t.p, t.s); break;
    case T_REAL: buf_puts(b, "REAL"); break;
    case T_DOUBLE: buf_puts(b, "DOUBLE PRECISION"); break;
    case T_BOOLEAN: buf_puts(b, "BOOLEAN"); break;
    case T_CHAR: buf_printf(b, "CHAR(%d)", t.p); break;
    case T_VARCHAR:
        if (t.max)
            buf_puts(b, "TEXT");
        else
            buf_printf(b, "VARCHAR(%d)", t.p);
        break;
    case T_DATE: buf_puts(b, "DATE"); break;
    case T_TIME: buf_puts(b, "TIME"); break;
    case T_TIMESTAMP: buf_puts(b, "TIMESTAMP"); break;
    case T_TIMESTAMPTZ: buf_puts(b, "TIMESTAMPTZ"); break;
    case T_INTERVAL: buf_puts(b, "INTERVAL"); break;
    case T_UNKNOWN:
    case T_NULL: buf_puts(b, "TEXT"); break;
    }
}

/* PostgreSQL's EXTRACT returns NUMERIC (fractional seconds included) where
 * Redshift returns INTEGER; cast so both targets store and compute the same. */
static void pg_extract(Buf *b, const char *field, const char *arg)
{
    if (!strcmp(field, "SECOND") || !strcmp(field, "EPOCH"))
        buf_printf(b, "CAST(FLOOR(EXTRACT(%s FROM %s)) AS %s)", field, arg,
                   !strcmp(field, "EPOCH") ? "BIGINT" : "INTEGER");
    else
        buf_printf(b, "CAST(EXTRACT(%s FROM %s) AS INTEGER)", field, arg);
}

static void columns(Buf *b, const Dialect *d, const TableDef *t)
{
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        buf_puts(b, i ? ",\n    " : "    ");
        print_name(b, c->name);
        buf_putc(b, ' ');
        d->type(b, c->type);
        if (c->identity)
            buf_puts(b, " GENERATED ALWAYS AS IDENTITY (START WITH 0 MINVALUE 0 INCREMENT BY 1)");
        if (c->not_null)
            buf_puts(b, " NOT NULL");
    }
}

/* The run's own intermediate tables (staging tables, the shadows of rebuilt tables) are
 * created with autovacuum off. Filled in one statement and read or swapped in within the
 * run, they gain nothing from it, and at 5M events an autovacuum worker's VACUUM ANALYZE of
 * songplays' 4.3M-row shadow held its lock through the publish step's rename for 24 s (the
 * publish gives way after lock_timeout, half of deadlock_timeout, before PostgreSQL would
 * cancel the worker; BENCH.md, round 4) and took a core from the steps running meanwhile.
 * A published table gets the default back (pg_publish_tidy). */
#define NO_AUTOVACUUM "WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false)"

static void pg_create_staging(Buf *b, const Dialect *d, const TableDef *t)
{
    buf_puts(b, "-- Staging is rebuilt every run: UNLOGGED skips the write-ahead log, and "
                "autovacuum is off\n-- (the rows live for one run).\n");
    buf_puts(b, "CREATE UNLOGGED TABLE ");
    print_name(b, t->name);
    buf_puts(b, " (\n");
    columns(b, d, t);
    buf_puts(b, "\n) " NO_AUTOVACUUM ";\n");
}

/* Keys: the primary key is declared (and enforced): the load SQL deduplicates
 * on it, so a violation can only be a generator bug, and it fails loudly here.
 * Foreign keys are not declared: Redshift never enforces them, so PostgreSQL
 * must not either, or the twin would reject loads Redshift accepts; the
 * relationships data checks test them on both targets. */
static void pg_create_star(Buf *b, const Dialect *d, const TableDef *t, const StarDDL *s)
{
    bool refs = false;
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        if (!c->ref_col)
            continue;
        if (!refs)
            buf_puts(b, "-- References (not declared: Redshift does not enforce them, so neither "
                        "does this twin;\n-- the relationships data checks test them):");
        buf_puts(b, refs ? ", " : " ");
        refs = true;
        print_name(b, c->name);
        buf_puts(b, " -> ");
        print_name(b, c->ref_col->table->name);
        buf_putc(b, '.');
        print_name(b, c->ref_col->name);
    }
    if (refs)
        buf_puts(b, ".\n");
    buf_puts(b, s->kept[t->order] ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ");
    print_name(b, s->name);
    buf_puts(b, " (\n");
    columns(b, d, t);
    bool pk = false;
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        if (!c->primary_key)
            continue;
        if (!pk) {
            buf_puts(b, ",\n    ");
            if (s->pkey) {
                buf_puts(b, "CONSTRAINT ");
                print_name(b, s->pkey);
                buf_putc(b, ' ');
            }
            buf_puts(b, "PRIMARY KEY (");
        } else {
            buf_puts(b, ", ");
        }
        print_name(b, c->name);
        pk = true;
    }
    if (pk)
        buf_putc(b, ')');
    buf_puts(b, s->kept[t->order] ? "\n);\n" : "\n) " NO_AUTOVACUUM ";\n");
}

/* The shadow was created with autovacuum off (NO_AUTOVACUUM): the published table gets
 * the default back, so autovacuum analyzes it for the readers' plans after the commit.
 * Its primary key index and identity sequence were named after the shadow; give them
 * the names CREATE TABLE t would, so the next run's shadow can take the shadow names
 * again (PostgreSQL names indexes and sequences per schema).  The old table, dropped
 * just before, held them. */
static void pg_publish_tidy(Buf *b, const TableDef *t, const char *shadow)
{
    Buf from, to;
    buf_init(&from);
    buf_init(&to);
    buf_puts(b, "ALTER TABLE ");
    print_name(b, t->name);
    buf_puts(b, " RESET (autovacuum_enabled, toast.autovacuum_enabled);\n");
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        if (!c->primary_key)
            continue;
        buf_printf(&from, "%s_pkey", shadow);
        buf_printf(&to, "%s_pkey", t->name);
        if (from.len > 63 || to.len > 63) /* emit.c left the key unnamed: same rule */
            break;
        buf_puts(b, "ALTER TABLE ");
        print_name(b, t->name);
        buf_puts(b, " RENAME CONSTRAINT ");
        print_name(b, from.data);
        buf_puts(b, " TO ");
        print_name(b, to.data);
        buf_puts(b, ";\n");
        break;
    }
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        if (!c->identity)
            continue;
        buf_reset(&from);
        buf_reset(&to);
        buf_printf(&from, "%s_%s_seq", shadow, c->name);
        buf_printf(&to, "%s_%s_seq", t->name, c->name);
        /* PostgreSQL shortens longer names itself; leave those as they are */
        if (from.len <= 63 && to.len <= 63) {
            buf_puts(b, "ALTER SEQUENCE ");
            print_name(b, from.data);
            buf_puts(b, " RENAME TO ");
            print_name(b, to.data);
            buf_puts(b, ";\n");
        }
    }
    buf_free(&from);
    buf_free(&to);
}

static void pg_load_staging(Buf *b, const Dialect *d, const Model *m, const TableDef *t)
{
    (void)d;
    (void)m;
    buf_puts(b,
             "-- TRUNCATE in the same transaction lets COPY FREEZE skip later hint-bit writes.\n");
    buf_puts(b, "TRUNCATE ");
    print_name(b, t->name);
    buf_puts(b, ";\n\n");
    buf_printf(b, "-- stargen:copy source=%s", t->source->path->s);
    if (t->source->s3)
        buf_printf(b, " s3=%s", t->source->s3->s);
    buf_printf(b, " jsonpaths=%s.jsonpaths.json emptyasnull=%s blanksasnull=%s", t->name,
               t->empty_as_null ? "on" : "off", t->blanks_as_null ? "on" : "off");
    /* a format with spaces is quoted (the directive reader splits on spaces) */
    if (t->time_format)
        buf_printf(b, strchr(t->time_format->s, ' ') ? " timeformat=\"%s\"" : " timeformat=%s",
                   t->time_format->s);
    if (t->date_format)
        buf_printf(b, strchr(t->date_format->s, ' ') ? " dateformat=\"%s\"" : " dateformat=%s",
                   t->date_format->s);
    if (t->roundec)
        buf_puts(b, " roundec=on");
    if (t->source->compression && !strcmp(t->source->compression->s, "gzip"))
        buf_puts(b, " compression=gzip");
    /* no jsonpaths file on Redshift: COPY uses 'auto ignorecase', keys match in any case */
    if (!t->jsonpaths)
        buf_puts(b, " keys=ignorecase");
    if (t->source->region)
        buf_printf(b, " region=%s", t->source->region->s);
    if (t->source->incremental)
        buf_printf(b, " incremental=on changed=%s",
                   t->source->on_changed ? t->source->on_changed->s : "error");
    buf_puts(b, "\nCOPY ");
    print_name(b, t->name);
    buf_putc(b, ' ');
    print_column_list(b, t);
    buf_puts(b, " FROM STDIN WITH (FORMAT text, FREEZE);\n");
}

/* Redshift's STRTOL(LEFT(MD5(x), 15), 16): the 15 hex digits, zero-padded to 16, read as
 * a 64-bit string; the top 4 bits are 0, so the bigint is the same positive value. */
static void pg_hash_key(Buf *b, const char *text)
{
    buf_printf(b, "('x' || LPAD(LEFT(MD5(%s), 15), 16, '0'))::BIT(64)::BIGINT", text);
}

static void pg_hex_prefix_int(Buf *b, const char *hex, int digits)
{
    buf_printf(b, "CAST(CAST('x' || SUBSTRING(%s, 1, %d) AS BIT(%d)) AS INTEGER)", hex, digits,
               4 * digits);
}

/* The table's primary key index exists, is valid, checked at once (not deferred: the checks
 * run inside the publish transaction) and has exactly the key columns: PostgreSQL then
 * rejects every duplicate the check would find, since the check groups non-string keys by
 * the same equality.  String keys are grouped by RTRIM (Redshift's trailing-blank rule),
 * which the index does not enforce: no condition is written for them. */
static void pg_key_enforced(Buf *b, const Dialect *d, const TableDef *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        if (!c->primary_key)
            continue;
        if (type_cat(c->type) == CAT_STRING)
            return;
        n++;
    }
    if (!n)
        return;
    Buf name;
    buf_init(&name);
    print_name(&name, t->name);
    buf_puts(b, "EXISTS (\n    SELECT 1 FROM pg_catalog.pg_index AS i\n    WHERE i.indrelid = "
                "to_regclass(");
    print_literal(b, d, name.data);
    buf_free(&name);
    buf_printf(b,
               ") AND i.indisprimary AND i.indisvalid AND i.indimmediate\n"
               "        AND i.indnatts = %zu AND i.indnkeyatts = %zu\n"
               "        AND (SELECT COUNT(*) FROM pg_catalog.pg_attribute AS a\n"
               "            WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
               " AND a.attname IN (",
               n, n);
    bool first = true;
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        if (!c->primary_key)
            continue;
        buf_puts(b, first ? "" : ", ");
        first = false;
        print_literal(b, d, c->name);
    }
    buf_printf(b, ")) = %zu\n)", n);
}

const Dialect dialect_postgres = {
    .name = "postgres",
    .backslash_in_literals = false,
    .bytewise_order = " COLLATE \"C\"",
    .client_copy = true,
    .emulate_redshift = true,
    .type = pg_type,
    .extract = pg_extract,
    .create_staging = pg_create_staging,
    .create_star = pg_create_star,
    .publish_tidy = pg_publish_tidy,
    .load_staging = pg_load_staging,
    .hash_key = pg_hash_key,
    .hex_prefix_int = pg_hex_prefix_int,
    .key_enforced = pg_key_enforced,
    /* PostgreSQL estimates the twin's RTRIM(x) = 'v' filters at 0.5% of the rows (it keeps
     * no statistics on expressions), and from that a few rows: with the split load's
     * extra joins it then picks nested loops (100k events: 59 s against 0.5 s, BENCH.md) */
    .split_load_setting = "SET LOCAL enable_nestloop = off;",
    /* the same estimates make it sort all the rows for MAX(latest) per key where a hash
     * aggregate of the few keys is faster (users at 1M events: 0.76-0.96 s against
     * 1.28-1.73 s); songplays' repeated-key pass, with a group per row, sorts faster */
    .latest_load_setting = "SET LOCAL enable_nestloop = off;\nSET LOCAL enable_sort = off;",
};
