/* Tokens of the Starlark subset rules files are written in. */
#ifndef CODEX_POLICY_EXECPOLICY_LEX_H
#define CODEX_POLICY_EXECPOLICY_LEX_H

#include <stdbool.h>
#include <stddef.h>

enum ep_tok_kind {
    T_EOF,
    T_NEWLINE,
    T_SEMI,
    T_LPAREN,
    T_RPAREN,
    T_LBRACK,
    T_RBRACK,
    T_LBRACE,
    T_RBRACE,
    T_COMMA,
    T_ASSIGN,
    T_IDENT,
    T_STRING,
    T_BYTES,
    T_NUMBER,
    T_OTHER, /* an operator or character the subset has no use for */
};

struct ep_tok {
    enum ep_tok_kind kind;
    int line, col;
    const char *text; /* source text of the token */
    size_t text_len;
    char *str; /* decoded value of T_STRING / T_BYTES (owned by the token) */
    size_t str_len;
};

struct ep_lexer {
    const char *file;
    const char *src;
    size_t len, pos;
    int line, col;
    int depth; /* open brackets: newlines inside them do not end a statement */
    bool at_line_start;
    char *err; /* first error, "file:line:col: what" */
};

void ep_lex_init(struct ep_lexer *lx, const char *file, const char *src, size_t len);
/* Next token; on error returns T_EOF with lx->err set. */
struct ep_tok ep_lex_next(struct ep_lexer *lx);
void ep_tok_free(struct ep_tok *t);
void ep_lex_error(struct ep_lexer *lx, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
