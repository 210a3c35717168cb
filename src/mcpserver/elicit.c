/* Approval questions as elicitation/create requests, in the reference's
 * shape: the MCP fields (message, requestedSchema) and codex_* fields that
 * tie the question to its call.  The answer is the reference's
 * {"decision": "approved" | "approved_for_session" | "denied" | "abort"} or
 * a plain MCP elicitation result {"action": "accept" | "decline" |
 * "cancel"}; anything else, an error answer, or a client that goes away,
 * refuses.  Tickets are safe to answer late or twice. */
#include <stdlib.h>
#include <string.h>

#include "mcpserver/internal.h"
#include "rpc/jsonrpc.h"
#include "util/xalloc.h"

static json_t *strings(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* {path: {type, ...}} as the reference's FileChange map. */
static json_t *changes_map(const json_t *changes)
{
    json_t *out = json_object();
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c) {
        const char *path = json_string_value(json_object_get(c, "path"));
        const json_t *kind = json_object_get(c, "kind");
        const char *type = json_string_value(json_object_get(kind, "type"));
        const char *diff = json_string_value(json_object_get(c, "diff"));
        if (!path || !type)
            continue;
        json_t *entry = json_pack("{s:s}", "type", type);
        json_object_set_new(entry, strcmp(type, "update") == 0 ? "unified_diff" : "content",
                            json_string(diff ? diff : ""));
        json_object_set_new(out, path, entry);
    }
    return out;
}

static json_t *question_params(struct mcps_thread *t, const struct approval_request *req)
{
    const char *call_id = req->call_id ? req->call_id : "";
    char *tool_call_id = jsonrpc_id_key(t->call_id);
    json_t *p = json_pack("{s:s s:{s:s s:{}} s:s s:s s:s s:s}", "message", "", "requestedSchema",
                          "type", "object", "properties", "threadId", agent_thread_id(t->agent),
                          "codex_mcp_tool_call_id", tool_call_id + 2, "codex_event_id", t->turn_id,
                          "codex_call_id", call_id);
    free(tool_call_id);
    char *message;
    /* A network question reads as its "network-access URL" command. */
    if (req->kind == APPROVAL_KIND_EXEC || req->kind == APPROVAL_KIND_NETWORK) {
        message = xasprintf("Allow Codex to run `%s` in `%s`?", req->command ? req->command : "",
                            req->cwd ? req->cwd : "");
        json_object_set_new(p, "codex_elicitation", json_string("exec-approval"));
        json_object_set_new(p, "codex_command", strings(req->argv, req->argc));
        json_object_set_new(p, "codex_cwd", json_string(req->cwd ? req->cwd : ""));
        json_object_set_new(p, "codex_parsed_cmd", json_array());
    } else if (req->kind == APPROVAL_KIND_PATCH) {
        message = req->reason ? xasprintf("%s\nAllow Codex to apply proposed code changes?", req->reason)
                              : xstrdup("Allow Codex to apply proposed code changes?");
        json_object_set_new(p, "codex_elicitation", json_string("patch-approval"));
        json_object_set_new(p, "codex_changes", changes_map(req->changes));
    } else {
        message = xasprintf("Allow Codex to call the tool `%s` of the MCP server `%s`?",
                            req->mcp_tool ? req->mcp_tool : "", req->mcp_server ? req->mcp_server : "");
        json_object_set_new(p, "codex_elicitation", json_string("mcp-tool-approval"));
        json_object_set_new(p, "codex_mcp_server", json_string(req->mcp_server ? req->mcp_server : ""));
        json_object_set_new(p, "codex_mcp_tool", json_string(req->mcp_tool ? req->mcp_tool : ""));
    }
    if (req->reason)
        json_object_set_new(p, "codex_reason", json_string(req->reason));
    json_object_set_new(p, "message", json_string(message));
    free(message);
    return p;
}

bool mcps_ask(void *ud, const struct approval_request *req, uint64_t ticket)
{
    struct mcps_thread *t = ud;
    struct mcpserver *s = t->server;
    if (s->input_closed || s->freeing || !t->call_id || !t->agent)
        return false;
    struct mcps_question *q = xcalloc(1, sizeof *q);
    q->id = ++s->next_request_id;
    q->ticket = ticket;
    q->thread = t;
    q->next = s->questions;
    s->questions = q;
    json_t *id = json_integer(q->id);
    mcps_send(s, jsonrpc_make_request(id, "elicitation/create", question_params(t, req)));
    json_decref(id);
    return true;
}

/* The turn ended first: the client is told the question is void. */
void mcps_withdraw(void *ud, uint64_t ticket)
{
    struct mcps_thread *t = ud;
    struct mcpserver *s = t->server;
    for (struct mcps_question **p = &s->questions; *p; p = &(*p)->next) {
        struct mcps_question *q = *p;
        if (q->thread != t || q->ticket != ticket)
            continue;
        *p = q->next;
        if (!s->input_closed && !s->freeing)
            mcps_send(s, jsonrpc_make_notification("notifications/cancelled",
                                                   json_pack("{s:I s:s}", "requestId", q->id, "reason",
                                                             "the turn ended")));
        free(q);
        return;
    }
}

static enum review_decision decision_of(const json_t *result)
{
    const char *d = json_string_value(json_object_get(result, "decision"));
    const char *action = json_string_value(json_object_get(result, "action"));
    if (d) {
        if (strcmp(d, "approved") == 0)
            return REVIEW_APPROVED;
        if (strcmp(d, "approved_for_session") == 0)
            return REVIEW_APPROVED_FOR_SESSION;
        if (strcmp(d, "abort") == 0)
            return REVIEW_ABORT;
        return REVIEW_DENIED;
    }
    if (action && strcmp(action, "accept") == 0)
        return REVIEW_APPROVED;
    if (action && strcmp(action, "cancel") == 0)
        return REVIEW_ABORT;
    return REVIEW_DENIED;
}

bool mcps_answer(struct mcpserver *s, const json_t *id, const json_t *result)
{
    if (!json_is_integer(id))
        return false;
    for (struct mcps_question **p = &s->questions; *p; p = &(*p)->next) {
        struct mcps_question *q = *p;
        if (q->id != json_integer_value(id))
            continue;
        *p = q->next;
        struct mcps_thread *t = q->thread;
        uint64_t ticket = q->ticket;
        free(q);
        agent_approval_answer(t->agent, ticket, result ? decision_of(result) : REVIEW_DENIED);
        return true;
    }
    return false;
}

void mcps_decline_all(struct mcpserver *s, struct mcps_thread *only)
{
    struct mcps_question **p = &s->questions;
    while (*p) {
        struct mcps_question *q = *p;
        if (only && q->thread != only) {
            p = &q->next;
            continue;
        }
        *p = q->next;
        struct mcps_thread *t = q->thread;
        uint64_t ticket = q->ticket;
        free(q);
        agent_approval_answer(t->agent, ticket, REVIEW_DENIED);
        p = &s->questions; /* the answer may have changed the list */
    }
}
