/* manifest.h - the manifest of new files an incremental COPY reads on Redshift.
 *
 * gen writes an incremental source's Redshift COPY as
 *
 *   -- stargen:placeholder name=STARGEN_MANIFEST type=manifest offset=N
 *   --     source=s3://BUCKET/PREFIX manifests=s3://MBUCKET/MPREFIX/ changed=POLICY
 *   COPY t (...) FROM '${STARGEN_MANIFEST}' ... MANIFEST;
 *
 * (one line; plan.h, ManifestSpot).  Before that statement runs, in the
 * staging step's transaction, manifest_fill() lists source= (s3.h, ListObjectsV2),
 * reads stargen_ledger (ledger.h, by size and ETag: the runner never
 * downloads the files), keeps the files not loaded before (a changed one per
 * changed=: error names it, skip warns, reload stages it again), writes their
 * manifest (docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html)
 *
 *   {"entries":[
 *   {"url":"s3://BUCKET/KEY","mandatory":true,"meta":{"content_length":N}},
 *   ...
 *   ]}
 *
 * PUTs it to MPREFIX/RUN_ID/STEP.manifest (one per run and step, never
 * overwritten), records the files pending (published with the star tables)
 * and fills the URL into the placeholder.  With no new file the COPY is not
 * run: the staging table stays empty and the step says so.  A region= on the
 * spot (the COPY's REGION) signs both the listing and the PUT for that region:
 * Redshift wants the manifest in the same region as the files.
 */
#ifndef STARGEN_MANIFEST_H
#define STARGEN_MANIFEST_H

#include <libpq-fe.h>

#include "../common/arena.h"
#include "ledger.h"
#include "output.h"
#include "placeholder.h"
#include "plan.h"
#include "s3.h"
#include "sources.h"

/* Appends to out the manifest JSON of the files of l whose verdict is LV_NEW
 * or LV_RELOAD (v NULL: every file); each file's display name is its
 * s3://bucket/key URL.  URLs are JSON strings: '"' and '\' escaped, control
 * bytes as \u00XX, UTF-8 kept as it is (S3 keys are UTF-8; the s3:// URL
 * holds the key unencoded, as Redshift reads it).  Returns the number of
 * entries, or -1 with a message naming the file when a URL is not valid UTF-8. */
long manifest_json(Buf *out, const SourceList *l, const LedgerVerdict *v, Buf *err);

/* Appends the JSON string literal (with its quotes) of s[0..n), valid UTF-8. */
void manifest_json_string(Buf *out, const char *s, size_t n);

/* Appends the URL s3://MBUCKET/MPREFIX/RUN_ID/STEM.manifest for manifests=
 * (s3://MBUCKET/MPREFIX/).  -1 with a message when the key would be longer
 * than S3's 1024 bytes or the URL longer than PH_MANIFEST_URL_MAX. */
int manifest_url(Buf *out, const char *manifests, const char *run_id, const char *stem, Buf *err);

/* What manifest_fill needs of the run. */
typedef struct ManifestRun {
    const S3Config *s3; /* NULL: S3 is not configured (an error for a manifest spot) */
    const char *run_id;
    int full_reload; /* --full-reload: every file again */
    int quiet;       /* -q: no info line */
    Buf *warnings;   /* the step's warnings (--json, history), or NULL */
} ManifestRun;

/* Prepares statement st of step s (see above) when it has a manifest spot;
 * sets vars->manifest_url.  Returns 1: run the statement (also when it has no
 * spot); 0: no new file, do not run it; -1: e filled (message, file:line of
 * the directive), the step fails and its transaction rolls back. */
int manifest_fill(PGconn *c, const Step *s, const Statement *st, const ManifestRun *r, PhVars *vars,
                  StepError *e);

#endif
