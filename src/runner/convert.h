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
 * conv_row_binary writes the same values in COPY's binary format (below).
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
    CT_FLOAT,   /* double precision */
    CT_FLOAT4,  /* real: the same text rules; its binary form comes from strtof */
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

/* Binary COPY (FORMAT binary) instead of text, for speed: the server's text
 * parse of a staging load costs more than the runner's whole conversion
 * (1M Sparkify events, PostgreSQL 15: COPY FROM of the same rows takes
 * 2.80 s in text, 2.04 s in binary).  Every value goes through the same
 * validation as in text and is then encoded from its validated text, so the
 * two formats load identical values: strings raw (decoded, not COPY-escaped),
 * integers big-endian at the column's width, floats by strtod/strtof on the
 * same text with float8in/float4in's range rule (out of range is a
 * client-side error here, where text leaves some cases to the server),
 * booleans by boolin's rule.  char(n)/varchar(n): bpchar_recv/varchar_recv
 * apply the typmod as text input does.
 *
 * True when a column of pg_type oid has such an encoding: text, varchar,
 * char, smallint, integer, bigint, real, double precision, boolean (not
 * name: namerecv refuses what namein truncates).  A COPY is binary only when
 * every column is. */
int conv_binary_oid(unsigned oid);

/* The binary COPY header (signature, flags 0, extension length 0) and
 * trailer (field count -1): once per COPY, around all its rows. */
void conv_binary_header(CopyBuf *out);
void conv_binary_trailer(CopyBuf *out);

/* conv_row in COPY's binary format: the field count, then each field's
 * length (-1: NULL) and bytes.  Same checks and messages as conv_row, plus
 * float values out of range and strings that are not booleans. */
int conv_row_binary(CopyBuf *out, const ColSpec *cols, int ncols, const int *col_slot,
                    const JsonValue *vals, const ConvOpts *o, Buf *err);

/* One binary field (length word and bytes); same contract as conv_row. */
int conv_field_binary(CopyBuf *out, const ColSpec *c, const JsonValue *v, const ConvOpts *o,
                      Buf *err);

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
