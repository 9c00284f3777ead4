/* dialect_redshift.c - Amazon Redshift: DISTSTYLE/DISTKEY/SORTKEY/ENCODE,
 * IDENTITY(0, 1), informational keys, COPY from S3 as JSON with a jsonpaths
 * file or 'auto ignorecase', IAM_ROLE as a run-time placeholder.
 * Facts from ../shared/docs/redshift-notes.md sections 2, 3 and 5. */
#include <string.h>

#include "dialect.h"

static void rs_type(Buf *b, SqlType t)
{
    switch (t.kind) {
    case T_SMALLINT: buf_puts(b, "SMALLINT"); break;
    case T_INTEGER: buf_puts(b, "INTEGER"); break;
    case T_BIGINT: buf_puts(b, "BIGINT"); break;
    case T_DECIMAL: buf_printf(b, "DECIMAL(%d, %d)", t.p, t.s); break;
    case T_REAL: buf_puts(b, "REAL"); break;
    case T_DOUBLE: buf_puts(b, "DOUBLE PRECISION"); break;
    case T_BOOLEAN: buf_puts(b, "BOOLEAN"); break;
    case T_CHAR: buf_printf(b, "CHAR(%d)", t.p); break;
    case T_VARCHAR:
        if (t.max)
            buf_puts(b, "VARCHAR(MAX)");
        else
            buf_printf(b, "VARCHAR(%d)", t.p);
        break;
    case T_DATE: buf_puts(b, "DATE"); break;
    case T_TIME: buf_puts(b, "TIME"); break;
    case T_TIMESTAMP: buf_puts(b, "TIMESTAMP"); break;
    case T_TIMESTAMPTZ: buf_puts(b, "TIMESTAMPTZ"); break;
    case T_INTERVAL: buf_puts(b, "INTERVAL"); break;
    case T_UNKNOWN:
    case T_NULL: buf_puts(b, "VARCHAR(256)"); break;
    }
}

static void rs_extract(Buf *b, const char *field, const char *arg)
{
    buf_printf(b, "EXTRACT(%s FROM %s)", field, arg);
}

static void upper(Buf *b, const char *s)
{
    for (; *s; s++)
        buf_putc(b, (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s);
}

static void table_body(Buf *b, const Dialect *d, const TableDef *t, const StarDDL *keys)
{
    buf_puts(b, " (\n");
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        buf_puts(b, i ? ",\n    " : "    ");
        print_name(b, c->name);
        buf_putc(b, ' ');
        d->type(b, c->type);
        if (c->identity)
            buf_puts(b, " IDENTITY(0, 1)");
        if (c->encode) {
            buf_puts(b, " ENCODE ");
            upper(b, c->encode->s);
        }
        if (c->not_null)
            buf_puts(b, " NOT NULL");
    }
    if (keys) {
        bool pk = false;
        for (size_t i = 0; i < t->columns.len; i++) {
            const ColumnDef *c = t->columns.items[i];
            if (!c->primary_key)
                continue;
            buf_puts(b, pk ? ", " : ",\n    PRIMARY KEY (");
            print_name(b, c->name);
            pk = true;
        }
        if (pk)
            buf_putc(b, ')');
        for (size_t i = 0; i < t->columns.len; i++) {
            const ColumnDef *c = t->columns.items[i];
            if (!c->ref_col)
                continue;
            const TableDef *p = c->ref_col->table;
            /* a kept table outlives each rebuild of a replace table: a key to one would
             * stop the publish step from dropping the previous version (r_DROP_TABLE) */
            if (keys->kept[t->order] && !keys->kept[p->order])
                continue;
            buf_puts(b, ",\n    FOREIGN KEY (");
            print_name(b, c->name);
            buf_puts(b, ") REFERENCES ");
            print_name(b, keys->names[p->order]);
            buf_puts(b, " (");
            print_name(b, c->ref_col->name);
            buf_putc(b, ')');
        }
    }
    buf_puts(b, "\n)");
}

/* Table attributes in the documented order: BACKUP, DISTSTYLE, DISTKEY, SORTKEY. */
static void attributes(Buf *b, const TableDef *t, bool backup_no)
{
    if (backup_no)
        buf_puts(b, "\nBACKUP NO");
    switch (t->dist) {
    case DIST_NONE: break;
    case DIST_AUTO: buf_puts(b, "\nDISTSTYLE AUTO"); break;
    case DIST_EVEN: buf_puts(b, "\nDISTSTYLE EVEN"); break;
    case DIST_ALL: buf_puts(b, "\nDISTSTYLE ALL"); break;
    case DIST_KEY:
        buf_puts(b, "\nDISTSTYLE KEY\nDISTKEY (");
        print_name(b, t->dist_key->s);
        buf_putc(b, ')');
        break;
    }
    if (t->sort == SORT_AUTO) {
        buf_puts(b, "\nSORTKEY AUTO");
    } else if (t->sort != SORT_NONE) {
        buf_puts(b,
                 t->sort == SORT_INTERLEAVED ? "\nINTERLEAVED SORTKEY (" : "\nCOMPOUND SORTKEY (");
        for (size_t i = 0; i < t->sort_keys.len; i++) {
            if (i)
                buf_puts(b, ", ");
            print_name(b, ((Scalar *)t->sort_keys.items[i])->s);
        }
        buf_putc(b, ')');
    }
    buf_puts(b, ";\n");
}

static void rs_create_staging(Buf *b, const Dialect *d, const TableDef *t)
{
    buf_puts(b, "-- Staging is rebuilt every run: BACKUP NO keeps it out of snapshots.\n");
    buf_puts(b, "CREATE TABLE ");
    print_name(b, t->name);
    table_body(b, d, t, NULL);
    attributes(b, t, true);
}

static void rs_create_star(Buf *b, const Dialect *d, const TableDef *t, const StarDDL *s)
{
    buf_puts(
        b, "-- Keys are informational in Redshift: the load SQL itself never makes duplicates.\n");
    for (size_t i = 0; i < t->columns.len; i++) {
        const ColumnDef *c = t->columns.items[i];
        if (c->ref_col && s->kept[t->order] && !s->kept[c->ref_col->table->order]) {
            buf_puts(b, "-- Not declared: ");
            print_name(b, c->name);
            buf_puts(b, " -> ");
            print_name(b, c->ref_col->table->name);
            buf_puts(b, " (rebuilt each run; a key would block dropping its previous version).\n");
        }
    }
    buf_puts(b, s->kept[t->order] ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ");
    print_name(b, s->name);
    table_body(b, d, t, s);
    attributes(b, t, false);
}

/* The COPY of a staging table.  Its IAM role is a run-time placeholder (the
 * model's iam_role, ${NAME}), declared on the line before the statement with
 * `-- stargen:placeholder name=NAME type=iam_role offset=N`, N the byte offset
 * of "${" in the statement: the runner fills that spot and no other. */
static void rs_load_staging(Buf *b, const Dialect *d, const Model *m, const TableDef *t)
{
    const Source *src = t->source;
    /* model_build: an incremental source has redshift.manifests */
    int inc = src->incremental && m->manifests;
    if (inc)
        buf_puts(b, "-- Incremental source: the runner lists the prefix, keeps the files\n"
                    "-- stargen_ledger has not recorded, PUTs their list as a manifest under\n"
                    "-- the manifests prefix and fills its URL in below; with no new file the\n"
                    "-- COPY is not run (docs/out-format.md, Incremental sources).\n");
    buf_puts(b, "-- DELETE, not TRUNCATE: TRUNCATE would commit the step's transaction.\n");
    buf_puts(b, "DELETE FROM ");
    print_name(b, t->name);
    buf_puts(b, ";\n\n");
    Buf c;
    buf_init(&c);
    buf_puts(&c, "COPY ");
    print_name(&c, t->name);
    buf_putc(&c, ' ');
    print_column_list(&c, t);
    buf_puts(&c, "\nFROM ");
    size_t manifest_at = 0;
    if (inc) {
        manifest_at = c.len + 1;
        print_literal(&c, d, "${STARGEN_MANIFEST}");
    } else {
        print_literal(&c, d, src->s3->s);
    }
    const char *role = m->iam_role ? m->iam_role->s : "${REDSHIFT_IAM_ROLE}";
    size_t role_at = 0;
    if (!strcmp(role, "default")) {
        buf_puts(&c, "\nIAM_ROLE default");
    } else {
        /* analyze_secret: role is ${NAME}, NAME of [A-Z_][A-Z0-9_]*, which
         * print_literal writes unchanged between its quotes */
        buf_puts(&c, "\nIAM_ROLE ");
        role_at = c.len + 1;
        print_literal(&c, d, role);
    }
    if (t->source->region) {
        buf_puts(&c, "\nREGION ");
        print_literal(&c, d, t->source->region->s);
    }
    buf_puts(&c, "\nFORMAT AS JSON ");
    print_literal(&c, d, t->jsonpaths ? t->jsonpaths->s : "auto ignorecase");
    if (t->time_format) {
        buf_puts(&c, "\nTIMEFORMAT ");
        print_literal(&c, d, t->time_format->s);
    }
    if (t->date_format) {
        buf_puts(&c, "\nDATEFORMAT ");
        print_literal(&c, d, t->date_format->s);
    }
    if (t->roundec)
        buf_puts(&c, "\nROUNDEC");
    if (t->source->compression && !strcmp(t->source->compression->s, "gzip"))
        buf_puts(&c, "\nGZIP");
    if (inc)
        buf_puts(&c, "\nMANIFEST");
    if (t->empty_as_null)
        buf_puts(&c, "\nEMPTYASNULL");
    if (t->blanks_as_null)
        buf_puts(&c, "\nBLANKSASNULL");
    /* STATUPDATE ON, not OFF: the staging table feeds the big joins of the star loads and
     * needs fresh statistics; the default refreshes them only when the table is initially
     * empty, which a re-run after DELETE is not (copy-parameters-data-load). */
    buf_puts(&c, "\nCOMPUPDATE OFF\nSTATUPDATE ON\nMAXERROR 0;\n");
    /* one directive per placeholder, in statement order (the manifest URL comes first) */
    if (inc) {
        buf_printf(b,
                   "-- stargen:placeholder name=STARGEN_MANIFEST type=manifest offset=%zu "
                   "source=%s manifests=%s changed=%s",
                   manifest_at, src->s3->s, m->manifests->s,
                   src->on_changed ? src->on_changed->s : "error");
        if (src->region)
            buf_printf(b, " region=%s", src->region->s);
        buf_putc(b, '\n');
    }
    if (role_at)
        buf_printf(b, "-- stargen:placeholder name=%.*s type=iam_role offset=%zu\n",
                   (int)(strlen(role) - 3), role + 2, role_at);
    buf_putn(b, c.data, c.len);
    buf_free(&c);
}

const Dialect dialect_redshift = {
    .name = "redshift",
    .backslash_in_literals = true,
    .bytewise_order = "", /* Redshift compares strings by their UTF-8 bytes */
    .type = rs_type,
    .extract = rs_extract,
    .create_staging = rs_create_staging,
    .create_star = rs_create_star,
    .load_staging = rs_load_staging,
};
