/* `codex exec --json`: the agent's events projected onto the reference's
 * JSONL stream (thread.started, turn.started, item.started/updated/
 * completed with item_N ids and snake_case item types, turn.completed with
 * usage, turn.failed, error).  A web_search item's line carries "id" twice,
 * item_N and then the server's id, as the reference writes it. */
#ifndef CODEX_CLI_EXEC_JSONL_H
#define CODEX_CLI_EXEC_JSONL_H

#include <jansson.h>

#include "core/events.h"

struct exec_jsonl {
    int next_item;
    json_t *ids;     /* internal item id -> "item_N", while the item is open */
    json_t *todo;    /* the turn's todo_list item, once a plan exists */
    void (*write)(void *ud, const char *line); /* one JSON line, without its newline */
    void *ud;
};

void exec_jsonl_init(struct exec_jsonl *x, void (*write)(void *ud, const char *line), void *ud);
void exec_jsonl_handle(struct exec_jsonl *x, const struct agent_event *ev);
void exec_jsonl_free(struct exec_jsonl *x);

#endif
