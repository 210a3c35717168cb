/* MCP servers' tools as the model sees them, and their calls.
 *
 * Each ready server becomes a deferred namespace in the tool registry:
 * "mcp__" + its name with every character outside [A-Za-z0-9_] turned into
 * '_' (two servers that end up alike both get '_' and 12 hex digits of a
 * hash of their name), its tools named the same way and their input
 * schemas trimmed to what the Responses API takes.  A call goes through the
 * approval gate, then to the server (tools/call with the session's _meta),
 * and its result comes back in the reference's shape: a "Wall time" header
 * and the content as input_text/input_image items, or the
 * structuredContent as text.  Three plain functions list and read the
 * servers' resources.  Every call is an mcpToolCall item. */
#ifndef CODEX_TOOLS_MCP_TOOLS_H
#define CODEX_TOOLS_MCP_TOOLS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mcp/manager.h"
#include "util/strvec.h"

struct tool_registry;
struct mcp_tools;

/* Names the namespaces of every configured server and registers the
 * resource tools (when there is any server). */
struct mcp_tools *mcp_tools_new(struct tool_registry *registry, struct mcp_manager *manager);
void mcp_tools_free(struct mcp_tools *t);
/* Take every namespace and the resource tools out of the registry (the
 * servers are being replaced). */
void mcp_tools_unregister(struct mcp_tools *t);

/* Server i of the manager became ready (its namespace is registered or
 * replaced) or failed (a namespace it had stays: the next call restarts
 * it).  Tools that cannot be offered are skipped with a line in warnings. */
void mcp_tools_server_changed(struct mcp_tools *t, size_t i, struct strvec *warnings);

/* The namespace of server i ("mcp__fx"). */
const char *mcp_tools_namespace(const struct mcp_tools *t, size_t i);

/* ---- pieces, exposed for tests ----------------------------------------- */

/* name with every character outside [A-Za-z0-9_] replaced by '_' ("_" for
 * an empty name).  Caller frees. */
char *mcp_sanitize_name(const char *name);
/* The model's parameters for an inputSchema, or NULL with *warning (caller
 * frees) when the schema cannot be offered. */
json_t *mcp_schema_for_model(const json_t *input_schema, char **warning);
/* What the model gets for a tools/call result: a content list, or a string
 * when the result has structuredContent.  seconds is the wall time. */
json_t *mcp_result_for_model(const json_t *result, double seconds);
/* v with the keys of MCP objects in the reference's order (a new value). */
json_t *mcp_canonical(const json_t *v);
/* The model output for a failed call: the Wall time header, then text. */
json_t *mcp_text_for_model(const char *text, double seconds);

#endif
