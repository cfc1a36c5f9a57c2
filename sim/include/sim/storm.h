/*
 * storm.h - storm files: the scenario language of the incident catalogue.
 *
 * A storm file (a .storm file in scenarios/) reads like an incident timeline: a
 * title, what happened and where the finding comes from, the topology and
 * configuration (the statements of sim_scenario's canonical text form, see
 * scenario.h), a fault timeline, and expectations per mode:
 *
 *   title     OPAL production storm: a 20 s backbone drop
 *   source    opal-broadcaster-reconnect-pr (the production incident)
 *   description The reader was running when the backbone dropped for 20 s;
 *     every reconnecting client was cancelled until a worker restart.
 *   include   common/opal-fleet.storm
 *   models    core stock
 *   fault     at=30s kind=backbone-down duration=20s
 *   expect legacy stock: clients_dropped > 0, converged == 0
 *   expect core: spurious_drops == 0, convergence_time_s <= 10s
 *   expect-fail core: converged == 1   # a known gap: measured and reported, never fails a run
 *
 * The full grammar is in docs/SCENARIOS.md.  In short: one statement per
 * line; a line that starts with a space or a tab continues the statement
 * above; '#' at the start of a line (after indentation), or after a space
 * in a statement made of words, starts a comment; `include PATH` pastes a
 * file (PATH relative to the including file) at that point, so later
 * statements override a shared topology; `fragment` marks a file that is
 * only meant to be included (folders skip it when running).
 *
 * Errors are values: every failure fills a storm_error with the file, line
 * and column and says what was expected.  An unknown statement or key is
 * an error, never ignored.  Every input is bounded (the STORM_*_MAX
 * constants below).
 *
 * The parser reads from memory: storm_parse_buffer takes a virtual file
 * name and resolves includes through a storm_loader callback, so a fuzzer
 * can drive it without a file system; storm_parse_file uses the default
 * loader (files on disk).
 */
#ifndef STORMGLASS_SIM_STORM_H
#define STORMGLASS_SIM_STORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/result.h"
#include "sim/scenario.h"
#include "stormglass/status.h"

/* ---- bounds ---------------------------------------------------------- */

#define STORM_PATH_MAX 256u             /* a file name, NUL included */
#define STORM_FILES_MAX 32u             /* files one storm reads (itself + includes) */
#define STORM_INCLUDE_DEPTH_MAX 8u      /* nested includes below the top file */
#define STORM_FILE_BYTES_MAX 262144u     /* one file (256 KiB) */
#define STORM_TOTAL_BYTES_MAX 1048576u   /* all files of one storm (1 MiB) */
#define STORM_LINE_MAX 1024u            /* one physical line, newline excluded */
#define STORM_STATEMENT_LINES_MAX 32u   /* a statement and its continuation lines */
#define STORM_TOKENS_MAX 96u            /* words and signs in one statement */
#define STORM_TITLE_MAX 128u            /* NUL included */
#define STORM_SOURCE_MAX 256u
#define STORM_DESCRIPTION_MAX 2048u
#define STORM_EXPECT_MAX 64u            /* expectations of one storm */
#define STORM_EXPECT_TEXT_MAX 96u       /* an expectation as reports show it */
#define STORM_ERROR_MSG_MAX 512u

_Static_assert(STORM_FILE_BYTES_MAX <= STORM_TOTAL_BYTES_MAX, "a file fits the total");
_Static_assert(STORM_FILES_MAX > STORM_INCLUDE_DEPTH_MAX, "the include stack fits the file table");

/* ---- errors ------------------------------------------------------------ */

typedef struct storm_error {
    char file[STORM_PATH_MAX]; /* "" when the error is not about a file */
    uint32_t line;             /* 1-based; 0 = the whole file */
    uint32_t column;           /* 1-based; 0 = the whole line */
    char msg[STORM_ERROR_MSG_MAX];
} storm_error;

/* "file:line:column: msg" (parts that are 0/empty left out). */
void storm_error_format(const storm_error *err, char *buf, size_t size);

/* ---- expectations -------------------------------------------------------- */

typedef enum storm_op {
    STORM_OP_EQ = 0, /* == */
    STORM_OP_NE,     /* != */
    STORM_OP_LT,     /* <  */
    STORM_OP_LE,     /* <= */
    STORM_OP_GT,     /* >  */
    STORM_OP_GE      /* >= */
} storm_op;

/* Which runs an expectation judges. */
typedef enum storm_who {
    STORM_WHO_CORE = 0, /* `expect core:` - the stormglass core */
    STORM_WHO_LEGACY,   /* `expect legacy:` - every legacy model the storm names */
    STORM_WHO_MODELS,   /* `expect legacy stock first-fix:` - those models only */
    STORM_WHO_ALL       /* `expect all:` - every model */
} storm_who;

/* What an expectation measures: a metric of result.h, the violation
 * count of one oracle (`oracle.spurious-drop`), or a metric the storm
 * layer derives from the run's time series (below). */
typedef enum storm_quantity {
    STORM_Q_METRIC = 0,
    STORM_Q_ORACLE,
    STORM_Q_DERIVED
} storm_quantity;

/* X(id, "name", "description"): measured from a run's sampled series. */
#define STORM_DERIVED_METRICS(X)                                                                          \
    X(OUTAGE_SPLIT_S, "outage_split_s",                                                                  \
      "seconds, while the backbone was down, in which some clients had an update others could not get")

typedef enum storm_derived {
#define STORM_DERIVED_ENUM(id, name, desc) STORM_D_##id,
    STORM_DERIVED_METRICS(STORM_DERIVED_ENUM)
#undef STORM_DERIVED_ENUM
    STORM_DERIVED_COUNT
} storm_derived;

const char *storm_derived_name(storm_derived id);
const char *storm_derived_description(storm_derived id);
sg_status storm_derived_find(const char *name, storm_derived *out);

/* Computes every derived metric from r's series; NaN when r has none. */
void storm_derive(const sim_result *r, double out[STORM_DERIVED_COUNT]);

typedef struct storm_loc {
    uint32_t file; /* index into storm.files */
    uint32_t line;
    uint32_t column;
} storm_loc;

typedef struct storm_expect {
    storm_who who;
    uint32_t model_mask;        /* bit i = scenario.models[i]; filled when parsing ends */
    uint32_t named_count;       /* STORM_WHO_MODELS: the names as written */
    char named[SIM_MODELS_MAX][SIM_MODEL_NAME_MAX];
    storm_quantity quantity;
    uint32_t id;                /* sim_metric_id, sim_oracle_id or storm_derived */
    storm_op op;
    double bound;
    char text[STORM_EXPECT_TEXT_MAX]; /* "spurious_drops == 0" */
    bool known_gap;             /* `expect-fail`: documents a known gap of the model: judged
                                   and reported (runs where it did not hold), never fails a run */
    storm_loc loc;
} storm_expect;

/* ---- the storm ------------------------------------------------------------ */

typedef struct storm {
    sim_scenario scenario;
    bool fragment;                      /* `fragment`: include-only, not run */
    char title[STORM_TITLE_MAX];
    char source[STORM_SOURCE_MAX];
    char description[STORM_DESCRIPTION_MAX];
    uint32_t expect_count;
    storm_expect expects[STORM_EXPECT_MAX];
    uint32_t file_count;                /* files[0] is the top file */
    char files[STORM_FILES_MAX][STORM_PATH_MAX];
} storm;

/* ---- reading files ----------------------------------------------------- */

/* Hands the parser the bytes of `path` (already resolved against the
 * including file).  *data must come from malloc (the parser frees it) and
 * hold *len bytes; a loader refuses with SG_E_NOT_FOUND / SG_E_TOO_BIG and
 * a message in err. */
typedef sg_status (*storm_load_fn)(void *ctx, const char *path, char **data, size_t *len, sg_error *err);

typedef struct storm_loader {
    storm_load_fn load;
    void *ctx;
} storm_loader;

/* The default loader: reads the file from disk (at most STORM_FILE_BYTES_MAX). */
sg_status storm_load_file(void *ctx, const char *path, char **data, size_t *len, sg_error *err);

/* Parses `len` bytes of `text` named `name` (used in messages and to
 * resolve includes).  loader may be NULL: then an include is an error.
 * On success *out is complete and validated (sim_scenario_check passed,
 * expectations resolved to the models); on failure err says where. */
sg_status storm_parse_buffer(const char *name, const char *text, size_t len, const storm_loader *loader,
                             storm *out, storm_error *err);

/* storm_parse_buffer on a file read with storm_load_file. */
sg_status storm_parse_file(const char *path, storm *out, storm_error *err);

/* `dir/../a/./b` -> `a/b`, joined to the directory of `from` unless `path`
 * is absolute.  SG_E_TOO_BIG past STORM_PATH_MAX. */
sg_status storm_path_resolve(const char *from, const char *path, char *out, size_t size);

/* ---- judging runs ---------------------------------------------------------- */

const char *storm_op_name(storm_op op);
bool storm_op_holds(storm_op op, double measured, double bound);

/* Index of `model` in the storm's models, or -1. */
int storm_model_index(const storm *s, const char *model);

/* True when `e` judges runs of scenario.models[model_index]. */
bool storm_expect_applies(const storm_expect *e, int model_index);

/* The value `e` looks at in a result and its derived metrics (derived
 * may be NULL: a derived quantity then measures NaN, which never holds). */
double storm_expect_measure(const storm_expect *e, const sim_result *r, const double *derived);

typedef struct storm_verdict {
    uint32_t expect;   /* index into storm.expects */
    double measured;
    bool held;         /* the comparison is true */
    bool passed;       /* held, or a known gap (expect-fail) */
} storm_verdict;

/* Judges every expectation that applies to model `model_index` of `s`
 * against `r`; writes at most `max` verdicts and returns how many apply. */
uint32_t storm_judge(const storm *s, int model_index, const sim_result *r, const double *derived,
                     storm_verdict *out, uint32_t max);

/* The name an expectation's quantity is written with ("spurious_drops",
 * "oracle.health-lie"), into buf. */
const char *storm_quantity_name(const storm_expect *e, char *buf, size_t size);

/* Prints the language's reference from the parser's own tables: every
 * option statement with its keys and value kinds, the fault keys with the
 * kinds they apply to, and every metric an expectation can name. */
void storm_print_reference(FILE *out);

/* Clears the fields of a fault that its kind ignores (target -1, the
 * others 0), so it prints in a form the parser accepts: the storm
 * language refuses a key that does not apply to a fault's kind. */
void storm_fault_normalize(sim_fault *f);

/* "core" is the core; every other model is legacy. */
bool storm_model_is_core(const char *model);

/* Which of the simulator's worlds a storm exercises (for reports):
 * healthz (healthz watchers > 0), app-proxy (appproxy race set), infonet
 * (sync nodes and no workers), else the broadcaster fleet. */
typedef enum storm_world {
    STORM_WORLD_FLEET = 0,
    STORM_WORLD_INFONET,
    STORM_WORLD_HEALTHZ,
    STORM_WORLD_APPPROXY
} storm_world;

storm_world storm_world_of(const storm *s);
const char *storm_world_name(storm_world w);

#endif
