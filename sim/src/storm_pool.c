/*
 * storm_pool.c - parallel runs: one forked process per run, at most
 * plan->jobs at a time, each sending its outcome back through a pipe.
 *
 * Why processes, not threads: libfiu's fault registry is process-global
 * (run.h: FIU storms must not share a process), and a run that crashes or
 * trips a sanitizer must become a failed outcome that names the signal,
 * not take the whole sweep down.  A run that exceeds STORM_RUN_WALL_MAX_S
 * of host time is killed and reported the same way.
 *
 * Wire format (same binary on both ends): a header {magic, outcome size,
 * samples, series mask}, the storm_outcome bytes, then `samples` doubles
 * for each series in the mask.  The parent checks every length before it
 * trusts a byte.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "storm_run_internal.h"

#define STORM_RUN_WALL_MAX_S 900.0
#define POOL_POLL_MS 200
#define POOL_MAGIC 0x53474f31u /* "SGO1" */
#define POOL_MESSAGE_MAX \
    (sizeof(pool_header) + sizeof(storm_outcome) + (size_t)SIM_SERIES_COUNT * SIM_SERIES_POINTS_MAX * sizeof(double))

typedef struct pool_header {
    uint32_t magic;
    uint32_t outcome_size;
    uint32_t samples;
    uint32_t series_mask;
} pool_header;

typedef struct pool_slot {
    pid_t pid;          /* 0 = free */
    int fd;
    storm_job job;
    double started;
    unsigned char *buf;
    size_t len;
    size_t cap;
    bool killed;
} pool_slot;

static double wall_now(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* In the child: run the job and send the outcome. */
static void child_main(const storm_report *r, const storm_job *job, const storm_plan *plan, storm_exec_fn exec,
                       void *ctx, int fd)
{
    storm_outcome *o = malloc(sizeof *o);
    if (o == NULL) {
        _exit(3);
    }
    storm_job_exec(r, job, plan, exec, ctx, o);
    pool_header h = {POOL_MAGIC, (uint32_t)sizeof *o, o->result.samples, 0};
    for (unsigned s = 0; s < SIM_SERIES_COUNT; s++) {
        h.series_mask |= o->result.series[s] != NULL && o->result.samples > 0 ? 1u << s : 0u;
    }
    bool ok = write_all(fd, &h, sizeof h) && write_all(fd, o, sizeof *o);
    for (unsigned s = 0; ok && s < SIM_SERIES_COUNT; s++) {
        if (h.series_mask & (1u << s)) {
            ok = write_all(fd, o->result.series[s], (size_t)h.samples * sizeof(double));
        }
    }
    _exit(ok ? 0 : 4);
}

static void fail_outcome(storm_outcome *o, const storm_job *job, sg_status st, const char *why)
{
    memset(o, 0, sizeof *o);
    o->entry = job->entry;
    o->model = job->model;
    o->seed = job->seed;
    o->status = st;
    (void)snprintf(o->error, sizeof o->error, "%s", why);
}

/* Rebuilds an outcome from a child's message; false if it is malformed. */
static bool decode(const pool_slot *s, storm_outcome *o)
{
    pool_header h;
    if (s->len < sizeof h) {
        return false;
    }
    memcpy(&h, s->buf, sizeof h);
    size_t series = 0;
    for (unsigned i = 0; i < SIM_SERIES_COUNT; i++) {
        series += (h.series_mask >> i) & 1u;
    }
    if (h.magic != POOL_MAGIC || h.outcome_size != sizeof *o || h.samples > SIM_SERIES_POINTS_MAX ||
        (h.series_mask >> SIM_SERIES_COUNT) != 0 ||
        s->len != sizeof h + sizeof *o + series * h.samples * sizeof(double)) {
        return false;
    }
    memcpy(o, s->buf + sizeof h, sizeof *o);
    memset(o->result.series, 0, sizeof o->result.series);
    o->result.samples = series > 0 ? h.samples : 0;
    const unsigned char *p = s->buf + sizeof h + sizeof *o;
    for (unsigned i = 0; i < SIM_SERIES_COUNT; i++) {
        if ((h.series_mask & (1u << i)) == 0) {
            continue;
        }
        o->result.series[i] = malloc((size_t)h.samples * sizeof(double) + 1);
        if (o->result.series[i] == NULL) {
            sim_result_free(&o->result);
            return false;
        }
        memcpy(o->result.series[i], p, (size_t)h.samples * sizeof(double));
        p += (size_t)h.samples * sizeof(double);
    }
    return o->entry == s->job.entry && o->model == s->job.model && o->seed == s->job.seed;
}

/* The child is done (EOF): reap it and turn what it sent into *o. */
static void finish(pool_slot *s, storm_outcome *o)
{
    int status = 0;
    (void)close(s->fd);
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {
    }
    char why[STORM_RUN_ERROR_MAX];
    if (s->killed) {
        (void)snprintf(why, sizeof why, "run killed after %.0f s of host time (bound STORM_RUN_WALL_MAX_S)",
                       STORM_RUN_WALL_MAX_S);
        fail_outcome(o, &s->job, SG_E_FULL, why);
    } else if (WIFSIGNALED(status)) {
        (void)snprintf(why, sizeof why, "run crashed: signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
        fail_outcome(o, &s->job, SG_E_STATE, why);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !decode(s, o)) {
        (void)snprintf(why, sizeof why, "run process failed (exit status %d, %zu bytes of result)",
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1, s->len);
        fail_outcome(o, &s->job, SG_E_STATE, why);
    } else {
        o->wall_s = wall_now() - s->started;
    }
    s->pid = 0;
    s->len = 0;
    s->killed = false;
}

static sg_status start(pool_slot *s, const storm_report *r, const storm_job *job, const storm_plan *plan,
                       storm_exec_fn exec, void *ctx, sg_error *err)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return sg_error_set(err, SG_E_NOMEM, "pipe: %s", strerror(errno));
    }
    (void)fflush(NULL); /* the child must not repeat buffered output */
    pid_t pid = fork();
    if (pid < 0) {
        (void)close(fds[0]);
        (void)close(fds[1]);
        return sg_error_set(err, SG_E_NOMEM, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        (void)close(fds[0]);
        child_main(r, job, plan, exec, ctx, fds[1]);
    }
    (void)close(fds[1]);
    s->pid = pid;
    s->fd = fds[0];
    s->job = *job;
    s->started = wall_now();
    s->len = 0;
    s->killed = false;
    return SG_OK;
}

/* Reads what is available; true at EOF (or after a kill). */
static bool drain(pool_slot *s)
{
    if (s->cap <= POOL_MESSAGE_MAX) {
        unsigned char *grown = realloc(s->buf, POOL_MESSAGE_MAX + 1);
        if (grown == NULL) {
            (void)kill(s->pid, SIGKILL);
            return true;
        }
        s->buf = grown;
        s->cap = POOL_MESSAGE_MAX + 1;
    }
    ssize_t n = read(s->fd, s->buf + s->len, s->cap - s->len);
    if (n < 0 && errno == EINTR) {
        return false;
    }
    if (n > 0) {
        s->len += (size_t)n;
        if (s->len == s->cap) { /* more than any valid message */
            (void)kill(s->pid, SIGKILL);
            return true;
        }
        return false;
    }
    return true;
}

typedef struct pool {
    storm_report *r;
    const storm_plan *plan;
    storm_outcome_fn on_outcome;
    void *cb_ctx;
    uint64_t done, total;
    storm_outcome *o;
    pool_slot slots[STORM_JOBS_MAX];
} pool;

static void complete(pool *pl, pool_slot *s)
{
    finish(s, pl->o);
    storm_outcome_judge(pl->r, pl->o);
    pl->done++;
    if (pl->on_outcome != NULL) {
        pl->on_outcome(pl->cb_ctx, pl->r, pl->o, pl->done, pl->total);
    }
    uint64_t first, last;
    storm_plan_seeds(pl->plan, pl->r->entries[pl->o->entry].storm, &first, &last);
    storm_report_fold(pl->r, pl->o, first);
}

/* Waits for output of the running children, completes those that ended. */
static void wait_some(pool *pl, uint32_t jobs)
{
    struct pollfd fds[STORM_JOBS_MAX];
    uint32_t map[STORM_JOBS_MAX];
    nfds_t n = 0;
    for (uint32_t i = 0; i < jobs; i++) {
        if (pl->slots[i].pid != 0) {
            fds[n] = (struct pollfd){pl->slots[i].fd, POLLIN, 0};
            map[n++] = i;
        }
    }
    if (poll(fds, n, POOL_POLL_MS) < 0 && errno != EINTR) {
        return;
    }
    double now = wall_now();
    for (nfds_t k = 0; k < n; k++) {
        pool_slot *s = &pl->slots[map[k]];
        if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && drain(s)) {
            complete(pl, s);
        } else if (!s->killed && now - s->started > STORM_RUN_WALL_MAX_S) {
            s->killed = true;
            (void)kill(s->pid, SIGKILL);
        }
    }
}

sg_status storm_pool_run(storm_report *r, const storm_plan *plan, storm_exec_fn exec, void *ctx,
                         storm_outcome_fn on_outcome, void *cb_ctx, uint64_t total, sg_error *err)
{
    pool *pl = calloc(1, sizeof *pl);
    storm_outcome *o = malloc(sizeof *o);
    if (pl == NULL || o == NULL) {
        free(pl);
        free(o);
        return sg_error_set(err, SG_E_NOMEM, "out of memory");
    }
    *pl = (pool){.r = r, .plan = plan, .on_outcome = on_outcome, .cb_ctx = cb_ctx, .total = total, .o = o};
    storm_job_iter it;
    storm_job job;
    bool more = true;
    sg_status st = SG_OK;
    uint32_t running = 0;
    storm_job_iter_init(&it, r, plan);
    do {
        for (uint32_t i = 0; i < plan->jobs && more && st == SG_OK; i++) {
            if (pl->slots[i].pid == 0 && (more = storm_job_next(&it, &job))) {
                st = start(&pl->slots[i], r, &job, plan, exec, ctx, err);
            }
        }
        running = 0;
        for (uint32_t i = 0; i < plan->jobs; i++) {
            running += pl->slots[i].pid != 0 ? 1u : 0u;
        }
        if (running > 0) {
            wait_some(pl, plan->jobs);
        }
    } while (running > 0 || (more && st == SG_OK));
    for (uint32_t i = 0; i < plan->jobs; i++) {
        free(pl->slots[i].buf);
    }
    free(o);
    free(pl);
    return st;
}
