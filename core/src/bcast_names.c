/*
 * bcast_names.c - printable names of the broadcaster's enums, for traces,
 * reports, metrics labels and test failure messages.  Unknown values give
 * "?" (never NULL), so a corrupted or future value cannot crash a printer.
 */
#include "bcast_internal.h"

#define NAME_OF(table, v) \
    ((unsigned)(v) < sizeof(table) / sizeof((table)[0]) && (table)[(unsigned)(v)] != NULL ? (table)[(unsigned)(v)] : "?")

static const char *const reader_names[] = {
    [SG_READER_IDLE] = "idle",           [SG_READER_BACKOFF] = "backoff",
    [SG_READER_CONNECTING] = "connecting", [SG_READER_SUBSCRIBING] = "subscribing",
    [SG_READER_READING] = "reading",     [SG_READER_GIVEN_UP] = "given-up",
};

static const char *const phase_names[] = {
    [SG_RECOVERY_NONE] = "none",           [SG_RECOVERY_WAIT_READING] = "wait-reading",
    [SG_RECOVERY_SETTLING] = "settling",   [SG_RECOVERY_REPLAYING] = "replaying",
    [SG_RECOVERY_RESYNC_WAIT] = "resync-wait", [SG_RECOVERY_RESYNCING] = "resyncing",
};

static const char *const health_names[] = {
    [SG_HEALTH_OK_IDLE] = "ok-idle",
    [SG_HEALTH_OK_READING] = "ok-reading",
    [SG_HEALTH_OK_RECONNECTING] = "ok-reconnecting",
    [SG_HEALTH_OK_DISABLED] = "ok-disabled",
    [SG_HEALTH_BAD_GIVEN_UP] = "bad-given-up",
    [SG_HEALTH_BAD_DEAF] = "bad-deaf",
    [SG_HEALTH_BAD_NO_READER] = "bad-no-reader",
};

static const char *const action_names[] = {
    [SG_ACT_CONNECT] = "connect",     [SG_ACT_SUBSCRIBE] = "subscribe", [SG_ACT_DISCONNECT] = "disconnect",
    [SG_ACT_PUBLISH] = "publish",     [SG_ACT_HEARTBEAT] = "heartbeat", [SG_ACT_CLOSE_CLIENT] = "close-client",
    [SG_ACT_HEALTH] = "health",       [SG_ACT_SHUTDOWN] = "shutdown",   [SG_ACT_NOTE] = "note",
    [SG_ACT_GOODBYE] = "goodbye",     [SG_ACT_REFETCH] = "refetch",
};

static const char *const note_names[] = {
    [SG_NOTE_GAP_RECONNECT] = "gap-reconnect",
    [SG_NOTE_GAP_SEQUENCE] = "gap-sequence",
    [SG_NOTE_GAP_EPOCH] = "gap-epoch",
    [SG_NOTE_GAP_WATCHDOG] = "gap-watchdog",
    [SG_NOTE_RECOVERY_START] = "recovery-start",
    [SG_NOTE_RECOVERY_RERUN] = "recovery-rerun",
    [SG_NOTE_REPLAY_DONE] = "replay-done",
    [SG_NOTE_REPLAY_PARTIAL] = "replay-partial",
    [SG_NOTE_RESYNC_START] = "resync-start",
    [SG_NOTE_RESYNC_DEFERRED] = "resync-deferred",
    [SG_NOTE_RESYNC_DONE] = "resync-done",
    [SG_NOTE_RECOVERY_DONE] = "recovery-done",
    [SG_NOTE_GIVE_UP] = "give-up",
    [SG_NOTE_READER_START] = "reader-start",
    [SG_NOTE_READER_STOP] = "reader-stop",
    [SG_NOTE_REFETCH_DONE] = "refetch-done",
};

const char *sg_reader_state_name(sg_reader_state s)
{
    return NAME_OF(reader_names, s);
}

const char *sg_recovery_phase_name(sg_recovery_phase p)
{
    return NAME_OF(phase_names, p);
}

const char *sg_health_reason_name(sg_health_reason r)
{
    return NAME_OF(health_names, r);
}

const char *sg_bcast_action_name(sg_bcast_action_kind k)
{
    return NAME_OF(action_names, k);
}

const char *sg_bcast_note_name(sg_bcast_note_kind k)
{
    return NAME_OF(note_names, k);
}
