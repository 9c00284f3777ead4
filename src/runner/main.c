/* main.c - the runner's command line: options, then the phases in order.
 *
 *   read (plan.h) -> preflight (preflight.h) -> [--dry-run: dryrun.h]
 *   -> connect, lock (session.h) -> execute (execute.h) or --report (queries.h)
 *   -> report (summary.h: the closing line, --json).
 *
 * --publish is its own phase after read (publish.h): no database.  This file
 * holds no logic of its own; exit codes come from runner.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/message.h"
#include "config.h"
#include "conn.h"
#include "dryrun.h"
#include "execute.h"
#include "history.h"
#include "ledger.h"
#include "migrate.h"
#include "output.h"
#include "plan.h"
#include "preflight.h"
#include "publish.h"
#include "queries.h"
#include "runner.h"
#include "session.h"
#include "summary.h"

static void usage(FILE *f)
{
    fputs("usage: runner [options] FOLDER\n"
          "Runs the numbered SQL steps of a stargen output folder (out/postgres or\n"
          "out/redshift) in order, each in its own transaction.  Inputs (sources,\n"
          "placeholders) are all checked before anything changes; the publish step swaps\n"
          "the rebuilt tables in, in one transaction with the data checks.\n"
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
          "                         change nothing (incremental sources: read the ledger;\n"
          "                         on Redshift, list their S3 prefixes); exit 2 if a run\n"
          "                         would stop early\n"
          "      --from STEP        resume at STEP (name, NN_name or number); starts earlier\n"
          "                         when a skipped step's table no longer holds its rows\n"
          "      --full-reload      incremental sources: stage every file again, loaded or\n"
          "                         not (the ledger is rewritten when publish commits)\n"
          "      --publish-on-check-failure\n"
          "                         publish even when an error-severity data check fails\n"
          "                         (by default the publish step rolls back: exit 4)\n"
          "      --only STEP        run only STEP\n"
          "  -j, --jobs N           run up to N independent steps at the same time, each on\n"
          "                         its own connection (1..32; default 1: one after another);\n"
          "                         a step starts when the steps its -- stargen:after line\n"
          "                         names have succeeded; publish and checks run alone, last\n"
          "      --json FILE        write a machine-readable run report to FILE\n"
          "      --report           run the analytics queries (FOLDER/queries/*.sql) and\n"
          "                         print them as tables; loads nothing\n"
          "      --csv DIR          with --report, also write DIR/<query>.csv\n"
          "  -q, --quiet            print errors only\n"
          "  -h, --help             this text\n"
          "      --version          print the version\n"
          "\n"
          "Placeholders ${NAME} are filled only where gen declares them (a\n"
          "-- stargen:placeholder line: the COPY's IAM role); anywhere else ${...} is\n"
          "sent as written.  Values come from the environment, then the config\n"
          "([IAM_ROLE] ARN supplies REDSHIFT_IAM_ROLE), and must be IAM role ARNs.\n"
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
          "  2  usage error, bad input folder, missing placeholder values or sources\n"
          "     (nothing was changed)\n"
          "  3  could not connect, or another runner holds the lock\n"
          "  4  an error-severity data check failed: nothing published (the previous\n"
          "     tables stay), or published with --publish-on-check-failure\n",
          f);
}

/* An error whose text names things from outside (the step folder, the config
 * file): printed on one line, control bytes and invalid UTF-8 escaped. */
static void error_display(const char *text)
{
    Buf d;
    buf_init(&d);
    put_display_text(&d, text, NULL);
    msg_error("%s", d.data);
    buf_free(&d);
}

/* --jobs N: a whole number from 1 to SESSION_CONNS_MAX. */
static int parse_jobs(const char *v, int *jobs)
{
    size_t len = strlen(v);
    long n = len && len <= 3 && strspn(v, "0123456789") == len ? strtol(v, NULL, 10) : 0;
    if (n < 1 || n > SESSION_CONNS_MAX) {
        Buf shown;
        buf_init(&shown);
        put_display_text(&shown, v, NULL);
        msg_error("--jobs takes a whole number from 1 to %d, not \"%s\"", SESSION_CONNS_MAX,
                  shown.data);
        buf_free(&shown);
        return -1;
    }
    *jobs = (int)n;
    return 0;
}

/* The phases after preflight: connect, execute or report, summary and --json. */
/* --dry-run with incremental sources: the files a run would stage need the
 * ledger, so this is the one read-only connection a dry run makes. */
static int dry_run_ledger(const Plan *plan, const RunRequest *q, const Config *cfg)
{
    ConnFailure why;
    Buf err, out;
    buf_init(&err);
    buf_init(&out);
    PGconn *c = conn_open(q->conninfo, cfg, 1, &why, &err);
    if (!c)
        msg_warning("--dry-run: cannot read stargen_ledger (%s); every file is listed as new",
                    err.data);
    /* a Redshift folder's incremental COPYs: their prefixes are listed (read-only) */
    S3Config s3;
    memset(&s3, 0, sizeof s3);
    int have_s3 = 0, problems = 0;
    for (size_t i = 0; i < plan->n && !have_s3; i++)
        for (size_t k = 0; k < plan->steps[i].nstmts && !have_s3; k++)
            if (ledger_manifest_spot(&plan->steps[i].stmts[k])) {
                buf_reset(&err);
                if (s3_config_load(&s3, cfg ? cfg->aws_key : NULL, cfg ? cfg->aws_secret : NULL,
                                   q->no_sign, &err)) {
                    msg_error("%s", err.data);
                    problems++;
                }
                have_s3 = 1;
            }
    buf_puts(&out, "incremental sources (files not in stargen_ledger):\n");
    if (!problems)
        problems +=
            ledger_dry_run(c, plan, q->data_root, have_s3 ? &s3 : NULL, q->full_reload, &out);
    fputs(out.data, stdout);
    s3_config_free(&s3);
    if (c)
        PQfinish(c);
    buf_free(&err);
    buf_free(&out);
    return problems;
}

static int run(Plan *plan, const RunRequest *q, const Config *cfg, Preflight *pf, int jobs)
{
    char run_id[37], started[32];
    history_new_run_id(run_id);
    utc_now_iso(started);
    StepResult *res = xcalloc(plan->n, sizeof *res);
    const Config *cfgp = q->config_path ? cfg : NULL;
    Buf target;
    buf_init(&target);
    conn_describe(q->conninfo, cfgp, &target);
    RunInfo info = {run_id, started, target.data, plan->dialect, plan->dir, "error", 0, NULL};
    ExecOutcome outcome = {0, 0, NULL, 0};
    Session s = {0};
    double t0 = now_seconds();
    int rc = RUNNER_EXIT_OK;
    if (q->dry) {
        dry_run(plan, pf, q, target.data);
        info.status = "dry_run";
        /* a dry run fails the way the run would (S3 prefixes are not listed) */
        int problems = q->report ? 0 : preflight_placeholders(plan, q, pf);
        if (!q->report)
            problems += preflight_sources(plan, q, pf, 1);
        if (!q->report && ledger_plan_incremental(plan))
            problems += dry_run_ledger(plan, q, cfgp);
        if (problems) {
            msg_error("%d problem%s: a run would stop before the first step", problems,
                      problems == 1 ? "" : "s");
            info.status = "error";
            rc = RUNNER_EXIT_USAGE;
        }
        goto report;
    }
    if (preflight_check(plan, q, cfg, pf)) {
        rc = RUNNER_EXIT_USAGE;
        goto report;
    }
    rc = session_open(&s, q->conninfo, cfgp, q->quiet, !q->report);
    if (rc != RUNNER_EXIT_OK)
        goto report;
    buf_reset(&target);
    conn_target(s.conn, &target);
    info.target = target.data;
    if (s.redshift)
        info.dialect = "redshift";
    if (q->report) { /* read-only: no lock, no history */
        Buf err;
        buf_init(&err);
        if (report_queries(s.conn, plan, q->csv_dir, stdout, &err)) {
            msg_error("%s", err.data);
            rc = RUNNER_EXIT_STEP_FAILED;
        } else {
            info.status = "success";
        }
        buf_free(&err);
        goto report;
    }
    if (preflight_resume(s.conn, plan, q, pf)) {
        rc = RUNNER_EXIT_USAGE;
        goto report;
    }
    if ((rc = migrate_run(s.conn, plan->dir, run_id, q->quiet)) != RUNNER_EXIT_OK)
        goto report; /* kept tables: edited migration, drift, or a failed migration */
    const char *delay = getenv("STARGEN_TEST_STEP_DELAY_MS");
    ExecOpts eo = {q->data_root,
                   pf->need_s3 ? &pf->s3 : NULL,
                   q->model_s3,
                   &pf->vars,
                   run_id,
                   q->quiet,
                   isatty(STDOUT_FILENO),
                   s.redshift,
                   pf->first,
                   pf->last,
                   q->publish_on_check_failure,
                   q->full_reload,
                   delay ? atoi(delay) : 0,
                   jobs,
                   &s,
                   NULL};
    execute_steps(s.conn, plan, &eo, res, &outcome);
    info.checks_json = outcome.checks_json;
    rc = summary_print(&info, res, plan->n, pf->first, pf->last, outcome.failed,
                       outcome.check_failures, outcome.unpublished, q->quiet, now_seconds() - t0,
                       runner_interrupted);
report:
    info.seconds = now_seconds() - t0;
    if (q->json_path) {
        Buf err;
        buf_init(&err);
        if (report_json_write(q->json_path, &info, plan, res, &err)) {
            error_display(err.data);
            if (rc == RUNNER_EXIT_OK)
                rc = RUNNER_EXIT_USAGE;
        }
        buf_free(&err);
    }
    session_close(&s);
    for (size_t i = 0; i < plan->n; i++) {
        step_error_free(&res[i].err);
        buf_free(&res[i].warnings);
    }
    free(res);
    free(outcome.checks_json);
    buf_free(&target);
    return rc;
}

int main(int argc, char **argv)
{
    msg_set_program("runner");
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
        OPT_PUBLISH,
        OPT_PUBLISH_ON_CHECK_FAILURE,
        OPT_FULL_RELOAD
    };
    static const struct option longopts[] = {
        {"dbname", required_argument, NULL, 'd'},
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
        {"publish-on-check-failure", no_argument, NULL, OPT_PUBLISH_ON_CHECK_FAILURE},
        {"full-reload", no_argument, NULL, OPT_FULL_RELOAD},
        {"jobs", required_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    RunRequest q;
    memset(&q, 0, sizeof q);
    int opt, jobs = 1;
    while ((opt = getopt_long(argc, argv, "d:qhj:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'd': q.conninfo = optarg; break;
        case OPT_CONFIG: q.config_path = optarg; break;
        case OPT_DATA: q.data_root = optarg; break;
        case OPT_DRY: q.dry = 1; break;
        case OPT_FROM: q.from = optarg; break;
        case OPT_ONLY: q.only = optarg; break;
        case OPT_JSON: q.json_path = optarg; break;
        case OPT_REPORT: q.report = 1; break;
        case OPT_CSV: q.csv_dir = optarg; break;
        case 'q': q.quiet = 1; break;
        case OPT_S3: q.model_s3 = 1; break;
        case OPT_NO_SIGN: q.no_sign = 1; break;
        case OPT_PUBLISH: q.publish = 1; break;
        case OPT_PUBLISH_ON_CHECK_FAILURE: q.publish_on_check_failure = 1; break;
        case OPT_FULL_RELOAD: q.full_reload = 1; break;
        case 'j':
            if (parse_jobs(optarg, &jobs))
                return RUNNER_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return RUNNER_EXIT_OK;
        case OPT_VERSION: printf("stargen runner %s\n", RUNNER_VERSION_STR); return RUNNER_EXIT_OK;
        default: usage(stderr); return RUNNER_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        msg_error("expected exactly one step folder (out/postgres or out/redshift)");
        usage(stderr);
        return RUNNER_EXIT_USAGE;
    }
    if (q.from && q.only) {
        msg_error("--from and --only cannot be combined");
        return RUNNER_EXIT_USAGE;
    }
    if (!q.data_root)
        q.data_root =
            getenv("STARGEN_DATA") && *getenv("STARGEN_DATA") ? getenv("STARGEN_DATA") : "data";
    Buf err;
    buf_init(&err);
    Config cfg = {0};
    if (q.config_path && config_load(&cfg, q.config_path, &err)) {
        error_display(err.data);
        buf_free(&err);
        return RUNNER_EXIT_USAGE;
    }
    Plan plan;
    int rc;
    if (plan_load(&plan, argv[optind], &err)) {
        error_display(err.data);
        rc = RUNNER_EXIT_USAGE;
    } else if (q.publish) {
        rc = publish_run(&plan, &cfg, q.dry, q.no_sign, q.quiet);
    } else {
        Preflight pf;
        if (preflight_select(&plan, &q, &cfg, &pf))
            rc = RUNNER_EXIT_USAGE;
        else
            rc = run(&plan, &q, &cfg, &pf, jobs);
        preflight_free(&pf);
    }
    plan_free(&plan);
    config_free(&cfg);
    buf_free(&err);
    return rc;
}
