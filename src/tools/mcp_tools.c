#include "tools/mcp_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/mcp_tools_internal.h"
#include "tools/registry.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/sha1.h"
#include "util/xalloc.h"

/* ---- names ------------------------------------------------------------------ */

char *mcp_sanitize_name(const char *name)
{
    size_t n = strlen(name);
    if (!n)
        return xstrdup("_");
    char *s = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        s[i] = ok ? c : '_';
    }
    s[n] = 0;
    return s;
}

/* base + '_' + 12 hex digits of the SHA-1 of raw: a name two raw names can
 * no longer share. */
static char *with_hash(const char *base, const char *raw)
{
    unsigned char d[20];
    sha1_digest(raw, strlen(raw), d);
    char hex[13];
    for (int i = 0; i < 6; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return xasprintf("%s_%s", base, hex);
}

/* Sanitized names for raw names; those that collide all get a hash. */
static char **unique_names(const char *const *raw, size_t n, const char *prefix)
{
    char **out = xcalloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        char *s = mcp_sanitize_name(raw[i]);
        out[i] = xasprintf("%s%s", prefix, s);
        free(s);
    }
    bool *clash = xcalloc(n ? n : 1, sizeof *clash);
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            if (strcmp(out[i], out[k]) == 0)
                clash[i] = clash[k] = true;
    for (size_t i = 0; i < n; i++) {
        if (!clash[i])
            continue;
        char *h = with_hash(out[i], raw[i]);
        free(out[i]);
        out[i] = h;
    }
    free(clash);
    return out;
}

const char *mcp_tools_namespace(const struct mcp_tools *t, size_t i)
{
    return i < t->n ? t->servers[i].ns : NULL;
}

/* ---- registration --------------------------------------------------------------- */

static int cmp_tool(const void *a, const void *b)
{
    return strcmp(((const struct mcp_tool_entry *)a)->name, ((const struct mcp_tool_entry *)b)->name);
}

static void entries_free(struct mcp_server_entry *s)
{
    for (size_t i = 0; i < s->n_tools; i++) {
        free(s->tools[i].name);
        free(s->tools[i].raw);
    }
    free(s->tools);
    s->tools = NULL;
    s->n_tools = 0;
}

/* What tool_search matches a tool on: its names, server, title,
 * description, the server's instructions and its parameter names. */
static char *search_text(const struct mcp_server_entry *s, const char *name, const json_t *tool,
                         const char *instructions)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s__%s %s %s %s", s->ns, name, name,
               json_string_value(json_object_get(tool, "name")), s->server_name);
    const char *fields[] = {"title", "description"};
    for (int i = 0; i < 2; i++) {
        const char *v = json_string_value(json_object_get(tool, fields[i]));
        if (v && *v)
            buf_printf(&b, " %s", v);
    }
    if (instructions && *instructions)
        buf_printf(&b, " %s", instructions);
    const json_t *props = json_object_get(json_object_get(tool, "inputSchema"), "properties");
    size_t n = json_object_size(props), k = 0;
    const char **keys = xcalloc(n ? n : 1, sizeof *keys);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)props, key, v) keys[k++] = key;
    qsort(keys, k, sizeof *keys, mcp_cmp_strings);
    for (size_t i = 0; i < k; i++)
        buf_printf(&b, " %s", keys[i]);
    free(keys);
    return buf_detach(&b, NULL);
}

int mcp_cmp_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static enum mcp_approval_mode tool_mode(const struct mcp_server_config *cfg, const char *raw)
{
    for (size_t i = 0; i < cfg->n_tools; i++)
        if (strcmp(cfg->tools[i].tool, raw) == 0 && cfg->tools[i].approval_mode != MCP_APPROVAL_UNSET)
            return cfg->tools[i].approval_mode;
    return cfg->default_tools_approval_mode;
}

static void register_server(struct mcp_tools *t, struct mcp_server_entry *s, struct strvec *warnings)
{
    const struct mcp_server *srv = mcp_manager_server(t->manager, s->index);
    entries_free(s);
    size_t n = json_array_size(srv->tools);
    const char **raw = xcalloc(n ? n : 1, sizeof *raw);
    for (size_t i = 0; i < n; i++)
        raw[i] = json_string_value(json_object_get(json_array_get(srv->tools, i), "name"));
    char **names = unique_names(raw, n, "");
    s->tools = xcalloc(n ? n : 1, sizeof *s->tools);
    json_t **params = xcalloc(n ? n : 1, sizeof *params);
    for (size_t i = 0; i < n; i++) {
        const json_t *tool = json_array_get(srv->tools, i);
        char *why = NULL;
        json_t *p = mcp_schema_for_model(json_object_get(tool, "inputSchema"), &why);
        if (!p) {
            if (warnings)
                strvec_push_owned(warnings, xasprintf("MCP server '%s': tool '%s' is not offered: %s",
                                                      s->server_name, raw[i], why));
            free(why);
            free(names[i]);
            continue;
        }
        struct mcp_tool_entry *e = &s->tools[s->n_tools++];
        e->name = names[i];
        e->raw = xstrdup(raw[i]);
        e->tool = tool;
        e->read_only = json_is_true(json_object_get(json_object_get(tool, "annotations"), "readOnlyHint"));
        e->mode = tool_mode(srv->cfg, raw[i]);
        e->params = p;
    }
    free(names);
    free(raw);
    free(params);
    qsort(s->tools, s->n_tools, sizeof *s->tools, cmp_tool);
    json_t *specs = json_array(), *texts = json_array();
    for (size_t i = 0; i < s->n_tools; i++) {
        struct mcp_tool_entry *e = &s->tools[i];
        const char *d = json_string_value(json_object_get(e->tool, "description"));
        json_array_append_new(specs, json_pack("{s:s s:s s:s s:b s:o}", "type", "function", "name",
                                               e->name, "description", d ? d : "", "strict", 0,
                                               "parameters", e->params));
        e->params = NULL;
        char *text = search_text(s, e->name, e->tool, srv->instructions);
        json_array_append_new(texts, json_string(text));
        free(text);
    }
    /* The namespace's description is the server's instructions, trimmed. */
    char *description = NULL;
    if (srv->instructions) {
        const char *b = srv->instructions;
        while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
            b++;
        size_t len = strlen(b);
        while (len && (b[len - 1] == ' ' || b[len - 1] == '\t' || b[len - 1] == '\n' || b[len - 1] == '\r'))
            len--;
        description = xstrndup(b, len);
    }
    struct tool_group g = {
        .name = s->ns,
        .description = description,
        .deferred = true,
        .tools = specs,
        .search_texts = texts,
        .dispatch = mcp_tools_dispatch,
        .exclusive = mcp_tools_exclusive,
        .ud = s,
    };
    tool_registry_put(t->registry, &g);
    free(description);
    json_decref(specs);
    json_decref(texts);
    s->registered = true;
}

void mcp_tools_server_changed(struct mcp_tools *t, size_t i, struct strvec *warnings)
{
    if (i >= t->n)
        return;
    const struct mcp_server *srv = mcp_manager_server(t->manager, i);
    if (srv->state == MCP_SERVER_READY)
        register_server(t, &t->servers[i], warnings);
}

struct mcp_tools *mcp_tools_new(struct tool_registry *registry, struct mcp_manager *manager)
{
    struct mcp_tools *t = xcalloc(1, sizeof *t);
    t->registry = registry;
    t->manager = manager;
    t->n = mcp_manager_count(manager);
    t->servers = xcalloc(t->n ? t->n : 1, sizeof *t->servers);
    const char **raw = xcalloc(t->n ? t->n : 1, sizeof *raw);
    for (size_t i = 0; i < t->n; i++)
        raw[i] = mcp_manager_server(manager, i)->cfg->name;
    char **ns = unique_names(raw, t->n, "mcp__");
    for (size_t i = 0; i < t->n; i++) {
        t->servers[i].t = t;
        t->servers[i].index = i;
        t->servers[i].ns = ns[i];
        t->servers[i].server_name = raw[i];
    }
    free(ns);
    free(raw);
    if (t->n)
        mcp_resources_register(t);
    return t;
}

void mcp_tools_unregister(struct mcp_tools *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        if (t->servers[i].registered)
            tool_registry_remove(t->registry, t->servers[i].ns);
        t->servers[i].registered = false;
    }
    if (t->n)
        tool_registry_remove(t->registry, "list_mcp_resources");
}

void mcp_tools_free(struct mcp_tools *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        entries_free(&t->servers[i]);
        free(t->servers[i].ns);
    }
    free(t->servers);
    free(t);
}

/* ---- calls ------------------------------------------------------------------------- */

uint64_t mcp_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool mcp_tools_exclusive(void *ud, const char *tool)
{
    struct mcp_server_entry *s = ud;
    for (size_t i = 0; i < s->n_tools; i++)
        if (strcmp(s->tools[i].name, tool) == 0)
            return !s->tools[i].read_only;
    return false;
}

struct pending {
    struct mcp_server_entry *s;
    struct tool_call *call;
    char *raw;          /* the MCP tool name */
    json_t *arguments;  /* NULL when the model sent none */
    json_t *item;       /* the mcpToolCall item */
    bool read_only;
    uint64_t started_ns;
    struct tool_ask *ask;
    struct mcp_call *mcall;
    bool dropped;       /* the turn let go while a question was out */
};

static void pending_free(struct pending *p)
{
    free(p->raw);
    json_decref(p->arguments);
    json_decref(p->item);
    free(p);
}

/* The turn let go of the call: the question is withdrawn, the request is
 * cancelled at the server. */
static void on_drop(void *ud)
{
    struct pending *p = ud;
    if (p->ask) {
        struct tool_ask *ask = p->ask;
        p->ask = NULL;
        p->dropped = true;
        p->call->host->ops->ask_cancel(p->call->host->ctx, ask);
        return; /* the answer callback frees p */
    }
    if (p->mcall) {
        mcp_call_cancel(p->mcall, "MCP request cancelled by caller");
        p->mcall = NULL;
    }
    tool_call_unhold(p->call);
    pending_free(p);
}

static void finish(struct pending *p, json_t *output, const char *status, json_t *result,
                   const char *error)
{
    struct tool_call *call = p->call;
    double secs = (double)(mcp_now_ns() - p->started_ns) / 1e9;
    json_object_set_new(p->item, "status", json_string(status));
    json_object_set_new(p->item, "result", result ? result : json_null());
    json_object_set_new(p->item, "error", error ? json_pack("{s:s}", "message", error) : json_null());
    json_object_set_new(p->item, "durationMs", json_integer((json_int_t)(secs * 1000.0)));
    call->on_drop = NULL;
    if (tool_call_unhold(call)) {
        tool_emit_item(call->host, TOOL_EV_ITEM_COMPLETED, p->item);
        tool_call_finish_items(call, output);
    } else {
        json_decref(output);
    }
    pending_free(p);
}

static void fail_call(struct pending *p, const char *message)
{
    double secs = (double)(mcp_now_ns() - p->started_ns) / 1e9;
    finish(p, mcp_text_for_model(message, secs), "failed", NULL, message);
}

static void on_progress(void *ud, const json_t *params)
{
    struct pending *p = ud;
    const char *msg = json_string_value(json_object_get(params, "message"));
    char buf[128];
    if (!msg) {
        const json_t *done = json_object_get(params, "progress");
        const json_t *total = json_object_get(params, "total");
        if (json_is_number(total))
            snprintf(buf, sizeof buf, "%g/%g", json_number_value(done), json_number_value(total));
        else
            snprintf(buf, sizeof buf, "%g", json_number_value(done));
        msg = buf;
    }
    struct tool_event ev = {.kind = TOOL_EV_MCP_PROGRESS, .item_id = p->call->call_id, .delta = msg,
                            .delta_len = strlen(msg)};
    tool_emit(p->call->host, &ev);
}

static void on_result(void *ud, const json_t *result, const struct mcp_failure *f)
{
    struct pending *p = ud;
    p->mcall = NULL;
    double secs = (double)(mcp_now_ns() - p->started_ns) / 1e9;
    if (f) {
        char *caused = f->kind == MCP_FAIL_RPC ? xasprintf("Mcp error: %ld: %s", f->code, f->message)
                                               : xstrdup(f->message);
        char *msg = xasprintf("tool call error: tool call failed for `%s/%s`\n\nCaused by:\n    %s",
                              p->s->server_name, p->raw, caused);
        free(caused);
        finish(p, mcp_text_for_model(msg, secs), "failed", NULL, msg);
        free(msg);
        return;
    }
    /* The content as the reference writes it, for the model and the item. */
    json_t *canon = json_deep_copy(result);
    if (!json_is_object(canon)) {
        json_decref(canon);
        canon = json_object();
    }
    json_object_set_new(canon, "content", mcp_canonical(json_object_get(result, "content")));
    json_t *output = mcp_result_for_model(canon, secs);
    bool is_error = json_is_true(json_object_get(result, "isError"));
    finish(p, output, is_error ? "failed" : "completed", mcp_item_result(canon), NULL);
    json_decref(canon);
}

static void send_call(struct pending *p)
{
    struct tool_call *call = p->call;
    json_t *meta = json_pack("{s:s}", "callId", call->call_id);
    json_t *session = call->host->ops->mcp_meta ? call->host->ops->mcp_meta(call->host->ctx) : NULL;
    if (session)
        json_object_update(meta, session);
    json_decref(session);
    if (call->item_id)
        json_object_set_new(meta, "itemId", json_string(call->item_id));
    json_t *params = json_pack("{s:o s:s}", "_meta", meta, "name", p->raw);
    if (p->arguments)
        json_object_set(params, "arguments", p->arguments);
    const struct mcp_server *srv = mcp_manager_server(p->s->t->manager, p->s->index);
    double secs = srv->cfg->tool_timeout_sec >= 0 ? srv->cfg->tool_timeout_sec
                                                  : MCP_DEFAULT_TOOL_TIMEOUT_SEC;
    struct mcp_request_opts o = {
        .timeout_ms = secs > 0 ? (unsigned)(secs * 1000.0) : 1,
        .done = on_result,
        .progress = on_progress,
        .ud = p,
    };
    /* NULL: the server could not start, on_result has run and p is gone. */
    struct mcp_call *mc = mcp_manager_call(p->s->t->manager, p->s->index, "tools/call", params, &o);
    if (mc)
        p->mcall = mc;
}

static void on_answer(void *ud, enum review_decision d)
{
    struct pending *p = ud;
    p->ask = NULL;
    if (p->dropped) {
        tool_call_unhold(p->call);
        pending_free(p);
        return;
    }
    if (d == REVIEW_APPROVED || d == REVIEW_APPROVED_FOR_SESSION || d == REVIEW_APPROVED_ALWAYS) {
        send_call(p);
        return;
    }
    const struct tool_host *host = p->call->host;
    const char *note = d == REVIEW_DENIED && host->ops->denial_note ? host->ops->denial_note(host->ctx) : NULL;
    char *msg = note                ? xstrdup(note)
                : d == REVIEW_ABORT ? approval_mcp_cancelled_message()
                                    : approval_mcp_denied_message();
    fail_call(p, msg);
    free(msg);
}

/* What went wrong in the words the reference's JSON reader uses, for the
 * common cases; jansson's own text otherwise. */
static const char *json_error_words(const json_error_t *je)
{
    static const struct {
        const char *jansson, *words;
    } map[] = {
        {"string or '}' expected", "key must be a string"},
        {"'[' or '{' expected", "expected value"},
        {"invalid token", "expected value"},
        {"end of file expected", "trailing characters"},
        {"premature end of input", "EOF while parsing a value"},
        {"unexpected newline", "EOF while parsing a string"},
        {"':' expected", "expected `:`"},
        {"']' expected", "expected `,` or `]`"},
        {"'}' expected", "expected `,` or `}`"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strncmp(je->text, map[i].jansson, strlen(map[i].jansson)) == 0)
            return map[i].words;
    return je->text;
}

/* The arguments as sent: none for "", else a JSON object; NULL with the
 * error text otherwise. */
static bool parse_arguments(const char *input, json_t **out, char **error)
{
    *out = NULL;
    if (!input || !*input)
        return true;
    json_error_t je;
    json_t *v = json_loads(input, JSON_DECODE_ANY, &je);
    if (!v) {
        *error = xasprintf("err: %s at line %d column %d", json_error_words(&je), je.line,
                           je.column);
        return false;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        *error = xstrdup("err: the arguments must be a JSON object");
        return false;
    }
    *out = v;
    return true;
}

void mcp_tools_dispatch(void *ud, struct tool_call *call)
{
    struct mcp_server_entry *s = ud;
    const struct mcp_tool_entry *e = NULL;
    for (size_t i = 0; i < s->n_tools && !e; i++)
        if (strcmp(s->tools[i].name, call->name) == 0)
            e = &s->tools[i];
    uint64_t started = mcp_now_ns();
    json_t *args;
    char *error = NULL;
    if (!e) {
        tool_call_finish(call, xasprintf("unsupported call: %s%s", s->ns, call->name));
        return;
    }
    if (!parse_arguments(call->input, &args, &error)) {
        /* Never sent to the server, and no item: the model fixes its call. */
        tool_call_finish_items(call, mcp_text_for_model(error, (double)(mcp_now_ns() - started) / 1e9));
        free(error);
        return;
    }
    struct pending *p = xcalloc(1, sizeof *p);
    p->s = s;
    p->call = call;
    p->raw = xstrdup(e->raw);
    p->arguments = args;
    p->read_only = e->read_only;
    p->started_ns = started;
    p->item = mcp_item_started(call->call_id, s->server_name, e->raw, args, e->read_only);
    tool_emit_item(call->host, TOOL_EV_ITEM_STARTED, p->item);
    tool_call_hold(call);
    call->on_drop = on_drop;
    call->drop_ud = p;

    struct tool_mcp_request req = {
        .call_id = call->call_id,
        .server = s->server_name,
        .tool = e->raw,
        .arguments = args,
        .read_only = e->read_only,
        .mode = e->mode,
    };
    struct tool_gate g = call->host->ops->gate_mcp(call->host->ctx, &req);
    if (g.action == TOOL_GATE_REJECT) {
        fail_call(p, g.message);
    } else if (g.action == TOOL_GATE_ASK) {
        struct approval_request ar = {
            .kind = APPROVAL_KIND_MCP,
            .call_id = call->call_id,
            .cwd = call->host->cwd,
            .reason = g.message,
            .session_key = g.session_key,
            .mcp_server = s->server_name,
            .mcp_tool = e->raw,
            .mcp_tool_description = json_string_value(json_object_get(e->tool, "description")),
            .mcp_arguments = args,
        };
        p->ask = call->host->ops->ask(call->host->ctx, &ar, on_answer, p);
    } else {
        send_call(p);
    }
    tool_gate_clear(&g);
}
