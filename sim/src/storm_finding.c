/*
 * storm_finding.c - a finding of swarm or shrink as a storm file (see
 * storm_finding.h).  The body is sim_scenario_print's canonical form,
 * which the storm parser reads back exactly (test_storm_parse checks the
 * round trip).
 */
#include "sim/storm_finding.h"

#include <assert.h>
#include <string.h>

#include "sim/storm.h"

/* One line of text for a text statement: newlines become spaces. */
static void put_line(FILE *out, const char *keyword, const char *text)
{
    fprintf(out, "%s ", keyword);
    for (const char *p = text; *p != '\0'; p++) {
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, out);
    }
    fputc('\n', out);
}

sg_status storm_finding_write(FILE *out, const sim_scenario *s, const storm_finding *f)
{
    assert(out != NULL && s != NULL && f != NULL);
    if (f->title == NULL || f->model == NULL || strlen(f->model) >= SIM_MODEL_NAME_MAX ||
        (unsigned)f->oracle >= SIM_ORACLE_COUNT) {
        return SG_E_INVALID;
    }
    sim_scenario copy = *s;
    copy.model_count = 1;
    memset(copy.models, 0, sizeof copy.models);
    memcpy(copy.models[0], f->model, strlen(f->model) + 1);
    for (uint32_t i = 0; i < copy.fault_count && i < SIM_FAULTS_MAX; i++) {
        storm_fault_normalize(&copy.faults[i]);
    }
    fputs("# A finding of the stormglass search, written by the tool.  Every field is\n"
          "# explicit and every fault carries its own time, so it replays the same\n"
          "# failure whatever the PRNG draws elsewhere.\n",
          out);
    put_line(out, "title", f->title);
    if (f->source != NULL && f->source[0] != '\0') {
        put_line(out, "source", f->source);
    }
    if (f->description != NULL && f->description[0] != '\0') {
        put_line(out, "description", f->description);
    }
    sim_scenario_print(out, &copy);
    fprintf(out, "expect %s: oracle.%s == 0\n", storm_model_is_core(f->model) ? "core" : f->model,
            sim_oracle_name(f->oracle));
    return ferror(out) ? SG_E_INVALID : SG_OK;
}
