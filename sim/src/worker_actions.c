/*
 * worker_actions.c - carrying out what a worker model asks for.
 *
 * Every sg_bcast_action becomes world behaviour: a backbone connect or
 * subscribe with its latency and faults, a (replayed) publish with its
 * result reported back, a client closed with a code or asked to refetch
 * the truth, a health answer recorded, a goodbye published, or the
 * process exiting.
 */
#include <string.h>

#include "world.h"

/* The simulated payload starts with the truth version it carries. */
static uint32_t payload_update(const uint8_t *payload, uint32_t len)
{
    if (payload == NULL || len < 4) {
        return 0;
    }
    return (uint32_t)payload[0] | (uint32_t)payload[1] << 8 | (uint32_t)payload[2] << 16 |
           (uint32_t)payload[3] << 24;
}

/* An action record: hashed by number, logged by name ("action.CONNECT"). */
static void trace_action(sim_world *w, const sim_worker *wk, const sg_bcast_action *a, uint64_t detail)
{
    char name[48];
    if (w->trace.jsonl != NULL) {
        (void)snprintf(name, sizeof name, "action.%s",
                       a->kind == SG_ACT_NOTE ? sg_bcast_note_name(a->u.note.note) : sg_bcast_action_name(a->kind));
    } else {
        name[0] = '\0';
    }
    sim_trace_record(&w->trace, w->now, TR_ACTION, name, wk->index, a->kind, detail);
}

/* The connected client an action names (cookie = client index), or
 * UINT64_MAX when it is not one of ours, UINT64_MAX - 1 when it is gone. */
static uint64_t named_client(const sim_world *w, const sim_worker *wk, uint64_t cookie, sg_client_handle h)
{
    if (cookie < wk->client_base || cookie >= (uint64_t)wk->client_base + wk->client_count) {
        return UINT64_MAX;
    }
    const sim_client *c = &w->clients[cookie];
    if ((c->state != CL_REGISTERED && c->state != CL_READY) || c->handle.index != h.index ||
        c->handle.generation != h.generation) {
        return UINT64_MAX - 1;
    }
    return cookie;
}

static void close_client(sim_world *w, sim_worker *wk, const sg_bcast_action *a)
{
    uint64_t ci = named_client(w, wk, a->u.close_client.cookie, a->u.close_client.handle);
    if (ci >= UINT64_MAX - 1) {
        world_trace(w, TR_CLOSE, wk->index, a->u.close_client.close_code, ci);
        return; /* not one of ours, or already gone: the close is a no-op */
    }
    client_closed(w, (uint32_t)ci, a->u.close_client.close_code, true);
}

static void note(sim_world *w, sim_worker *wk, const sg_bcast_action *a)
{
    trace_action(w, wk, a, a->u.note.note);
    if (w->trace.chrome != NULL) {
        char detail[32];
        (void)snprintf(detail, sizeof detail, "%llu", (unsigned long long)a->u.note.value);
        sim_chrome_instant(&w->trace, w->now, wk->index + 1, sg_bcast_note_name(a->u.note.note), detail);
    }
}

void worker_handle_action(sim_world *w, sim_worker *wk, const sg_bcast_action *a)
{
    const sim_worker_ops *ops = w->models->worker;
    switch (a->kind) {
    case SG_ACT_CONNECT:
        trace_action(w, wk, a, a->u.connect.attempt);
        backbone_connect(w, wk);
        break;
    case SG_ACT_SUBSCRIBE:
        trace_action(w, wk, a, 0);
        backbone_subscribe(w, wk);
        break;
    case SG_ACT_DISCONNECT:
        trace_action(w, wk, a, 0);
        backbone_close(w, wk);
        break;
    case SG_ACT_PUBLISH: {
        uint32_t update = payload_update(a->u.publish.payload, a->u.publish.len);
        bool ok = backbone_send(w, wk, &a->u.publish.header, a->u.publish.len, update);
        trace_action(w, wk, a, (uint64_t)update << 1 | (ok ? 1u : 0u));
        ops->on_replay_result(wk->model, w->now, ok);
        break;
    }
    case SG_ACT_HEARTBEAT:
        trace_action(w, wk, a, a->u.heartbeat.header.seq);
        (void)backbone_send(w, wk, &a->u.heartbeat.header, 0, 0);
        break;
    case SG_ACT_CLOSE_CLIENT:
        trace_action(w, wk, a, a->u.close_client.cookie);
        close_client(w, wk, a);
        break;
    case SG_ACT_HEALTH:
        trace_action(w, wk, a, a->u.health.healthy ? 1u : 0u);
        wk->healthy = a->u.health.healthy;
        sim_chrome_instant(&w->trace, w->now, wk->index + 1, a->u.health.healthy ? "health 200" : "health 503",
                           sg_health_reason_name(a->u.health.reason));
        break;
    case SG_ACT_SHUTDOWN:
        trace_action(w, wk, a, 0);
        w->r->metrics[SIM_M_WORKER_EXITS] += 1;
        worker_exit_gracefully(w, wk, false, "shutdown");
        break;
    case SG_ACT_REFETCH: {
        trace_action(w, wk, a, a->u.refetch.cookie);
        uint64_t ci = named_client(w, wk, a->u.refetch.cookie, a->u.refetch.handle);
        if (ci < UINT64_MAX - 1) {
            client_refetch(w, (uint32_t)ci);
        }
        break;
    }
    case SG_ACT_GOODBYE:
        trace_action(w, wk, a, a->u.goodbye.header.seq);
        worker_send_goodbye(w, wk, &a->u.goodbye.header);
        break;
    case SG_ACT_NOTE:
        note(w, wk, a);
        break;
    default:
        trace_action(w, wk, a, UINT64_MAX);
        break;
    }
}
