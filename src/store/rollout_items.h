/* Items of `item_completed` lines as the reference stores them (its internal
 * shape: UserMessage, AgentMessage, Reasoning, CommandExecution, FileChange)
 * turned into the app-server v2 ThreadItem shape that thread/read returns. */
#ifndef CODEX_STORE_ROLLOUT_ITEMS_H
#define CODEX_STORE_ROLLOUT_ITEMS_H

#include <jansson.h>

/* A new reference: the v2 item for a stored one.  Items already in the v2
 * shape (camelCase type) are copied; an unknown internal type gives NULL. */
json_t *rollout_item_to_v2(const json_t *item);
/* The reverse: what the rollout stores, in the reference's shape, so that
 * its resume and thread/list read our sessions (userMessage, agentMessage,
 * reasoning, commandExecution with argv, file:// cwd and parsed_cmd,
 * fileChange keyed by path, mcpToolCall, contextCompaction); other items
 * come back as they are.  A new reference. */
json_t *rollout_item_from_v2(const json_t *item);

/* The text of a response item that is a message the user wrote (its
 * input_text parts joined by newlines), or NULL for anything else,
 * including the context codex injects as user messages (AGENTS.md,
 * <environment_context>, other <tagged> blocks).  Caller frees. */
char *rollout_user_input_text(const json_t *item);

#endif
