/*
 * storm_parse.c - the driver of the storm parser: splits a file into
 * statements, follows includes (bounded depth, cycles refused), and
 * validates the finished storm.
 *
 * A statement is a line that starts in column 1 plus the indented lines
 * after it.  Blank lines and comment lines are skipped anywhere, so a
 * comment can sit inside a long indented statement.  A statement runs as
 * soon as the next one starts, so an include is read exactly where it is
 * written and later statements override what it set.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storm_internal.h"

sg_status storm_fail_at(storm_parser *p, uint32_t file, uint32_t line, uint32_t column, const char *fmt, ...)
{
    storm_error *e = p->err;
    if (e == NULL) {
        return SG_E_INVALID;
    }
    const char *name = file < p->out->file_count ? p->out->files[file] : "";
    (void)snprintf(e->file, sizeof e->file, "%s", name);
    e->line = line;
    e->column = column;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return SG_E_INVALID;
}

sg_status storm_fail_tok(storm_parser *p, const storm_stmt *st, const storm_token *t, const char *fmt, ...)
{
    char msg[STORM_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return storm_fail_at(p, st->file, t->line, t->column, "%s", msg);
}

void storm_error_format(const storm_error *err, char *buf, size_t size)
{
    assert(err != NULL && buf != NULL && size > 0);
    if (err->file[0] == '\0') {
        (void)snprintf(buf, size, "%s", err->msg);
    } else if (err->line == 0) {
        (void)snprintf(buf, size, "%s: %s", err->file, err->msg);
    } else if (err->column == 0) {
        (void)snprintf(buf, size, "%s:%u: %s", err->file, err->line, err->msg);
    } else {
        (void)snprintf(buf, size, "%s:%u:%u: %s", err->file, err->line, err->column, err->msg);
    }
}

static bool is_indent(char c)
{
    return c == ' ' || c == '\t';
}

/* Blank or comment-only line. */
static bool is_ignorable(const storm_line *ln)
{
    uint32_t i = 0;
    while (i < ln->len && is_indent(ln->text[i])) {
        i++;
    }
    return i == ln->len || ln->text[i] == '#';
}

static sg_status check_line_bytes(storm_parser *p, uint32_t file, const storm_line *ln)
{
    if (ln->len > STORM_LINE_MAX) {
        return storm_fail_at(p, file, ln->number, STORM_LINE_MAX + 1, "line longer than %u bytes",
                             STORM_LINE_MAX);
    }
    for (uint32_t i = 0; i < ln->len; i++) {
        unsigned char c = (unsigned char)ln->text[i];
        if (c < 0x20 && c != '\t') {
            return storm_fail_at(p, file, ln->number, i + 1,
                                 "control byte 0x%02x (expected text; use \\n or \\t inside a string)", c);
        }
    }
    return SG_OK;
}

/* Runs the statement collected in st (if any) and empties it. */
static sg_status flush(storm_parser *p, storm_stmt *st)
{
    if (st->line_count == 0) {
        return SG_OK;
    }
    sg_status s = storm_stmt_run(p, st);
    st->line_count = 0;
    return s;
}

static sg_status add_line(storm_parser *p, storm_stmt *st, uint32_t file, const storm_line *ln)
{
    bool continuation = is_indent(ln->text[0]);
    if (!continuation) {
        sg_status s = flush(p, st);
        if (s != SG_OK) {
            return s;
        }
        st->file = file;
    } else if (st->line_count == 0) {
        return storm_fail_at(p, file, ln->number, 1,
                             "an indented line continues the statement above, but there is none "
                             "(start statements in column 1)");
    }
    if (st->line_count >= STORM_STATEMENT_LINES_MAX) {
        return storm_fail_at(p, file, ln->number, 1, "statement spans more than %u lines",
                             STORM_STATEMENT_LINES_MAX);
    }
    st->lines[st->line_count++] = *ln;
    return SG_OK;
}

static sg_status parse_text(storm_parser *p, uint32_t file, const char *text, size_t len)
{
    if (len > STORM_FILE_BYTES_MAX) {
        return storm_fail_at(p, file, 0, 0, "file is %zu bytes (limit %u)", len, STORM_FILE_BYTES_MAX);
    }
    if (p->total_bytes + len > STORM_TOTAL_BYTES_MAX) {
        return storm_fail_at(p, file, 0, 0, "the storm and its includes exceed %u bytes", STORM_TOTAL_BYTES_MAX);
    }
    p->total_bytes += len;
    storm_stmt *st = &p->stmts[p->depth];
    st->line_count = 0;
    size_t pos = 0;
    uint32_t number = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        if (n > 0 && text[pos + n - 1] == '\r') {
            n--;
        }
        storm_line ln = {text + pos, n > STORM_LINE_MAX ? STORM_LINE_MAX + 1 : (uint32_t)n, ++number};
        pos = end + 1;
        sg_status s = check_line_bytes(p, file, &ln);
        if (s == SG_OK && !is_ignorable(&ln)) {
            s = add_line(p, st, file, &ln);
        }
        if (s != SG_OK) {
            return s;
        }
    }
    return flush(p, st);
}

static sg_status add_file(storm_parser *p, const char *path, uint32_t *index)
{
    storm *s = p->out;
    if (s->file_count >= STORM_FILES_MAX) {
        return SG_E_FULL;
    }
    (void)snprintf(s->files[s->file_count], STORM_PATH_MAX, "%s", path);
    *index = s->file_count++;
    return SG_OK;
}

sg_status storm_include(storm_parser *p, const storm_stmt *st, const storm_token *path_tok)
{
    char written[STORM_PATH_MAX], resolved[STORM_PATH_MAX];
    if (storm_tok_text(path_tok, written, sizeof written) != SG_OK || written[0] == '\0' ||
        storm_path_resolve(p->out->files[st->file], written, resolved, sizeof resolved) != SG_OK) {
        return storm_fail_tok(p, st, path_tok, "include: expected a file name shorter than %u bytes",
                              STORM_PATH_MAX);
    }
    if (p->loader == NULL || p->loader->load == NULL) {
        return storm_fail_tok(p, st, path_tok, "include: this parser has no way to read files");
    }
    if (p->depth >= STORM_INCLUDE_DEPTH_MAX) {
        return storm_fail_tok(p, st, path_tok, "include: nested deeper than %u files", STORM_INCLUDE_DEPTH_MAX);
    }
    for (uint32_t d = 0; d <= p->depth; d++) {
        if (strcmp(p->out->files[p->stack[d]], resolved) == 0) {
            return storm_fail_tok(p, st, path_tok, "include: '%s' includes itself (cycle through %s)", resolved,
                                  p->out->files[p->stack[p->depth]]);
        }
    }
    uint32_t index = 0;
    if (add_file(p, resolved, &index) != SG_OK) {
        return storm_fail_tok(p, st, path_tok, "include: a storm reads at most %u files", STORM_FILES_MAX);
    }
    char *data = NULL;
    size_t len = 0;
    sg_error lerr = {{0}};
    if (p->loader->load(p->loader->ctx, resolved, &data, &len, &lerr) != SG_OK) {
        free(data);
        return storm_fail_tok(p, st, path_tok, "include: cannot read '%s': %s", resolved, lerr.msg);
    }
    p->stack[++p->depth] = index;
    sg_status s = parse_text(p, index, data, len);
    p->depth--;
    free(data);
    if (s != SG_OK && p->err != NULL) {
        char where[64];
        (void)snprintf(where, sizeof where, " (included from line %u)", path_tok->line);
        size_t used = strlen(p->err->msg);
        if (used + strlen(where) < sizeof p->err->msg) {
            memcpy(p->err->msg + used, where, strlen(where) + 1);
        }
    }
    return s;
}

/* "dir/name.storm" -> "name" as the default scenario name. */
static void default_name(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 6 && strcmp(base + n - 6, ".storm") == 0) {
        n -= 6;
    }
    if (n == 0 || n >= size) {
        (void)snprintf(out, size, "unnamed");
        return;
    }
    memcpy(out, base, n);
    out[n] = '\0';
}

sg_status storm_parse_buffer(const char *name, const char *text, size_t len, const storm_loader *loader,
                             storm *out, storm_error *err)
{
    assert(out != NULL);
    if (err != NULL) {
        memset(err, 0, sizeof *err);
    }
    memset(out, 0, sizeof *out);
    sim_scenario_init(&out->scenario);
    char resolved[STORM_PATH_MAX];
    if (name == NULL || text == NULL || storm_path_resolve("", name, resolved, sizeof resolved) != SG_OK) {
        if (err != NULL) {
            (void)snprintf(err->msg, sizeof err->msg, "storm: expected a file name shorter than %u bytes and text",
                           STORM_PATH_MAX);
        }
        return SG_E_INVALID;
    }
    storm_parser *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return SG_E_NOMEM;
    }
    p->out = out;
    p->loader = loader;
    p->err = err;
    uint32_t top = 0;
    (void)add_file(p, resolved, &top);
    default_name(resolved, out->scenario.name, sizeof out->scenario.name);
    sg_status s = parse_text(p, top, text, len);
    if (s == SG_OK) {
        s = storm_validate(p);
    }
    free(p);
    return s;
}

sg_status storm_parse_file(const char *path, storm *out, storm_error *err)
{
    assert(path != NULL && out != NULL);
    char *data = NULL;
    size_t len = 0;
    sg_error lerr = {{0}};
    sg_status s = storm_load_file(NULL, path, &data, &len, &lerr);
    if (s != SG_OK) {
        free(data);
        if (err != NULL) {
            memset(err, 0, sizeof *err);
            (void)snprintf(err->file, sizeof err->file, "%s", path);
            (void)snprintf(err->msg, sizeof err->msg, "%s", lerr.msg);
        }
        return s;
    }
    storm_loader loader = {storm_load_file, NULL};
    s = storm_parse_buffer(path, data, len, &loader, out, err);
    free(data);
    return s;
}
