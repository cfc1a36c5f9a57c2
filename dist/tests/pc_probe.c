/*
 * pc_probe.c - an out-of-tree program built against an INSTALLED
 * stormglass core through pkg-config (dist/tests/test-install builds it
 * twice: against the shared and against the static library).
 *
 * It checks what a user relies on after `make install`: every public
 * header compiles on its own (the test passes them with -include), the
 * library links, and a computation gives the documented answer: the
 * exponential policy doubles from 0.5 s to the 30 s cap, and a fifth
 * failure with max_retries 4 gives up.
 */
#include <stdio.h>

#include <stormglass/backoff.h>
#include <stormglass/rng.h>
#include <stormglass/status.h>

static int check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "pc_probe: FAILED: %s\n", what);
    }
    return ok ? 0 : 1;
}

int main(void)
{
    static const sg_duration_ns expected_ms[] = {500, 1000, 2000, 4000};
    sg_backoff_config config = sg_backoff_config_default(SG_BACKOFF_EXPONENTIAL);
    config.max_retries = 4;
    sg_error err = {{0}};
    int failures = check(sg_backoff_config_check(&config, &err) == SG_OK, "default config is valid");

    sg_rng rng;
    sg_rng_seed(&rng, 1, 1);
    sg_backoff backoff;
    sg_backoff_init(&backoff, &config);
    for (size_t i = 0; i < sizeof expected_ms / sizeof expected_ms[0]; i++) {
        sg_duration_ns delay_ns = 0;
        failures += check(sg_backoff_next(&backoff, &rng, &delay_ns) == SG_OK, "attempt within retries");
        failures += check(delay_ns == expected_ms[i] * SG_NS_PER_MS, "exponential delay doubles from 0.5 s");
    }
    sg_duration_ns last_ns = 1;
    failures += check(sg_backoff_next(&backoff, &rng, &last_ns) == SG_E_GIVE_UP, "gives up after max_retries");
    failures += check(last_ns == 0, "no delay after giving up");
    printf("pc_probe: %s, %s\n", sg_backoff_policy_name(config.policy), sg_status_name(SG_E_GIVE_UP));
    return failures == 0 ? 0 : 1;
}
