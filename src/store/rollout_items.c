#include "store/rollout_items.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static json_t *copy_or_null(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v ? json_deep_copy(v) : json_null();
}

/* Joined text of content parts {type, text} whatever their type name. */
static char *content_text(const json_t *parts)
{
    struct buf b = BUF_INIT;
    size_t i;
    const json_t *part;
    json_array_foreach(parts, i, part)
        buf_puts(&b, str(part, "text"));
    return buf_detach(&b, NULL);
}

static void shell_quote(struct buf *b, const char *word)
{
    bool plain = *word != '\0';
    for (const char *p = word; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || strchr("-_./=:,+@%", *p);
    if (plain) {
        buf_puts(b, word);
        return;
    }
    buf_putc(b, '\'');
    for (const char *p = word; *p; p++) {
        if (*p == '\'')
            buf_puts(b, "'\\''");
        else
            buf_putc(b, *p);
    }
    buf_putc(b, '\'');
}

/* snake_case -> camelCase, for the enums stored in the reference's form. */
static json_t *camel(const char *snake_text)
{
    struct buf b = BUF_INIT;
    for (const char *p = snake_text; *p; p++) {
        if (*p == '_' && p[1]) {
            buf_putc(&b, (char)toupper((unsigned char)*++p));
        } else {
            buf_putc(&b, *p);
        }
    }
    json_t *out = json_string(buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* parsed_cmd {type: list_files, cmd, ...} as v2 commandActions
 * {type: listFiles, command, ...}. */
static json_t *command_actions_of(const json_t *parsed)
{
    json_t *out = json_array();
    size_t i;
    const json_t *pc;
    json_array_foreach(parsed, i, pc) {
        json_t *a = json_pack("{s:o s:s}", "type", camel(str(pc, "type")), "command", str(pc, "cmd"));
        static const char *const keys[] = {"name", "path", "query", NULL};
        for (const char *const *k = keys; *k; k++)
            if (json_object_get(pc, *k))
                json_object_set(a, *k, json_object_get(pc, *k));
        json_array_append_new(out, a);
    }
    return out;
}

static json_t *command_execution(const json_t *item)
{
    struct buf cmd = BUF_INIT;
    size_t i;
    const json_t *word;
    json_array_foreach(json_object_get(item, "command"), i, word) {
        if (i)
            buf_putc(&cmd, ' ');
        shell_quote(&cmd, json_string_value(word) ? json_string_value(word) : "");
    }
    char *command = buf_detach(&cmd, NULL);
    const char *cwd = str(item, "cwd");
    if (strncmp(cwd, "file://", 7) == 0)
        cwd += 7;
    json_t *v2 = json_pack("{s:s s:s s:s s:s s:o s:o}", "type", "commandExecution", "id",
                           str(item, "id"), "command", command, "cwd", cwd, "status",
                           camel(*str(item, "status") ? str(item, "status") : "completed"),
                           "commandActions", command_actions_of(json_object_get(item, "parsed_cmd")));
    if (*str(item, "source"))
        json_object_set_new(v2, "source", camel(str(item, "source")));
    free(command);
    json_object_set_new(v2, "processId", copy_or_null(item, "process_id"));
    json_object_set_new(v2, "aggregatedOutput", copy_or_null(item, "aggregated_output"));
    json_object_set_new(v2, "exitCode", copy_or_null(item, "exit_code"));
    json_t *d = json_object_get(item, "duration");
    json_object_set_new(v2, "durationMs",
                        json_is_object(d)
                            ? json_integer(json_integer_value(json_object_get(d, "secs")) * 1000 +
                                           json_integer_value(json_object_get(d, "nanos")) /
                                               1000000)
                            : json_null());
    return v2;
}

static json_t *file_change(const json_t *item)
{
    json_t *changes = json_array();
    const char *path;
    json_t *c;
    json_object_foreach((json_t *)json_object_get(item, "changes"), path, c) {
        const char *kind = str(c, "type");
        json_t *k = json_pack("{s:s}", "type", kind);
        if (strcmp(kind, "update") == 0)
            json_object_set_new(k, "move_path", copy_or_null(c, "move_path"));
        const char *diff = strcmp(kind, "update") == 0 ? str(c, "unified_diff") : str(c, "content");
        json_array_append_new(changes,
                              json_pack("{s:s s:o s:s}", "path", path, "kind", k, "diff", diff));
    }
    return json_pack("{s:s s:s s:o s:o}", "type", "fileChange", "id", str(item, "id"), "changes",
                     changes, "status", camel(*str(item, "status") ? str(item, "status") : "completed"));
}

static json_t *strings_of(const json_t *arr)
{
    json_t *out = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
        if (json_is_string(v))
            json_array_append(out, (json_t *)v);
    return out;
}

/* ---- v2 -> the reference's internal shape ----------------------------------- */

/* {secs, nanos} as Rust's Duration serializes, from milliseconds. */
static json_t *duration_of(const json_t *item)
{
    const json_t *ms = json_object_get(item, "durationMs");
    if (!json_is_integer(ms))
        return NULL;
    json_int_t v = json_integer_value(ms);
    return json_pack("{s:I s:I}", "secs", v / 1000, "nanos", (v % 1000) * 1000000);
}

/* camelCase -> snake_case: the status and source enums, the action types. */
static json_t *snake(const char *camel)
{
    struct buf b = BUF_INIT;
    for (const char *p = camel; *p; p++) {
        if (isupper((unsigned char)*p)) {
            buf_putc(&b, '_');
            buf_putc(&b, (char)tolower((unsigned char)*p));
        } else {
            buf_putc(&b, *p);
        }
    }
    json_t *out = json_string(buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* The reverse of the tools' quoting of an argv: words split as a POSIX
 * shell splits them (quotes and backslashes; nothing is expanded). */
static json_t *split_words(const char *line)
{
    json_t *words = json_array();
    const char *p = line;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        struct buf w = BUF_INIT;
        buf_puts(&w, "");
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\'') {
                const char *close = strchr(p + 1, '\'');
                size_t n = close ? (size_t)(close - p - 1) : strlen(p + 1);
                buf_append(&w, p + 1, n);
                p += n + 1 + (close != NULL);
            } else if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                    if (*p == '\\' && p[1] && strchr("\"\\$`\n", p[1]))
                        p++;
                    buf_putc(&w, *p);
                }
                if (*p)
                    p++;
            } else if (*p == '\\' && p[1]) {
                buf_putc(&w, p[1]);
                p += 2;
            } else {
                buf_putc(&w, *p++);
            }
        }
        json_array_append_new(words, json_string(buf_cstr(&w)));
        buf_free(&w);
    }
    return words;
}

/* commandActions {type: read|listFiles|search|unknown, command, ...} as
 * the reference's parsed_cmd {type: read|list_files|search|unknown, cmd, ...}. */
static json_t *parsed_cmd_of(const json_t *actions)
{
    json_t *out = json_array();
    size_t i;
    const json_t *a;
    json_array_foreach(actions, i, a) {
        json_t *pc = json_object();
        json_object_set_new(pc, "type", snake(str(a, "type")));
        json_object_set_new(pc, "cmd", json_string(str(a, "command")));
        static const char *const keys[] = {"name", "path", "query", NULL};
        for (const char *const *k = keys; *k; k++)
            if (json_object_get(a, *k))
                json_object_set(pc, *k, json_object_get(a, *k));
        json_array_append_new(out, pc);
    }
    return out;
}

static json_t *command_execution_item(const json_t *item)
{
    const char *cwd = str(item, "cwd");
    char *cwd_uri = xasprintf("file://%s", cwd);
    const char *source = str(item, "source");
    json_t *out = json_pack("{s:s s:s s:o s:s s:o s:o s:o}", "type", "CommandExecution", "id",
                            str(item, "id"), "command", split_words(str(item, "command")), "cwd",
                            cwd_uri, "parsed_cmd", parsed_cmd_of(json_object_get(item, "commandActions")),
                            "source", snake(*source ? source : "unifiedExecStartup"), "status",
                            snake(*str(item, "status") ? str(item, "status") : "completed"));
    free(cwd_uri);
    if (json_is_string(json_object_get(item, "processId")))
        json_object_set(out, "process_id", json_object_get(item, "processId"));
    if (json_is_string(json_object_get(item, "aggregatedOutput")))
        json_object_set(out, "aggregated_output", json_object_get(item, "aggregatedOutput"));
    if (json_is_integer(json_object_get(item, "exitCode")))
        json_object_set(out, "exit_code", json_object_get(item, "exitCode"));
    json_t *d = duration_of(item);
    if (d)
        json_object_set_new(out, "duration", d);
    return out;
}

static json_t *file_change_item(const json_t *item)
{
    json_t *changes = json_object();
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(item, "changes"), i, c) {
        const json_t *kind = json_object_get(c, "kind");
        const char *type = str(kind, "type");
        json_t *change;
        if (strcmp(type, "update") == 0) {
            change = json_pack("{s:s s:s}", "type", "update", "unified_diff", str(c, "diff"));
            const json_t *move = json_object_get(kind, "move_path");
            json_object_set_new(change, "move_path", json_is_string(move) ? json_copy((json_t *)move)
                                                                          : json_null());
        } else {
            change = json_pack("{s:s s:s}", "type", *type ? type : "add", "content", str(c, "diff"));
        }
        json_object_set_new(changes, str(c, "path"), change);
    }
    json_t *out = json_pack("{s:s s:s s:o}", "type", "FileChange", "id", str(item, "id"), "changes",
                            changes);
    const char *status = str(item, "status");
    if (*status)
        json_object_set_new(out, "status", snake(status));
    return out;
}

static json_t *user_message_item(const json_t *item)
{
    json_t *content = json_array();
    size_t i;
    const json_t *part;
    json_array_foreach(json_object_get(item, "content"), i, part) {
        const char *type = str(part, "type");
        json_t *in;
        if (strcmp(type, "text") == 0) {
            const json_t *elements = json_object_get(part, "text_elements");
            in = json_pack("{s:s s:s s:o}", "type", "text", "text", str(part, "text"),
                           "text_elements", json_is_array(elements)
                                                ? json_deep_copy(elements)
                                                : json_array());
        } else if (strcmp(type, "image") == 0) {
            in = json_pack("{s:s s:s}", "type", "image", "image_url", str(part, "url"));
        } else if (strcmp(type, "localImage") == 0) {
            in = json_pack("{s:s s:s}", "type", "local_image", "path", str(part, "path"));
        } else {
            in = json_deep_copy(part);
        }
        json_array_append_new(content, in);
    }
    return json_pack("{s:s s:s s:o}", "type", "UserMessage", "id", str(item, "id"), "content",
                     content);
}

static json_t *agent_message_item(const json_t *item)
{
    json_t *out = json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "AgentMessage", "id",
                            str(item, "id"), "content", "type", "Text", "text", str(item, "text"));
    if (json_is_string(json_object_get(item, "phase")))
        json_object_set(out, "phase", json_object_get(item, "phase"));
    return out;
}

/* An MCP call as the reference stores it: McpToolCall with the result
 * (isError when it failed) or the error, and a duration. */
static json_t *mcp_tool_call_item(const json_t *item)
{
    json_t *out = json_pack("{s:s s:s s:s s:s s:O}", "type", "McpToolCall", "id", str(item, "id"),
                            "server", str(item, "server"), "tool", str(item, "tool"), "arguments",
                            json_object_get(item, "arguments") ? json_object_get(item, "arguments")
                                                               : json_null());
    if (json_is_true(json_object_get(item, "readOnlyHint")))
        json_object_set_new(out, "readOnlyHint", json_true());
    const char *status = str(item, "status");
    json_object_set_new(out, "status", json_string(strcmp(status, "inProgress") == 0 ? "in_progress" : status));
    const json_t *result = json_object_get(item, "result");
    const json_t *error = json_object_get(item, "error");
    if (json_is_object(result)) {
        json_t *r = json_pack("{s:O}", "content", json_object_get(result, "content"));
        const json_t *sc = json_object_get(result, "structuredContent");
        if (sc && !json_is_null(sc))
            json_object_set(r, "structuredContent", (json_t *)sc);
        if (strcmp(status, "failed") == 0)
            json_object_set_new(r, "isError", json_true());
        json_object_set_new(out, "result", r);
    } else if (json_is_object(error)) {
        json_object_set_new(out, "error", json_pack("{s:s}", "message", str(error, "message")));
    }
    json_int_t ms = json_integer_value(json_object_get(item, "durationMs"));
    json_object_set_new(out, "duration", json_pack("{s:I s:I}", "secs", ms / 1000, "nanos",
                                                   (ms % 1000) * 1000000));
    return out;
}

/* A subagent tool call as the reference records it: snake_case tool and
 * status, receiver_agents, and each agent's state as its tools report it
 * ("pending_init", {"completed": msg}, ...). */
static json_t *collab_item(const json_t *item)
{
    json_t *out = json_pack("{s:s s:s s:o s:o s:s s:O}", "type", "CollabAgentToolCall", "id",
                            str(item, "id"), "tool", snake(str(item, "tool")), "status",
                            snake(str(item, "status")), "sender_thread_id",
                            str(item, "senderThreadId"), "receiver_thread_ids",
                            json_object_get(item, "receiverThreadIds")
                                ? json_object_get(item, "receiverThreadIds") : json_array());
    json_t *agents = json_array();
    size_t i;
    const json_t *id;
    json_array_foreach(json_object_get(item, "receiverThreadIds"), i, id)
        json_array_append_new(agents, json_pack("{s:O}", "thread_id", id));
    json_object_set_new(out, "receiver_agents", agents);
    static const char *const keep[][2] = {{"prompt", "prompt"}, {"model", "model"},
                                          {"reasoningEffort", "reasoning_effort"}};
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++) {
        const json_t *v = json_object_get(item, keep[k][0]);
        if (json_is_string(v))
            json_object_set(out, keep[k][1], (json_t *)v);
    }
    json_t *states = json_object();
    const char *key;
    const json_t *st;
    json_object_foreach((json_t *)json_object_get(item, "agentsStates"), key, st) {
        const char *status = str(st, "status");
        const json_t *msg = json_object_get(st, "message");
        if (strcmp(status, "completed") == 0 || strcmp(status, "errored") == 0)
            json_object_set_new(states, key, json_pack("{s:O}", status, msg ? msg : json_null()));
        else
            json_object_set_new(states, key, snake(status));
    }
    json_object_set_new(out, "agents_states", states);
    return out;
}

static json_t *collab_v2(const json_t *item)
{
    const json_t *ids = json_object_get(item, "receiver_thread_ids");
    json_t *v2 = json_pack("{s:s s:s s:o s:o s:s s:O}", "type", "collabAgentToolCall", "id",
                           str(item, "id"), "tool", camel(str(item, "tool")), "status",
                           camel(*str(item, "status") ? str(item, "status") : "completed"),
                           "senderThreadId", str(item, "sender_thread_id"), "receiverThreadIds",
                           ids ? ids : json_array());
    const json_t *prompt = json_object_get(item, "prompt");
    json_object_set_new(v2, "prompt", json_is_string(prompt) ? json_incref((json_t *)prompt) : json_null());
    /* A spawn's model and effort, as stored (collab_item). */
    const json_t *model = json_object_get(item, "model"), *effort = json_object_get(item, "reasoning_effort");
    if (json_is_string(model))
        json_object_set(v2, "model", (json_t *)model);
    if (json_is_string(effort))
        json_object_set(v2, "reasoningEffort", (json_t *)effort);
    json_t *states = json_object();
    const char *key;
    const json_t *st;
    json_object_foreach((json_t *)json_object_get(item, "agents_states"), key, st) {
        if (json_is_string(st)) {
            json_object_set_new(states, key, json_pack("{s:o s:n}", "status",
                                                       camel(json_string_value(st)), "message"));
            continue;
        }
        const char *k = json_object_iter_key(json_object_iter((json_t *)st));
        const json_t *msg = k ? json_object_get(st, k) : NULL;
        json_object_set_new(states, key, json_pack("{s:s s:O}", "status", k ? k : "completed",
                                                   "message", json_is_string(msg) ? msg : json_null()));
    }
    json_object_set_new(v2, "agentsStates", states);
    return v2;
}

static const char *const action_types[][2] = {
    {"search", "search"}, {"open_page", "openPage"}, {"find_in_page", "findInPage"}, {"other", "other"}};

static json_t *renamed_action(const json_t *action, int from, int to)
{
    json_t *out = json_deep_copy(action);
    const char *type = str(action, "type");
    for (size_t i = 0; i < sizeof action_types / sizeof *action_types; i++)
        if (strcmp(type, action_types[i][from]) == 0)
            json_object_set_new(out, "type", json_string(action_types[i][to]));
    return out;
}

json_t *web_search_action_to_v2(const json_t *action)
{
    return renamed_action(action, 0, 1);
}

json_t *web_search_action_from_v2(const json_t *action)
{
    return renamed_action(action, 1, 0);
}

json_t *web_search_item_from_call(const json_t *call)
{
    const json_t *action = json_object_get(call, "action");
    const char *type = str(action, "type");
    char *query;
    if (strcmp(type, "search") == 0) {
        const char *q = str(action, "query");
        const json_t *qs = json_object_get(action, "queries");
        /* A search with only a list of queries shows the first, and " ..."
         * when there are more. */
        if (!*q && json_is_array(qs) && json_is_string(json_array_get(qs, 0))) {
            q = json_string_value(json_array_get(qs, 0));
            query = xasprintf("%s%s", q, *q && json_array_size(qs) > 1 ? " ..." : "");
        } else {
            query = xstrdup(q);
        }
    } else if (strcmp(type, "open_page") == 0) {
        query = xstrdup(str(action, "url"));
    } else if (strcmp(type, "find_in_page") == 0) {
        query = xasprintf("'%s' in %s", str(action, "pattern"), str(action, "url"));
    } else {
        query = xstrdup("");
    }
    json_t *item = json_pack("{s:s s:s s:s s:o}", "type", "webSearch", "id", str(call, "id"),
                             "query", query, "action",
                             json_is_object(action) && *type ? web_search_action_to_v2(action)
                                                             : json_pack("{s:s}", "type", "other"));
    free(query);
    return item;
}

json_t *rollout_item_from_v2(const json_t *item)
{
    const char *type = str(item, "type");
    if (strcmp(type, "userMessage") == 0)
        return user_message_item(item);
    if (strcmp(type, "agentMessage") == 0)
        return agent_message_item(item);
    if (strcmp(type, "reasoning") == 0)
        return json_pack("{s:s s:s s:o s:o}", "type", "Reasoning", "id", str(item, "id"),
                         "summary_text", strings_of(json_object_get(item, "summary")),
                         "raw_content", strings_of(json_object_get(item, "content")));
    if (strcmp(type, "commandExecution") == 0)
        return command_execution_item(item);
    if (strcmp(type, "fileChange") == 0)
        return file_change_item(item);
    if (strcmp(type, "mcpToolCall") == 0)
        return mcp_tool_call_item(item);
    if (strcmp(type, "contextCompaction") == 0)
        return json_pack("{s:s s:s}", "type", "ContextCompaction", "id", str(item, "id"));
    if (strcmp(type, "collabAgentToolCall") == 0)
        return collab_item(item);
    if (strcmp(type, "webSearch") == 0) {
        const json_t *action = json_object_get(item, "action");
        return json_pack("{s:s s:s s:s s:o}", "type", "WebSearch", "id", str(item, "id"), "query",
                         str(item, "query"), "action",
                         json_is_object(action) ? web_search_action_from_v2(action)
                                                : json_pack("{s:s}", "type", "other"));
    }
    return json_incref((json_t *)item);
}

/* ---- the reference's internal shape -> v2 ----------------------------------- */

static json_t *mcp_tool_call_v2(const json_t *item)
{
    const json_t *d = json_object_get(item, "duration");
    json_t *v2 = json_pack("{s:s s:s s:s s:s s:O}", "type", "mcpToolCall", "id", str(item, "id"),
                           "server", str(item, "server"), "tool", str(item, "tool"), "arguments",
                           json_object_get(item, "arguments") ? json_object_get(item, "arguments")
                                                              : json_null());
    const char *status = str(item, "status");
    json_object_set_new(v2, "status", json_string(strcmp(status, "in_progress") == 0 ? "inProgress"
                                                  : *status ? status : "completed"));
    const json_t *result = json_object_get(item, "result");
    if (json_is_object(result)) {
        json_t *r = json_pack("{s:O}", "content", json_object_get(result, "content")
                                                      ? json_object_get(result, "content")
                                                      : json_array());
        if (json_object_get(result, "structuredContent"))
            json_object_set(r, "structuredContent", json_object_get(result, "structuredContent"));
        json_object_set_new(v2, "result", r);
    } else {
        json_object_set_new(v2, "result", json_null());
    }
    const json_t *error = json_object_get(item, "error");
    json_object_set_new(v2, "error", json_is_object(error)
                                         ? json_pack("{s:s}", "message", str(error, "message"))
                                         : json_null());
    json_object_set_new(v2, "durationMs",
                        json_is_object(d)
                            ? json_integer(json_integer_value(json_object_get(d, "secs")) * 1000 +
                                           json_integer_value(json_object_get(d, "nanos")) / 1000000)
                            : json_null());
    if (json_is_true(json_object_get(item, "readOnlyHint")))
        json_object_set_new(v2, "readOnlyHint", json_true());
    return v2;
}

json_t *rollout_item_to_v2(const json_t *item)
{
    const char *type = json_string_value(json_object_get(item, "type"));
    if (!type)
        return NULL;
    if (islower((unsigned char)type[0]))
        return json_deep_copy(item);
    if (strcmp(type, "UserMessage") == 0) {
        char *text = content_text(json_object_get(item, "content"));
        json_t *v2 = json_pack("{s:s s:s s:[{s:s s:s s:[]}]}", "type", "userMessage", "id",
                               str(item, "id"), "content", "type", "text", "text", text,
                               "text_elements");
        free(text);
        return v2;
    }
    if (strcmp(type, "AgentMessage") == 0) {
        char *text = content_text(json_object_get(item, "content"));
        json_t *v2 = json_pack("{s:s s:s s:s}", "type", "agentMessage", "id", str(item, "id"),
                               "text", text);
        free(text);
        if (json_is_string(json_object_get(item, "phase")))
            json_object_set(v2, "phase", json_object_get(item, "phase"));
        return v2;
    }
    if (strcmp(type, "Reasoning") == 0)
        return json_pack("{s:s s:s s:o s:o}", "type", "reasoning", "id", str(item, "id"),
                         "summary", strings_of(json_object_get(item, "summary_text")), "content",
                         strings_of(json_object_get(item, "raw_content")));
    if (strcmp(type, "CommandExecution") == 0)
        return command_execution(item);
    if (strcmp(type, "McpToolCall") == 0)
        return mcp_tool_call_v2(item);
    if (strcmp(type, "FileChange") == 0)
        return file_change(item);
    if (strcmp(type, "ContextCompaction") == 0)
        return json_pack("{s:s s:s}", "type", "contextCompaction", "id", str(item, "id"));
    if (strcmp(type, "CollabAgentToolCall") == 0)
        return collab_v2(item);
    if (strcmp(type, "WebSearch") == 0) {
        const json_t *action = json_object_get(item, "action");
        return json_pack("{s:s s:s s:s s:o}", "type", "webSearch", "id", str(item, "id"), "query",
                         str(item, "query"), "action",
                         json_is_object(action) ? web_search_action_to_v2(action)
                                                : json_pack("{s:s}", "type", "other"));
    }
    return NULL;
}

char *rollout_user_input_text(const json_t *item)
{
    if (strcmp(str(item, "type"), "message") != 0 || strcmp(str(item, "role"), "user") != 0)
        return NULL;
    struct buf b = BUF_INIT;
    size_t i;
    const json_t *part;
    json_array_foreach(json_object_get(item, "content"), i, part) {
        const char *text = str(part, "text");
        if (strcmp(str(part, "type"), "input_text") != 0 || !*text)
            continue;
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, text);
    }
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    char *text = buf_detach(&b, NULL);
    /* Injected context opens with a tag or the AGENTS.md heading; what a
     * person types rarely does, and the reference draws the line there. */
    static const char *const context_openers[] = {"# AGENTS.md instructions for", "<environment_context>",
                                                  "<user_instructions>", "<user_shell_command>",
                                                  "<turn_aborted>", "<skill>", "<subagent_notification>",
                                                  NULL};
    for (const char *const *p = context_openers; *p; p++)
        if (strncmp(text, *p, strlen(*p)) == 0) {
            free(text);
            return NULL;
        }
    return text;
}
