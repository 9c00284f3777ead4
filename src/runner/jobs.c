/* jobs.c - runner --jobs N: a stretch of steps side by side; see jobs.h.
 *
 * The calling thread schedules: it starts a thread per ready step on an idle
 * connection (opening one more while fewer than N are open), waits for one to
 * finish, prints that step's lines, and repeats until nothing runs.  The workers
 * only run execute_step() and report back under the one mutex.
 */
#include "jobs.h"

#include "../common/message.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

typedef enum JobState { J_WAITING, J_RUNNING, J_OK, J_FAILED } JobState;

typedef struct Pool Pool;

/* One step of the stretch. */
typedef struct Job {
    Pool *pool;
    size_t step;
    JobState state;
    int conn;      /* index into pool->conns while it runs */
    bool finished; /* the worker is done; the scheduler has not collected it yet */
    pthread_t thread;
    Buf lines; /* what the step printed while it ran */
} Job;

struct Pool {
    pthread_mutex_t mu;
    pthread_cond_t done; /* a worker finished */
    const Plan *plan;
    const ExecOpts *o;
    StepResult *res;
    size_t lo, hi;
    Job *jobs; /* by step - lo */
    PGconn *conns[SESSION_CONNS_MAX];
    bool busy[SESSION_CONNS_MAX];
    int nconns, maxconns;
    int running;
};

static void *worker(void *arg)
{
    Job *j = arg;
    Pool *p = j->pool;
    ExecOpts wo = *p->o;
    wo.tty = 0; /* no live progress: other steps print beside it */
    wo.lines = &j->lines;
    ExecOutcome local = {0, 0, NULL, 0}; /* a SQL step leaves nothing in it */
    int failed = execute_step(p->conns[j->conn], p->plan, j->step, &wo, &p->res[j->step], &local);
    free(local.checks_json);
    pthread_mutex_lock(&p->mu);
    j->state = failed ? J_FAILED : J_OK;
    j->finished = true;
    pthread_cond_signal(&p->done);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Every step that step k waits for has succeeded: in this stretch, or earlier in
 * the run (a serial step that failed stopped the run), or not selected (--from). */
static bool ready(const Pool *p, size_t k)
{
    const Step *s = &p->plan->steps[k];
    for (size_t d = 0; d < s->ndeps; d++) {
        size_t i = s->deps[d];
        if (i >= p->lo && p->jobs[i - p->lo].state != J_OK)
            return false;
    }
    return true;
}

/* An idle connection, opening one more when all are busy and fewer than the
 * limit are open; -1 when none can be had now. */
static int idle_conn(Pool *p)
{
    for (int i = 0; i < p->nconns; i++)
        if (!p->busy[i])
            return i;
    if (p->nconns >= p->maxconns)
        return -1;
    Buf err;
    buf_init(&err);
    PGconn *c = session_open_extra(p->o->session, &err);
    if (!c) {
        /* carry on with the connections there are (the server's max_connections, …) */
        msg_warning("--jobs: cannot open connection %d (%s); going on with %d", p->nconns + 1,
                    err.data, p->nconns);
        buf_free(&err);
        p->maxconns = p->nconns;
        return -1;
    }
    buf_free(&err);
    p->conns[p->nconns] = c;
    p->busy[p->nconns] = false;
    return p->nconns++;
}

/* Prints a finished step: its collected lines, its step line, its error block. */
static void report(const Pool *p, Job *j)
{
    const Plan *plan = p->plan;
    const Step *s = &plan->steps[j->step];
    const StepResult *r = &p->res[j->step];
    Buf line;
    buf_init(&line);
    if (j->lines.len && !p->o->quiet)
        fputs(j->lines.data, stdout);
    if (j->state == J_FAILED) {
        report_step_line(&line, j->step + 1, plan->n, s->name, "FAILED", -1, r->seconds);
        if (!p->o->quiet)
            fputs(line.data, stdout);
        fflush(stdout);
        buf_reset(&line);
        report_error(&line, s, &r->err);
        fputs(line.data, stderr);
        fflush(stderr);
    } else if (!p->o->quiet) {
        report_step_line(&line, j->step + 1, plan->n, s->name, "ok", r->rows, r->seconds);
        fputs(line.data, stdout);
        fflush(stdout);
    }
    buf_free(&line);
}

int jobs_run(PGconn *c, const Plan *plan, const ExecOpts *o, StepResult *res, size_t lo, size_t hi)
{
    /* the JSON reader builds its character tables on first use: once, here, before
     * two COPYs could race to build them */
    JsonReader warm;
    jr_init(&warm, NULL, 16, 16);
    jr_free(&warm);

    Pool p;
    memset(&p, 0, sizeof p);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.done, NULL);
    p.plan = plan;
    p.o = o;
    p.res = res;
    p.lo = lo;
    p.hi = hi;
    p.conns[0] = c;
    p.nconns = 1;
    p.maxconns = o->jobs < SESSION_CONNS_MAX ? o->jobs : SESSION_CONNS_MAX;
    if (!o->session) /* no way to open more: one connection */
        p.maxconns = 1;
    size_t n = hi - lo + 1;
    p.jobs = xcalloc(n, sizeof *p.jobs);
    for (size_t k = 0; k < n; k++) {
        p.jobs[k].pool = &p;
        p.jobs[k].step = lo + k;
        p.jobs[k].state = J_WAITING;
        buf_init(&p.jobs[k].lines);
    }
    bool stop = false;
    pthread_mutex_lock(&p.mu);
    for (;;) {
        /* collect the finished steps, in the order they finished being seen */
        for (size_t k = 0; k < n; k++) {
            Job *j = &p.jobs[k];
            if (!j->finished)
                continue;
            j->finished = false;
            pthread_join(j->thread, NULL);
            p.busy[j->conn] = false;
            p.running--;
            report(&p, j);
            if (j->state == J_FAILED)
                stop = true;
        }
        /* start the ready steps, in file order, while connections are free; once
         * interrupted, one at a time, as a serial run would (it fails at once,
         * "interrupted", and that stops the run) */
        for (size_t k = 0; k < n && !stop; k++) {
            Job *j = &p.jobs[k];
            if (runner_interrupted && p.running > 0)
                break;
            if (j->state != J_WAITING || !ready(&p, lo + k))
                continue;
            int ci = idle_conn(&p);
            if (ci < 0)
                break;
            j->conn = ci;
            j->state = J_RUNNING;
            p.busy[ci] = true;
            if (pthread_create(&j->thread, NULL, worker, j) != 0) {
                /* cannot start a thread: run no more side by side */
                j->state = J_WAITING;
                p.busy[ci] = false;
                msg_error("--jobs: cannot start a thread for step %s", plan->steps[lo + k].name);
                stop = true;
                break;
            }
            p.running++;
        }
        if (p.running == 0)
            break;
        pthread_cond_wait(&p.done, &p.mu);
    }
    pthread_mutex_unlock(&p.mu);
    int rc = 0;
    for (size_t k = 0; k < n; k++) {
        if (p.jobs[k].state != J_OK)
            rc = -1;
        buf_free(&p.jobs[k].lines);
    }
    free(p.jobs);
    pthread_cond_destroy(&p.done);
    pthread_mutex_destroy(&p.mu);
    return rc;
}
