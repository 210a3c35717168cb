/* Syntax colouring for code blocks, shell commands and diff lines: a small
 * tokenizer per language family (C-like, Python, Rust, Go, JS/TS, Java,
 * shell, JSON/TOML/YAML), in a Catppuccin Mocha palette. */
#ifndef CODEX_TUI_HIGHLIGHT_H
#define CODEX_TUI_HIGHLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/text.h"

/* The palette the transcript uses: one of a few named themes (tui.theme,
 * /theme), Catppuccin Mocha unless chosen otherwise. */
struct hl_palette {
    tcolor text, keyword, string, escape, number, function, punct, comment, type, operator;
};
extern const struct hl_palette *hl_theme;
#define HL_TEXT (hl_theme->text)
#define HL_KEYWORD (hl_theme->keyword)
#define HL_STRING (hl_theme->string)
#define HL_ESCAPE (hl_theme->escape)
#define HL_NUMBER (hl_theme->number)
#define HL_FUNCTION (hl_theme->function)
#define HL_PUNCT (hl_theme->punct)
#define HL_COMMENT (hl_theme->comment)
#define HL_TYPE (hl_theme->type)
#define HL_OPERATOR (hl_theme->operator)

#define HL_DEFAULT_THEME "catppuccin-mocha"
/* The themes' names, NULL-terminated, sorted. */
extern const char *const hl_theme_names[];
/* Colour with the named theme from now on; false (nothing changes) when
 * there is no such theme. */
bool hl_set_theme(const char *name);
const char *hl_theme_name(void);

/* A language for a code block's info string or a file name ("c", "py",
 * "src/main.rs" ...); NULL when we do not colour it. */
const char *hl_language(const char *name);

/* Append one line of code (no newline) in the given language (NULL:
 * plain).  *state carries an open block comment or string to the next
 * line; start it at 0. */
void hl_line(const char *lang, const char *text, size_t len, struct tline *out, int *state);

/* Append a shell command line, coloured like bash. */
void hl_shell(const char *cmd, size_t len, struct tline *out);

#endif
