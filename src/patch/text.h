/* Text helpers for the patch engine: UTF-8 decoding, the Unicode notion of
 * whitespace the reference trims with, and the four ways two lines can be
 * "equal" when the engine looks for context. */
#ifndef CODEX_PATCH_TEXT_H
#define CODEX_PATCH_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Decode one code point at s[*i]; an invalid byte decodes to a value above
 * U+10FFFF unique to that byte, so invalid input still compares bytewise. */
uint32_t text_decode(const char *s, size_t len, size_t *i);
bool text_is_space(uint32_t cp);

/* Trim Unicode whitespace (Rust's str::trim family). */
void text_trim_start(const char **s, size_t *len);
void text_trim_end(const char *s, size_t *len);
void text_trim(const char **s, size_t *len);

/* How strictly two lines must agree, in the order the matcher tries them. */
enum text_match {
    TEXT_MATCH_EXACT,
    TEXT_MATCH_TRIM_END,   /* trailing whitespace ignored */
    TEXT_MATCH_TRIM,       /* surrounding whitespace ignored */
    TEXT_MATCH_PUNCTUATION /* also typographic dashes, quotes and spaces folded to ASCII */
};
bool text_lines_equal(const char *a, size_t alen, const char *b, size_t blen, enum text_match how);

/* 0 if s is valid UTF-8; otherwise -1 and the Rust-style description of the
 * first error ("invalid utf-8 sequence of 1 bytes from index 0"). */
int text_check_utf8(const char *s, size_t len, struct buf *why);

#endif
