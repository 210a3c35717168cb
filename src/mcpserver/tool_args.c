#include "mcpserver/tool_args.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

static json_t *string_prop(const char *description)
{
    return json_pack("{s:s s:s}", "description", description, "type", "string");
}

static json_t *enum_prop(const char *description, const char *const *values, size_t n)
{
    json_t *p = string_prop(description);
    json_t *e = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(e, json_string(values[i]));
    json_object_set_new(p, "enum", e);
    return p;
}

/* Both tools answer {threadId, content}. */
static json_t *output_schema(void)
{
    return json_pack("{s:s s:{s:{s:s} s:{s:s}} s:[s s]}", "type", "object", "properties", "threadId",
                     "type", "string", "content", "type", "string", "required", "threadId", "content");
}

static json_t *codex_tool(void)
{
    static const char *const approvals[] = {"on-request", "never"};
    static const char *const sandboxes[] = {"read-only", "workspace-write", "danger-full-access"};
    json_t *props = json_object();
    json_object_set_new(props, "approval-policy",
                        enum_prop("When Codex stops to ask before running a command: `on-request` "
                                  "(when the model asks for it) or `never`.",
                                  approvals, 2));
    json_object_set_new(props, "base-instructions",
                        string_prop("Text that replaces Codex's built-in instructions."));
    json_object_set_new(props, "compact-prompt",
                        string_prop("The prompt used when the conversation is summarised to stay "
                                    "inside the context window."));
    json_object_set_new(props, "config",
                        json_pack("{s:s s:s s:b}", "description",
                                  "Settings for this session, as keys and values, that take "
                                  "precedence over CODEX_HOME/config.toml.",
                                  "type", "object", "additionalProperties", 1));
    json_object_set_new(props, "cwd",
                        string_prop("The session's working directory; a relative path starts "
                                    "from the directory the server runs in."));
    json_object_set_new(props, "developer-instructions",
                        string_prop("Further instructions, given to the model as a developer "
                                    "message."));
    json_object_set_new(props, "model",
                        string_prop("A model to use instead of the configured one (for example "
                                    "'gpt-5.5')."));
    json_object_set_new(props, "prompt", string_prop("The task: the session's first user message."));
    json_object_set_new(props, "sandbox",
                        enum_prop("Where commands may write: `read-only`, `workspace-write` or "
                                  "`danger-full-access`.",
                                  sandboxes, 3));
    json_t *input = json_pack("{s:b s:o s:[s] s:s}", "additionalProperties", 0, "properties", props,
                              "required", "prompt", "type", "object");
    return json_pack("{s:s s:s s:s s:o s:o}", "name", "codex", "title", "Codex", "description",
                     "Start a Codex session on a task. It runs to the end of its turn and answers "
                     "with its final message and the thread id to continue it with codex-reply.",
                     "inputSchema", input, "outputSchema", output_schema());
}

static json_t *reply_tool(void)
{
    json_t *props = json_object();
    json_object_set_new(props, "conversationId",
                        string_prop("The former name of threadId, still accepted; use threadId."));
    json_object_set_new(props, "prompt", string_prop("The next user message of the session."));
    json_object_set_new(props, "threadId",
                        string_prop("The threadId a codex call answered with (required; older "
                                    "clients send conversationId instead)."));
    json_t *input = json_pack("{s:o s:[s] s:s}", "properties", props, "required", "prompt", "type",
                              "object");
    return json_pack("{s:s s:s s:s s:o s:o}", "name", "codex-reply", "title", "Codex Reply",
                     "description",
                     "Send the next message to a session a codex call started and answer with "
                     "its reply.",
                     "inputSchema", input, "outputSchema", output_schema());
}

json_t *mcps_tools_list(void)
{
    return json_pack("{s:[o o]}", "tools", codex_tool(), reply_tool());
}

/* ---- arguments ---------------------------------------------------------- */

/* A value as serde names it in "invalid type: ..." messages. */
static char *describe(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        char *d = xasprintf("string %s", s ? s : "\"\"");
        free(s);
        return d;
    }
    case JSON_INTEGER:
        return xasprintf("integer `%" JSON_INTEGER_FORMAT "`", json_integer_value(v));
    case JSON_REAL:
        return xasprintf("floating point `%g`", json_real_value(v));
    case JSON_TRUE:
        return xstrdup("boolean `true`");
    case JSON_FALSE:
        return xstrdup("boolean `false`");
    case JSON_ARRAY:
        return xstrdup("sequence");
    case JSON_OBJECT:
        return xstrdup("map");
    default:
        return xstrdup("null");
    }
}

static char *invalid_type(const json_t *v, const char *expected)
{
    char *what = describe(v);
    char *why = xasprintf("invalid type: %s, expected %s", what, expected);
    free(what);
    return why;
}

/* A string member: 1 set, 0 absent or null, -1 with *why. */
static int take_string(const json_t *args, const char *key, char **out, char **why)
{
    const json_t *v = json_object_get(args, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        *why = invalid_type(v, "a string");
        return -1;
    }
    *out = xstrdup(json_string_value(v));
    return 1;
}

static int check_variant(const char *value, const char *const *allowed, size_t n, char **why)
{
    if (!value)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(value, allowed[i]) == 0)
            return 0;
    struct buf b = BUF_INIT;
    buf_printf(&b, "unknown variant `%s`, expected ", value);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s`%s`", i == 0 ? (n > 2 ? "one of " : "") : (n == 2 ? " or " : ", "),
                   allowed[i]);
    *why = buf_detach(&b, NULL);
    return -1;
}

static const char *const codex_fields[] = {
    "prompt", "model", "profile", "cwd", "approval-policy", "sandbox", "config",
    "base-instructions", "developer-instructions", "compact-prompt",
};
#define N_CODEX_FIELDS (sizeof codex_fields / sizeof codex_fields[0])

static int unknown_field(const json_t *args, char **why)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)args, key, v) {
        bool known = false;
        for (size_t i = 0; i < N_CODEX_FIELDS && !known; i++)
            known = strcmp(key, codex_fields[i]) == 0;
        if (known)
            continue;
        struct buf b = BUF_INIT;
        buf_printf(&b, "unknown field `%s`, expected one of ", key);
        for (size_t i = 0; i < N_CODEX_FIELDS; i++)
            buf_printf(&b, "%s`%s`", i ? ", " : "", codex_fields[i]);
        *why = buf_detach(&b, NULL);
        return -1;
    }
    return 0;
}

int mcps_codex_args_parse(const json_t *args, struct mcps_codex_args *a, char **why)
{
    static const char *const approvals[] = {"untrusted", "on-failure", "on-request", "never"};
    static const char *const sandboxes[] = {"read-only", "workspace-write", "danger-full-access"};
    memset(a, 0, sizeof *a);
    *why = NULL;
    if (!args || json_is_null(args)) {
        *why = xstrdup("missing field `prompt`");
        return -1;
    }
    if (!json_is_object(args)) {
        *why = invalid_type(args, "struct CodexToolCallParam");
        return -1;
    }
    if (unknown_field(args, why) < 0 || take_string(args, "prompt", &a->prompt, why) < 0 ||
        take_string(args, "model", &a->model, why) < 0 ||
        take_string(args, "profile", &a->profile, why) < 0 ||
        take_string(args, "cwd", &a->cwd, why) < 0 ||
        take_string(args, "approval-policy", &a->approval_policy, why) < 0 ||
        check_variant(a->approval_policy, approvals, 4, why) < 0 ||
        take_string(args, "sandbox", &a->sandbox, why) < 0 ||
        check_variant(a->sandbox, sandboxes, 3, why) < 0 ||
        take_string(args, "base-instructions", &a->base_instructions, why) < 0 ||
        take_string(args, "developer-instructions", &a->developer_instructions, why) < 0 ||
        take_string(args, "compact-prompt", &a->compact_prompt, why) < 0)
        goto fail;
    const json_t *config = json_object_get(args, "config");
    if (config && !json_is_null(config)) {
        if (!json_is_object(config)) {
            *why = invalid_type(config, "a map");
            goto fail;
        }
        a->config = json_incref((json_t *)config);
    }
    if (!a->prompt) {
        *why = xstrdup("missing field `prompt`");
        goto fail;
    }
    return 0;
fail:
    mcps_codex_args_free(a);
    return -1;
}

void mcps_codex_args_free(struct mcps_codex_args *a)
{
    free(a->prompt);
    free(a->model);
    free(a->profile);
    free(a->cwd);
    free(a->approval_policy);
    free(a->sandbox);
    json_decref(a->config);
    free(a->base_instructions);
    free(a->developer_instructions);
    free(a->compact_prompt);
    memset(a, 0, sizeof *a);
}

int mcps_reply_args_parse(const json_t *args, struct mcps_reply_args *a, char **why)
{
    memset(a, 0, sizeof *a);
    *why = NULL;
    if (!args || json_is_null(args)) {
        *why = xstrdup("missing field `prompt`");
        return -1;
    }
    if (!json_is_object(args)) {
        *why = invalid_type(args, "struct CodexToolCallReplyParam");
        return -1;
    }
    char *conversation = NULL;
    if (take_string(args, "prompt", &a->prompt, why) < 0 ||
        take_string(args, "threadId", &a->thread_id, why) < 0 ||
        take_string(args, "conversationId", &conversation, why) < 0)
        goto fail;
    if (!a->thread_id) {
        a->thread_id = conversation;
        conversation = NULL;
    }
    free(conversation);
    if (!a->prompt) {
        *why = xstrdup("missing field `prompt`");
        goto fail;
    }
    if (!a->thread_id) {
        *why = xstrdup("missing field `threadId`");
        goto fail;
    }
    return 0;
fail:
    free(conversation);
    mcps_reply_args_free(a);
    return -1;
}

void mcps_reply_args_free(struct mcps_reply_args *a)
{
    free(a->prompt);
    free(a->thread_id);
    memset(a, 0, sizeof *a);
}
