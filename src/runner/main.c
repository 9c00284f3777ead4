/* main.c - the runner's command line: arguments, the order of the phases,
 * exit codes.
 *
 *   load the folder -> resolve --from/--only -> check placeholders ->
 *   (--dry-run: print and stop) -> connect -> lock -> history table ->
 *   run the steps -> summary, --json report, unlock.
 *
 * --publish is a separate path: read the folder's Redshift COPY statements,
 * upload the jsonpaths files they name (s3.h), connect to no database.
 *
 * Everything testable lives in the other files of src/runner; this file only
 * wires them together.  Exit codes come from runner.h.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "../common/readfile.h"
#include "checks.h"
#include "config.h"
#include "conn.h"
#include "copyload.h"
#include "history.h"
#include "json.h"
#include "placeholder.h"
#include "report.h"
#include "run.h"
#include "runner.h"
#include "s3.h"
#include "steps.h"

static void usage(FILE *f)
{
    fputs("usage: runner [options] FOLDER\n"
          "Runs the numbered SQL steps of a stargen output folder (out/postgres or\n"
          "out/redshift) in order, each in its own transaction.\n"
          "\n"
          "  -d, --dbname CONNINFO  conninfo string, postgresql:// URI or database name\n"
          "                         (otherwise PGHOST, PGPORT, PGDATABASE, PGUSER, ~/.pgpass)\n"
          "      --config FILE      dwh.cfg-style INI: [CLUSTER] HOST DB_NAME DB_USER\n"
          "                         DB_PASSWORD DB_PORT, [IAM_ROLE] ARN\n"
          "      --data DIR|s3://BUCKET/PREFIX\n"
          "                         data root for client-side COPY sources\n"
          "                         (default $STARGEN_DATA, else data/)\n"
          "      --s3               read every source from its model s3= URI\n"
          "      --no-sign-request  read S3 anonymously (public buckets)\n"
          "      --publish          upload the jsonpaths files of a Redshift folder to the\n"
          "                         S3 URIs its COPY statements name; no database\n"
          "      --dry-run          print steps, checksums, statements and COPY sources;\n"
          "                         connect to nothing\n"
          "      --from STEP        start at STEP (name, NN_name or number)\n"
          "      --only STEP        run only STEP\n"
          "      --json FILE        write a machine-readable run report to FILE\n"
          "      --report           run the analytics queries (FOLDER/queries/*.sql) and\n"
          "                         print them as tables; loads nothing\n"
          "      --csv DIR          with --report, also write DIR/<query>.csv\n"
          "  -q, --quiet            print errors only\n"
          "  -h, --help             this text\n"
          "      --version          print the version\n"
          "\n"
          "Placeholders ${NAME} are filled from the environment, then the config\n"
          "([IAM_ROLE] ARN supplies REDSHIFT_IAM_ROLE).\n"
          "\n"
          "S3: credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN,\n"
          "else [AWS] KEY/SECRET in --config, else the AWS_PROFILE (default) profile of\n"
          "~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE), else anonymous; region from\n"
          "AWS_REGION/AWS_DEFAULT_REGION (default us-east-1); AWS_ENDPOINT_URL for\n"
          "S3-compatible stores (path-style).\n"
          "\n"
          "exit codes:\n"
          "  0  every step ran\n"
          "  1  a step failed (or the run was interrupted)\n"
          "  2  usage error, bad input folder, missing placeholder values\n"
          "  3  could not connect, or another runner holds the lock\n"
          "  4  an error-severity data check failed (the load itself succeeded)\n",
          f);
}

static PGcancel *volatile g_cancel;

static void on_signal(int sig)
{
    (void)sig;
    runner_interrupted = 1;
    PGcancel *c = g_cancel;
    if (c) {
        char eb[256];
        PQcancel(c, eb, sizeof eb);
    }
}

static void make_run_id(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)(rand() ^ getpid() >> (i % 8));
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static void list_steps(const StepSet *set, FILE *f)
{
    fputs("valid steps:", f);
    for (size_t i = 0; i < set->n; i++)
        fprintf(f, " %s", set->steps[i].stem);
    fputc('\n', f);
}

static long resolve_step(const StepSet *set, const char *opt, const char *key)
{
    long i = steps_find(set, key);
    if (i == -1)
        fprintf(stderr, "error: %s %s: no such step\n", opt, key);
    else if (i == -2)
        fprintf(stderr, "error: %s %s: more than one step matches; use NN_name\n", opt, key);
    if (i < 0)
        list_steps(set, stderr);
    return i;
}

/* --publish: every jsonpaths file to the URI its COPY names.  Checks every
 * file before the first upload. */
static int publish(const StepSet *set, const Config *cfg, int dry, int no_sign, int quiet)
{
    PublishPlan pl;
    Buf err;
    buf_init(&err);
    if (copy_publish_plan(set, &pl, &err)) {
        fprintf(stderr, "error: %s\n", err.data);
        buf_free(&err);
        return RUNNER_EXIT_USAGE;
    }
    int rc = RUNNER_EXIT_OK;
    char **text = xcalloc(pl.n, sizeof *text);
    size_t *len = xcalloc(pl.n, sizeof *len);
    for (size_t i = 0; i < pl.n && rc == RUNNER_EXIT_OK; i++) {
        text[i] = read_whole_file(pl.v[i].file, 0, &len[i]);
        if (!text[i]) {
            fprintf(stderr, "error: cannot read %s (the jsonpaths file of the COPY into %s): %m\n",
                    pl.v[i].file, pl.v[i].table);
            rc = RUNNER_EXIT_USAGE;
            break;
        }
        Arena a;
        arena_init(&a);
        char **paths;
        buf_reset(&err);
        if (jsonpaths_parse_doc(&a, text[i], len[i], &paths, &err) < 0) {
            fprintf(stderr, "error: %s: %s\n", pl.v[i].file, err.data);
            rc = RUNNER_EXIT_USAGE;
        }
        arena_free(&a);
        char *bucket, *key;
        buf_reset(&err);
        if (rc == RUNNER_EXIT_OK && s3_parse_uri(pl.v[i].uri, &bucket, &key, &err) == 0) {
            if (!*key || key[strlen(key) - 1] == '/') {
                fprintf(stderr, "error: %s names no object for %s\n", pl.v[i].uri, pl.v[i].file);
                rc = RUNNER_EXIT_USAGE;
            }
            free(bucket);
            free(key);
        } else if (rc == RUNNER_EXIT_OK) {
            fprintf(stderr, "error: %s\n", err.data);
            rc = RUNNER_EXIT_USAGE;
        }
    }
    S3Config c;
    memset(&c, 0, sizeof c);
    buf_reset(&err);
    if (rc == RUNNER_EXIT_OK && !dry &&
        s3_config_load(&c, cfg->aws_key, cfg->aws_secret, no_sign, &err)) {
        fprintf(stderr, "error: %s\n", err.data);
        rc = RUNNER_EXIT_USAGE;
    }
    if (rc == RUNNER_EXIT_OK && !quiet) {
        if (dry)
            printf("dry run: publish %s: %zu jsonpaths file%s, nothing uploaded\n", set->dir, pl.n,
                   pl.n == 1 ? "" : "s");
        else
            printf("publish %s: %zu jsonpaths file%s (credentials: %s; region %s%s%s)\n", set->dir,
                   pl.n, pl.n == 1 ? "" : "s", c.cred_source, c.region,
                   c.endpoint ? "; endpoint " : "", c.endpoint ? c.endpoint : "");
    }
    for (size_t i = 0; i < pl.n && rc == RUNNER_EXIT_OK; i++) {
        if (dry) {
            printf("  would upload %s (%zu bytes) to %s\n", pl.v[i].file, len[i], pl.v[i].uri);
            continue;
        }
        char *bucket, *key;
        s3_parse_uri(pl.v[i].uri, &bucket, &key, &err);
        buf_reset(&err);
        if (s3_put(&c, bucket, key, text[i], len[i], "application/json", &err)) {
            fprintf(stderr, "error: %s\n", err.data);
            rc = RUNNER_EXIT_STEP_FAILED;
        } else if (!quiet) {
            printf("  uploaded %s (%zu bytes) to %s\n", pl.v[i].file, len[i], pl.v[i].uri);
        }
        free(bucket);
        free(key);
    }
    for (size_t i = 0; i < pl.n; i++)
        free(text[i]);
    free(text);
    free(len);
    copy_publish_free(&pl);
    s3_config_free(&c);
    buf_free(&err);
    return rc;
}

static void dry_run(const StepSet *set, size_t first, size_t last, const char *target,
                    const char *data_root, int model_s3)
{
    if (model_s3)
        printf("dry run: %s (dialect %s), target %s, data from each source's s3= URI (--s3)\n",
               set->dir, set->dialect, target);
    else
        printf("dry run: %s (dialect %s), target %s, data root %s\n", set->dir, set->dialect,
               target, data_root);
    Buf b;
    buf_init(&b);
    for (size_t i = first; i <= last; i++) {
        const Step *s = &set->steps[i];
        printf("\n[%zu/%zu] %s  sha256 %s%s\n", i + 1, set->n, s->file, s->checksum,
               s->no_transaction ? "  (no transaction)" : "");
        for (size_t k = 0; k < s->nstmts; k++) {
            const Statement *st = &s->stmts[k];
            printf("  -- statement %zu (%s:%d)\n", k + 1, s->path, st->line);
            fputs("    ", stdout);
            for (size_t j = 0; j < st->len; j++) {
                char c = s->text[st->off + j];
                putchar(c);
                if (c == '\n')
                    fputs("    ", stdout);
            }
            puts(";");
            if (st->copy) {
                buf_reset(&b);
                char *dir = xstrdup(s->path);
                char *sl = strrchr(dir, '/');
                if (sl)
                    *sl = '\0';
                copy_describe(&b, st->copy, data_root, sl ? dir : ".");
                fputs(b.data, stdout);
                free(dir);
            }
        }
    }
    buf_free(&b);
}

int main(int argc, char **argv)
{
    enum {
        OPT_CONFIG = 256,
        OPT_DATA,
        OPT_DRY,
        OPT_FROM,
        OPT_ONLY,
        OPT_JSON,
        OPT_REPORT,
        OPT_CSV,
        OPT_VERSION,
        OPT_S3,
        OPT_NO_SIGN,
        OPT_PUBLISH
    };
    static const struct option longopts[] = {{"dbname", required_argument, NULL, 'd'},
                                             {"config", required_argument, NULL, OPT_CONFIG},
                                             {"data", required_argument, NULL, OPT_DATA},
                                             {"dry-run", no_argument, NULL, OPT_DRY},
                                             {"from", required_argument, NULL, OPT_FROM},
                                             {"only", required_argument, NULL, OPT_ONLY},
                                             {"json", required_argument, NULL, OPT_JSON},
                                             {"report", no_argument, NULL, OPT_REPORT},
                                             {"csv", required_argument, NULL, OPT_CSV},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, OPT_VERSION},
                                             {"s3", no_argument, NULL, OPT_S3},
                                             {"no-sign-request", no_argument, NULL, OPT_NO_SIGN},
                                             {"publish", no_argument, NULL, OPT_PUBLISH},
                                             {NULL, 0, NULL, 0}};
    const char *conninfo = NULL, *config_path = NULL, *data_root = NULL, *from = NULL, *only = NULL,
               *json_path = NULL, *csv_dir = NULL;
    int dry = 0, quiet = 0, model_s3 = 0, no_sign = 0, do_publish = 0, do_report = 0, opt;
    while ((opt = getopt_long(argc, argv, "d:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'd': conninfo = optarg; break;
        case OPT_CONFIG: config_path = optarg; break;
        case OPT_DATA: data_root = optarg; break;
        case OPT_DRY: dry = 1; break;
        case OPT_FROM: from = optarg; break;
        case OPT_ONLY: only = optarg; break;
        case OPT_JSON: json_path = optarg; break;
        case OPT_REPORT: do_report = 1; break;
        case OPT_CSV: csv_dir = optarg; break;
        case 'q': quiet = 1; break;
        case OPT_S3: model_s3 = 1; break;
        case OPT_NO_SIGN: no_sign = 1; break;
        case OPT_PUBLISH: do_publish = 1; break;
        case 'h': usage(stdout); return RUNNER_EXIT_OK;
        case OPT_VERSION: printf("stargen runner %s\n", RUNNER_VERSION_STR); return RUNNER_EXIT_OK;
        default: usage(stderr); return RUNNER_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "error: expected exactly one step folder (out/postgres or out/redshift)\n");
        usage(stderr);
        return RUNNER_EXIT_USAGE;
    }
    if (from && only) {
        fprintf(stderr, "error: --from and --only cannot be combined\n");
        return RUNNER_EXIT_USAGE;
    }
    if (!data_root)
        data_root =
            getenv("STARGEN_DATA") && *getenv("STARGEN_DATA") ? getenv("STARGEN_DATA") : "data";
    Buf err;
    buf_init(&err);
    Config cfg = {0};
    if (config_path && config_load(&cfg, config_path, &err)) {
        fprintf(stderr, "error: %s\n", err.data);
        buf_free(&err);
        return RUNNER_EXIT_USAGE;
    }
    StepSet set;
    if (steps_load(&set, argv[optind], &err)) {
        fprintf(stderr, "error: %s\n", err.data);
        steps_free(&set);
        config_free(&cfg);
        buf_free(&err);
        return RUNNER_EXIT_USAGE;
    }
    int rc = RUNNER_EXIT_OK;
    if (do_publish) {
        rc = publish(&set, &cfg, dry, no_sign, quiet);
        goto out;
    }
    size_t first = 0, last = set.n - 1;
    long ix;
    if (from) {
        if ((ix = resolve_step(&set, "--from", from)) < 0) {
            rc = RUNNER_EXIT_USAGE;
            goto out;
        }
        first = (size_t)ix;
    }
    if (only) {
        if ((ix = resolve_step(&set, "--only", only)) < 0) {
            rc = RUNNER_EXIT_USAGE;
            goto out;
        }
        first = last = (size_t)ix;
    }
    PhVars vars = {0};
    if (cfg.iam_role)
        ph_set(&vars, "REDSHIFT_IAM_ROLE", cfg.iam_role);

    char run_id[37], started[32];
    make_run_id(run_id);
    utc_now_iso(started);
    StepResult *res = xcalloc(set.n, sizeof *res);
    Buf target;
    buf_init(&target);
    conn_describe(conninfo, config_path ? &cfg : NULL, &target);
    RunInfo info = {run_id, started, target.data, set.dialect, set.dir, "error", 0, NULL};
    char *checks_json_text = NULL; /* owned; info.checks_json points at it */
    double t0 = now_seconds();
    PGconn *conn = NULL;
    int redshift = 0, locked = 0;

    S3Config s3cfg;
    memset(&s3cfg, 0, sizeof s3cfg);
    int need_s3 = !do_report && (model_s3 || strncmp(data_root, "s3://", 5) == 0);
    if (dry) {
        copy_set_s3(NULL, model_s3);
        dry_run(&set, first, last, target.data, data_root, model_s3);
        Buf miss;
        buf_init(&miss);
        for (size_t i = first; i <= last; i++)
            ph_missing(&vars, set.steps[i].text, set.steps[i].len, &miss);
        if (miss.len)
            printf("\nnote: no value yet for %s (a real run would stop before the first step)\n",
                   miss.data);
        buf_free(&miss);
        goto finish;
    }
    /* every placeholder of the steps to run must have a value, before anything runs */
    Buf missing;
    buf_init(&missing);
    int nmissing = 0;
    for (size_t i = first; i <= last && !do_report; i++)
        nmissing += ph_missing(&vars, set.steps[i].text, set.steps[i].len, &missing);
    if (nmissing) {
        fprintf(stderr, "error: no value for placeholder%s %s; set %s in the environment%s\n",
                nmissing > 1 ? "s" : "", missing.data, nmissing > 1 ? "them" : "it",
                " (REDSHIFT_IAM_ROLE may also come from [IAM_ROLE] ARN in --config)");
        buf_free(&missing);
        rc = RUNNER_EXIT_USAGE;
        goto finish;
    }
    buf_free(&missing);
    if (need_s3) {
        buf_reset(&err);
        if (s3_config_load(&s3cfg, cfg.aws_key, cfg.aws_secret, no_sign, &err)) {
            fprintf(stderr, "error: %s\n", err.data);
            rc = RUNNER_EXIT_USAGE;
            goto finish;
        }
        copy_set_s3(&s3cfg, model_s3);
        if (!quiet)
            printf("reading S3 sources (credentials: %s; region %s%s%s)\n", s3cfg.cred_source,
                   s3cfg.region, s3cfg.endpoint ? "; endpoint " : "",
                   s3cfg.endpoint ? s3cfg.endpoint : "");
    }

    conn = conn_open(conninfo, config_path ? &cfg : NULL, quiet, &err);
    if (!conn) {
        fprintf(stderr, "error: %s\n", err.data);
        /* a -d string libpq cannot parse is bad usage, not a failed connection */
        rc = strncmp(err.data, "invalid -d connection string", 28) == 0 ? RUNNER_EXIT_USAGE
                                                                        : RUNNER_EXIT_CONNECT;
        goto finish;
    }
    buf_reset(&target);
    conn_target(conn, &target);
    info.target = target.data;
    redshift = conn_is_redshift(conn);
    if (redshift)
        info.dialect = "redshift";
    if (do_report) { /* read-only: no lock, no history */
        buf_reset(&err);
        if (report_queries(conn, set.dir, csv_dir, stdout, &err)) {
            fprintf(stderr, "error: %s\n", err.data);
            rc = RUNNER_EXIT_STEP_FAILED;
        } else {
            info.status = "success";
        }
        goto finish;
    }
    if (!redshift) {
        /* PostgreSQL >= 14: notice a vanished client (a SIGKILLed runner) during a long
         * statement within a second, so its session ends and the lock frees itself.
         * Older servers reject the name; that is harmless. */
        PGresult *r = PQexec(conn, "SET client_connection_check_interval = 1000");
        PQclear(r);
    }
    buf_reset(&err);
    int lk = lock_acquire(conn, redshift, &err);
    if (lk != 0) {
        fprintf(stderr, "error: %s%s\n",
                lk > 0 ? "refusing to run: " : "could not take the lock: ", err.data);
        rc = RUNNER_EXIT_CONNECT;
        goto finish;
    }
    locked = 1;
    buf_reset(&err);
    if (history_ensure(conn, &err)) {
        fprintf(stderr, "error: cannot create stargen_history: %s\n", err.data);
        rc = RUNNER_EXIT_CONNECT;
        goto finish;
    }
    g_cancel = PQgetCancel(conn);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* a checks step (the last one gen writes) is run by checks_run, after the loads */
    size_t load_last = last;
    int run_checks = step_has_checks(&set.steps[last]);
    if (run_checks && last == first)
        load_last = (size_t)-1;
    else if (run_checks)
        load_last = last - 1;
    int failed = 0;
    if (load_last != (size_t)-1) {
        RunOpts ro = {data_root, &vars, run_id,   quiet, isatty(STDOUT_FILENO),
                      redshift,  first, load_last};
        failed = run_steps(conn, &set, &ro, res) != 0;
    }
    int check_failures = 0;
    if (!failed && run_checks && !runner_interrupted) {
        CheckRun cr;
        double c0 = now_seconds();
        if (!quiet)
            printf("[%*zu/%zu] %s\n", last + 1 >= 10 ? 2 : 1, last + 1, set.n,
                   set.steps[last].name);
        check_failures = checks_run(conn, &set.steps[last], stdout, quiet, &cr);
        res[last].status = check_failures ? ST_ERROR : ST_SUCCESS;
        res[last].rows = 0;
        for (size_t i = 0; i < cr.n; i++)
            res[last].rows += cr.results[i].failing > 0 ? cr.results[i].failing : 0;
        res[last].seconds = now_seconds() - c0;
        if (check_failures)
            step_error_set(&res[last].err, "%d data check%s failed", check_failures,
                           check_failures == 1 ? "" : "s");
        res[last].has_error = check_failures != 0;
        utc_now_iso(res[last].started_at);
        HistoryRow hr = {run_id,
                         set.steps[last].name,
                         set.steps[last].file,
                         set.steps[last].checksum,
                         check_failures ? "error" : "success",
                         res[last].started_at,
                         check_failures ? res[last].err.message : NULL,
                         res[last].rows,
                         res[last].seconds};
        buf_reset(&err);
        if (history_insert(conn, &hr, &err))
            fprintf(stderr, "warning: could not record the checks in stargen_history: %s\n",
                    err.data);
        Buf cj;
        buf_init(&cj);
        checks_json(&cj, &cr);
        checks_json_text = buf_detach(&cj, NULL);
        info.checks_json = checks_json_text;
        checks_free(&cr);
    }
    double secs = now_seconds() - t0;
    size_t ok = 0;
    for (size_t i = 0; i < set.n; i++)
        ok += res[i].status == ST_SUCCESS;
    if (failed) {
        rc = RUNNER_EXIT_STEP_FAILED;
        if (!quiet)
            printf("failed: %zu of %zu steps ok, then a step failed (%.2f s)%s\n", ok,
                   last - first + 1, secs,
                   runner_interrupted ? "; interrupted" : "; fix it and resume with --from");
    } else if (check_failures) {
        rc = RUNNER_EXIT_CHECKS;
        info.status = "checks_failed";
        fprintf(stderr, "error: %d data check%s failed (see above); the tables are loaded\n",
                check_failures, check_failures == 1 ? "" : "s");
    } else {
        info.status = "success";
        if (!quiet)
            printf("done: %zu step%s ok in %.2f s\n", ok, ok == 1 ? "" : "s", secs);
    }

finish:
    if (dry && rc == RUNNER_EXIT_OK)
        info.status = "dry_run";
    info.seconds = now_seconds() - t0;
    if (json_path) {
        buf_reset(&err);
        if (report_json_write(json_path, &info, &set, res, &err)) {
            fprintf(stderr, "error: %s\n", err.data);
            if (rc == RUNNER_EXIT_OK)
                rc = RUNNER_EXIT_USAGE;
        }
    }
    if (conn) {
        PGcancel *c = g_cancel;
        g_cancel = NULL;
        if (c)
            PQfreeCancel(c);
        if (locked)
            lock_release(conn, redshift);
        PQfinish(conn);
    }
    for (size_t i = 0; i < set.n; i++)
        step_error_free(&res[i].err);
    free(res);
    free(checks_json_text);
    copy_set_s3(NULL, 0);
    s3_config_free(&s3cfg);
    buf_free(&target);
out:
    steps_free(&set);
    config_free(&cfg);
    buf_free(&err);
    return rc;
}
