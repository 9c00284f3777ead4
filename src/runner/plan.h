/* plan.h - the out/<dialect>/ folder, read once into a typed plan.
 *
 * The out/ contract (docs/out-format.md) has exactly one reader: this module.
 * plan_load() lists the NN_name.sql step files, reads each one, computes its
 * SHA-256, splits it into statements (split.c) and reads every `-- stargen:`
 * directive through one key=value reader with one strictness rule
 * (directive.c): an unknown directive or key, a duplicate key, a bad value or
 * an over-long name is an error naming file:line, and a directive must sit on
 * the line just before its statement.  COPY statements are parsed here too
 * (table, column list, options, a Redshift JSON 's3://' URI), so nothing
 * later looks at the SQL text again except to send it.
 * plan_load_queries() reads queries/NN_name.sql (runner --report) the same way.
 * No database access happens here.  Everything lives in the Plan's arena.
 */
#ifndef STARGEN_PLAN_H
#define STARGEN_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"

/* Longest check name accepted (bytes); a longer one is refused, never cut. */
#define PLAN_NAME_MAX 128

/* `-- stargen:copy source=... [s3=...] jsonpaths=... [emptyasnull=on|off]
 *  [blanksasnull=on|off] [timeformat=epochmillisecs|epochsecs|auto|"FORMAT"]
 *  [dateformat=auto|"FORMAT"] [roundec=on|off] [compression=gzip|none]
 *  [keys=exact|ignorecase] [region=NAME]` */
typedef enum TimeFormat { TF_NONE, TF_EPOCHMILLIS, TF_EPOCHSECS, TF_AUTO, TF_STRING } TimeFormat;
/* incremental sources: what a loaded file whose content changed does (changed=) */
typedef enum ChangedPolicy { CHANGED_ERROR, CHANGED_SKIP, CHANGED_RELOAD } ChangedPolicy;

typedef struct CopyDirective {
    const char *source;     /* relative to the data root; required */
    const char *s3;         /* may be NULL */
    const char *jsonpaths;  /* file name in the step folder; required */
    const char *timeformat; /* the value as written, or NULL */
    TimeFormat tf;          /* the same, typed (TF_STRING: an explicit format) */
    const char *dateformat; /* "auto", an explicit format, or NULL (YYYY-MM-DD) */
    bool emptyasnull, blanksasnull;
    bool roundec;       /* decimals round (Redshift ROUNDEC); default: truncate */
    bool gzip;          /* every source file is gzip-compressed (COPY GZIP) */
    bool ignorecase;    /* keys match in any case (Redshift's 'auto ignorecase') */
    const char *region; /* the COPY's REGION, or NULL */
    bool incremental;   /* incremental=on: only files the ledger has not recorded (ledger.h) */
    ChangedPolicy changed;
    int line; /* line of the directive in the step file */
} CopyDirective;

/* `-- stargen:count as=staged|unchanged|updated|inserted table=T [from=S]`: what the
 * rows of the next statement mean for kept table T (issue 14 item 6):
 * staged (candidates put in the upsert's stage; not a step's `rows`),
 * unchanged (candidates dropped because the stored row is newer or the same),
 * updated (stored rows replaced), inserted (rows the INSERT wrote: for an
 * upsert, the new ones are these minus the updated ones). */
/* inserted: the statement's rows are every row stored (updated + new); new: only the new
 * rows (an INSERT of absent keys after an UPDATE in place) */
typedef enum CountKind {
    COUNT_STAGED,
    COUNT_UNCHANGED,
    COUNT_UPDATED,
    COUNT_INSERTED,
    COUNT_NEW,
    COUNT_INFERRED /* members a lookup created in table=, keys only (late-arriving) */
} CountKind;
typedef struct CountDirective {
    CountKind as;
    const char *table;
    const char *from; /* the table the load reads (its FROM), or NULL: skipped rows */
    int line;
} CountDirective;

/* `-- stargen:check name=N severity=error|warn [tally=T]` */
typedef struct CheckDirective {
    const char *name;  /* 1..PLAN_NAME_MAX bytes */
    bool warn;         /* severity=warn */
    const char *tally; /* the tally that counts this check first, or NULL */
    int line;
} CheckDirective;

/* `-- stargen:tally name=T`: a SELECT in a checks step returning one row whose
 * columns, in order, are the offending-row counts of the checks with tally=T, in
 * the order of the file (docs/out-format.md, "Data checks"). */
typedef struct TallyDirective {
    const char *name;
    int line;
} TallyDirective;

/* A parsed COPY statement: "COPY t [(a, b)] FROM STDIN [WITH (FORMAT text)]"
 * or Redshift's "COPY t FROM 's3://...' ... FORMAT AS JSON 's3://...'". */
typedef struct CopyStmt {
    const char *table; /* as written (quotes kept, for ::regclass) */
    const char *bare;  /* the last name part, folded ("staging_events") */
    const char **cols; /* folded like SQL identifiers; NULL when no list */
    int ncols;
    bool from_stdin;
    bool binary, csv;     /* the words BINARY / CSV among the options */
    const char *json_uri; /* FORMAT AS JSON 's3://...' (Redshift), or NULL */
    const char *region;   /* REGION '...' (Redshift), or NULL */
} CopyStmt;

/* `-- stargen:placeholder name=NAME type=iam_role offset=N`: the statement
 * holds the text ${NAME} at byte offset N, as the whole content of a '...'
 * string literal.  The runner fills placeholders there and nowhere else; any
 * other ${...} in a step is ordinary text and is sent byte-exact.
 *
 * `-- stargen:placeholder name=NAME type=manifest offset=N source=S3URI
 *  manifests=S3URI/ changed=error|skip|reload [region=R]`: the same kind of
 * spot, filled by the runner itself (never from the environment) with the
 * s3:// URL of the manifest it wrote for this run: the files under source=
 * that stargen_ledger has not recorded, PUT under manifests= (manifest.h).
 * The COPY after it reads FROM that manifest (MANIFEST). */
typedef enum PhType {
    PH_IAM_ROLE, /* an IAM role ARN, or a comma-separated chain of them */
    PH_MANIFEST  /* the URL of this run's manifest of new files (runner-filled) */
} PhType;
typedef struct ManifestSpot {
    const char *source;    /* s3://bucket/prefix: the files the COPY would read */
    const char *manifests; /* s3://bucket/prefix/: where the manifest is PUT */
    const char *region;    /* the COPY's REGION (source and manifest), or NULL */
    ChangedPolicy changed; /* a loaded file whose ETag or size changed */
} ManifestSpot;
typedef struct PlaceholderUse {
    const char *name; /* "REDSHIFT_IAM_ROLE" ([A-Z_][A-Z0-9_]*, at most 64 bytes) */
    PhType type;
    size_t off, len;              /* "${NAME}" at [off, off+len) of the statement */
    int line;                     /* line of the directive in the step file */
    const ManifestSpot *manifest; /* type=manifest, else NULL */
} PlaceholderUse;

/* `-- stargen:after steps=a,b`: the earlier steps, by name, whose results this step
 * reads or refers to (docs/out-format.md, "Directives"); file-level, before the first
 * statement.  plan_load() resolves the names into Step.deps. */
typedef struct AfterDirective {
    const char **names;
    size_t n;
    int line;
} AfterDirective;

typedef struct Statement {
    size_t off, len;             /* byte range in the text, without the closing ';' */
    int line, col;               /* 1-based position of the first character */
    const CopyDirective *copy;   /* non-NULL: a client-side COPY ... FROM STDIN */
    const CheckDirective *check; /* non-NULL: a data check */
    const TallyDirective *tally; /* non-NULL: the counts of some checks of this step */
    const CountDirective *count; /* non-NULL: what its rows mean for a kept table */
    const CopyStmt *copy_stmt;   /* non-NULL: the statement is a COPY we could parse */
    const PlaceholderUse *ph;    /* the declared placeholders, by increasing offset */
    size_t nph;
} Statement;

typedef enum StepKind {
    STEP_SQL,     /* statements run in one transaction (or autocommit) */
    STEP_CHECKS,  /* every statement is a data check */
    STEP_PUBLISH, /* the step named "publish": a SQL step whose transaction also holds
                     the data checks of the checks step right after it, and commits
                     only when they pass (docs/out-format.md, "Publication") */
} StepKind;

typedef struct Step {
    const char *file; /* "05_load_users.sql" */
    const char *stem; /* "05_load_users" */
    const char *name; /* "load_users" */
    long number;      /* 5 */
    const char *path; /* dir + "/" + file, as the user will read it in messages */
    const char *text; /* whole file, NUL-terminated */
    size_t len;
    char checksum[65]; /* sha256 hex of the file bytes */
    bool no_transaction;
    StepKind kind;
    /* the table the step fills: the table of its last COPY, else of its last
     * "INSERT INTO t", as written (NULL if neither); a resumed run checks that
     * the tables of the steps it skips still hold the rows history recorded */
    const char *fills;
    Statement *stmts;
    size_t nstmts;
    /* the steps (indexes, increasing) that must succeed before this one starts
     * (runner --jobs): its `after` list; without one, every earlier step (the
     * publish and checks steps always) */
    const AfterDirective *after; /* as written, or NULL */
    size_t *deps;
    size_t ndeps;
} Step;

/* queries/NN_name.sql: one SELECT each (runner --report). */
typedef struct Query {
    const char *file; /* "01_most_played_songs.sql" */
    const char *name; /* "most_played_songs" */
    const char *path; /* dir/queries/file */
    const char *text;
    size_t len;
    const char *title; /* the first comment line after the header, or "" */
    Statement stmt;
} Query;

typedef struct Plan {
    Arena arena;
    const char *dir;     /* as given, without trailing '/' */
    const char *dialect; /* from the header line, else the folder's base name */
    Step *steps;
    size_t n;
    Query *queries; /* after plan_load_queries() */
    size_t nqueries;
} Plan;

/* Reads every step of dir.  Returns 0, or -1 with a one-line message (no
 * trailing newline) appended to err; on failure plan is still safe to
 * plan_free(). */
int plan_load(Plan *plan, const char *dir, Buf *err);
/* Reads dir/queries/NN_name.sql (one statement each) into plan->queries.
 * 0 or -1 with a message. */
int plan_load_queries(Plan *plan, Buf *err);
void plan_free(Plan *plan);

/* Splits text into statements (allocated in a) and reads their directives;
 * path is used in messages.  Returns 0 or -1 with "path:LINE: ..." in err. */
int plan_split(Arena *a, const char *path, const char *text, size_t len, Statement **out, size_t *n,
               bool *no_transaction, Buf *err);
/* The same for a step file, which may also hold `-- stargen:after` (*after; NULL when
 * it has none); plan_split() refuses that directive (a query, a migration). */
int plan_split_step(Arena *a, const char *path, const char *text, size_t len, Statement **out,
                    size_t *n, bool *no_transaction, const AfterDirective **after, Buf *err);

/* Finds a step by name ("load_users"), stem ("05_load_users") or number
 * ("5", "05").  Returns its index, -1 if none matches, -2 if ambiguous. */
long plan_find_step(const Plan *plan, const char *key);

/* 1-based line and column (in UTF-8 characters) of byte offset off in text. */
void plan_line_col(const char *text, size_t off, int *line, int *col);

#endif
