/*
 * server_settings.c - fuzz target: stormglassd's configuration parser
 * (server/settings.c: flags and STORMGLASS_* variables through one table,
 * values through the core's strict parsers, then the cross-field checks).
 *
 * Input: up to 12 arguments and 6 environment entries, each a real
 * setting's flag or variable (with a value from the input, "=" or separate,
 * or a bare boolean flag), --help, or arbitrary text.  Checked:
 *   - HELP exactly when --help/-h is among the arguments;
 *   - a refusal explains itself in a printable message;
 *   - an accepted configuration passes every documented cross-field rule
 *     and the core's own sg_bcast_config_check;
 *   - round trip: every setting of an accepted configuration, printed with
 *     sd_setting_format ("as text a parser accepts") and given back as
 *     --flag=value, loads again and prints the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "settings.h"

#define ARGS_MAX 12u
#define ENV_MAX 6u
#define ARG_BYTES 300u
#define SETTINGS_MAX 128u

static const sd_setting *settings[SETTINGS_MAX];
static size_t n_settings;

static void collect(const sd_setting *s, void *arg)
{
    (void)arg;
    if (n_settings < SETTINGS_MAX) {
        settings[n_settings++] = s;
    }
}

typedef struct strings {
    char text[ARGS_MAX + 1][ARG_BYTES];
    char *ptr[ARGS_MAX + 2];
    size_t n;
} strings;

/* Input bytes as a C string (stops at a NUL, bounded). */
static void take_text(fuzz_input *in, char *out, size_t size)
{
    const uint8_t *raw;
    size_t len = fuzz_slice(in, size - 1, &raw);
    memcpy(out, raw, len);
    out[len] = '\0';
}

static void add(strings *s, const char *text)
{
    if (s->n < ARGS_MAX + 1) {
        (void)snprintf(s->text[s->n], ARG_BYTES, "%s", text);
        s->ptr[s->n] = s->text[s->n];
        s->n++;
        s->ptr[s->n] = NULL;
    }
}

/* One argument (or environment entry) from the input. */
static void add_setting(strings *s, fuzz_input *in, bool env)
{
    char name[96], value[ARG_BYTES / 2], both[ARG_BYTES];
    uint8_t how = fuzz_u8(in);
    const sd_setting *st = settings[fuzz_below(in, n_settings)];
    if (env) {
        sd_setting_env(st, name, sizeof name);
    } else {
        sd_setting_flag(st, name, sizeof name);
    }
    take_text(in, value, sizeof value);
    switch (how % 6) {
    case 0: case 1:
        (void)snprintf(both, sizeof both, "%s=%s", name, value);
        add(s, both);
        break;
    case 2:
        add(s, name); /* a bare flag; a separate value may follow */
        if (!env) {
            add(s, value);
        }
        break;
    case 3: add(s, name); break;
    case 4: add(s, value); break; /* arbitrary text */
    default: add(s, env ? "STORMGLASS_NOT_A_SETTING=1" : "--help"); break;
    }
}

static void check_accepted(const sd_config *cfg)
{
    FUZZ_CHECK(cfg->bind[0] != '\0');
    FUZZ_CHECK(cfg->max_message_bytes <= cfg->send_queue_bytes);
    FUZZ_CHECK((__int128)cfg->max_body_bytes + 1024 <= cfg->send_queue_bytes);
    FUZZ_CHECK(cfg->bcast.clients_max == cfg->max_connections);
    sg_error err;
    FUZZ_CHECK_MSG(sg_bcast_config_check(&cfg->bcast, &err) == SG_OK, "%s", err.msg);
}

/* Every setting printed and read back gives the same configuration. */
static void check_round_trip(const sd_config *cfg)
{
    static char text[SETTINGS_MAX + 1][ARG_BYTES];
    static char printed[SETTINGS_MAX][ARG_BYTES / 2];
    static char program[] = "stormglassd";
    char *argv[SETTINGS_MAX + 2];
    int argc = 0;
    argv[argc++] = program;
    for (size_t i = 0; i < n_settings; i++) {
        char flag[96];
        sd_setting_flag(settings[i], flag, sizeof flag);
        sd_setting_format(settings[i], cfg, printed[i], sizeof printed[i]);
        if (!settings[i]->secret) { /* a secret prints as "(set)", not as its value */
            int w = snprintf(text[i], ARG_BYTES, "%s=%s", flag, printed[i]);
            FUZZ_CHECK(w > 0 && w < (int)ARG_BYTES);
            argv[argc++] = text[i];
        }
    }
    argv[argc] = NULL;
    char *no_env[] = {NULL};
    sd_config again;
    sg_error err = {{0}};
    sd_args_result r = sd_config_load(&again, argc, argv, no_env, &err);
    FUZZ_CHECK_MSG(r == SD_ARGS_RUN, "the printed settings do not load back: %s", err.msg);
    for (size_t i = 0; i < n_settings; i++) {
        char value[ARG_BYTES / 2];
        sd_setting_format(settings[i], &again, value, sizeof value);
        FUZZ_CHECK_MSG(settings[i]->secret || strcmp(value, printed[i]) == 0, "%s: printed %s, read back as %s",
                       settings[i]->name, printed[i], value);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (n_settings == 0) {
        sd_settings_each(collect, NULL);
        FUZZ_CHECK(n_settings > 0 && n_settings == sd_settings_count());
    }
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    static strings args, env;
    memset(&args, 0, sizeof args);
    memset(&env, 0, sizeof env);
    add(&args, "stormglassd");
    size_t n_env = fuzz_u8(&in) % (ENV_MAX + 1);
    for (size_t i = 0; i < n_env; i++) {
        add_setting(&env, &in, true);
    }
    for (size_t i = 0; i < ARGS_MAX && fuzz_left(&in) > 0; i++) {
        add_setting(&args, &in, false);
    }
    bool help = false; /* --help or -h anywhere among the arguments, as documented */
    for (size_t i = 1; i < args.n; i++) {
        help |= strcmp(args.ptr[i], "--help") == 0 || strcmp(args.ptr[i], "-h") == 0;
    }
    sd_config cfg;
    sg_error err = {{0}};
    sd_args_result r = sd_config_load(&cfg, (int)args.n, args.ptr, env.n ? env.ptr : NULL, &err);
    FUZZ_CHECK_MSG((r == SD_ARGS_HELP) == help, "help %d, asked %d", (int)r, (int)help);
    if (r == SD_ARGS_ERROR) {
        size_t n = strnlen(err.msg, sizeof err.msg);
        FUZZ_CHECK(n > 0 && n < sizeof err.msg);
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK_MSG(err.msg[i] >= 0x20 && err.msg[i] < 0x7f, "unprintable byte in '%s'", err.msg);
        }
    } else if (r == SD_ARGS_RUN) {
        check_accepted(&cfg);
        check_round_trip(&cfg);
    }
    return 0;
}
