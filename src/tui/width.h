/* Text as the terminal shows it: grapheme clusters and their column widths
 * (utf8proc), and making untrusted text inert before it is drawn. */
#ifndef CODEX_TUI_WIDTH_H
#define CODEX_TUI_WIDTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The grapheme cluster at the start of s[0..len) (len > 0): returns its
 * length in bytes (at least 1) and its width in columns (0, 1 or 2) in
 * *width.  Text must be valid UTF-8 (see tw_sanitize); a stray invalid byte
 * is taken as a one-byte cluster of width 1. */
size_t tw_next_cluster(const char *s, size_t len, int *width);

/* Columns that s[0..len) takes on one line. */
int tw_width(const char *s, size_t len);
int tw_strwidth(const char *s);

/* How many bytes of s[0..len) fit in max_cols columns (whole clusters);
 * *cols gets their width. */
size_t tw_fit(const char *s, size_t len, int max_cols, int *cols);

/* Make text safe to draw: invalid UTF-8 becomes U+FFFD, tabs become spaces
 * to the next multiple of 4 columns, carriage returns are dropped, and every
 * other control character (ESC, C1, DEL, ...) becomes U+FFFD, so nothing in
 * model or command output can drive the terminal.  Newlines are kept when
 * keep_newlines, else they become spaces.  Returns a new NUL-terminated
 * string (caller frees); *out_len gets its length when not NULL. */
char *tw_sanitize(const char *s, size_t len, bool keep_newlines, size_t *out_len);

/* s cut to at most max grapheme clusters, the last ones "..." when it is
 * cut (as the reference shortens previews); a new string, caller frees. */
char *tw_cut(const char *s, size_t max);

/* Decode one UTF-8 code point; returns its length (1 for an invalid byte,
 * with *cp = 0xFFFD). */
size_t tw_decode(const char *s, size_t len, int32_t *cp);
/* Encode cp into out (4 bytes); returns the length. */
size_t tw_encode(int32_t cp, char out[4]);

#endif
