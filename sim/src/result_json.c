/*
 * result_json.c - one sim_result as a JSON object, for machines (the
 * runner's JSON summary, scripts, diffing two runs).
 *
 *   {"model":..., "seed":..., "end_s":..., "trace_hash":"<16 hex>",
 *    "metrics":{"<name>":<number>, ...},
 *    "violations":{"count":N, "per_oracle":{"<oracle>":N, ...},
 *                  "first":[{"oracle":..., "at_s":..., "worker":..., "client":..., "event":...}]},
 *    "series":{"period_s":..., "samples":N, "<name>":[...], ...}}   (optional)
 * Non-finite numbers are written as null.
 */
#include <inttypes.h>
#include <math.h>

#include "sim/result.h"

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p);
        } else {
            fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void json_number(FILE *out, double v)
{
    if (isfinite(v)) {
        fprintf(out, "%.15g", v);
    } else {
        fputs("null", out);
    }
}

static void write_violations(FILE *out, const sim_result *r)
{
    fprintf(out, "\"violations\":{\"count\":%" PRIu32 ",\"per_oracle\":{", r->violation_count);
    for (unsigned i = 0; i < SIM_ORACLE_COUNT; i++) {
        fprintf(out, "%s", i > 0 ? "," : "");
        json_string(out, sim_oracle_name((sim_oracle_id)i));
        fprintf(out, ":%" PRIu32, r->violations_per_oracle[i]);
    }
    fputs("},\"first\":[", out);
    for (uint32_t i = 0; i < r->violations_kept && i < SIM_VIOLATIONS_KEPT; i++) {
        const sim_violation *v = &r->violations[i];
        fprintf(out, "%s{\"oracle\":", i > 0 ? "," : "");
        json_string(out, sim_oracle_name(v->oracle));
        fprintf(out, ",\"at_s\":%.9g,\"worker\":%" PRId32 ",\"client\":%" PRId64 ",\"event\":", (double)v->at / 1e9,
                v->worker, v->client);
        json_string(out, v->event);
        fputc('}', out);
    }
    fputs("]}", out);
}

static void write_series(FILE *out, const sim_result *r)
{
    fprintf(out, ",\"series\":{\"period_s\":%.9g,\"samples\":%" PRIu32, (double)r->sample_period_ns / 1e9,
            r->samples);
    for (unsigned s = 0; s < SIM_SERIES_COUNT; s++) {
        fputc(',', out);
        json_string(out, sim_series_name((sim_series_id)s));
        fputs(":[", out);
        for (uint32_t i = 0; i < r->samples && r->series[s] != NULL; i++) {
            fprintf(out, "%s", i > 0 ? "," : "");
            json_number(out, r->series[s][i]);
        }
        fputc(']', out);
    }
    fputc('}', out);
}

void sim_result_write_json(FILE *out, const sim_result *r, bool with_series)
{
    fputs("{\"model\":", out);
    json_string(out, r->model);
    fprintf(out, ",\"seed\":%" PRIu64 ",\"end_s\":%.9g,\"trace_hash\":\"%016" PRIx64 "\",\"metrics\":{", r->seed,
            (double)r->end_ns / 1e9, r->trace_hash);
    for (unsigned i = 0; i < SIM_METRIC_COUNT; i++) {
        fprintf(out, "%s", i > 0 ? "," : "");
        json_string(out, sim_metric_name((sim_metric_id)i));
        fputc(':', out);
        json_number(out, r->metrics[i]);
    }
    fputs("},", out);
    write_violations(out, r);
    if (with_series) {
        write_series(out, r);
    }
    fputs("}\n", out);
}
