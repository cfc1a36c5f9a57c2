/*
 * storm_parse.c - fuzz target: the scenario language (sim/src/storm_*.c:
 * lexer, statements, includes, expectations, validation).
 *
 * Input: up to 4 include files, then the main file, all from the fuzz
 * bytes; the loader serves "inc0.storm" .. "inc3.storm" from memory (the
 * parser reads from memory by design), so includes, include cycles and
 * depth limits are fuzzed without a file system.  Seeds are the incident
 * catalogue's own storm files (fuzz/seeds.py inlines their includes).
 * Checked:
 *   - a refusal says where (file, line within the text, a message), and
 *     storm_error_format fits any buffer;
 *   - an accepted storm is complete: its scenario passes
 *     sim_scenario_check, every count and string is within its bound;
 *   - the scenario's canonical text (sim_scenario_print) parses back to
 *     the same canonical text (print is a fixed point), and parsing is
 *     deterministic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sim/storm.h"

#define INCLUDES_MAX 4u
#define PRINT_MAX (256u * 1024u)

typedef struct vfs {
    const uint8_t *data[INCLUDES_MAX];
    size_t len[INCLUDES_MAX];
    unsigned loads;
} vfs;

static sg_status vfs_load(void *ctx, const char *path, char **data, size_t *len, sg_error *err)
{
    vfs *v = ctx;
    v->loads++;
    FUZZ_CHECK(path != NULL && strlen(path) < STORM_PATH_MAX);
    for (unsigned i = 0; i < INCLUDES_MAX; i++) {
        char name[16];
        (void)snprintf(name, sizeof name, "inc%u.storm", i);
        if (strcmp(path, name) == 0 && v->data[i] != NULL) {
            *data = fuzz_copy(v->data[i], v->len[i]);
            *len = v->len[i];
            return SG_OK;
        }
    }
    return sg_error_set(err, SG_E_NOT_FOUND, "no such file");
}

static void check_error(const storm_error *e, size_t main_lines)
{
    size_t n = strnlen(e->msg, sizeof e->msg);
    FUZZ_CHECK_MSG(n > 0 && n < sizeof e->msg, "a refusal without a message");
    FUZZ_CHECK(strnlen(e->file, sizeof e->file) < sizeof e->file);
    FUZZ_CHECK_MSG(strcmp(e->file, "fuzz.storm") != 0 || e->line <= main_lines + 1, "line %u of a %zu-line file",
                   e->line, main_lines);
    char small[24], big[STORM_PATH_MAX + STORM_ERROR_MSG_MAX + 64];
    storm_error_format(e, small, sizeof small);
    storm_error_format(e, big, sizeof big);
    FUZZ_CHECK(strlen(small) < sizeof small && strlen(big) < sizeof big);
    FUZZ_CHECK(strncmp(small, big, sizeof small - 1) == 0); /* a short buffer holds a prefix */
}

static void check_storm(const storm *s)
{
    sg_error err = {{0}};
    FUZZ_CHECK_MSG(sim_scenario_check(&s->scenario, &err) == SG_OK, "accepted but invalid: %s", err.msg);
    FUZZ_CHECK(s->expect_count <= STORM_EXPECT_MAX && s->file_count >= 1 && s->file_count <= STORM_FILES_MAX);
    FUZZ_CHECK(strnlen(s->title, sizeof s->title) < sizeof s->title);
    FUZZ_CHECK(strnlen(s->source, sizeof s->source) < sizeof s->source);
    FUZZ_CHECK(strnlen(s->description, sizeof s->description) < sizeof s->description);
    for (uint32_t i = 0; i < s->expect_count; i++) {
        FUZZ_CHECK(s->expects[i].loc.file < s->file_count);
        FUZZ_CHECK(strnlen(s->expects[i].text, sizeof s->expects[i].text) < sizeof s->expects[i].text);
    }
}

/* The canonical text of a scenario, in a caller-owned buffer, with what a
 * storm file adds around it (a title, an expectation for every model). */
static size_t print_scenario(const sim_scenario *sc, char *buf)
{
    FILE *f = fmemopen(buf, PRINT_MAX, "w");
    FUZZ_CHECK(f != NULL);
    (void)fputs("title round trip\n", f);
    sim_scenario_print(f, sc);
    (void)fputs("expect all: events >= 0\n", f);
    long n = ftell(f);
    FUZZ_CHECK(fclose(f) == 0 && n >= 0 && (size_t)n < PRINT_MAX);
    buf[n] = '\0';
    return (size_t)n;
}

static void check_round_trip(const storm *s)
{
    static char first[PRINT_MAX], second[PRINT_MAX];
    static storm again;
    size_t n = print_scenario(&s->scenario, first);
    storm_error err;
    memset(&err, 0, sizeof err);
    sg_status st = storm_parse_buffer("printed.storm", first, n, NULL, &again, &err);
    char where[STORM_PATH_MAX + STORM_ERROR_MSG_MAX + 64];
    storm_error_format(&err, where, sizeof where);
    FUZZ_CHECK_MSG(st == SG_OK, "the canonical text does not parse: %s", where);
    size_t m = print_scenario(&again.scenario, second);
    FUZZ_CHECK_MSG(n == m && memcmp(first, second, n) == 0, "print -> parse -> print changed the scenario");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static storm out, twice;
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    vfs v;
    memset(&v, 0, sizeof v);
    unsigned n_inc = fuzz_u8(&in) % (INCLUDES_MAX + 1);
    for (unsigned i = 0; i < n_inc; i++) {
        v.len[i] = fuzz_slice(&in, 8192, &v.data[i]);
    }
    const uint8_t *raw;
    size_t len = fuzz_rest(&in, &raw);
    char *text = fuzz_copy(raw, len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) {
        lines += text[i] == '\n';
    }
    storm_loader loader = {vfs_load, &v};
    storm_error err;
    memset(&err, 0, sizeof err);
    sg_status st = storm_parse_buffer("fuzz.storm", text, len, &loader, &out, &err);
    if (st != SG_OK) {
        check_error(&err, lines);
    } else {
        check_storm(&out);
        check_round_trip(&out);
        storm_error err2;
        FUZZ_CHECK(storm_parse_buffer("fuzz.storm", text, len, &loader, &twice, &err2) == SG_OK);
        FUZZ_CHECK(twice.expect_count == out.expect_count && twice.scenario.fault_count == out.scenario.fault_count);
    }
    free(text);
    return 0;
}
