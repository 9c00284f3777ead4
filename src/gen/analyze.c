/* analyze.c - semantic analysis of a loaded model: tables, then the other phases (see analyze.h).
 *
 * Checks, by the name shown in their messages:
 *   column-type, identifier, source, jsonpaths, json-key, identity, encode, references,
 *   dist-key, sort-key, interleaved-sort, load-from, map-column, not-null-mapped,
 *   dedupe, upsert-key, incremental-references, load-cycle, secret-literal,
 *   natural-key, surrogate-key, lookup (analyze_keys.c),
 *   plus the expression checks of resolve.c.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "ident.h"

static Source *find_source(Model *m, const char *name)
{
    for (size_t i = 0; i < m->sources.len; i++) {
        Source *s = m->sources.items[i];
        if (!strcmp(s->name, name))
            return s;
    }
    return NULL;
}

void hint_names(Diag *d, const char *name, Vec *v, const char *(*get)(void *))
{
    const char *best = NULL;
    int bd = 3;
    for (size_t i = 0; i < v->len; i++) {
        const char *n = get(v->items[i]);
        int dd = ident_distance(name, n, 2);
        if (dd < bd) {
            bd = dd;
            best = n;
        }
    }
    if (best)
        diag_hint(d, "did you mean \"%s\"?", best);
}

static const char *source_name(void *p)
{
    return ((Source *)p)->name;
}
const char *table_name(void *p)
{
    return ((TableDef *)p)->name;
}
const char *column_name(void *p)
{
    return ((ColumnDef *)p)->name;
}

/* ---- columns ---- */

/* Each encoding and the column types Redshift accepts it on (c_Compression_encodings,
 * az64-encoding, c_MostlyN_encoding, c_Text255_encoding, zstd-encoding): any other pairing
 * is rejected by CREATE TABLE on a cluster, so it is a model error here. */
#define EK(k)   (1u << (k))
#define E_INTS  (EK(T_SMALLINT) | EK(T_INTEGER) | EK(T_BIGINT))
#define E_DT    (EK(T_DATE) | EK(T_TIMESTAMP) | EK(T_TIMESTAMPTZ))
#define E_STR   (EK(T_CHAR) | EK(T_VARCHAR))
#define E_FLOAT (EK(T_REAL) | EK(T_DOUBLE))
static const struct Encoding {
    const char *name;
    unsigned types; /* EK(kind) bits */
    const char *accepts;
    const char *page; /* its page in the Redshift developer guide */
} encodings[] = {
    {"az64", E_INTS | EK(T_DECIMAL) | E_DT,
     "smallint, integer, bigint, decimal, date, timestamp, timestamptz", "az64-encoding"},
    {"bytedict", E_INTS | EK(T_DECIMAL) | E_FLOAT | E_STR | E_DT,
     "smallint, integer, bigint, decimal, real, double precision, char, varchar, date, "
     "timestamp, timestamptz",
     "c_Byte_dictionary_encoding"},
    {"delta", E_INTS | EK(T_DECIMAL) | EK(T_DATE) | EK(T_TIMESTAMP),
     "smallint, integer, bigint, decimal, date, timestamp", "c_Delta_encoding"},
    {"delta32k", EK(T_INTEGER) | EK(T_BIGINT) | EK(T_DECIMAL) | EK(T_DATE) | EK(T_TIMESTAMP),
     "integer, bigint, decimal, date, timestamp", "c_Delta_encoding"},
    {"lzo", E_INTS | EK(T_DECIMAL) | E_STR | E_DT,
     "smallint, integer, bigint, decimal, char, varchar, date, timestamp, timestamptz",
     "lzo-encoding"},
    {"mostly8", E_INTS | EK(T_DECIMAL), "smallint, integer, bigint, decimal", "c_MostlyN_encoding"},
    {"mostly16", EK(T_INTEGER) | EK(T_BIGINT) | EK(T_DECIMAL), "integer, bigint, decimal",
     "c_MostlyN_encoding"},
    {"mostly32", EK(T_BIGINT) | EK(T_DECIMAL), "bigint, decimal", "c_MostlyN_encoding"},
    {"raw", ~0u, "every type", "c_Raw_encoding"},
    {"runlength", E_INTS | EK(T_DECIMAL) | E_FLOAT | EK(T_BOOLEAN) | E_STR | E_DT,
     "boolean, smallint, integer, bigint, decimal, real, double precision, char, varchar, "
     "date, timestamp, timestamptz",
     "c_Runlength_encoding"},
    {"text255", EK(T_VARCHAR), "varchar", "c_Text255_encoding"},
    {"text32k", EK(T_VARCHAR), "varchar", "c_Text255_encoding"},
    {"zstd", E_INTS | EK(T_DECIMAL) | E_FLOAT | EK(T_BOOLEAN) | E_STR | E_DT,
     "boolean, smallint, integer, bigint, decimal, real, double precision, char, varchar, "
     "date, timestamp, timestamptz",
     "zstd-encoding"},
};

/* A column's ENCODE against its type.  The first ENCODE of a table that leaves other
 * columns without one also warns: the table leaves ENCODE AUTO, so those columns get fixed
 * defaults instead (c_Compression_encodings). */
static void analyze_encode(Analyzer *c, TableDef *t, ColumnDef *col, bool *decided)
{
    const struct Encoding *e = NULL;
    for (size_t k = 0; k < sizeof encodings / sizeof encodings[0]; k++)
        if (!strcmp(encodings[k].name, col->encode->s))
            e = &encodings[k];
    if (!e) {
        diag_error(c->d, col->encode->mark, "encode", "unknown encoding \"%s\"", col->encode->s);
        diag_hint(c->d, "encodings: az64, bytedict, delta, delta32k, lzo, mostly8, "
                        "mostly16, mostly32, raw, runlength, text255, text32k, zstd");
        return;
    }
    if (col->type.kind == T_UNKNOWN)
        return;
    if (!(e->types & EK(col->type.kind))) {
        char tb[64];
        diag_error(c->d, col->encode->mark, "encode",
                   "Redshift refuses ENCODE %s on column \"%s\" of type %s", e->name, col->name,
                   type_str(col->type, tb, sizeof tb));
        diag_hint(c->d, "%s takes %s (%s)", e->name, e->accepts, e->page);
        return;
    }
    if (*decided) /* the table's first valid ENCODE decides, once: linear in its columns */
        return;
    *decided = true;
    size_t encoded = 0;
    for (size_t i = 0; i < t->columns.len; i++)
        encoded += ((ColumnDef *)t->columns.items[i])->encode != NULL;
    if (encoded < t->columns.len) {
        diag_warning(c->d, col->encode->mark, "encode-auto",
                     "ENCODE %s on \"%s\" turns ENCODE AUTO off for the whole table \"%s\": "
                     "Redshift no longer manages any of its columns' encodings",
                     e->name, col->name, t->name);
        diag_hint(c->d, "omit encode: on every column to keep ENCODE AUTO, or set one on every "
                        "column deliberately (c_Compression_encodings)");
    }
}

/* A column's json: is a path in one spelling: keys separated by '.', each
 * optionally followed by array elements [N] ("customer.id", "items[0].sku").
 * It becomes a bracket-notation JSONPath ($['customer']['id']) that Redshift
 * and the runner read alike (copy-usage_notes-copy-from-json).  Forms that
 * cannot work are refused here, with their place. */
static void check_json_path(Analyzer *c, const ColumnDef *col)
{
    const char *s = col->json->s, *why = NULL;
    if (s[0] == '$')
        why = "starts with '$': write the path without it, keys separated by dots "
              "(\"customer.id\", \"items[0].sku\")";
    for (const char *p = s; *p && !why; p++) {
        if (*p == '\'' || *p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
            why = "holds a quote, backslash or control character, which a jsonpaths file cannot "
                  "name";
        else if (*p == '.' && (p == s || p[1] == '\0' || p[1] == '.' || p[1] == '['))
            why = "has an empty key between dots";
        else if (*p == '[') {
            const char *q = p + 1;
            while (*q >= '0' && *q <= '9')
                q++;
            if (p == s || p[-1] == '.' || q == p + 1 || *q != ']' || (p[1] == '0' && q > p + 2))
                why = "has a bracket that is not an array element [N] after a key";
            else if (q[1] && q[1] != '.' && q[1] != '[')
                why = "has text after an array element; write items[0].sku";
            else
                p = q;
        } else if (*p == ']')
            why = "has a ']' without its '['";
    }
    if (why)
        diag_error(c->d, col->json->mark, "json-key", "JSON %s \"%s\" %s",
                   strpbrk(s, ".[") ? "path" : "key", s, why);
}

static void analyze_columns(Analyzer *c, TableDef *t)
{
    if (!t->columns.len)
        diag_error(c->d, t->mark, "columns", "table \"%s\" has no columns", t->name);
    if (t->columns.len > 1600)
        diag_error(c->d, t->mark, "columns", "table \"%s\" has %zu columns; the limit is 1600",
                   t->name, t->columns.len);
    bool warned_auto = false;
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (col->type_src)
            resolve_column_type(c->a, c->d, col->type_src, &col->type);
        if (col->identity && col->type.kind != T_UNKNOWN && col->type.kind != T_INTEGER &&
            col->type.kind != T_BIGINT)
            diag_error(c->d, col->mark, "identity",
                       "identity column \"%s\" must be integer or bigint", col->name);
        if (col->encode)
            analyze_encode(c, t, col, &warned_auto);
        if (col->json)
            check_json_path(c, col);
    }
}

/* ---- physical design ---- */

static void analyze_physical(Analyzer *c, TableDef *t)
{
    if (t->dist == DIST_KEY && t->dist_key) {
        t->dist_col = table_column(t, t->dist_key->s);
        if (!t->dist_col) {
            diag_error(c->d, t->dist_key->mark, "dist-key",
                       "dist key \"%s\" is not a column of \"%s\"", t->dist_key->s, t->name);
            hint_names(c->d, t->dist_key->s, &t->columns, column_name);
        }
    }
    if (t->sort_keys.len > (t->sort == SORT_INTERLEAVED ? 8u : 400u)) {
        diag_error(c->d, t->sort_mark,
                   t->sort == SORT_INTERLEAVED ? "interleaved-sort" : "sort-key",
                   "%s sort keys take at most %d columns; this one has %zu",
                   t->sort == SORT_INTERLEAVED ? "interleaved" : "compound",
                   t->sort == SORT_INTERLEAVED ? 8 : 400, t->sort_keys.len);
    }
    t->sort_cols = arena_alloc(c->a, (t->sort_keys.len + 1) * sizeof *t->sort_cols);
    for (size_t i = 0; i < t->sort_keys.len; i++) {
        Scalar *s = t->sort_keys.items[i];
        ColumnDef *col = table_column(t, s->s);
        t->sort_cols[i] = col;
        if (!col) {
            diag_error(c->d, s->mark, "sort-key", "sort key \"%s\" is not a column of \"%s\"", s->s,
                       t->name);
            hint_names(c->d, s->s, &t->columns, column_name);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (t->sort_cols[j] == col)
                diag_error(c->d, s->mark, "sort-key", "sort key \"%s\" is listed twice", s->s);
        if (t->sort == SORT_INTERLEAVED &&
            (col->identity || col->type.kind == T_DATE || col->type.kind == T_TIMESTAMP ||
             col->type.kind == T_TIMESTAMPTZ)) {
            diag_error(c->d, s->mark, "interleaved-sort",
                       "\"%s\" grows monotonically (%s); interleaved sort keys must not use it",
                       s->s, col->identity ? "identity" : "a date or time");
            diag_hint(c->d, "use a compound sort key that leads with it instead");
        }
    }
}

/* ---- staging ---- */

static void analyze_staging(Analyzer *c, TableDef *t)
{
    if (t->source_name) {
        t->source = find_source(c->m, t->source_name->s);
        if (!t->source) {
            diag_error(c->d, t->source_name->mark, "source", "unknown source \"%s\"",
                       t->source_name->s);
            hint_names(c->d, t->source_name->s, &c->m->sources, source_name);
        } else {
            t->source->used = true;
        }
    }
    /* 'auto ignorecase' matches keys to column names ignoring case; anything else
     * needs a jsonpaths file. */
    ColumnDef *differs = NULL;
    for (size_t i = 0; i < t->columns.len && !differs; i++) {
        ColumnDef *col = t->columns.items[i];
        if (col->json && strcasecmp(col->json->s, col->name) != 0)
            differs = col;
    }
    if (differs && !t->jsonpaths) {
        int nested = strpbrk(differs->json->s, ".[") != NULL;
        diag_error(c->d, t->mark, "jsonpaths",
                   "staging table \"%s\" needs `jsonpaths: s3://…`: column \"%s\" reads the "
                   "JSON %s \"%s\", which Redshift's 'auto ignorecase' cannot match",
                   t->name, differs->name, nested ? "path" : "key", differs->json->s);
        diag_hint(c->d,
                  "give an S3 URI outside the data prefix, e.g. "
                  "s3://my-bucket/meta/%s.jsonpaths.json",
                  t->name);
    }
    if (t->jsonpaths) {
        const char *j = t->jsonpaths->s;
        if (strncmp(j, "s3://", 5) != 0) {
            diag_error(c->d, t->jsonpaths->mark, "jsonpaths",
                       "jsonpaths must be an s3:// URI, not \"%s\"", j);
        } else if (t->source && t->source->s3 &&
                   !strncmp(j, t->source->s3->s, strlen(t->source->s3->s))) {
            diag_error(c->d, t->jsonpaths->mark, "jsonpaths",
                       "jsonpaths file \"%s\" is under the data prefix \"%s\": COPY would read it "
                       "as data",
                       j, t->source->s3->s);
            diag_hint(c->d, "keep it outside the prefix, e.g. in a meta/ folder");
        }
        for (const char *p = j; *p; p++)
            if (*p == '\'' || *p == ' ' || *p == '\\') {
                diag_error(c->d, t->jsonpaths->mark, "jsonpaths",
                           "jsonpaths URI must not contain quotes, spaces or backslashes");
                break;
            }
    }
    /* r_DATEFORMAT_and_TIMEFORMAT_strings: "To load TIMESTAMPTZ data that is in a
     * format different from the default format, specify 'auto'" */
    if (t->time_format && strcmp(t->time_format->s, "auto") &&
        strcmp(t->time_format->s, "epochmillisecs") && strcmp(t->time_format->s, "epochsecs")) {
        for (size_t i = 0; i < t->columns.len; i++) {
            ColumnDef *col = t->columns.items[i];
            if (col->type.kind == T_TIMESTAMPTZ) {
                diag_error(c->d, t->time_format->mark, "time-format",
                           "time_format \"%s\" cannot load the timestamptz column \"%s\": "
                           "Redshift reads TIMESTAMPTZ only in its default format or with auto",
                           t->time_format->s, col->name);
                break;
            }
        }
    }
    if (t->source && t->source->s3) {
        for (const char *p = t->source->s3->s; *p; p++)
            if (*p == '\'' || *p == ' ' || *p == '\\') {
                diag_error(c->d, t->source->s3->mark, "source-uri",
                           "s3 URI must not contain quotes, spaces or backslashes");
                break;
            }
    }
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (!col->json) {
            col->json = arena_alloc(c->a, sizeof *col->json);
            col->json->s = col->name;
            col->json->len = strlen(col->name);
            col->json->mark = col->mark;
        }
    }
}

/* ---- references ---- */

static void analyze_references(Analyzer *c, TableDef *t)
{
    for (size_t i = 0; i < t->columns.len; i++) {
        ColumnDef *col = t->columns.items[i];
        if (!col->references)
            continue;
        const char *r = col->references->s;
        const char *dot = strchr(r, '.');
        if (!dot || strchr(dot + 1, '.')) {
            diag_error(c->d, col->references->mark, "references",
                       "references must be written table.column, not \"%s\"", r);
            continue;
        }
        char *tn = arena_strndup(c->a, r, (size_t)(dot - r));
        TableDef *rt = model_table(c->m, tn);
        if (rt && rt->role == ROLE_STAGING) {
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" references the staging table \"%s\"; references target a star "
                       "table's primary key",
                       col->name, tn);
            continue;
        }
        if (!rt) {
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" references the unknown star table \"%s\"", col->name, tn);
            hint_names(c->d, tn, &c->m->tables, table_name);
            continue;
        }
        ColumnDef *rc = table_column(rt, dot + 1);
        if (!rc && !rt->columns.len) /* that table's missing columns are reported already */
            continue;
        if (!rc) {
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" references the unknown column \"%s\" of \"%s\"", col->name, dot + 1,
                       tn);
            hint_names(c->d, dot + 1, &rt->columns, column_name);
            continue;
        }
        int npk = 0;
        for (size_t k = 0; k < rt->columns.len; k++)
            npk += ((ColumnDef *)rt->columns.items[k])->primary_key;
        if (!rc->primary_key || npk != 1) {
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" references %s.%s, which is not the primary key of \"%s\"", col->name,
                       tn, rc->name, tn);
            diag_hint(c->d, "a reference targets a single-column primary key");
            continue;
        }
        if (col->type.kind != T_UNKNOWN && rc->type.kind != T_UNKNOWN &&
            (type_cat(col->type) != type_cat(rc->type) ||
             (type_cat(col->type) == CAT_NUMERIC && col->type.kind != rc->type.kind) ||
             (type_cat(col->type) == CAT_DATETIME && col->type.kind != rc->type.kind))) {
            char b1[64], b2[64];
            diag_error(c->d, col->references->mark, "references",
                       "\"%s\" is %s but %s.%s is %s: a reference joins equal types", col->name,
                       type_str(col->type, b1, sizeof b1), tn, rc->name,
                       type_str(rc->type, b2, sizeof b2));
            continue;
        }
        if (rt == t) {
            diag_error(c->d, col->references->mark, "references", "\"%s\" references its own table",
                       col->name);
            continue;
        }
        col->ref_col = rc;
        vec_push(c->a, &t->deps, rt);
        if (t->load && t->load->mode != MODE_REPLACE && rt->load &&
            rt->load->mode == MODE_REPLACE) {
            diag_error(c->d, col->references->mark, "incremental-references",
                       "\"%s\" keeps its rows between runs (mode %s) but references \"%s\", "
                       "which is rebuilt every run",
                       t->name, t->load->mode == MODE_APPEND ? "append" : "upsert", rt->name);
            /* the hint must lead to a model that compiles: a kept table needs a load
             * key, so a surrogate-keyed dimension needs a natural key as well */
            bool surrogate_pk = false;
            for (size_t k = 0; k < rt->columns.len; k++) {
                const ColumnDef *kc = rt->columns.items[k];
                surrogate_pk |= kc->primary_key && (kc->identity || kc->hash_key);
            }
            if (surrogate_pk && !rt->natural.len)
                diag_hint(c->d,
                          "\"%s\" has a surrogate key: mark the columns that identify its "
                          "rows `natural_key: true` (its loads match rows by them; the "
                          "surrogate stays)%s and give \"%s\" mode upsert",
                          rt->name,
                          rt->load && rt->load->dedupe_by.len
                              ? ", remove its dedupe `by` (the natural key is what it "
                                "deduplicates by)"
                              : "",
                          rt->name);
            else if (surrogate_pk)
                diag_hint(c->d, "give \"%s\" mode upsert too, or drop the reference", rt->name);
            else
                diag_hint(c->d, "give \"%s\" mode append or upsert too, or drop the reference",
                          rt->name);
        }
    }
}

static void analyze_secret(Analyzer *c)
{
    Scalar *s = c->m->iam_role;
    if (!s || !strcmp(s->s, "default"))
        return;
    const char *p = s->s;
    bool placeholder = p[0] == '$' && p[1] == '{' && p[s->len - 1] == '}' && s->len > 3;
    for (size_t i = 2; placeholder && i + 1 < s->len; i++)
        placeholder =
            (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_' || (i > 2 && p[i] >= '0' && p[i] <= '9');
    if (!placeholder) {
        diag_error(c->d, s->mark, "secret-literal",
                   "iam_role must be a ${PLACEHOLDER} or default, never a literal role");
        diag_hint(c->d, "write iam_role: ${REDSHIFT_IAM_ROLE}; the runner fills it in at run "
                        "time from the environment or dwh.cfg");
    }
}

static void analyze(Arena *a, Diag *d, Model *m)
{
    Analyzer c = {a, d, m};
    analyze_secret(&c);
    for (size_t i = 0; i < m->tables.len; i++) {
        TableDef *t = m->tables.items[i];
        analyze_columns(&c, t);
        if (t->role != ROLE_STAGING)
            analyze_keys(&c, t);
        analyze_physical(&c, t);
        if (t->role == ROLE_STAGING)
            analyze_staging(&c, t);
    }
    /* a column whose type failed is T_UNKNOWN: expressions using it stay quiet, the rest
     * are still checked, so one bad type does not hide every other error */
    for (size_t i = 0; i < m->tables.len; i++) {
        TableDef *t = m->tables.items[i];
        if (t->role != ROLE_STAGING) {
            analyze_load(&c, t);
            analyze_references(&c, t);
            if (t->load && t->load->scope)
                analyze_lookups(&c, t, t->load->scope);
        }
    }
    if (d->errors)
        return;
    order_loads(&c);
    if (d->errors)
        return;
    derive_datachecks(&c);
    add_user_datachecks(&c);
    for (size_t i = 0; i < m->queries.len; i++)
        analyze_query(&c, m->queries.items[i]);
}

void analyze_model(Arena *a, Diag *d, Model *m)
{
    int first = d->npending;
    analyze(a, d, m);
    model_forget_repeats(d, first);
}
