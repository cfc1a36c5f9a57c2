/*
 * storm_lex.c - turns one statement (a line and its continuation lines)
 * into tokens: words, quoted strings and the signs of options and
 * expectations.
 *
 * A word is a run of letters, digits and _-./+%@~^* (enough for names,
 * numbers with units, paths and libfiu points).  Anything else must be
 * quoted.  " # " starts a comment that runs to the end of the line: '#'
 * directly inside a word is part of nothing and is reported, so a typo
 * never silently swallows the rest of a line.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "storm_internal.h"

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("_-./+%@~^*", c) != NULL);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static sg_status push(storm_parser *p, storm_stmt *st, storm_tok_kind kind, const storm_line *ln, uint32_t at,
                      uint32_t len)
{
    if (st->token_count >= STORM_TOKENS_MAX) {
        return storm_fail_at(p, st->file, ln->number, at + 1, "too many words in one statement (limit %u)",
                             STORM_TOKENS_MAX);
    }
    storm_token *t = &st->tokens[st->token_count++];
    t->kind = kind;
    t->text = ln->text + at;
    t->len = len;
    t->line = ln->number;
    t->column = at + 1;
    return SG_OK;
}

/* A quoted string starting at ln->text[at] == '"'; *end is past the closing quote. */
static sg_status lex_string(storm_parser *p, storm_stmt *st, const storm_line *ln, uint32_t at, uint32_t *end)
{
    uint32_t i = at + 1;
    while (i < ln->len && ln->text[i] != '"') {
        if (ln->text[i] == '\\') {
            if (i + 1 >= ln->len || strchr("\"\\nt", ln->text[i + 1]) == NULL) {
                return storm_fail_at(p, st->file, ln->number, i + 1,
                                     "unknown escape in a string (expected \\\" \\\\ \\n or \\t)");
            }
            i++;
        }
        i++;
    }
    if (i >= ln->len) {
        return storm_fail_at(p, st->file, ln->number, at + 1,
                             "unterminated string (expected a closing '\"' on the same line)");
    }
    *end = i + 1;
    return push(p, st, STORM_TOK_STRING, ln, at + 1, i - at - 1);
}

static uint32_t sign_length(const char *s, uint32_t left)
{
    if (left >= 2 && (s[0] == '=' || s[0] == '!' || s[0] == '<' || s[0] == '>') && s[1] == '=') {
        return 2;
    }
    return (s[0] != '\0' && strchr(":,=<>", s[0]) != NULL) ? 1u : 0u;
}

static sg_status lex_line(storm_parser *p, storm_stmt *st, const storm_line *ln)
{
    uint32_t i = 0;
    while (i < ln->len) {
        char c = ln->text[i];
        if (is_space(c)) {
            i++;
        } else if (c == '#' && (i == 0 || is_space(ln->text[i - 1]))) {
            return SG_OK; /* comment to the end of the line */
        } else if (c == '"') {
            uint32_t end = 0;
            sg_status s = lex_string(p, st, ln, i, &end);
            if (s != SG_OK) {
                return s;
            }
            i = end;
        } else if (is_word_char(c)) {
            uint32_t start = i;
            while (i < ln->len && is_word_char(ln->text[i])) {
                i++;
            }
            sg_status s = push(p, st, STORM_TOK_WORD, ln, start, i - start);
            if (s != SG_OK) {
                return s;
            }
        } else if (sign_length(ln->text + i, ln->len - i) > 0) {
            uint32_t n = sign_length(ln->text + i, ln->len - i);
            sg_status s = push(p, st, STORM_TOK_SIGN, ln, i, n);
            if (s != SG_OK) {
                return s;
            }
            i += n;
        } else {
            unsigned char u = (unsigned char)c;
            return storm_fail_at(p, st->file, ln->number, i + 1,
                                 (u >= 0x20 && u < 0x7f) ? "unexpected character '%c' (quote values with spaces "
                                                           "or punctuation: key=\"...\")"
                                                         : "unexpected byte 0x%02x (expected printable ASCII)",
                                 (u >= 0x20 && u < 0x7f) ? c : (int)u);
        }
    }
    return SG_OK;
}

sg_status storm_lex(storm_parser *p, storm_stmt *st)
{
    assert(p != NULL && st != NULL);
    assert(st->line_count >= 1);
    st->token_count = 0;
    for (uint32_t l = 0; l < st->line_count; l++) {
        sg_status s = lex_line(p, st, &st->lines[l]);
        if (s != SG_OK) {
            return s;
        }
    }
    return SG_OK;
}

static void trim(const char **s, uint32_t *len)
{
    while (*len > 0 && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_space((*s)[*len - 1])) {
        (*len)--;
    }
}

sg_status storm_stmt_rest(const storm_stmt *st, char *buf, size_t size, size_t *len_out)
{
    assert(st != NULL && buf != NULL && size > 0);
    size_t n = 0;
    for (uint32_t l = 0; l < st->line_count; l++) {
        const char *s = st->lines[l].text;
        uint32_t len = st->lines[l].len;
        if (l == 0) { /* skip the keyword */
            while (len > 0 && !is_space(*s)) {
                s++;
                len--;
            }
        }
        trim(&s, &len);
        if (len == 0) {
            continue;
        }
        size_t need = len + (n > 0 ? 1u : 0u);
        if (n + need >= size) {
            return SG_E_TOO_BIG;
        }
        if (n > 0) {
            buf[n++] = ' ';
        }
        memcpy(buf + n, s, len);
        n += len;
    }
    buf[n] = '\0';
    if (len_out != NULL) {
        *len_out = n;
    }
    return SG_OK;
}

sg_status storm_tok_text(const storm_token *t, char *buf, size_t size)
{
    assert(t != NULL && buf != NULL && size > 0);
    size_t n = 0;
    for (uint32_t i = 0; i < t->len; i++) {
        char c = t->text[i];
        if (t->kind == STORM_TOK_STRING && c == '\\' && i + 1 < t->len) {
            char e = t->text[++i];
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        if (n + 1 >= size) {
            return SG_E_TOO_BIG;
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    return SG_OK;
}

bool storm_tok_is(const storm_token *t, storm_tok_kind kind, const char *text)
{
    return t != NULL && t->kind == kind && strlen(text) == t->len && memcmp(t->text, text, t->len) == 0;
}

const char *storm_tok_show(const storm_token *t, char *buf, size_t size)
{
    assert(buf != NULL && size > 8);
    int shown = t->len > 40 ? 40 : (int)t->len;
    const char *more = t->len > 40 ? "..." : "";
    if (t->kind == STORM_TOK_STRING) {
        (void)snprintf(buf, size, "\"%.*s%s\"", shown, t->text, more);
    } else {
        (void)snprintf(buf, size, "'%.*s%s'", shown, t->text, more);
    }
    return buf;
}
