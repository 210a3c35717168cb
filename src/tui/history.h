/* Prompt history for Up/Down and Ctrl-R: the tail of
 * $CODEX_HOME/history.jsonl (written by the agent core for each prompt)
 * plus what was typed in this session, oldest first. */
#ifndef CODEX_TUI_HISTORY_H
#define CODEX_TUI_HISTORY_H

#include <stddef.h>

#include "util/strvec.h"

/* At most this much of the file's end is read. */
#define HISTORY_READ_BYTES (1024 * 1024)

struct history {
    struct strvec entries;
};

void history_init(struct history *h);
void history_free(struct history *h);
/* Read the file's tail (missing or unreadable files give no entries). */
void history_load(struct history *h, const char *codex_home);
/* Add an entry (skipped when it repeats the newest). */
void history_add(struct history *h, const char *text);
/* The newest entry before index `before` (exclusive) containing needle,
 * or -1. */
long history_search(const struct history *h, const char *needle, long before);

#endif
