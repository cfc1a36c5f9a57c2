/*
 * test_settings.c - the one settings table: defaults are the core's,
 * flags override the environment, bad values and unknown names are
 * refused naming the setting, and --help lists every setting.
 */
#include <stdio.h>
#include <stdlib.h>

#include "settings.h"
#include "test_util.h"

static sd_args_result load(sd_config *cfg, const char **argv, int argc, const char **envp, sg_error *err)
{
    err->msg[0] = '\0';
    return sd_config_load(cfg, argc, (char **)(uintptr_t)argv, (char **)(uintptr_t)envp, err);
}

static void test_defaults_are_the_cores(void **state)
{
    (void)state;
    sd_config cfg;
    sg_error err;
    const char *argv[] = {"stormglassd", NULL};
    assert_int_equal(load(&cfg, argv, 1, NULL, &err), SD_ARGS_RUN);
    sg_bcast_config core = sg_bcast_config_default();
    assert_int_equal(cfg.bcast.backoff.base_ns, core.backoff.base_ns);
    assert_int_equal(cfg.bcast.backoff.max_ns, core.backoff.max_ns);
    assert_int_equal(cfg.bcast.backoff.max_retries, core.backoff.max_retries);
    assert_int_equal(cfg.bcast.replay_items_max, core.replay_items_max);
    assert_int_equal(cfg.bcast.settle_ns, core.settle_ns);
    assert_int_equal(cfg.bcast.resync_on_reconnect, core.resync_on_reconnect);
    assert_int_equal(cfg.bcast.healthcheck_enabled, core.healthcheck_enabled);
    assert_string_equal(cfg.bind, "127.0.0.1"); /* loopback unless asked */
    assert_string_equal(cfg.backbone, "memory://");
}

static void test_flags_override_environment(void **state)
{
    (void)state;
    sd_config cfg;
    sg_error err;
    const char *envp[] = {"PATH=/bin", "STORMGLASS_RECONNECT_MAX_RETRIES=5", "STORMGLASS_BACKOFF_MIN_SECONDS=0.25",
                          "STORMGLASS_RESYNC_ON_RECONNECT=false", NULL};
    const char *argv[] = {"stormglassd", "--reconnect-max-retries", "7", "--resync-settle-seconds=500ms",
                          "--healthcheck-enabled", "--port", "9000", NULL};
    assert_int_equal(load(&cfg, argv, 7, envp, &err), SD_ARGS_RUN);
    assert_int_equal(cfg.bcast.backoff.max_retries, 7);             /* flag wins */
    assert_int_equal(cfg.bcast.backoff.base_ns, 250 * SG_NS_PER_MS); /* environment */
    assert_false(cfg.bcast.resync_on_reconnect);
    assert_int_equal(cfg.bcast.settle_ns, 500 * SG_NS_PER_MS);
    assert_true(cfg.bcast.healthcheck_enabled); /* bare boolean flag */
    assert_int_equal(cfg.port, 9000);
}

static void expect_refused(const char **argv, int argc, const char **envp, const char *names)
{
    sd_config cfg;
    sg_error err;
    assert_int_equal(load(&cfg, argv, argc, envp, &err), SD_ARGS_ERROR);
    assert_non_null(strstr(err.msg, names));
}

static void test_bad_values_name_the_setting(void **state)
{
    (void)state;
    const char *none[] = {NULL};
    const char *a1[] = {"stormglassd", "--port", "70000", NULL};
    expect_refused(a1, 3, none, "--port");
    const char *e1[] = {"STORMGLASS_REPLAY_BUFFER_SIZE=lots", NULL};
    const char *a0[] = {"stormglassd", NULL};
    expect_refused(a0, 1, e1, "STORMGLASS_REPLAY_BUFFER_SIZE");
    const char *e2[] = {"STORMGLASS_RECONECT_ENABLED=true", NULL}; /* a typo is not ignored */
    expect_refused(a0, 1, e2, "STORMGLASS_RECONECT_ENABLED");
    const char *a2[] = {"stormglassd", "--no-such-flag", "1", NULL};
    expect_refused(a2, 3, none, "--no-such-flag");
    const char *a3[] = {"stormglassd", "--delivery", "sometimes", NULL};
    expect_refused(a3, 3, none, "--delivery");
    const char *a4[] = {"stormglassd", "--backoff-min-seconds", "60", "--backoff-max-seconds", "1", NULL};
    expect_refused(a4, 5, none, "core configuration"); /* cross-field check by the core */
    const char *a5[] = {"stormglassd", "--port", NULL};
    expect_refused(a5, 2, none, "needs a value");
}

/* The restart features are off unless asked for; the unit turns the
 * marker on through the environment. */
static void test_restart_settings(void **state)
{
    (void)state;
    sd_config cfg;
    sg_error err;
    const char *a0[] = {"stormglassd", NULL};
    assert_int_equal(load(&cfg, a0, 1, NULL, &err), SD_ARGS_RUN);
    assert_string_equal(cfg.state_dir, "");
    assert_false(cfg.drill_hold_subscribe);
    assert_int_equal(cfg.shutdown_drain_timeout_ns, 2 * SG_NS_PER_S);
    assert_false(cfg.bcast.after_unclean_exit); /* only the marker sets it, never a setting */
    const char *envp[] = {"STORMGLASS_STATE_DIR=/var/lib/stormglassd", NULL};
    const char *argv[] = {"stormglassd", "--shutdown-drain-timeout", "500ms", "--drill-hold-subscribe", NULL};
    assert_int_equal(load(&cfg, argv, 4, envp, &err), SD_ARGS_RUN);
    assert_string_equal(cfg.state_dir, "/var/lib/stormglassd");
    assert_int_equal(cfg.shutdown_drain_timeout_ns, 500 * SG_NS_PER_MS);
    assert_true(cfg.drill_hold_subscribe);
    const char *bad[] = {"stormglassd", "--shutdown-drain-timeout", "soon", NULL};
    const char *none[] = {NULL};
    expect_refused(bad, 3, none, "--shutdown-drain-timeout");
}

static void count_row(const sd_setting *s, void *arg)
{
    char env[96];
    sd_setting_env(s, env, sizeof env);
    assert_non_null(strstr((const char *)arg, env));
}

static void test_help_lists_every_setting(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sd_settings_usage(f);
    fclose(f);
    sd_settings_each(count_row, text);
    assert_non_null(strstr(text, "STORMGLASS_RESYNC_COOLDOWN"));
    assert_non_null(strstr(text, "--backoff-max-seconds"));
    assert_null(strstr(text, "s3cret"));
    free(text);
    assert_true(sd_settings_count() >= 35);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_the_cores),
        cmocka_unit_test(test_flags_override_environment),
        cmocka_unit_test(test_bad_values_name_the_setting),
        cmocka_unit_test(test_restart_settings),
        cmocka_unit_test(test_help_lists_every_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
