/*
 * farewell.c - the goodbye of a graceful shutdown (SIGTERM/SIGINT).
 *
 * The core's contract (bcast.h, sg_bcast_goodbye): call it last, after
 * the final publishes and, for a goodbye that loses nothing, after the
 * replay buffer drained; the driver publishes the GOODBYE header like a
 * canary, then exits.  Peers that read it take this worker's next epoch
 * for a clean restart and resync nobody (a rolling restart stays cheap),
 * unless the goodbye admits a loss.  Once shutdown begins:
 *
 *   DRAINING  while the reader is subscribed and something is buffered or
 *             a live publish awaits its result: wait, at most
 *             min(--shutdown-drain-timeout, --shutdown-timeout / 2).  With
 *             the backbone down nothing can drain: say goodbye at once.
 *   SENT      sg_bcast_goodbye; the header went to the backbone; wait for
 *             its result (bounded by --shutdown-timeout, sd_farewell_force).
 *   DONE      the process exits once its sockets are gone too.
 *
 * A give-up (the core's SHUTDOWN action, exit 3) says no goodbye: the
 * reader is dead, and the core counts a give-up with crashes and kills,
 * whose successor's epoch is a gap at every peer that knew this one.
 * Publishes are refused (503) once the goodbye is out, so it stays the
 * epoch's last word.  DONE asks instance.c to mark the state "clean" only
 * when the goodbye admitted no loss (no after-loss flag, nothing buffered
 * or in flight when it was computed); otherwise the marker keeps
 * "running" and the next start sets after_unclean_exit.
 */
#include <assert.h>
#include <inttypes.h>

#include "sd_log.h"
#include "server.h"

static uint64_t ms_until(sg_time_ns deadline, sg_time_ns now)
{
    return deadline <= now ? 0 : (uint64_t)((deadline - now + SG_NS_PER_MS - 1) / SG_NS_PER_MS);
}

static void on_farewell_timer(uv_timer_t *t)
{
    sd_server *srv = t->data;
    if (srv->farewell.phase == SD_FAREWELL_DONE) {
        sd_server_maybe_finish(srv);
        return;
    }
    sd_farewell_progress(srv);
    if (srv->farewell.phase == SD_FAREWELL_DRAINING) { /* the loop's clock ran a little behind ours */
        uv_timer_start(t, on_farewell_timer, ms_until(srv->farewell.drain_deadline, sd_now()) + 1, 0);
    }
}

void sd_farewell_init(sd_server *srv)
{
    srv->farewell.phase = SD_FAREWELL_IDLE;
    srv->farewell.outcome = "none";
    uv_timer_init(srv->loop, &srv->farewell_timer);
    srv->farewell_timer.data = srv;
}

/* The farewell is over; the exit happens on a clean loop turn (never
 * from inside a backbone callback, whose adapter the exit destroys). */
static void finish(sd_server *srv, const char *outcome)
{
    sd_farewell *f = &srv->farewell;
    assert(f->phase != SD_FAREWELL_IDLE);
    if (f->phase == SD_FAREWELL_DONE) {
        return;
    }
    f->phase = SD_FAREWELL_DONE;
    f->outcome = outcome;
    f->marker_clean = f->lossless && sd_instance_clean(srv);
    uv_timer_start(&srv->farewell_timer, on_farewell_timer, 0, 0);
}

void sd_farewell_begin(sd_server *srv, bool graceful)
{
    sd_farewell *f = &srv->farewell;
    assert(f->phase == SD_FAREWELL_IDLE);
    f->phase = SD_FAREWELL_DRAINING;
    if (!graceful) {
        sd_log(SD_LOG_WARN, "goodbye_skipped",
               "why=\"give-up: peers treat the next epoch as after a crash\" marker=unchanged");
        finish(srv, "skipped");
        return;
    }
    sg_duration_ns bound = srv->cfg.shutdown_drain_timeout_ns;
    if (bound > srv->cfg.shutdown_timeout_ns / 2) {
        bound = srv->cfg.shutdown_timeout_ns / 2;
    }
    f->drain_deadline = sd_now() + bound;
    uv_timer_start(&srv->farewell_timer, on_farewell_timer, ms_until(f->drain_deadline, sd_now()), 0);
    sd_farewell_progress(srv);
}

static bool drain_over(const sd_server *srv, sg_time_ns now)
{
    sg_bcast_stats st;
    sg_bcast_stats_get(srv->core, &st);
    if (st.reader != SG_READER_READING || now >= srv->farewell.drain_deadline) {
        return true; /* the backbone is not up (nothing can drain), or time is up */
    }
    return st.replay_items == 0 && srv->live_in_flight == 0;
}

static void say_goodbye(sd_server *srv, sg_time_ns now)
{
    sd_farewell *f = &srv->farewell;
    sg_bcast_stats st;
    sg_bcast_stats_get(srv->core, &st);
    f->phase = SD_FAREWELL_SENT; /* first: the pump below comes back to sd_farewell_progress */
    f->replay_left = st.replay_items;
    f->in_flight_left = srv->live_in_flight;
    sg_bcast_goodbye(srv->core, now);
    sd_driver_pump(srv); /* GOODBYE -> backbone -> sd_farewell_sent (or the outer pump does it) */
}

void sd_farewell_progress(sd_server *srv)
{
    sg_time_ns now = sd_now();
    if (srv->farewell.phase == SD_FAREWELL_DRAINING && drain_over(srv, now)) {
        say_goodbye(srv, now);
    }
}

void sd_farewell_sent(sd_server *srv, const sg_bcast_header *h, bool handed)
{
    sd_farewell *f = &srv->farewell;
    assert(h != NULL && h->kind == SG_MSG_GOODBYE);
    f->said = true;
    f->lossless = (h->flags & SG_MSG_FLAG_AFTER_LOSS) == 0 && f->replay_left == 0 && f->in_flight_left == 0;
    sd_log(f->lossless ? SD_LOG_INFO : SD_LOG_WARN, "goodbye",
           "epoch=%" PRIu64 " last_seq=%" PRIu64 " lossless=%s after_loss_flag=%s replay_items=%u "
           "publishes_in_flight=%u handed_to_backbone=%s",
           h->epoch, h->seq, f->lossless ? "true" : "false",
           (h->flags & SG_MSG_FLAG_AFTER_LOSS) != 0 ? "true" : "false", f->replay_left, f->in_flight_left,
           handed ? "true" : "false");
    if (!handed) {
        finish(srv, "unsent");
    }
}

void sd_farewell_result(sd_server *srv, bool ok)
{
    sd_farewell *f = &srv->farewell;
    if (f->phase != SD_FAREWELL_SENT) {
        return; /* forced already */
    }
    f->delivered = ok;
    sd_log(ok ? SD_LOG_INFO : SD_LOG_WARN, "goodbye_sent", "ok=%s", ok ? "true" : "false");
    finish(srv, ok ? "sent" : "unsent");
}

void sd_farewell_force(sd_server *srv)
{
    sd_farewell *f = &srv->farewell;
    if (f->phase == SD_FAREWELL_DRAINING) {
        say_goodbye(srv, sd_now());
    }
    if (f->phase == SD_FAREWELL_SENT) {
        sd_log(SD_LOG_WARN, "goodbye_unconfirmed", "why=\"shutdown forced before the backbone answered\"");
        finish(srv, "unconfirmed");
    }
}

bool sd_farewell_done(const sd_server *srv)
{
    return srv->farewell.phase == SD_FAREWELL_DONE;
}

bool sd_farewell_said(const sd_server *srv)
{
    return srv->farewell.said;
}
