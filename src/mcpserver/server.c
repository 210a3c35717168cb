/* The MCP server's messages: initialize, ping, tools/list, tools/call,
 * notifications/cancelled, and the client's answers to our questions.
 * Every line gets an answer or a log line; a request we cannot read is
 * answered with a JSON-RPC error carrying its id when one can be found. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpserver/internal.h"
#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* The protocol versions we speak; an unknown one is answered with the
 * newest (the client then decides whether to go on). */
static const char *const protocol_versions[] = {"2024-11-05", "2025-03-26", "2025-06-18",
                                                "2025-11-25"};
#define NEWEST_PROTOCOL "2025-06-18"

void mcps_send(struct mcpserver *s, json_t *msg)
{
    if (s->freeing) {
        /* Threads stopping at shutdown have nobody left to tell. */
        json_decref(msg);
        return;
    }
    json_object_set_new(msg, "jsonrpc", json_string("2.0"));
    size_t len;
    char *text = jsonrpc_serialize(msg, &len);
    json_decref(msg);
    if (text)
        s->p.send(s->p.ud, text, len);
    free(text);
}

void mcps_log(struct mcpserver *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = xvasprintf(fmt, ap);
    va_end(ap);
    if (s->p.log)
        s->p.log(s->p.ud, line);
    free(line);
}

json_t *mcps_error_result(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    json_t *r = json_pack("{s:b s:[{s:s s:s}]}", "isError", 1, "content", "type", "text", "text", text);
    free(text);
    return r;
}

static void reply(struct mcpserver *s, const json_t *id, json_t *result)
{
    mcps_send(s, jsonrpc_make_response((json_t *)id, result));
}

static void reply_error(struct mcpserver *s, const json_t *id, int code, const char *message,
                        json_t *data)
{
    json_t *msg = jsonrpc_make_error(id ? (json_t *)id : json_null(), code, message);
    if (data)
        json_object_set_new(json_object_get(msg, "error"), "data", data);
    mcps_send(s, msg);
}

void mcps_send_event(struct mcps_thread *t, const char *event_id, json_t *msg)
{
    if (!t->call_id) {
        json_decref(msg);
        return;
    }
    json_t *params = json_pack("{s:{s:O s:s} s:s s:o}", "_meta", "requestId", t->call_id, "threadId",
                               agent_thread_id(t->agent), "id", event_id, "msg", msg);
    mcps_send(t->server, jsonrpc_make_notification("codex/event", params));
}

static bool busy(const struct mcpserver *s)
{
    for (const struct mcps_thread *t = s->threads; t; t = t->next)
        if (t->call_id)
            return true;
    return false;
}

void mcps_finish_call(struct mcps_thread *t, json_t *result)
{
    struct mcpserver *s = t->server;
    if (result)
        reply(s, t->call_id, result);
    json_decref(t->call_id);
    t->call_id = NULL;
    if (s->input_closed && !s->freeing && !busy(s) && s->p.finished)
        s->p.finished(s->p.ud);
}

/* ---- methods ------------------------------------------------------------ */

static void handle_initialize(struct mcpserver *s, const json_t *id, const json_t *params)
{
    if (s->initialized) {
        reply_error(s, id, JSONRPC_INVALID_REQUEST, "initialize called more than once", NULL);
        return;
    }
    const char *version = json_string_value(json_object_get(params, "protocolVersion"));
    if (!version) {
        reply_error(s, id, JSONRPC_INVALID_PARAMS, "initialize: missing field `protocolVersion`", NULL);
        return;
    }
    const json_t *info = json_object_get(params, "clientInfo");
    const char *name = json_string_value(json_object_get(info, "name"));
    const char *client_version = json_string_value(json_object_get(info, "version"));
    s->initialized = true;
    s->client_name = xstrdup(name ? name : "unknown");
    s->client_version = xstrdup(client_version ? client_version : "unknown");
    const char *answer = NEWEST_PROTOCOL;
    for (size_t i = 0; i < sizeof protocol_versions / sizeof protocol_versions[0]; i++)
        if (strcmp(version, protocol_versions[i]) == 0)
            answer = version;
    char *ua = rpc_user_agent("codex_cli_rs", CODEX_VERSION, s->client_name, s->client_version,
                              s->p.envp);
    reply(s, id, json_pack("{s:s s:{s:{s:b}} s:{s:s s:s s:s s:s}}", "protocolVersion", answer,
                           "capabilities", "tools", "listChanged", 1, "serverInfo", "name",
                           "codex-mcp-server", "title", "Codex", "version", CODEX_VERSION,
                           "user_agent", ua));
    free(ua);
}

static void call_codex(struct mcpserver *s, const json_t *id, const json_t *args)
{
    struct mcps_codex_args a;
    char *why = NULL;
    if (mcps_codex_args_parse(args, &a, &why) < 0) {
        reply(s, id, mcps_error_result("Failed to parse configuration for Codex tool: %s", why));
        free(why);
        return;
    }
    struct mcps_thread *t = mcps_thread_new(s, &a, &why);
    if (!t) {
        reply(s, id, mcps_error_result("Failed to start Codex session: %s", why));
        free(why);
        mcps_codex_args_free(&a);
        return;
    }
    mcps_thread_open(t, id, a.prompt);
    mcps_codex_args_free(&a);
}

static void call_reply(struct mcpserver *s, const json_t *id, const json_t *args)
{
    struct mcps_reply_args a;
    char *why = NULL;
    if (mcps_reply_args_parse(args, &a, &why) < 0) {
        reply(s, id, mcps_error_result("Failed to parse configuration for Codex tool: %s", why));
        free(why);
        return;
    }
    struct mcps_thread *t = mcps_thread_find(s, a.thread_id);
    if (!t) {
        json_t *r = mcps_error_result("Session not found for thread_id: %s", a.thread_id);
        json_object_set_new(r, "structuredContent", json_pack("{s:s}", "threadId", a.thread_id));
        reply(s, id, r);
    } else if (t->call_id) {
        reply(s, id, mcps_error_result("Thread %s is busy with another call; wait for its answer "
                                       "or cancel it",
                                       a.thread_id));
    } else {
        mcps_thread_start_turn(t, id, a.prompt);
    }
    mcps_reply_args_free(&a);
}

static bool call_id_in_use(const struct mcpserver *s, const json_t *id)
{
    for (const struct mcps_thread *t = s->threads; t; t = t->next)
        if (t->call_id && json_equal(t->call_id, (json_t *)id))
            return true;
    return false;
}

static void handle_tools_call(struct mcpserver *s, const json_t *id, const json_t *params)
{
    const char *name = json_string_value(json_object_get(params, "name"));
    if (!json_is_object(params) || !name) {
        reply_error(s, id, JSONRPC_INVALID_PARAMS, "tools/call: missing field `name`", NULL);
        return;
    }
    if (call_id_in_use(s, id)) {
        reply_error(s, id, JSONRPC_INVALID_REQUEST, "tools/call: a call with this id is still running",
                    NULL);
        return;
    }
    const json_t *args = json_object_get(params, "arguments");
    if (strcmp(name, "codex") == 0)
        call_codex(s, id, args);
    else if (strcmp(name, "codex-reply") == 0)
        call_reply(s, id, args);
    else
        reply(s, id, mcps_error_result("Unknown tool '%s'", name));
}

static void handle_cancelled(struct mcpserver *s, const json_t *params)
{
    const json_t *id = json_object_get(params, "requestId");
    for (struct mcps_thread *t = s->threads; t && id; t = t->next) {
        if (!t->call_id || !json_equal(t->call_id, (json_t *)id) || t->cancelled)
            continue;
        t->cancelled = true;
        /* Questions it waits on are withdrawn (the client is told). */
        agent_interrupt(t->agent);
        return;
    }
}

static void handle_request(struct mcpserver *s, const struct jsonrpc_message *m)
{
    if (strcmp(m->method, "initialize") == 0) {
        handle_initialize(s, m->id, m->params);
    } else if (strcmp(m->method, "ping") == 0) {
        reply(s, m->id, json_object());
    } else if (strcmp(m->method, "tools/list") == 0) {
        reply(s, m->id, mcps_tools_list());
    } else if (strcmp(m->method, "tools/call") == 0) {
        handle_tools_call(s, m->id, m->params);
    } else {
        char *message = xasprintf("method not found: %s", m->method);
        reply_error(s, m->id, JSONRPC_METHOD_NOT_FOUND, message,
                    json_pack("{s:s}", "method", m->method));
        free(message);
    }
}

/* The id of a line that is not JSON, when one can be read from it: an
 * integer or a plain string after the first "id":.  NULL otherwise. */
json_t *mcpserver_salvage_id(const char *text, size_t len)
{
    const char *end = text + len;
    for (const char *p = text; p + 4 <= end; p++) {
        if (memcmp(p, "\"id\"", 4) != 0)
            continue;
        const char *q = p + 4;
        while (q < end && isspace((unsigned char)*q))
            q++;
        if (q >= end || *q != ':')
            continue;
        q++;
        while (q < end && isspace((unsigned char)*q))
            q++;
        if (q < end && (*q == '-' || isdigit((unsigned char)*q))) {
            const char *start = q++;
            while (q < end && isdigit((unsigned char)*q) && q - start < 18)
                q++;
            if (q - start == 1 && *start == '-')
                return NULL;
            char digits[24];
            memcpy(digits, start, (size_t)(q - start));
            digits[q - start] = '\0';
            return json_integer(strtoll(digits, NULL, 10));
        }
        if (q < end && *q == '"') {
            const char *start = ++q;
            while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
                q++;
            if (q < end && *q == '"')
                return json_stringn(start, (size_t)(q - start));
        }
        return NULL;
    }
    return NULL;
}

static void reap_dead(struct mcpserver *s)
{
    while (s->dead) {
        struct mcps_thread *t = s->dead;
        s->dead = t->next;
        mcps_thread_free(t);
    }
}

void mcpserver_receive(struct mcpserver *s, const char *text, size_t len)
{
    while (len && (text[len - 1] == '\r' || text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len == 0 || s->freeing)
        return;
    reap_dead(s);
    struct jsonrpc_message m;
    jsonrpc_parse(text, len, &m);
    switch (m.kind) {
    case JSONRPC_INVALID: {
        json_t *id = m.root ? json_incref(json_object_get(m.root, "id")) : mcpserver_salvage_id(text, len);
        if (id && !json_is_integer(id) && !json_is_string(id)) {
            json_decref(id);
            id = NULL;
        }
        char *id_text = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;
        mcps_log(s, "codex mcp-server: a message that is not JSON-RPC (id %s): %s; answered with an "
                    "error",
                 id_text ? id_text : "unknown", m.error_text);
        free(id_text);
        char *message = xasprintf("%s: %s", m.root ? "Invalid request" : "Parse error", m.error_text);
        reply_error(s, id, m.root ? JSONRPC_INVALID_REQUEST : JSONRPC_PARSE_ERROR, message, NULL);
        free(message);
        json_decref(id);
        break;
    }
    case JSONRPC_REQUEST:
        handle_request(s, &m);
        break;
    case JSONRPC_NOTIFICATION:
        if (strcmp(m.method, "notifications/cancelled") == 0)
            handle_cancelled(s, m.params);
        break;
    case JSONRPC_RESPONSE:
        if (!mcps_answer(s, m.id, m.result))
            mcps_log(s, "codex mcp-server: an answer to a request we did not send; ignored");
        break;
    case JSONRPC_ERROR:
        if (!mcps_answer(s, m.id, NULL))
            mcps_log(s, "codex mcp-server: an error answer to a request we did not send; ignored");
        break;
    }
    jsonrpc_message_free(&m);
}

struct mcpserver *mcpserver_new(const struct mcpserver_params *p)
{
    struct mcpserver *s = xcalloc(1, sizeof *s);
    s->p = *p;
    return s;
}

void mcpserver_input_closed(struct mcpserver *s)
{
    if (s->input_closed)
        return;
    s->input_closed = true;
    mcps_decline_all(s, NULL);
    if (!busy(s) && s->p.finished)
        s->p.finished(s->p.ud);
}

void mcpserver_free(struct mcpserver *s)
{
    if (!s)
        return;
    s->freeing = true;
    while (s->threads) {
        struct mcps_thread *t = s->threads;
        s->threads = t->next;
        mcps_thread_free(t);
    }
    reap_dead(s);
    while (s->questions) {
        struct mcps_question *q = s->questions;
        s->questions = q->next;
        free(q);
    }
    free(s->client_name);
    free(s->client_version);
    free(s);
}
