/*
 * settings.c - the one table of stormglassd settings and its loaders (see
 * settings.h).  Adding a setting = one row here plus a field in sd_config;
 * --help, the environment and the flags follow from the row.
 */
#include "settings.h"

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "stormglass/parse.h"

#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define HOUR_NS ((uint64_t)3600 * (uint64_t)SG_NS_PER_S)
#define DAY_NS (24 * HOUR_NS)

#define ROW(nm, kd, field, lo, hi, text) {nm, kd, offsetof(sd_config, field), lo, hi, false, text}

static const sd_setting table[] = {
    /* listening */
    ROW("BIND", SD_KIND_TEXT, bind, 0, 0, "address to listen on (loopback unless you mean it)"),
    ROW("PORT", SD_KIND_U32, port, 0, 65535, "TCP port; 0 picks a free one (logged as event=listening)"),
    ROW("BACKBONE", SD_KIND_TEXT, backbone, 0, 0,
        "backbone URI: memory:// (embedded, single instance), redis://, postgres://, kafka://"),
    ROW("LOG_LEVEL", SD_KIND_LOG_LEVEL, log_level, 0, 0, "debug, info, warn or error"),
    {"PUBLISH_TOKEN", SD_KIND_TEXT, offsetof(sd_config, publish_token), 0, 0, true,
     "bearer token POST /publish requires (empty: none required)"},
    /* limits */
    ROW("MAX_CONNECTIONS", SD_KIND_U32, max_connections, 1, SG_BCAST_CLIENTS_MAX,
        "WebSocket clients at once; one more gets 503 at upgrade"),
    ROW("MAX_SOCKETS", SD_KIND_U32, max_sockets, 1, (uint64_t)4 * SG_BCAST_CLIENTS_MAX,
        "open TCP connections at once (clients, publishers, probes); more are closed at accept"),
    ROW("MAX_HEADER_BYTES", SD_KIND_BYTES, max_header_bytes, 256, MIB, "request line + headers; more -> 431"),
    ROW("MAX_BODY_BYTES", SD_KIND_BYTES, max_body_bytes, 1, 64 * MIB, "request body; more -> 413"),
    ROW("MAX_MESSAGE_BYTES", SD_KIND_BYTES, max_message_bytes, 64, 64 * MIB,
        "one WebSocket message from a client; more -> close 1009"),
    ROW("SEND_QUEUE_BYTES", SD_KIND_BYTES, send_queue_bytes, 1 * KIB, GIB,
        "bytes queued to one client; more -> close 1008 (slow consumer)"),
    ROW("SEND_QUEUE_MESSAGES", SD_KIND_U32, send_queue_messages, 1, 1000000,
        "messages queued to one client; more -> close 1008 (slow consumer)"),
    ROW("MAX_TOPICS", SD_KIND_U32, max_topics, 1, 10000000, "topics known at once"),
    ROW("MAX_STATE_BYTES", SD_KIND_BYTES, max_state_bytes, 1 * KIB, 64 * GIB, "all topics' stored state together"),
    ROW("MAX_SUBSCRIPTIONS", SD_KIND_U32, max_subscriptions, 1, 100000, "topics one client may subscribe to"),
    ROW("REQUEST_TIMEOUT", SD_KIND_SECONDS, request_timeout_ns, (uint64_t)SG_NS_PER_MS, HOUR_NS,
        "a request must arrive whole within this (slowloris)"),
    ROW("IDLE_TIMEOUT", SD_KIND_SECONDS, idle_timeout_ns, (uint64_t)SG_NS_PER_MS, DAY_NS,
        "idle keep-alive HTTP, or WebSocket silent this long (pinged at half)"),
    ROW("SHUTDOWN_TIMEOUT", SD_KIND_SECONDS, shutdown_timeout_ns, (uint64_t)SG_NS_PER_MS, HOUR_NS,
        "SIGTERM/SIGINT: exit at the latest after this"),
    ROW("SHUTDOWN_CLOSE_WINDOW", SD_KIND_SECONDS, shutdown_close_window_ns, 0, HOUR_NS,
        "SIGTERM/SIGINT: 1001 closes spread over this"),
    ROW("SHUTDOWN_DRAIN_TIMEOUT", SD_KIND_SECONDS, shutdown_drain_timeout_ns, 0, HOUR_NS,
        "SIGTERM/SIGINT: wait up to this for the replay buffer to drain, then say goodbye "
        "(at most half of --shutdown-timeout)"),
    ROW("STATE_DIR", SD_KIND_TEXT, state_dir, 0, 0,
        "directory of the marker that tells the next start whether this one ended cleanly "
        "(empty: off; set, it must be a writable directory or the server refuses to start)"),
    /* the core: identity */
    ROW("WORKER_ID", SD_KIND_U32, bcast.worker_id, 0, UINT32_MAX, "this instance's id, unique in the fleet"),
    ROW("SEED", SD_KIND_U64, bcast.seed, 0, UINT64_MAX, "jitter PRNG seed (0: from the clock at start)"),
    /* the core: reader (the seed's OPAL_BROADCAST_RECONNECT_*) */
    ROW("RECONNECT_ENABLED", SD_KIND_BOOL, bcast.reconnect_enabled, 0, 0,
        "reconnect the backbone reader after a drop (false: give up on the first drop)"),
    ROW("RECONNECT_MAX_RETRIES", SD_KIND_U32, bcast.backoff.max_retries, 0, SG_BACKOFF_MAX_RETRIES_MAX,
        "consecutive failed attempts before giving up and exiting; 0 = forever"),
    ROW("BACKOFF_POLICY", SD_KIND_BACKOFF_POLICY, bcast.backoff.policy, 0, 0,
        "none, constant, exponential, full, equal, decorrelated or grpc"),
    ROW("BACKOFF_MIN_SECONDS", SD_KIND_SECONDS, bcast.backoff.base_ns, 0, DAY_NS, "first/minimum wait between attempts"),
    ROW("BACKOFF_MAX_SECONDS", SD_KIND_SECONDS, bcast.backoff.max_ns, 0, DAY_NS, "cap on the wait between attempts"),
    ROW("CONNECT_TIMEOUT_SECONDS", SD_KIND_SECONDS, bcast.connect_timeout_ns, 0, HOUR_NS,
        "a backbone connect or subscribe not answered in time has failed"),
    /* the core: replay buffer */
    ROW("REPLAY_BUFFER_SIZE", SD_KIND_U32, bcast.replay_items_max, 0, SG_BCAST_REPLAY_ITEMS_MAX,
        "publishes buffered while the backbone is down (0 disables; oldest dropped)"),
    ROW("REPLAY_BUFFER_BYTES", SD_KIND_BYTES, bcast.replay_bytes_max, 0, SG_BCAST_REPLAY_BYTES_MAX,
        "byte bound of the replay buffer"),
    ROW("BACKBONE_PAYLOAD_MAX", SD_KIND_BYTES32, bcast.backbone_payload_max, 64, SG_BCAST_PAYLOAD_MAX,
        "larger publishes are poison (dropped, counted); the backbone may lower it"),
    /* the core: recovery (OPAL_BROADCAST_RESYNC_*) */
    ROW("RESYNC_ON_RECONNECT", SD_KIND_BOOL, bcast.resync_on_reconnect, 0, 0,
        "after a gap, close own clients with 1012 so they refetch state"),
    ROW("RESYNC_SETTLE_SECONDS", SD_KIND_SECONDS, bcast.settle_ns, 0, HOUR_NS,
        "wait after a reconnect before replay and resync"),
    ROW("RESYNC_SETTLE_JITTER_SECONDS", SD_KIND_SECONDS, bcast.settle_jitter_ns, 0, HOUR_NS,
        "extra per-instance settle, uniform [0, this]"),
    ROW("RESYNC_WINDOW", SD_KIND_SECONDS, bcast.resync_window_ns, 0, HOUR_NS, "1012 closes spread over this"),
    ROW("RESYNC_COOLDOWN", SD_KIND_SECONDS, bcast.resync_cooldown_ns, 0, DAY_NS, "minimum time between two resyncs"),
    /* the core: delivery, watchdog, health */
    ROW("DELIVERY", SD_KIND_DELIVERY, bcast.delivery, 0, 0,
        "immediate (deliver own publishes at once) or on-echo (when read back)"),
    ROW("WATCHDOG", SD_KIND_SECONDS, bcast.watchdog_ns, 0, DAY_NS,
        "connected but deaf this long = dropped (0 disables)"),
    ROW("HEARTBEAT", SD_KIND_SECONDS, bcast.heartbeat_ns, 0, DAY_NS, "canary period while the watchdog is on"),
    ROW("HEALTHCHECK_ENABLED", SD_KIND_BOOL, bcast.healthcheck_enabled, 0, 0,
        "judge readiness by the reader (false: /healthcheck always 200)"),
    ROW("PEERS_MAX", SD_KIND_U32, bcast.peers_max, 1, SG_BCAST_PEERS_MAX, "peers tracked for sequence gaps"),
    /* drills */
    ROW("DRILL_HOLD_SUBSCRIBE", SD_KIND_BOOL, drill_hold_subscribe, 0, 0,
        "drill, tests only: every backbone SUBSCRIBE waits for a SIGUSR2 (clients register before it is live)"),
};

#define SETTING_COUNT (sizeof table / sizeof table[0])

static const char *const log_level_names[] = {"debug", "info", "warn", "error", NULL};
static const char *const delivery_names[] = {"immediate", "on-echo", NULL};

sd_config sd_config_default(void)
{
    sd_config c;
    memset(&c, 0, sizeof c);
    snprintf(c.bind, sizeof c.bind, "127.0.0.1");
    c.port = 8080;
    snprintf(c.backbone, sizeof c.backbone, "memory://");
    c.log_level = SD_LOG_INFO;
    c.max_connections = 10000;
    c.max_sockets = 12000;
    c.max_header_bytes = 8 * KIB;
    c.max_body_bytes = 1 * MIB;
    c.max_message_bytes = 64 * KIB;
    c.send_queue_bytes = 4 * MIB;
    c.send_queue_messages = 4096;
    c.max_topics = 10000;
    c.max_state_bytes = 256 * MIB;
    c.max_subscriptions = 256;
    c.request_timeout_ns = 10 * SG_NS_PER_S;
    c.idle_timeout_ns = 60 * SG_NS_PER_S;
    c.shutdown_timeout_ns = 10 * SG_NS_PER_S;
    c.shutdown_close_window_ns = 2 * SG_NS_PER_S;
    c.shutdown_drain_timeout_ns = 2 * SG_NS_PER_S;
    c.bcast = sg_bcast_config_default();
    c.bcast.clients_max = c.max_connections;
    return c;
}

void sd_settings_each(void (*fn)(const sd_setting *s, void *arg), void *arg)
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        fn(&table[i], arg);
    }
}

size_t sd_settings_count(void)
{
    return SETTING_COUNT;
}

void sd_setting_flag(const sd_setting *s, char *buf, size_t size)
{
    assert(size > 3);
    size_t o = 0;
    buf[o++] = '-';
    buf[o++] = '-';
    for (const char *p = s->name; *p != '\0' && o + 1 < size; p++) {
        buf[o++] = *p == '_' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
    buf[o] = '\0';
}

void sd_setting_env(const sd_setting *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", SD_ENV_PREFIX, s->name);
}

static void *field(const sd_setting *s, sd_config *cfg)
{
    return (char *)cfg + s->offset;
}

static const void *cfield(const sd_setting *s, const sd_config *cfg)
{
    return (const char *)cfg + s->offset;
}

static void format_bytes(uint64_t v, char *buf, size_t size)
{
    if (v != 0 && v % MIB == 0) {
        snprintf(buf, size, "%" PRIu64 "MiB", v / MIB);
    } else if (v != 0 && v % KIB == 0) {
        snprintf(buf, size, "%" PRIu64 "KiB", v / KIB);
    } else {
        snprintf(buf, size, "%" PRIu64, v);
    }
}

/* Exact, and read back by sg_parse_duration: the largest unit that
 * divides the value ("1m", "90s", "1500ms").  sg_format_duration is for
 * people: it rounds and writes "2m30s", which no parser accepts (found by
 * fuzz/server_settings.c: printed settings did not load back). */
static void format_seconds(sg_duration_ns d, char *buf, size_t size)
{
    static const struct {
        const char *unit;
        sg_duration_ns ns;
    } units[] = {{"h", 3600 * SG_NS_PER_S}, {"m", 60 * SG_NS_PER_S}, {"s", SG_NS_PER_S},
                 {"ms", SG_NS_PER_MS},      {"us", SG_NS_PER_US},     {"ns", 1}};
    if (d <= 0) {
        snprintf(buf, size, "0s");
        return;
    }
    size_t i = 0;
    while (d % units[i].ns != 0) {
        i++;
    }
    snprintf(buf, size, "%" PRId64 "%s", d / units[i].ns, units[i].unit);
}

void sd_setting_format(const sd_setting *s, const sd_config *cfg, char *buf, size_t size)
{
    const void *f = cfield(s, cfg);
    switch (s->kind) {
    case SD_KIND_BOOL: snprintf(buf, size, "%s", *(const bool *)f ? "true" : "false"); break;
    case SD_KIND_U32: snprintf(buf, size, "%" PRIu32, *(const uint32_t *)f); break;
    case SD_KIND_U64: snprintf(buf, size, "%" PRIu64, *(const uint64_t *)f); break;
    case SD_KIND_BYTES: format_bytes(*(const uint64_t *)f, buf, size); break;
    case SD_KIND_BYTES32: format_bytes(*(const uint32_t *)f, buf, size); break;
    case SD_KIND_SECONDS: format_seconds(*(const sg_duration_ns *)f, buf, size); break;
    case SD_KIND_TEXT: snprintf(buf, size, "%s", s->secret && *(const char *)f ? "(set)" : (const char *)f); break;
    case SD_KIND_LOG_LEVEL: snprintf(buf, size, "%s", sd_log_level_name(*(const sd_log_level *)f)); break;
    case SD_KIND_DELIVERY: snprintf(buf, size, "%s", delivery_names[*(const sg_delivery_policy *)f != 0]); break;
    case SD_KIND_BACKOFF_POLICY:
        snprintf(buf, size, "%s", sg_backoff_policy_name(*(const sg_backoff_policy *)f));
        break;
    default: snprintf(buf, size, "?"); break;
    }
}

static sg_status parse_name(const char *const *names, const char *value, int *out)
{
    for (int i = 0; names[i] != NULL; i++) {
        if (strcmp(names[i], value) == 0) {
            *out = i;
            return SG_OK;
        }
    }
    return SG_E_INVALID;
}

static sg_status set_enum(const sd_setting *s, void *f, const char *value, sg_error *err)
{
    int idx = 0;
    if (s->kind == SD_KIND_LOG_LEVEL) {
        if (parse_name(log_level_names, value, &idx) != SG_OK) {
            return sg_error_set(err, SG_E_INVALID, "expected debug, info, warn or error");
        }
        *(sd_log_level *)f = (sd_log_level)idx;
        return SG_OK;
    }
    if (s->kind == SD_KIND_DELIVERY) {
        if (parse_name(delivery_names, value, &idx) != SG_OK) {
            return sg_error_set(err, SG_E_INVALID, "expected immediate or on-echo");
        }
        *(sg_delivery_policy *)f = idx == 0 ? SG_DELIVERY_IMMEDIATE : SG_DELIVERY_ON_ECHO;
        return SG_OK;
    }
    sg_backoff_policy p;
    if (sg_backoff_policy_parse(value, &p) != SG_OK) {
        return sg_error_set(err, SG_E_INVALID, "expected none, constant, exponential, full, equal, "
                                               "decorrelated or grpc");
    }
    *(sg_backoff_policy *)f = p;
    return SG_OK;
}

static sg_status set_number(const sd_setting *s, void *f, const char *value, sg_error *err)
{
    size_t len = strlen(value);
    uint64_t v = 0;
    sg_status st;
    if (s->kind == SD_KIND_SECONDS) {
        sg_duration_ns d = 0;
        st = sg_parse_duration(value, len, SG_UNIT_SECONDS, &d, err);
        if (st == SG_OK && ((uint64_t)d < s->min || (uint64_t)d > s->max)) {
            char lo[32], hi[32];
            sg_format_duration((sg_duration_ns)s->min, lo, sizeof lo);
            sg_format_duration((sg_duration_ns)s->max, hi, sizeof hi);
            return sg_error_set(err, SG_E_INVALID, "must be within %s .. %s", lo, hi);
        }
        if (st == SG_OK) {
            *(sg_duration_ns *)f = d;
        }
        return st;
    }
    if (s->kind == SD_KIND_BYTES || s->kind == SD_KIND_BYTES32) {
        st = sg_parse_bytes(value, len, s->max, &v, err);
        if (st == SG_OK && v < s->min) {
            return sg_error_set(err, SG_E_INVALID, "must be at least %" PRIu64 " bytes", s->min);
        }
    } else {
        st = sg_parse_u64(value, len, s->min, s->max, &v, err);
    }
    if (st != SG_OK) {
        return st;
    }
    if (s->kind == SD_KIND_U32 || s->kind == SD_KIND_BYTES32) {
        *(uint32_t *)f = (uint32_t)v;
    } else {
        *(uint64_t *)f = v;
    }
    return SG_OK;
}

static sg_status set_value(const sd_setting *s, sd_config *cfg, const char *value, sg_error *err)
{
    void *f = field(s, cfg);
    switch (s->kind) {
    case SD_KIND_BOOL: return sg_parse_bool(value, strlen(value), (bool *)f, err);
    case SD_KIND_TEXT:
        if (strlen(value) >= SD_TEXT_SETTING_MAX) {
            return sg_error_set(err, SG_E_INVALID, "longer than %d bytes", SD_TEXT_SETTING_MAX - 1);
        }
        snprintf((char *)f, SD_TEXT_SETTING_MAX, "%s", value);
        return SG_OK;
    case SD_KIND_LOG_LEVEL:
    case SD_KIND_DELIVERY:
    case SD_KIND_BACKOFF_POLICY: return set_enum(s, f, value, err);
    default: return set_number(s, f, value, err);
    }
}

sg_status sd_setting_set(const sd_setting *s, sd_config *cfg, const char *value, const char *origin,
                         sg_error *err)
{
    assert(s != NULL);
    assert(value != NULL);
    sg_error why;
    why.msg[0] = '\0';
    sg_status st = set_value(s, cfg, value, &why);
    if (st != SG_OK) {
        return sg_error_set(err, st, "%s: %s", origin, why.msg);
    }
    return SG_OK;
}

static const sd_setting *find_by_env(const char *name, size_t len)
{
    size_t plen = strlen(SD_ENV_PREFIX);
    if (len <= plen || strncmp(name, SD_ENV_PREFIX, plen) != 0) {
        return NULL;
    }
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        if (strlen(table[i].name) == len - plen && strncmp(table[i].name, name + plen, len - plen) == 0) {
            return &table[i];
        }
    }
    return NULL;
}

static const sd_setting *find_by_flag(const char *arg, size_t len)
{
    char flag[96];
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        sd_setting_flag(&table[i], flag, sizeof flag);
        if (strlen(flag) == len && strncmp(flag, arg, len) == 0) {
            return &table[i];
        }
    }
    return NULL;
}

static sg_status load_env(sd_config *cfg, char **envp, sg_error *err)
{
    for (size_t i = 0; envp != NULL && envp[i] != NULL; i++) {
        const char *e = envp[i];
        const char *eq = strchr(e, '=');
        if (eq == NULL || strncmp(e, SD_ENV_PREFIX, strlen(SD_ENV_PREFIX)) != 0) {
            continue;
        }
        size_t nlen = (size_t)(eq - e);
        const sd_setting *s = find_by_env(e, nlen);
        if (s == NULL) {
            char name[61];
            return sg_error_set(err, SG_E_INVALID, "%s: unknown setting (see --help)",
                                sg_parse_show(e, nlen, name, sizeof name)); /* printable, bounded */
        }
        char origin[96];
        sd_setting_env(s, origin, sizeof origin);
        sg_status st = sd_setting_set(s, cfg, eq + 1, origin, err);
        if (st != SG_OK) {
            return st;
        }
    }
    return SG_OK;
}

static sg_status load_flag(sd_config *cfg, int argc, char **argv, int *i, sg_error *err)
{
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    size_t nlen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    const sd_setting *s = find_by_flag(arg, nlen);
    if (s == NULL) {
        char name[61];
        return sg_error_set(err, SG_E_INVALID, "%s: unknown option (see --help)",
                            sg_parse_show(arg, nlen, name, sizeof name)); /* printable, bounded */
    }
    char origin[96];
    sd_setting_flag(s, origin, sizeof origin);
    const char *value = NULL;
    if (eq != NULL) {
        value = eq + 1;
    } else if (s->kind == SD_KIND_BOOL && (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0)) {
        value = "true";
    } else if (*i + 1 < argc) {
        value = argv[++*i];
    } else {
        return sg_error_set(err, SG_E_INVALID, "%s: needs a value", origin);
    }
    return sd_setting_set(s, cfg, value, origin, err);
}

static sg_status check_config(sd_config *cfg, sg_error *err)
{
    if (cfg->bind[0] == '\0') {
        return sg_error_set(err, SG_E_INVALID, "--bind: must not be empty");
    }
    if (cfg->max_message_bytes > cfg->send_queue_bytes) {
        return sg_error_set(err, SG_E_INVALID, "--max-message-bytes: must not exceed --send-queue-bytes");
    }
    if (cfg->max_body_bytes + 1024 > cfg->send_queue_bytes) {
        return sg_error_set(err, SG_E_INVALID,
                            "--send-queue-bytes: must exceed --max-body-bytes by 1 KiB (an update must fit)");
    }
    cfg->bcast.clients_max = cfg->max_connections;
    sg_error why;
    why.msg[0] = '\0';
    if (sg_bcast_config_check(&cfg->bcast, &why) != SG_OK) {
        return sg_error_set(err, SG_E_INVALID, "core configuration: %s", why.msg);
    }
    return SG_OK;
}

sd_args_result sd_config_load(sd_config *cfg, int argc, char **argv, char **envp, sg_error *err)
{
    assert(cfg != NULL);
    *cfg = sd_config_default();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return SD_ARGS_HELP;
        }
    }
    if (load_env(cfg, envp, err) != SG_OK) {
        return SD_ARGS_ERROR;
    }
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0) {
            char arg[61];
            sg_error_set(err, SG_E_INVALID, "%s: unexpected argument (options start with --)",
                         sg_parse_show(argv[i], strlen(argv[i]), arg, sizeof arg));
            return SD_ARGS_ERROR;
        }
        if (load_flag(cfg, argc, argv, &i, err) != SG_OK) {
            return SD_ARGS_ERROR;
        }
    }
    return check_config(cfg, err) == SG_OK ? SD_ARGS_RUN : SD_ARGS_ERROR;
}

typedef struct usage_ctx {
    FILE *out;
    sd_config defaults;
} usage_ctx;

static void usage_row(const sd_setting *s, void *arg)
{
    usage_ctx *u = arg;
    FILE *out = u->out;
    const sd_config *defaults = &u->defaults;
    char flag[96], env[96], def[64];
    sd_setting_flag(s, flag, sizeof flag);
    sd_setting_env(s, env, sizeof env);
    sd_setting_format(s, defaults, def, sizeof def);
    fprintf(out, "  %s VALUE   (%s, default: %s)\n      %s\n", flag, env, def[0] ? def : "(empty)", s->help);
}

void sd_settings_usage(FILE *out)
{
    fprintf(out, "usage: stormglassd [OPTIONS]\n\n"
                 "WebSocket fan-out server on the stormglass core.  Every option is also an\n"
                 "environment variable; a flag overrides the variable.  Durations take units\n"
                 "(500ms, 2s, 1m; a bare number is seconds); sizes take k/m/g suffixes.\n\n"
                 "options:\n"
                 "  --help   this text\n"
                 "  --version   the version and the source revision it was built from\n");
    usage_ctx u = {out, sd_config_default()};
    sd_settings_each(usage_row, &u);
}
