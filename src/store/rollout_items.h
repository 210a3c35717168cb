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

/* A web search action between the Responses API's shape (type "search",
 * "open_page", "find_in_page", "other"), which the rollout and exec keep,
 * and the v2 one ("search", "openPage", "findInPage", "other"); the other
 * keys (query, queries, url, pattern) are copied.  New references. */
json_t *web_search_action_to_v2(const json_t *action);
json_t *web_search_action_from_v2(const json_t *action);
/* The v2 webSearch item for a web_search_call output item, its query as
 * the reference words it: the search's query, the page's url, or
 * "'pattern' in url".  A new reference. */
json_t *web_search_item_from_call(const json_t *call);

/* The text of a response item that is a message the user wrote (its
 * input_text parts joined by newlines), or NULL for anything else,
 * including the context codex injects as user messages (AGENTS.md,
 * <environment_context>, other <tagged> blocks).  Caller frees. */
char *rollout_user_input_text(const json_t *item);

#endif
