/* Tools that providers add to a session beside the built-in ones: an MCP
 * server's tools, the subagent tools, ...  A provider registers a group:
 * a namespace (or none, for plain functions), its function specs, whether
 * the group is deferred, and a dispatch function.  The registry decides
 * what the model is shown:
 *
 *   - plain functions are listed in `tools` like the built-in ones;
 *   - a namespace is listed as {"type":"namespace", ...} in `tools`, unless
 *     the model takes tool_search and the group is deferred: then `tools`
 *     gets the client-executed tool_search, the developer message names the
 *     namespace in a <tools> note, and the model finds the functions by
 *     searching (BM25 over their metadata) or calls them straight away
 *     ({"type":"function_call","namespace":..,"name":..}).
 *
 * A group added after the first request is announced in a later one.
 * Calls reach a group only once a request has shown it to the model. */
#ifndef CODEX_TOOLS_REGISTRY_H
#define CODEX_TOOLS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct tool_call;
struct tool_registry;

struct tool_group {
    const char *name;        /* the namespace ("mcp__fx", "multi_agent_v1"), or NULL */
    const char *description; /* of the namespace; NULL or "" when there is none */
    bool deferred;           /* found through tool_search by models that take it */
    /* [{"type":"function","name","description","strict","parameters"}], in
     * the order to offer them (borrowed; copied). */
    const json_t *tools;
    /* NULL, or one string per tool: what tool_search matches the tool on
     * (default: its name and description). */
    const json_t *search_texts;
    /* Run a call: call->name is the tool's name within the group; finish it
     * exactly once (tool_call_finish / tool_call_finish_items). */
    void (*dispatch)(void *ud, struct tool_call *call);
    /* Must this tool run alone (no other call of the round beside it)?
     * NULL: every tool of the group may run in parallel. */
    bool (*exclusive)(void *ud, const char *tool);
    void *ud;
};

struct tool_registry *tool_registry_new(void);
void tool_registry_free(struct tool_registry *r);

/* Add a group, or replace the group of the same name (plain groups are
 * named by their first tool's name). */
void tool_registry_put(struct tool_registry *r, const struct tool_group *g);
void tool_registry_remove(struct tool_registry *r, const char *name);
/* Changes whenever the groups do: what the model is offered may differ. */
unsigned tool_registry_generation(const struct tool_registry *r);

/* ---- what a request carries (tools/specs.c puts them in place) ---------- */

/* Append the plain functions to tools. */
void tool_registry_plain_specs(const struct tool_registry *r, json_t *tools);
/* Append the namespaces listed directly: every namespace without tool
 * search, the non-deferred ones with it. */
void tool_registry_namespace_specs(const struct tool_registry *r, bool tool_search, json_t *tools);
/* Are there deferred namespaces (does the request need tool_search)? */
bool tool_registry_has_deferred(const struct tool_registry *r, bool tool_search);
/* The client-executed tool_search declaration. */
json_t *tool_search_spec(void);

/* The <tools> note of the developer message naming every deferred
 * namespace, or NULL when there is none (caller frees). */
char *tool_registry_note(const struct tool_registry *r, bool tool_search);
/* A request is about to go out: every group becomes callable.  Returns the
 * note announcing deferred namespaces added since the last request that
 * carried a note (NULL when none; caller frees).  first: this request
 * carries tool_registry_note already. */
char *tool_registry_begin_request(struct tool_registry *r, bool tool_search, bool first);

/* A thread that resumes: the namespaces its history's <tools> notes
 * already name (note: a note's text) count as announced. */
void tool_registry_note_seen(struct tool_registry *r, const char *note);

/* ---- calls ------------------------------------------------------------- */

/* Dispatch a call to the group it names (call->namespace, or a plain
 * function by name).  False when no visible group has that tool: the
 * caller answers "unsupported call". */
bool tool_registry_dispatch(struct tool_registry *r, struct tool_call *call);
bool tool_registry_exclusive(const struct tool_registry *r, const struct tool_call *call);
/* tool_search: BM25 over the deferred tools; finishes the call with the
 * matching namespaces. */
void tool_registry_search(struct tool_registry *r, struct tool_call *call);

#endif
