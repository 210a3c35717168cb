/* The three resource tools (list_mcp_resources, list_mcp_resource_templates,
 * read_mcp_resource), offered whenever MCP servers are configured, and the
 * mcpToolCall items every MCP call reports.  The resource tools answer with
 * JSON text, each resource tagged with the server it came from; without a
 * server they ask every ready server, all pages, side by side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/mcp_tools_internal.h"
#include "tools/registry.h"
#include "tools/tool.h"
#include "util/xalloc.h"

#define ITEM_RESULT_MAX_BYTES (1u << 20)
#define RESOURCE_TIMEOUT_MS 30000

/* ---- items ----------------------------------------------------------------- */

json_t *mcp_item_started(const char *call_id, const char *server, const char *tool,
                         const json_t *arguments, bool read_only)
{
    /* The reference's fields, in its order; the app context, UI and
     * plugin are for connectors, which we do not have. */
    json_t *item = json_pack("{s:s s:s s:s s:s s:s s:O s:n s:n s:n s:o s:n s:n s:n}", "type",
                             "mcpToolCall", "id", call_id, "server", server, "tool", tool, "status",
                             "inProgress", "arguments", arguments ? arguments : json_null(),
                             "appContext", "mcpAppUi", "pluginId", "readOnlyHint",
                             read_only ? json_true() : json_null(), "result", "error", "durationMs");
    return item;
}

json_t *mcp_item_result(const json_t *result)
{
    json_t *content = json_array();
    size_t total = 0, i;
    const json_t *block;
    json_array_foreach(json_object_get(result, "content"), i, block) {
        const char *type = json_string_value(json_object_get(block, "type"));
        json_t *b = type && strcmp(type, "audio") == 0
                        ? json_pack("{s:s s:s}", "type", "text", "text", mcp_audio_omitted)
                        : json_deep_copy(block);
        char *s = json_dumps(b, JSON_COMPACT);
        total += s ? strlen(s) : 0;
        free(s);
        json_array_append_new(content, b);
    }
    if (total > ITEM_RESULT_MAX_BYTES) {
        /* An event is no place for megabytes: the text, cut. */
        json_t *cut = json_array();
        json_t *first = json_array_get(content, 0);
        const char *text = json_string_value(json_object_get(first, "text"));
        if (text) {
            size_t n = strlen(text);
            size_t keep = n > ITEM_RESULT_MAX_BYTES ? ITEM_RESULT_MAX_BYTES : n;
            while (keep > 0 && ((unsigned char)text[keep] & 0xc0) == 0x80)
                keep--;
            json_array_append_new(cut, json_pack("{s:s s:s%}", "type", "text", "text", text, keep));
        }
        json_decref(content);
        content = cut;
    }
    /* Both are there, null when the server sent none, as the reference
     * has them. */
    const json_t *structured = json_object_get(result, "structuredContent");
    const json_t *meta = json_object_get(result, "_meta");
    return json_pack("{s:o s:O s:O}", "content", content, "structuredContent",
                     structured ? structured : json_null(), "_meta", meta ? meta : json_null());
}

/* ---- the resource tools ------------------------------------------------------- */

enum resource_tool { LIST_RESOURCES, LIST_TEMPLATES, READ_RESOURCE };

struct fanout;

struct part {
    struct fanout *f;
    size_t server;
    struct mcp_call *mcall;
    json_t *items;  /* collected over pages */
    bool done;
};

struct fanout {
    struct mcp_tools *t;
    struct tool_call *call;
    enum resource_tool kind;
    json_t *args;
    json_t *item;
    char *server;         /* as asked, or NULL for every server */
    char *cursor;
    struct part *parts;
    size_t n_parts, left;
    json_t *next_cursor;  /* one server asked: its nextCursor */
    char *error;
    bool dropped;
};

static const char *const tool_names[] = {"list_mcp_resources", "list_mcp_resource_templates",
                                         "read_mcp_resource"};
static const char *const methods[] = {"resources/list", "resources/templates/list",
                                      "resources/read"};
static const char *const list_keys[] = {"resources", "resourceTemplates", "contents"};

static void fanout_free(struct fanout *f)
{
    for (size_t i = 0; i < f->n_parts; i++)
        json_decref(f->parts[i].items);
    free(f->parts);
    json_decref(f->args);
    json_decref(f->item);
    json_decref(f->next_cursor);
    free(f->server);
    free(f->cursor);
    free(f->error);
    free(f);
}

static void resources_drop(void *ud)
{
    struct fanout *f = ud;
    for (size_t i = 0; i < f->n_parts; i++)
        if (f->parts[i].mcall) {
            mcp_call_cancel(f->parts[i].mcall, "MCP request cancelled by caller");
            f->parts[i].mcall = NULL;
        }
    tool_call_unhold(f->call);
    fanout_free(f);
}

static void complete(struct fanout *f, char *text, bool ok)
{
    struct tool_call *call = f->call;
    json_object_set_new(f->item, "status", json_string(ok ? "completed" : "failed"));
    if (ok)
        json_object_set_new(f->item, "result",
                            json_pack("{s:[{s:s s:s}]}", "content", "type", "text", "text", text));
    else
        json_object_set_new(f->item, "error", json_pack("{s:s}", "message", text));
    call->on_drop = NULL;
    if (tool_call_unhold(call)) {
        tool_emit_item(call->host, TOOL_EV_ITEM_COMPLETED, f->item);
        tool_call_finish(call, text);
    } else {
        free(text);
    }
    fanout_free(f);
}

/* Every server has answered: one JSON text. */
static void gather(struct fanout *f)
{
    if (f->error) {
        char *e = f->error;
        f->error = NULL;
        complete(f, e, false);
        return;
    }
    const char *key = list_keys[f->kind];
    json_t *all = json_array();
    for (size_t i = 0; i < f->n_parts; i++) {
        const char *name = mcp_manager_server(f->t->manager, f->parts[i].server)->cfg->name;
        size_t k;
        json_t *x;
        json_array_foreach(f->parts[i].items, k, x) {
            if (f->kind == READ_RESOURCE || !json_is_object(x)) {
                json_array_append(all, x);
                continue;
            }
            json_t *tagged = json_pack("{s:s}", "server", name);
            json_object_update(tagged, x);
            json_array_append_new(all, tagged);
        }
    }
    json_t *out;
    if (f->kind == READ_RESOURCE)
        out = json_pack("{s:s s:O s:o}", "server", f->server, "uri",
                        json_object_get(f->args, "uri"), key, all);
    else if (f->server)
        out = json_pack("{s:s s:o}", "server", f->server, key, all);
    else
        out = json_pack("{s:o}", key, all);
    if (f->next_cursor && !json_is_null(f->next_cursor))
        json_object_set(out, "nextCursor", f->next_cursor);
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    complete(f, text, true);
}

static void ask_page(struct part *p, const char *cursor);

static void on_page(void *ud, const json_t *result, const struct mcp_failure *fail)
{
    struct part *p = ud;
    struct fanout *f = p->f;
    p->mcall = NULL;
    if (fail) {
        /* One server asked: its error is the answer.  Every server: a server
         * that cannot answer is left out. */
        if (f->server && !f->error)
            f->error = xasprintf("resources request to MCP server '%s' failed: %s", f->server,
                                 fail->message);
    } else {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(result, list_keys[f->kind]), i, x)
            json_array_append_new(p->items, mcp_canonical(x));
        const char *next = json_string_value(json_object_get(result, "nextCursor"));
        if (f->server) {
            json_decref(f->next_cursor);
            f->next_cursor = next ? json_string(next) : NULL;
        } else if (next && *next && f->kind != READ_RESOURCE) {
            ask_page(p, next); /* every server: all of its pages */
            return;
        }
    }
    p->done = true;
    if (--f->left == 0)
        gather(f);
}

static void ask_page(struct part *p, const char *cursor)
{
    struct fanout *f = p->f;
    json_t *params = json_object();
    if (f->kind == READ_RESOURCE)
        json_object_set(params, "uri", json_object_get(f->args, "uri"));
    else if (cursor)
        json_object_set_new(params, "cursor", json_string(cursor));
    struct mcp_request_opts o = {.timeout_ms = RESOURCE_TIMEOUT_MS, .done = on_page, .ud = p};
    struct mcp_call *mc = mcp_manager_call(f->t->manager, p->server, methods[f->kind], params, &o);
    if (mc)
        p->mcall = mc;
}

static void resource_dispatch(void *ud, struct tool_call *call)
{
    struct mcp_tools *t = ud;
    enum resource_tool kind = LIST_RESOURCES;
    for (int i = 0; i < 3; i++)
        if (strcmp(call->name, tool_names[i]) == 0)
            kind = (enum resource_tool)i;
    json_error_t je;
    json_t *args = json_loads(call->input && *call->input ? call->input : "{}", 0, &je);
    if (!json_is_object(args)) {
        json_decref(args);
        tool_call_finish(call, xasprintf("failed to parse function arguments: %s at line %d column %d",
                                         je.text[0] ? je.text : "expected a JSON object", je.line,
                                         je.column));
        return;
    }
    const char *server = json_string_value(json_object_get(args, "server"));
    const char *cursor = json_string_value(json_object_get(args, "cursor"));
    const char *uri = json_string_value(json_object_get(args, "uri"));
    struct fanout *f = xcalloc(1, sizeof *f);
    f->t = t;
    f->call = call;
    f->kind = kind;
    f->args = args;
    f->server = server ? xstrdup(server) : NULL;
    f->cursor = cursor ? xstrdup(cursor) : NULL;
    f->item = mcp_item_started(call->call_id, server ? server : "codex", tool_names[kind], args, false);
    tool_emit_item(call->host, TOOL_EV_ITEM_STARTED, f->item);
    tool_call_hold(call);
    call->on_drop = resources_drop;
    call->drop_ud = f;

    long only = server ? mcp_manager_find(t->manager, server) : -1;
    char *problem = NULL;
    if (server && (only < 0 || !mcp_manager_server(t->manager, (size_t)only)->cfg->enabled))
        problem = xasprintf("unknown MCP server '%s'", server);
    else if (kind == READ_RESOURCE && (!server || !uri))
        problem = xstrdup("read_mcp_resource needs \"server\" and \"uri\" strings");
    else if (!server && cursor)
        problem = xstrdup("a cursor needs the \"server\" it came from");
    if (problem) {
        complete(f, problem, false);
        return;
    }
    f->parts = xcalloc(mcp_manager_count(t->manager) + 1, sizeof *f->parts);
    for (size_t i = 0; i < mcp_manager_count(t->manager); i++) {
        const struct mcp_server *s = mcp_manager_server(t->manager, i);
        if (server ? (long)i != only : s->state != MCP_SERVER_READY)
            continue;
        f->parts[f->n_parts++] = (struct part){.f = f, .server = i, .items = json_array()};
    }
    f->left = f->n_parts;
    if (f->left == 0) {
        gather(f);
        return;
    }
    /* A part may finish before the next is asked: count them all first. */
    f->left++;
    for (size_t i = 0; i < f->n_parts; i++)
        ask_page(&f->parts[i], f->cursor);
    if (--f->left == 0)
        gather(f);
}

void mcp_resources_register(struct mcp_tools *t)
{
    static const char spec[] =
        "[{\"type\":\"function\",\"name\":\"list_mcp_resources\",\"description\":\"List the "
        "resources (files, records, documents) that MCP servers make available for reading. "
        "Leave out server to list every server's resources.\",\"strict\":false,\"parameters\":{"
        "\"type\":\"object\",\"properties\":{\"cursor\":{\"type\":\"string\",\"description\":"
        "\"The nextCursor of an earlier call, to get the next page; needs server.\"},\"server\":"
        "{\"type\":\"string\",\"description\":\"The MCP server's name as configured; leave out "
        "for all servers.\"}},\"additionalProperties\":false}},"
        "{\"type\":\"function\",\"name\":\"list_mcp_resource_templates\",\"description\":\"List "
        "the resource templates (URI patterns with parameters) that MCP servers offer. Leave out "
        "server to list every server's templates.\",\"strict\":false,\"parameters\":{\"type\":"
        "\"object\",\"properties\":{\"cursor\":{\"type\":\"string\",\"description\":\"The "
        "nextCursor of an earlier call, to get the next page; needs server.\"},\"server\":{"
        "\"type\":\"string\",\"description\":\"The MCP server's name as configured; leave out for "
        "all servers.\"}},\"additionalProperties\":false}},"
        "{\"type\":\"function\",\"name\":\"read_mcp_resource\",\"description\":\"Read one "
        "resource of an MCP server by its URI.\",\"strict\":false,\"parameters\":{\"type\":"
        "\"object\",\"properties\":{\"server\":{\"type\":\"string\",\"description\":\"The MCP "
        "server's name, as list_mcp_resources reports it.\"},\"uri\":{\"type\":\"string\","
        "\"description\":\"The resource's URI, as list_mcp_resources reports it.\"}},\"required\":"
        "[\"server\",\"uri\"],\"additionalProperties\":false}}]";
    json_t *tools = json_loads(spec, 0, NULL);
    struct tool_group g = {.tools = tools, .dispatch = resource_dispatch, .ud = t};
    tool_registry_put(t->registry, &g);
    json_decref(tools);
}
