/* Markdown to styled rows, as the transcript shows agent messages: headings
 * keep their `#` markers, lists get `•` / `1.` markers, quotes keep `>`,
 * links read `text (url)`, code blocks lose their fences and are coloured,
 * tables are aligned.  Parsing is md4c's (libmd4c, loaded with dlopen the
 * first time markdown is rendered, so that start-up never pays for it); if
 * it cannot be loaded the text is shown as wrapped plain paragraphs.
 *
 * A streaming message is rendered incrementally (md_stream): the text up to
 * the last complete block is rendered once and kept, and only the block
 * still growing is rendered again as deltas arrive. */
#ifndef CODEX_TUI_MARKDOWN_H
#define CODEX_TUI_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/text.h"
#include "util/buf.h"

/* Render text (safe: see tw_sanitize) into rows at most width columns
 * wide, appended to out. */
void md_render(const char *text, size_t len, int width, struct tlines *out);

/* Whether md4c could be loaded (false: plain paragraphs). */
bool md_available(void);

struct md_stream {
    struct buf text;        /* the whole source so far */
    size_t committed;       /* text[0..committed) is rendered in `done` */
    struct tlines done;
    int width;              /* of `done`; -1 before the first render */
    char *open_fence;       /* a fenced code block that continues past `committed` */
    bool done_ends_in_fence; /* no blank row between `done` and what follows */
    struct tlines tail;     /* the rest, rendered at the last md_stream_update */
    bool dirty;             /* text was appended since the last update */
};

void md_stream_init(struct md_stream *ms);
void md_stream_free(struct md_stream *ms);
void md_stream_append(struct md_stream *ms, const char *text, size_t len);
/* Replace the whole text (a completed item whose text differs). */
void md_stream_set(struct md_stream *ms, const char *text, size_t len);
/* Bring done + tail up to date for width.  Returns the number of rows of
 * `done` that were already rendered before this call and are unchanged
 * (so a caller can keep what it built from them). */
size_t md_stream_update(struct md_stream *ms, int width);
/* Rows in order: done, a blank row when needed, tail. */
size_t md_stream_rows(const struct md_stream *ms);
const struct tline *md_stream_row(const struct md_stream *ms, size_t i);

#endif
