/* synthmodel.c - bench-synthmodel: writes a synthetic, valid stargen model of
 * N tables, for timing ./gen as models grow (src/bench/bench.sh).
 *
 * The model is built from groups of ten tables, each shaped like a real
 * warehouse subject area:
 *   - 3 staging tables, each fed by its own source, ten columns of mixed
 *     types, camelCase JSON keys (so each needs a jsonpaths file);
 *   - 4 dimensions with single-column primary keys, loaded from staging with
 *     a where filter, dedupe latest and a few expressions (trim, upper, case,
 *     coalesce, epoch arithmetic);
 *   - 3 facts with identity keys, each joining 2-3 dimensions (one of them
 *     from the previous group, so the load graph spans the whole model) with
 *     references to them, a dedupe-by rule and extract/round/case mappings.
 * Usage: bench-synthmodel TABLES [OUT.yaml]   (TABLES a multiple of 10)
 * Output is deterministic: the same TABLES always gives the same bytes.
 * Exit codes: 0 written, 1 I/O error, 2 bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_OK = 0, EXIT_IO = 1, EXIT_USAGE = 2 };

/* One staging table: group g, letter c ('a'..'c'). */
static void staging(FILE *f, int g, char c)
{
    fprintf(f,
            "  stg_%04d_%c:\n"
            "    source: src_%04d_%c\n"
            "    jsonpaths: s3://bench-meta/jsonpaths/stg_%04d_%c.json\n"
            "    empty_as_null: true\n"
            "    time_format: epochmillisecs\n"
            "    dist: even\n"
            "    columns:\n"
            "      id:          {type: integer, json: recordId}\n"
            "      code:        {type: varchar(32), json: code}\n"
            "      name:        {type: varchar(128), json: displayName}\n"
            "      amount:      {type: \"decimal(12,2)\", json: amountUsd}\n"
            "      ratio:       {type: double precision, json: ratio}\n"
            "      ts:          {type: bigint, json: ts}\n"
            "      created:     {type: timestamp, json: createdAt}\n"
            "      active:      {type: boolean, json: isActive}\n"
            "      ref_x:       {type: integer, json: refX}\n"
            "      ref_y:       {type: integer, json: refY}\n",
            g, c, g, c, g, c);
}

/* Dimension k (1..4) of group g, loaded from staging letter c. */
static void dimension(FILE *f, int g, int k, char c)
{
    fprintf(f,
            "  dim_%04d_%d:\n"
            "    kind: dimension\n"
            "    description: Dimension %d of subject area %d, one row per key, latest wins.\n"
            "    dist: all\n"
            "    sort: [dim_id]\n"
            "    columns:\n"
            "      dim_id:     {type: integer, primary_key: true}\n"
            "      code:       {type: varchar(32), not_null: true}\n"
            "      name:       varchar(128)\n"
            "      name_upper: varchar(128)\n"
            "      tier:       varchar(8)\n"
            "      updated:    timestamp\n"
            "    load:\n"
            "      from: stg_%04d_%c s\n"
            "      where: s.id is not null and s.code is not null and s.active\n"
            "      dedupe: {latest: s.ts}\n"
            "      map:\n"
            "        dim_id:     s.id %s\n"
            "        code:       s.code\n"
            "        name:       coalesce(trim(s.name), 'unknown')\n"
            "        name_upper: upper(s.name)\n"
            "        tier:       case when s.amount >= 1000 then 'gold' when s.amount >= 100 then "
            "'silver' else 'bronze' end\n"
            "        updated:    timestamp 'epoch' + s.ts / 1000 * interval '1 second'\n",
            g, k, k, g, g, c, k % 2 ? "" : "+ 1000000");
}

/* Fact k (1..3) of group g from staging letter c, joining the dimensions
 * d1, d2 (this group) and, when prev >= 0, d3 of group prev. */
static void fact(FILE *f, int g, int k, char c, int d1, int d2, int prev, int d3)
{
    fprintf(f,
            "  fct_%04d_%d:\n"
            "    kind: fact\n"
            "    description: Fact %d of subject area %d, one row per record and time.\n"
            "    dist: {key: dim_a_id}\n"
            "    sort: [event_time]\n"
            "    columns:\n"
            "      fact_id:    {type: bigint, identity: true, primary_key: true}\n"
            "      event_time: {type: timestamp, not_null: true}\n"
            "      dim_a_id:   {type: integer, not_null: true, references: dim_%04d_%d.dim_id}\n"
            "      dim_b_id:   {type: integer, references: dim_%04d_%d.dim_id}\n",
            g, k, k, g, g, d1, g, d2);
    if (prev >= 0)
        fprintf(f, "      dim_c_id:   {type: integer, references: dim_%04d_%d.dim_id}\n", prev, d3);
    fprintf(f,
            "      amount:     {type: \"decimal(14,2)\", not_null: true}\n"
            "      hour:       {type: smallint, not_null: true}\n"
            "      weekday:    {type: smallint, not_null: true}\n"
            "      tier:       varchar(8)\n"
            "      big:        {type: boolean, not_null: true}\n"
            "    load:\n"
            "      from: stg_%04d_%c s\n"
            "      join:\n"
            "        - inner: dim_%04d_%d a\n"
            "          on: a.dim_id = s.ref_x\n"
            "        - left: dim_%04d_%d b\n"
            "          on: b.dim_id = s.ref_y and b.code = s.code\n",
            g, c, g, d1, g, d2);
    if (prev >= 0)
        fprintf(f,
                "        - left: dim_%04d_%d p\n"
                "          on: p.dim_id = s.id\n",
                prev, d3);
    fprintf(f, "      where: s.ts is not null and s.amount between 0 and 1000000\n"
               "      dedupe: {by: [s.id, s.ts]}\n"
               "      map:\n"
               "        event_time: timestamp 'epoch' + s.ts / 1000 * interval '1 second'\n"
               "        dim_a_id:   a.dim_id\n"
               "        dim_b_id:   b.dim_id\n");
    if (prev >= 0)
        fprintf(f, "        dim_c_id:   p.dim_id\n");
    fprintf(f, "        amount:     round(coalesce(s.amount, 0) * (1 + coalesce(s.ratio, 0)), 2)\n"
               "        hour:       extract(hour from s.created)\n"
               "        weekday:    extract(dow from s.created)\n"
               "        tier:       a.tier\n"
               "        big:        s.amount > 500 or a.tier = 'gold'\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fputs("usage: bench-synthmodel TABLES [OUT.yaml]   (TABLES a multiple of 10)\n", stderr);
        return EXIT_USAGE;
    }
    char *end;
    errno = 0;
    long n = strtol(argv[1], &end, 10);
    if (errno || *end || n < 10 || n > 1000000 || n % 10) {
        fprintf(stderr, "bench-synthmodel: TABLES must be a multiple of 10, got '%s'\n", argv[1]);
        return EXIT_USAGE;
    }
    FILE *f = argc == 3 ? fopen(argv[2], "w") : stdout;
    if (!f) {
        fprintf(stderr, "bench-synthmodel: cannot write %s: %s\n", argv[2], strerror(errno));
        return EXIT_IO;
    }
    int groups = (int)(n / 10);
    fprintf(f,
            "# Synthetic model of %ld tables (%d subject areas of 3 staging tables, 4 dimensions\n"
            "# and 3 facts) written by bench-synthmodel for the gen benchmark.\n"
            "version: 1\n"
            "redshift:\n"
            "  iam_role: ${REDSHIFT_IAM_ROLE}\n"
            "sources:\n",
            n, groups);
    for (int g = 0; g < groups; g++)
        for (char c = 'a'; c <= 'c'; c++)
            fprintf(f,
                    "  src_%04d_%c:\n"
                    "    s3: s3://bench-lake/area_%04d/%c/\n"
                    "    path: area_%04d/%c/\n"
                    "    region: us-west-2\n"
                    "    format: json\n",
                    g, c, g, c, g, c);
    fputs("staging:\n", f);
    for (int g = 0; g < groups; g++)
        for (char c = 'a'; c <= 'c'; c++)
            staging(f, g, c);
    fputs("tables:\n", f);
    for (int g = 0; g < groups; g++) {
        dimension(f, g, 1, 'a');
        dimension(f, g, 2, 'a');
        dimension(f, g, 3, 'b');
        dimension(f, g, 4, 'c');
        int prev = g - 1;
        fact(f, g, 1, 'a', 1, 2, -1, 0);
        fact(f, g, 2, 'b', 3, 4, prev, 1);
        fact(f, g, 3, 'c', 4, 1, prev, 3);
    }
    if (ferror(f) | (f != stdout ? fclose(f) : fflush(f))) {
        fprintf(stderr, "bench-synthmodel: write failed: %s\n", strerror(errno));
        return EXIT_IO;
    }
    return EXIT_OK;
}
