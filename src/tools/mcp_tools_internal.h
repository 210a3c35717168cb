/* Shared by the files of the MCP tool provider (mcp_tools.c: namespaces and
 * calls; mcp_resources.c: the resource tools and the items; mcp_output.c:
 * what the model gets back).  Nothing else includes it. */
#ifndef CODEX_TOOLS_MCP_TOOLS_INTERNAL_H
#define CODEX_TOOLS_MCP_TOOLS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "tools/mcp_tools.h"

struct tool_call;

struct mcp_tool_entry {
    char *name;          /* as the model calls it */
    char *raw;           /* the MCP name */
    const json_t *tool;  /* the server's description of it (in the manager) */
    bool read_only;      /* annotations.readOnlyHint */
    enum mcp_approval_mode mode;
    json_t *params;      /* while registering */
};

struct mcp_server_entry {
    struct mcp_tools *t;
    size_t index;            /* in the manager */
    char *ns;                /* "mcp__fx" */
    const char *server_name; /* as configured */
    struct mcp_tool_entry *tools; /* sorted by name */
    size_t n_tools;
    bool registered;
};

struct mcp_tools {
    struct tool_registry *registry;
    struct mcp_manager *manager;
    struct mcp_server_entry *servers; /* one per manager server */
    size_t n;
};

extern const char mcp_audio_omitted[];

uint64_t mcp_now_ns(void);
int mcp_cmp_strings(const void *a, const void *b);
void mcp_tools_dispatch(void *ud, struct tool_call *call);
bool mcp_tools_exclusive(void *ud, const char *tool);
void mcp_resources_register(struct mcp_tools *t);

/* The mcpToolCall item as a call starts (status inProgress). */
json_t *mcp_item_started(const char *call_id, const char *server, const char *tool,
                         const json_t *arguments, bool read_only);
/* A tools/call result as the item carries it: content (audio replaced by a
 * notice, at most about 1 MiB in all), structuredContent, _meta. */
json_t *mcp_item_result(const json_t *result);

#endif
