/* convert.h - JSON values to PostgreSQL COPY text fields, typed like Redshift.
 *
 * One call per row: each column's JsonValue (from the reader) is checked
 * against the column's type and written, escaped for COPY's text format, into
 * a growable CopyBuf.  Conversions follow docs/out-format.md: strings decoded
 * (\uXXXX, surrogate pairs, \/), invalid UTF-8 and \u0000 rejected,
 * varchar(n) checked in bytes, "" is NULL for non-string columns,
 * emptyasnull/blanksasnull for strings, integer columns take integer
 * literals only, epoch numbers become UTC timestamps computed by hand.
 * Nothing here allocates per field: the only allocation is CopyBuf growth.
 */
#ifndef STARGEN_CONVERT_H
#define STARGEN_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "json.h"
#include "plan.h" /* TimeFormat */

typedef struct CopyBuf {
    char *p;
    size_t len, cap;
} CopyBuf;

void cb_init(CopyBuf *b, size_t cap);
void cb_free(CopyBuf *b);
void cb_grow(CopyBuf *b, size_t need);
/* Room for n more bytes; returns where they go (does not advance len). */
static inline char *cb_reserve(CopyBuf *b, size_t n)
{
    if (b->cap - b->len < n)
        cb_grow(b, n);
    return b->p + b->len;
}

typedef enum ColType {
    CT_TEXT, /* text, varchar(n), char(n), name */
    CT_INT2,
    CT_INT4,
    CT_INT8,
    CT_FLOAT,   /* real, double precision */
    CT_NUMERIC, /* numeric(p,s): truncated (or rounded) to the scale as Redshift's COPY does */
    CT_DATE,
    CT_BOOL,
    CT_TIMESTAMP,
    CT_TIMESTAMPTZ,
    CT_JSON, /* json, jsonb: the value's JSON text */
    CT_OTHER /* anything else: text passes through, PostgreSQL checks it */
} ColType;

/* Redshift's VARCHAR limit (r_Character_types): text with no declared length
 * (varchar(max) is TEXT on PostgreSQL) holds at most this many bytes. */
#define CONV_VARCHAR_MAX 65535

typedef struct ColSpec {
    const char *name;
    ColType type;
    long maxlen;          /* varchar/char limit in bytes, -1 = none */
    int precision, scale; /* CT_NUMERIC; precision 0 = unconstrained */
} ColSpec;

/* What a load counts while it converts (for warnings after the COPY). */
typedef struct ConvStats {
    long long zone_ignored; /* TIMESTAMP values whose time zone was dropped */
    const char *zone_column;
    char zone_example[64];
} ConvStats;

typedef struct ConvOpts {
    int emptyasnull, blanksasnull;
    TimeFormat timeformat;
    const char *timefmt; /* TF_STRING: the explicit TIMEFORMAT */
    const char *datefmt; /* NULL: YYYY-MM-DD; "auto"; or an explicit DATEFORMAT */
    int roundec;         /* decimals round half away from zero; default: truncate */
    ConvStats *stats;    /* may be NULL */
} ConvOpts;

/* Column type from a pg_type oid and typmod (also sets c->maxlen,
 * precision and scale). */
ColType conv_type_from_oid(unsigned oid, int typmod, ColSpec *c);

/* Writes one row: ncols fields separated by tabs and a final newline.
 * vals[col_slot[i]] is column i's value.  Returns 0, or -1 with
 * "column NAME: reason \"value\"" in err (out then holds a partial row). */
int conv_row(CopyBuf *out, const ColSpec *cols, int ncols, const int *col_slot,
             const JsonValue *vals, const ConvOpts *o, Buf *err);

/* One field (no separator); same contract as conv_row. */
int conv_field(CopyBuf *out, const ColSpec *c, const JsonValue *v, const ConvOpts *o, Buf *err);

/* Decodes the raw contents of a JSON string (between the quotes) into out,
 * escaping for COPY text when copy_escape is set.  *decoded gets the decoded
 * byte length.  Returns 0 or -1 with a reason in err (\u0000, lone
 * surrogate, invalid UTF-8). */
int json_decode_string(CopyBuf *out, const char *raw, size_t n, int copy_escape, size_t *decoded,
                       Buf *err);

#endif
