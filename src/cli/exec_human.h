/* `codex exec` without --json: progress for a person, on stderr. */
#ifndef CODEX_CLI_EXEC_HUMAN_H
#define CODEX_CLI_EXEC_HUMAN_H

#include <stdbool.h>
#include <stdio.h>

#include "core/events.h"

struct exec_human {
    FILE *out;
    bool color;
    bool hide_reasoning; /* hide_agent_reasoning */
    /* The settings block printed when the thread starts ("name: value"
     * lines, without the session id), or NULL for none. */
    const char *settings;
};

void exec_human_handle(struct exec_human *h, const struct agent_event *ev);

#endif
