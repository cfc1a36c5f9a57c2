/*
 * fiu_bridge.c - libfiu fault points inside the core, decided by the
 * simulator's PRNG.
 *
 * A FIU fault enables its point in external mode: every time the core
 * reaches the point, libfiu asks our callback, which draws from the run's
 * dedicated fiu stream (SIM_STREAM_FIU) and returns fail/pass with an
 * explicit failinfo (ENOMEM).  The draws happen in simulation order, so an
 * allocation failure replays exactly with the seed.  libfiu's registry is
 * process-global: the current world is per thread, and runs that use FIU
 * faults must not overlap in one process (documented in run.h).
 */
#include <errno.h>
#include <fiu-control.h>
#include <fiu.h>
#include <stdint.h>
#include <string.h>

#include "world.h"

static _Thread_local sim_world *fiu_world;

static int decide(const char *name, int *failnum, void **failinfo, unsigned int *flags)
{
    (void)flags;
    sim_world *w = fiu_world;
    if (w == NULL) {
        return 0;
    }
    for (uint32_t i = 0; i < w->fiu_count; i++) {
        sim_fiu_point *p = &w->fiu[i];
        if (p->depth == 0 || strcmp(p->name, name) != 0) {
            continue;
        }
        if (sg_rng_unit(&w->fiu_rng) < p->probability) {
            *failnum = 1;
            *failinfo = (void *)(intptr_t)ENOMEM; // NOLINT(performance-no-int-to-ptr): libfiu carries an errno
            w->r->metrics[SIM_M_FIU_FAILURES] += 1;
            world_trace(w, TR_ACTION, UINT32_MAX, 0xF1u, i);
            return 1;
        }
        return 0;
    }
    return 0;
}

static sim_fiu_point *find_point(sim_world *w, const char *name)
{
    for (uint32_t i = 0; i < w->fiu_count; i++) {
        if (strcmp(w->fiu[i].name, name) == 0) {
            return &w->fiu[i];
        }
    }
    if (w->fiu_count >= SIM_FAULTS_MAX) {
        return NULL;
    }
    sim_fiu_point *p = &w->fiu[w->fiu_count++];
    memcpy(p->name, name, strlen(name) + 1);
    return p;
}

void fiu_bridge_enable(sim_world *w, const sim_fault *f)
{
    if (fiu_world == NULL) {
        (void)fiu_init(0);
        sg_rng_seed(&w->fiu_rng, w->seed, SIM_STREAM_FIU);
        fiu_world = w;
    }
    sim_fiu_point *p = find_point(w, f->point);
    if (p == NULL) {
        return;
    }
    p->probability = f->value;
    if (p->depth++ == 0) {
        /* failinfo is an errno by libfiu's convention; explicit, so nothing is random */
        (void)fiu_enable_external(p->name, 1, (void *)(intptr_t)ENOMEM, 0, decide); // NOLINT(performance-no-int-to-ptr)
    }
}

void fiu_bridge_disable(sim_world *w, const sim_fault *f)
{
    sim_fiu_point *p = find_point(w, f->point);
    if (p != NULL && p->depth > 0 && --p->depth == 0) {
        (void)fiu_disable(p->name);
    }
}

void fiu_bridge_reset(sim_world *w)
{
    for (uint32_t i = 0; i < w->fiu_count; i++) {
        if (w->fiu[i].depth > 0) {
            (void)fiu_disable(w->fiu[i].name);
            w->fiu[i].depth = 0;
        }
    }
    if (fiu_world == w) {
        fiu_world = NULL;
    }
}
