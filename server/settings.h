/*
 * settings.h - every setting of stormglassd in ONE table: its name, the
 * STORMGLASS_* environment variable and --flag derived from that name, its
 * type, bounds and help.  The same table parses flags and environment
 * (flags override the environment), prints --help, and can feed a man page
 * (sd_settings_each).  Defaults are not written in the table: they are the
 * values of sd_config_default(), whose core part is the core's own
 * sg_bcast_config_default(), so the server cannot drift from the core.
 *
 * Values are parsed by the core's strict parsers (parse.h); a bad value is
 * refused at start with the setting's name, then the whole configuration
 * is checked again by sg_bcast_config_check.
 */
#ifndef STORMGLASS_SD_SETTINGS_H
#define STORMGLASS_SD_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sd_log.h"
#include "stormglass/bcast.h"
#include "stormglass/status.h"

#define SD_TEXT_SETTING_MAX 256 /* bind address, backbone URI, token */
#define SD_ENV_PREFIX "STORMGLASS_"

typedef struct sd_config {
    /* listening */
    char bind[SD_TEXT_SETTING_MAX];
    uint32_t port;                /* 0 = any free port (logged at start) */
    char backbone[SD_TEXT_SETTING_MAX];
    sd_log_level log_level;
    char publish_token[SD_TEXT_SETTING_MAX]; /* empty = no token required */

    /* limits on clients and requests */
    uint32_t max_connections;     /* WebSocket clients; more -> 503 at upgrade */
    uint32_t max_sockets;         /* every open TCP connection */
    uint64_t max_header_bytes;    /* request line + headers; more -> 431 */
    uint64_t max_body_bytes;      /* request body; more -> 413 */
    uint64_t max_message_bytes;   /* one client WebSocket message; more -> 1009 */
    uint64_t send_queue_bytes;    /* per client; more -> close 1008 slow consumer */
    uint32_t send_queue_messages; /* per client, same */
    uint32_t max_topics;
    uint64_t max_state_bytes;     /* sum of every topic's stored state */
    uint32_t max_subscriptions;   /* per client */
    sg_duration_ns request_timeout_ns; /* a request must arrive whole within this */
    sg_duration_ns idle_timeout_ns;    /* keep-alive HTTP or silent WebSocket */
    sg_duration_ns shutdown_timeout_ns;
    sg_duration_ns shutdown_close_window_ns; /* 1001 closes spread over this */
    sg_duration_ns shutdown_drain_timeout_ns; /* graceful: wait this long for the replay buffer to
                                                 drain before the goodbye */

    /* how the previous instance ended (state_marker.h); empty = feature off */
    char state_dir[SD_TEXT_SETTING_MAX];

    /* drills (tests only, off by default) */
    bool drill_hold_subscribe;    /* every backbone SUBSCRIBE waits for a SIGUSR2 */

    /* the core */
    sg_bcast_config bcast;
} sd_config;

/* Server defaults plus the core's own defaults. */
sd_config sd_config_default(void);

typedef enum sd_setting_kind {
    SD_KIND_BOOL,
    SD_KIND_U32,
    SD_KIND_U64,
    SD_KIND_BYTES,     /* uint64_t, "64k", "4MiB" */
    SD_KIND_BYTES32,   /* uint32_t */
    SD_KIND_SECONDS,   /* sg_duration_ns; a bare number means seconds */
    SD_KIND_TEXT,      /* char[SD_TEXT_SETTING_MAX] */
    SD_KIND_LOG_LEVEL,
    SD_KIND_DELIVERY,
    SD_KIND_BACKOFF_POLICY,
    SD_KIND_COUNT
} sd_setting_kind;

typedef struct sd_setting {
    const char *name;    /* RECONNECT_MAX_RETRIES -> STORMGLASS_RECONNECT_MAX_RETRIES, --reconnect-max-retries */
    sd_setting_kind kind;
    size_t offset;       /* into sd_config */
    uint64_t min, max;   /* integer kinds (seconds kinds: in ns) */
    bool secret;         /* never printed */
    const char *help;
} sd_setting;

/* Calls fn for every setting in table order (for help texts, man pages). */
void sd_settings_each(void (*fn)(const sd_setting *s, void *arg), void *arg);
size_t sd_settings_count(void);

/* "--reconnect-max-retries" / "STORMGLASS_RECONNECT_MAX_RETRIES". */
void sd_setting_flag(const sd_setting *s, char *buf, size_t size);
void sd_setting_env(const sd_setting *s, char *buf, size_t size);

/* Formats the setting's value in cfg as text a parser accepts. */
void sd_setting_format(const sd_setting *s, const sd_config *cfg, char *buf, size_t size);

/* Parses one value into cfg; err names the setting and `origin` (a flag or
 * an environment variable). */
sg_status sd_setting_set(const sd_setting *s, sd_config *cfg, const char *value, const char *origin,
                         sg_error *err);

typedef enum sd_args_result {
    SD_ARGS_RUN = 0,
    SD_ARGS_HELP,   /* --help: usage printed, exit 0 */
    SD_ARGS_ERROR   /* err says why: exit 2 */
} sd_args_result;

/* Defaults, then every STORMGLASS_* variable of `envp` (unknown ones are
 * refused, so a typo is not silently ignored), then the flags of argv, then
 * the cross-field checks of the server and the core. */
sd_args_result sd_config_load(sd_config *cfg, int argc, char **argv, char **envp, sg_error *err);

/* Writes --help: usage, then every setting with flag, variable, default. */
void sd_settings_usage(FILE *out);

#endif
