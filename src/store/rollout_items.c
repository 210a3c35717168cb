#include "store/rollout_items.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

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
    json_t *v2 = json_pack("{s:s s:s s:s s:s s:s s:[]}", "type", "commandExecution", "id",
                           str(item, "id"), "command", command, "cwd", cwd, "status",
                           *str(item, "status") ? str(item, "status") : "completed",
                           "commandActions");
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
    return json_pack("{s:s s:s s:o s:s}", "type", "fileChange", "id", str(item, "id"), "changes",
                     changes, "status", *str(item, "status") ? str(item, "status") : "completed");
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

/* An MCP call as the reference stores it: McpToolCall with the result
 * (isError when it failed) or the error, and a duration. */
json_t *rollout_item_from_v2(const json_t *item)
{
    const char *type = json_string_value(json_object_get(item, "type"));
    if (!type || strcmp(type, "mcpToolCall") != 0)
        return json_incref((json_t *)item);
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
