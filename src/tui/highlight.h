/* Syntax colouring for code blocks, shell commands and diff lines: a small
 * tokenizer per language family (C-like, Python, Rust, Go, JS/TS, Java,
 * shell, JSON/TOML/YAML), in a Catppuccin Mocha palette. */
#ifndef CODEX_TUI_HIGHLIGHT_H
#define CODEX_TUI_HIGHLIGHT_H

#include <stddef.h>

#include "tui/text.h"

/* The palette the transcript uses. */
#define HL_TEXT TC_HEX(0xcdd6f4)
#define HL_KEYWORD TC_HEX(0xcba6f7)
#define HL_STRING TC_HEX(0xa6e3a1)
#define HL_ESCAPE TC_HEX(0xf5c2e7)
#define HL_NUMBER TC_HEX(0xfab387)
#define HL_FUNCTION TC_HEX(0x89b4fa)
#define HL_PUNCT TC_HEX(0x9399b2)
#define HL_COMMENT TC_HEX(0x7f849c)
#define HL_TYPE TC_HEX(0xf9e2af)
#define HL_OPERATOR TC_HEX(0x94e2d5)

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
