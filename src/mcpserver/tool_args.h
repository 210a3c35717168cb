/* The two tools the MCP server offers, `codex` and `codex-reply`: their
 * tools/list entries and the reading of a call's arguments, with serde's
 * wording for what is wrong (clients of the reference match on it). */
#ifndef CODEX_MCPSERVER_TOOL_ARGS_H
#define CODEX_MCPSERVER_TOOL_ARGS_H

#include <jansson.h>

/* The arguments of `codex`; strings NULL when absent (or null). */
struct mcps_codex_args {
    char *prompt;
    char *model;
    char *profile;
    char *cwd;
    char *approval_policy;
    char *sandbox;
    json_t *config; /* an object, or NULL */
    char *base_instructions;
    char *developer_instructions;
    char *compact_prompt;
};

struct mcps_reply_args {
    char *prompt;
    char *thread_id; /* threadId, else the older conversationId */
};

/* tools/list's result: {"tools": [...]}. */
json_t *mcps_tools_list(void);

/* 0, or -1 with *why (caller frees), e.g. "missing field `prompt`".  args
 * may be NULL (no arguments at all). */
int mcps_codex_args_parse(const json_t *args, struct mcps_codex_args *out, char **why);
void mcps_codex_args_free(struct mcps_codex_args *a);
int mcps_reply_args_parse(const json_t *args, struct mcps_reply_args *out, char **why);
void mcps_reply_args_free(struct mcps_reply_args *a);

#endif
