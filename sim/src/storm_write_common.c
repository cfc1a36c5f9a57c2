/*
 * storm_write_common.c - what every report writer needs: escaping for
 * XML/HTML and JSON, numbers, verdict sentences and the headline metrics
 * of the index table.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/storm_write.h"

void storm_put_xml(FILE *out, const char *s)
{
    assert(out != NULL && s != NULL);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n') {
                fputs("\xef\xbf\xbd", out); /* not allowed in XML 1.0 */
            } else {
                fputc(*p, out);
            }
        }
    }
}

void storm_put_json(FILE *out, const char *s)
{
    assert(out != NULL && s != NULL);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p == '\n') {
            fputs("\\n", out);
        } else if (*p == '\t') {
            fputs("\\t", out);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p);
        } else {
            fputc(*p, out);
        }
    }
}

void storm_put_number(FILE *out, double v)
{
    if (!isfinite(v)) {
        fputs("null", out);
    } else if (fabs(v - round(v)) < 1e-9 && fabs(v) < 9.0e15) {
        fprintf(out, "%.0f", round(v));
    } else {
        fprintf(out, "%.6g", v);
    }
}

void storm_verdict_text(const storm *s, const storm_verdict *v, char *buf, size_t size)
{
    assert(s != NULL && v != NULL && v->expect < s->expect_count);
    char measured[48];
    if (isnan(v->measured)) {
        (void)snprintf(measured, sizeof measured, "nothing (the run does not measure it)");
    } else {
        (void)snprintf(measured, sizeof measured, "%.6g", v->measured);
    }
    const storm_expect *e = &s->expects[v->expect];
    const char *note = !e->known_gap ? "" : v->held ? " (known gap did not show in this run)"
                                                    : " (known gap, as documented)";
    (void)snprintf(buf, size, "%s: measured %s%s", e->text, measured, note);
}

static const char *const headline_names[STORM_H_COUNT] = {"spurious drops", "convergence s", "health 503 s",
                                                          "requests", "resurrected keys"};

const char *storm_headline_name(storm_headline h)
{
    return (unsigned)h < STORM_H_COUNT ? headline_names[h] : "?";
}

double storm_headline_value(const storm *s, const storm_outcome *o, storm_headline h)
{
    assert(s != NULL && o != NULL);
    if (o->status != SG_OK) {
        return NAN;
    }
    const double *m = o->result.metrics;
    storm_world w = storm_world_of(s);
    if (w == STORM_WORLD_HEALTHZ || w == STORM_WORLD_APPPROXY) {
        return h == STORM_H_RESURRECTED && w == STORM_WORLD_APPPROXY ? m[SIM_M_RESURRECTED_KEYS] : NAN;
    }
    bool sync_only = w == STORM_WORLD_INFONET;
    switch (h) {
    case STORM_H_DROPS:
        return sync_only ? NAN : m[SIM_M_SPURIOUS_DROPS];
    case STORM_H_CONVERGENCE:
        return sync_only ? NAN : m[SIM_M_CONVERGENCE_TIME_S];
    case STORM_H_HEALTH_503:
        return sync_only ? NAN : m[SIM_M_HEALTH_503_S];
    case STORM_H_REQUESTS:
        return sync_only ? m[SIM_M_UPSTREAM_REQUESTS] : m[SIM_M_REFETCHES];
    default:
        return NAN;
    }
}
