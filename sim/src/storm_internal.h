/*
 * storm_internal.h - what the files of the storm parser share: tokens,
 * statements, the parser state and the key tables.  Not a public header.
 *
 * Flow: storm_parse.c splits a file into statements (a line plus its
 * indented continuation lines) and dispatches them; storm_lex.c turns a
 * statement into tokens; storm_stmt.c owns the statement table and the
 * handlers; storm_keys.c sets `key=value` options from tables;
 * storm_expect.c parses and judges expectations.
 */
#ifndef STORMGLASS_SIM_STORM_INTERNAL_H
#define STORMGLASS_SIM_STORM_INTERNAL_H

#include <stdarg.h>

#include "sim/storm.h"

typedef enum storm_tok_kind {
    STORM_TOK_WORD = 0, /* letters, digits and _-./+%@~^* */
    STORM_TOK_STRING,   /* "..." - text/len exclude the quotes, escapes kept */
    STORM_TOK_SIGN      /* : , = == != < <= > >= */
} storm_tok_kind;

typedef struct storm_token {
    storm_tok_kind kind;
    const char *text;
    uint32_t len;
    uint32_t line;
    uint32_t column;
} storm_token;

typedef struct storm_line {
    const char *text; /* the physical line, no newline */
    uint32_t len;
    uint32_t number;
} storm_line;

/* One statement: its first line and the indented lines that continue it. */
typedef struct storm_stmt {
    uint32_t line_count;
    storm_line lines[STORM_STATEMENT_LINES_MAX];
    uint32_t file;                     /* index into storm.files */
    uint32_t token_count;
    storm_token tokens[STORM_TOKENS_MAX];
} storm_stmt;

/* Statement keywords: the index keeps the location of the last use so a
 * whole-scenario validation error can point at the statement to fix. */
typedef enum storm_kw {
    STORM_KW_TITLE = 0, STORM_KW_SOURCE, STORM_KW_DESCRIPTION, STORM_KW_FRAGMENT, STORM_KW_INCLUDE,
    STORM_KW_NAME, STORM_KW_SEED, STORM_KW_DURATION, STORM_KW_SAMPLE_PERIOD, STORM_KW_MODELS,
    STORM_KW_WORKERS, STORM_KW_CLIENTS, STORM_KW_WORKER_RESTART, STORM_KW_PIN_LISTENER, STORM_KW_BACKBONE,
    STORM_KW_BCAST,
    STORM_KW_WORKLOAD, STORM_KW_CLIENT, STORM_KW_TRUTH, STORM_KW_PROBE, STORM_KW_SYNC, STORM_KW_ORACLE,
    STORM_KW_FAULT, STORM_KW_EXPECT, STORM_KW_EXPECT_FAIL, STORM_KW_HEALTHZ, STORM_KW_APPPROXY,
    STORM_KW_COUNT
} storm_kw;

typedef struct storm_parser {
    storm *out;
    const storm_loader *loader;
    storm_error *err;
    uint32_t depth;                              /* 0 = the top file */
    uint32_t stack[STORM_INCLUDE_DEPTH_MAX + 1]; /* file indices being read */
    size_t total_bytes;
    bool seen[STORM_KW_COUNT];
    storm_loc last[STORM_KW_COUNT];              /* last use of each statement */
    storm_loc fault_loc[SIM_FAULTS_MAX];
    storm_stmt stmts[STORM_INCLUDE_DEPTH_MAX + 1]; /* one per include level */
} storm_parser;

/* ---- errors (storm_parse.c) ---------------------------------------------- */

/* Fills p->err at (file, line, column) and returns SG_E_INVALID. */
sg_status storm_fail_at(storm_parser *p, uint32_t file, uint32_t line, uint32_t column, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Same at a token of the current statement. */
sg_status storm_fail_tok(storm_parser *p, const storm_stmt *st, const storm_token *t, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* ---- lexing (storm_lex.c) ------------------------------------------------ */

/* Tokenizes every line of st (trailing " # comment" dropped). */
sg_status storm_lex(storm_parser *p, storm_stmt *st);

/* The statement text after the keyword, continuation lines joined by one
 * space, outer spaces trimmed, into buf; SG_E_TOO_BIG past size-1. */
sg_status storm_stmt_rest(const storm_stmt *st, char *buf, size_t size, size_t *len_out);

/* A word or string token's text with escapes resolved, NUL-terminated;
 * SG_E_TOO_BIG past size-1. */
sg_status storm_tok_text(const storm_token *t, char *buf, size_t size);

bool storm_tok_is(const storm_token *t, storm_tok_kind kind, const char *text);

/* Quotes a token for messages: 'word' or "string" or the sign. */
const char *storm_tok_show(const storm_token *t, char *buf, size_t size);

/* ---- statements (storm_stmt.c) --------------------------------------------- */

/* Runs one lexed statement (the include handler recurses into the parser). */
sg_status storm_stmt_run(storm_parser *p, storm_stmt *st);

/* The keyword of a statement ("bcast"). */
const char *storm_kw_name(storm_kw kw);

/* Reads an included file; storm_parse.c. */
sg_status storm_include(storm_parser *p, const storm_stmt *st, const storm_token *path_tok);

/* ---- options (storm_keys.c) -------------------------------------------------- */

typedef enum storm_vkind {
    STORM_V_DURATION = 0, /* sg_duration_ns, units required (bare 0 allowed) */
    STORM_V_U32,
    STORM_V_I32,
    STORM_V_I64,
    STORM_V_BYTES32,      /* uint32_t byte size (64k, 7999) */
    STORM_V_BYTES64,      /* uint64_t byte size */
    STORM_V_DOUBLE,
    STORM_V_BOOL,
    STORM_V_BACKOFF,      /* sg_backoff_policy by name */
    STORM_V_DELIVERY,     /* immediate | on-echo */
    STORM_V_FAULT_KIND,   /* sim_fault_kind by name */
    STORM_V_POINT,        /* char[SIM_FIU_POINT_MAX] */
    STORM_V_RETRY_AFTER,  /* char[SIM_RETRY_AFTER_TEXT_MAX] */
    STORM_V_CHECKS,       /* oracle list: all | none | a,b,... */
    STORM_V_RACE,         /* sim_race by name */
    STORM_V_HEALTH_CODE   /* sg_health_code by name */
} storm_vkind;

typedef struct storm_key {
    const char *name;
    storm_vkind kind;
    size_t offset;   /* into the struct the table describes */
    double min;
    double max;
    uint32_t faults; /* fault tables: bit per sim_fault_kind it applies to */
} storm_key;

typedef struct storm_key_table {
    const char *statement; /* for messages: "bcast" */
    const storm_key *keys;
    size_t count;
} storm_key_table;

extern const storm_key_table storm_keys_backbone, storm_keys_bcast, storm_keys_workload, storm_keys_client,
    storm_keys_truth, storm_keys_probe, storm_keys_sync, storm_keys_oracle, storm_keys_fault, storm_keys_healthz,
    storm_keys_appproxy;

/* Applies tokens [*i, count) of st as `key=value` options of `table` to
 * `base`.  Each key may appear once per statement.  `fault_kind` >= 0
 * restricts keys to those applying to that fault kind. */
sg_status storm_keys_apply(storm_parser *p, const storm_stmt *st, uint32_t first, const storm_key_table *table,
                           void *base, int fault_kind);

/* Parses one value of `kind` from a token into dst (bounds from k). */
sg_status storm_value_set(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_key *k,
                          void *dst);

/* ---- expectations (storm_expect.c) ------------------------------------------- */

sg_status storm_expect_parse(storm_parser *p, const storm_stmt *st, bool known_gap);

/* After the last statement: model masks and names checked. */
sg_status storm_expect_resolve(storm_parser *p);

/* ---- the finished storm (storm_validate.c) -------------------------------- */

/* Resolves expectations, runs sim_scenario_check (errors pointed at the
 * statement that set the field) and the completeness rules. */
sg_status storm_validate(storm_parser *p);

#endif
