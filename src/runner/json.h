/* json.h - a streaming reader for a stream of JSON objects, with jsonpaths.
 *
 * The source format Redshift's COPY ... FORMAT AS JSON accepts: JSON objects
 * separated only by whitespace (newline-delimited, pretty-printed, one per
 * file, no final newline needed).  The reader pulls bytes through a callback
 * in chunks (256 KiB by default), never holding more than one object plus one
 * chunk, and for each object fills one JsonValue per compiled path with a
 * view into its buffer: no allocation per object or per field.
 *
 * Parsing an object is restartable: when an object runs past the bytes read
 * so far, the reader keeps the partial object, reads more and parses that
 * object again from its first byte.  That costs one partial object per chunk
 * and lets the hot loop work on plain pointers with a NUL sentinel.
 * Objects larger than max_object (4 MB, Redshift's limit) are an error.
 */
#ifndef STARGEN_JSON_H
#define STARGEN_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"

#define JSON_CHUNK      ((size_t)256 << 10)
#define JSON_MAX_OBJECT ((size_t)4 << 20)
#define JSON_MAX_DEPTH  256

typedef enum JsonKind {
    JV_MISSING = 0,
    JV_NULL,
    JV_FALSE,
    JV_TRUE,
    JV_NUMBER,
    JV_STRING,
    JV_OBJECT,
    JV_ARRAY
} JsonKind;

enum {
    JF_ESCAPE = 1, /* string: contains a backslash escape */
    JF_HIGH = 2,   /* string: contains bytes >= 0x80 (needs UTF-8 validation) */
    JF_INT = 4,    /* number: no fraction, no exponent */
    JF_EXP = 8     /* number: has an exponent */
};

/* A value inside the reader's buffer; valid until the next jr_next().
 * For a string, p/n is the raw text between the quotes (escapes not
 * decoded); for everything else the value's whole JSON text. */
typedef struct JsonValue {
    const char *p;
    uint32_t n;
    uint8_t kind;  /* JsonKind */
    uint8_t flags; /* JF_* */
} JsonValue;

typedef struct JsonPathNode JsonPathNode;
struct JsonPathNode {
    char *key; /* NULL for an array element */
    size_t keylen;
    long index;          /* array element index, -1 for an object member */
    int slot;            /* value slot filled for this path, -1 if only a prefix */
    JsonPathNode **kids; /* keys below this one */
    int nkids, capkids;
    int hint; /* index of the kid expected next (keys usually come in order) */
};

typedef struct JsonPaths {
    Arena arena;
    JsonPathNode root;
    int nslots;     /* distinct paths */
    int ncols;      /* paths as given (one per column) */
    int *col_slot;  /* column i reads slot col_slot[i] */
    int ignorecase; /* match object keys ignoring ASCII case ('auto ignorecase') */
} JsonPaths;

/* Compiles paths of the forms $.a, $['a'], $["a"], $.a.b, $['a']['b'] and
 * array elements $['a'][0], $.a[2].b (mixable), as Redshift's JSONPath
 * expressions (copy-usage_notes-copy-from-json).  ignorecase: keys match
 * whatever their ASCII case (Redshift's 'auto ignorecase').  Returns 0, or -1
 * with a message naming the bad path in err. */
int jsonpaths_compile(JsonPaths *jp, const char *const *paths, int n, Buf *err);
int jsonpaths_compile_ex(JsonPaths *jp, const char *const *paths, int n, int ignorecase, Buf *err);
void jsonpaths_free(JsonPaths *jp);

/* Parses a jsonpaths document {"jsonpaths": ["$.a", ...]} (NUL-terminated
 * text) into a string array allocated in a.  Returns the count, or -1 with a
 * message in err. */
int jsonpaths_parse_doc(Arena *a, const char *text, size_t len, char ***out, Buf *err);

/* Reads up to cap bytes into buf; returns the count, 0 at end, -1 on error. */
typedef long (*JsonReadFn)(void *ctx, char *buf, size_t cap);

typedef struct JsonReader {
    const JsonPaths *paths;
    JsonValue *vals; /* paths->nslots values, filled by jr_next */
    uint8_t *seen;   /* seen[slot]: the path was present in some object since jr_init */
    char *buf;       /* buf[end] is always '\0' (the sentinel) */
    size_t cap, start, end;
    size_t chunk, max_object;
    JsonReadFn read;
    void *ctx;
    int eof, first;
    long line;     /* line number at buf[start] */
    long obj_line; /* line of the '{' of the object last returned */
    long err_line;
    char err[256];
    uint64_t bytes; /* bytes read since jr_init (over every source) */
} JsonReader;

/* chunk/max_object 0 = the defaults above. */
void jr_init(JsonReader *r, const JsonPaths *paths, size_t chunk, size_t max_object);
/* Starts a new source (resets line numbers and the buffer). */
void jr_open(JsonReader *r, JsonReadFn fn, void *ctx);
/* Next object: 1 (r->vals filled, r->obj_line set), 0 at end of the
 * source, -1 on error (r->err, r->err_line). */
int jr_next(JsonReader *r);
void jr_free(JsonReader *r);

/* Memory source for tests and small inputs: hands out at most step bytes per
 * read (step 1 = byte by byte). */
typedef struct JsonMemSrc {
    const char *p;
    size_t len, pos, step;
} JsonMemSrc;
long json_mem_read(void *ctx, char *buf, size_t cap);

#endif
