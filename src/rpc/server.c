#include "rpc/server.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "rpc/jsonrpc.h"
#include "rpc/request.h"
#include "store/installation_id.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* The protocol version this server is compatible with: the reference release
 * whose v2 surface it implements. */
#define RPC_PROTOCOL_VERSION "0.169.0"

void rpc_server_init(struct rpc_server *s, uv_loop_t *loop)
{
    memset(s, 0, sizeof *s);
    s->loop = loop;
}

void rpc_server_free(struct rpc_server *s)
{
    for (size_t i = 0; rpc_modules[i]; i++)
        if (rpc_modules[i]->free_state && s->module_state[i])
            rpc_modules[i]->free_state(&s->module_state[i]);
    free(s->ws);
    free(s->codex_home);
    free(s->cwd);
}

static void dispatch(struct rpc_conn *c, const char *text, size_t len);

static void conn_closed(struct rpc_conn *c)
{
    struct rpc_server *s = c->server;
    if (--s->n_conns == 0 && s->on_all_closed)
        s->on_all_closed(s);
}

static const struct rpc_conn_host server_host = {.receive = dispatch, .closed = conn_closed};

struct rpc_conn *rpc_server_open_conn(struct rpc_server *s, const struct rpc_transport_ops *ops,
                                      void *transport, const char *label)
{
    s->n_conns++;
    return rpc_conn_new(s, &server_host, ops, transport, label);
}

static void send_error(struct rpc_conn *c, json_t *id, int code, const char *message)
{
    rpc_conn_send(c, jsonrpc_make_error(id, code, message));
}

/* ---- initialize --------------------------------------------------------- */

/* "Debian 12.0.0": the distribution as /etc/os-release names it, with a
 * three-part version, as the reference's user agent has it. */
static void append_os(struct buf *ua)
{
    char *text = fs_read_file("/etc/os-release", 65536, NULL);
    char id[64] = "Linux", version[64] = "";
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        char *dst = NULL;
        size_t cap = 0;
        const char *val = NULL;
        if (strncmp(line, "ID=", 3) == 0)
            dst = id, cap = sizeof id, val = line + 3;
        else if (strncmp(line, "VERSION_ID=", 11) == 0)
            dst = version, cap = sizeof version, val = line + 11;
        if (!dst)
            continue;
        if (*val == '"')
            val++;
        snprintf(dst, cap, "%s", val);
        char *q = strchr(dst, '"');
        if (q)
            *q = '\0';
    }
    free(text);
    id[0] = (char)toupper((unsigned char)id[0]);
    buf_puts(ua, id);
    if (version[0]) {
        int parts = 1;
        for (const char *p = version; *p; p++)
            parts += *p == '.';
        buf_printf(ua, " %s", version);
        for (; parts < 3; parts++)
            buf_puts(ua, ".0");
    } else {
        buf_puts(ua, " Unknown");
    }
}

static void append_terminal(struct buf *ua, const char *const *envp)
{
    const char *program = envp_get(envp, "TERM_PROGRAM");
    const char *term = envp_get(envp, "TERM");
    if (program && *program) {
        const char *ver = envp_get(envp, "TERM_PROGRAM_VERSION");
        buf_puts(ua, program);
        if (ver && *ver)
            buf_printf(ua, "/%s", ver);
    } else if (term && *term) {
        buf_puts(ua, term);
    } else {
        buf_puts(ua, "unknown");
    }
}

/* The reference's user agent with the given version in its place (the app
 * server puts the protocol version we speak there), and our own product
 * token after it, as browsers do (docs/app-server.md): clients read the
 * server's version from the first token and warn when it is older than
 * theirs. */
char *rpc_user_agent(const char *originator, const char *version, const char *client_name,
                     const char *client_version, const char *const *envp)
{
    struct buf ua = BUF_INIT;
    struct utsname un;
    buf_printf(&ua, "%s/%s (", originator, version);
    append_os(&ua);
    buf_printf(&ua, "; %s) ", uname(&un) == 0 ? un.machine : "unknown");
    append_terminal(&ua, envp);
    buf_printf(&ua, " (%s; %s) codex-c/%s", client_name, client_version, CODEX_VERSION);
    return buf_detach(&ua, NULL);
}

static void handle_initialize(struct rpc_request *req)
{
    struct rpc_conn *c = req->conn;
    json_t *p = rpc_params(req, "InitializeParams", false);
    if (!p)
        return;
    json_t *info = json_object_get(p, "clientInfo");
    if (!info) {
        rpc_reply_invalid(req, "missing field `clientInfo`");
        return;
    }
    if (!json_is_object(info)) {
        char *what = rpc_describe_value(info);
        rpc_reply_invalid(req, "invalid type: %s, expected struct ClientInfo", what);
        free(what);
        return;
    }
    const char *name, *version;
    if (!rpc_get_string(req, info, "name", true, &name) ||
        !rpc_get_string(req, info, "version", true, &version))
        return;
    bool experimental = false;
    json_t *opt_out = NULL;
    json_t *caps = json_object_get(p, "capabilities");
    if (caps && !json_is_null(caps)) {
        if (!json_is_object(caps)) {
            char *what = rpc_describe_value(caps);
            rpc_reply_invalid(req, "invalid type: %s, expected struct InitializeCapabilities",
                              what);
            free(what);
            return;
        }
        if (!rpc_get_bool(req, caps, "experimentalApi", &experimental) ||
            !rpc_get_string_array(req, caps, "optOutNotificationMethods", false, &opt_out))
            return;
    }
    c->initialized = true;
    c->experimental_api = experimental;
    c->client_name = xstrdup(name);
    c->client_version = xstrdup(version);
    size_t i;
    json_t *m;
    json_array_foreach(opt_out, i, m) strvec_push(&c->opt_out_notifications, json_string_value(m));

    char *ua = rpc_user_agent(name, RPC_PROTOCOL_VERSION, name, version, c->server->envp);
    json_t *result = json_pack("{s:s, s:s, s:s, s:s}", "userAgent", ua, "codexHome",
                               c->server->codex_home, "platformFamily", "unix", "platformOs",
                               "linux");
    free(ua);
    rpc_reply(req, result);
}

/* The client is ready for notifications: tell it about remote control
 * (which this server does not offer), as the reference does unasked. */
static void client_initialized(struct rpc_conn *c)
{
    if (!c->initialized || c->announced)
        return;
    c->announced = true;
    struct rpc_server *s = c->server;
    struct codex_error err = CODEX_ERROR_INIT;
    char *id = installation_id(s->codex_home, &err);
    if (!id) {
        fprintf(stderr, "codex app-server: %s\n", err.message);
        codex_error_clear(&err);
    }
    struct utsname un;
    rpc_conn_notify(c, "remoteControl/status/changed",
                    json_pack("{s:s s:s s:s? s:n}", "status", "disabled", "serverName",
                              uname(&un) == 0 ? un.nodename : "localhost", "installationId", id,
                              "environmentId"));
    free(id);
}

/* ---- Dispatch ----------------------------------------------------------- */

static bool known_method(const char *name)
{
    for (const char *const *m = rpc_protocol_methods; *m; m++)
        if (strcmp(*m, name) == 0)
            return true;
    return false;
}

/* The method and the index of its module; NULL when no module has it. */
static const struct rpc_method *find_method(const char *name, size_t *module)
{
    for (size_t i = 0; rpc_modules[i]; i++)
        for (const struct rpc_method *m = rpc_modules[i]->methods; m->name; m++)
            if (strcmp(m->name, name) == 0) {
                *module = i;
                return m;
            }
    return NULL;
}

/* An answer to a request the server sent: the module that sent it takes
 * it; stray ones are ignored. */
static void client_response(struct rpc_conn *c, const json_t *id, const json_t *result)
{
    struct rpc_server *s = c->server;
    for (size_t i = 0; rpc_modules[i]; i++)
        if (rpc_modules[i]->client_response &&
            rpc_modules[i]->client_response(&s->module_state[i], c, id, result))
            return;
}

static void send_unknown_variant(struct rpc_conn *c, json_t *id, const char *method)
{
    struct buf msg = BUF_INIT;
    buf_printf(&msg, "Invalid request: unknown variant `%s`, expected one of ", method);
    for (const char *const *m = rpc_protocol_methods; *m; m++)
        buf_printf(&msg, "%s`%s`", m == rpc_protocol_methods ? "" : ", ", *m);
    send_error(c, id, JSONRPC_INVALID_REQUEST, buf_cstr(&msg));
    buf_free(&msg);
}

static void dispatch_request(struct rpc_conn *c, struct jsonrpc_message *msg)
{
    if (!known_method(msg->method)) {
        send_unknown_variant(c, msg->id, msg->method);
        return;
    }
    bool is_initialize = strcmp(msg->method, "initialize") == 0;
    if (is_initialize && c->initialized) {
        send_error(c, msg->id, JSONRPC_INVALID_REQUEST, "Already initialized");
        return;
    }
    if (!is_initialize && !c->initialized) {
        send_error(c, msg->id, JSONRPC_INVALID_REQUEST, "Not initialized");
        return;
    }
    char *key = jsonrpc_id_key(msg->id);
    if (rpc_conn_request_in_flight(c, key)) {
        char *shown = json_is_string(msg->id) ? xasprintf("\"%s\"", json_string_value(msg->id))
                                              : xasprintf("%lld", (long long)json_integer_value(msg->id));
        char *text = xasprintf("Invalid request: request id %s is already in use by a request "
                               "that has not been answered yet",
                               shown);
        send_error(c, msg->id, JSONRPC_INVALID_REQUEST, text);
        free(text);
        free(shown);
        free(key);
        return;
    }
    size_t module = 0;
    const struct rpc_method *m = is_initialize ? NULL : find_method(msg->method, &module);
    if (!is_initialize && !m) {
        char *text = xasprintf("`%s` is not supported yet by this server", msg->method);
        send_error(c, msg->id, JSONRPC_METHOD_NOT_FOUND, text);
        free(text);
        free(key);
        return;
    }
    if (m && rpc_modules[module]->uses_state_of)
        for (size_t i = 0; rpc_modules[i]; i++)
            if (rpc_modules[i] == rpc_modules[module]->uses_state_of)
                module = i;
    struct rpc_request *req =
        rpc_request_new(c, msg->id, key, is_initialize ? "initialize" : m->name, msg->params,
                        is_initialize ? NULL : &c->server->module_state[module]);
    if (is_initialize)
        handle_initialize(req);
    else
        m->fn(req);
}

static void dispatch(struct rpc_conn *c, const char *text, size_t len)
{
    struct jsonrpc_message msg;
    jsonrpc_parse(text, len, &msg);
    switch (msg.kind) {
    case JSONRPC_INVALID:
        fprintf(stderr, "codex app-server: ignoring malformed message on %s: %s\n", c->label,
                msg.error_text);
        break;
    case JSONRPC_REQUEST:
        dispatch_request(c, &msg);
        break;
    case JSONRPC_NOTIFICATION:
        /* Unknown notifications are ignored like the reference does. */
        if (strcmp(msg.method, "initialized") == 0)
            client_initialized(c);
        break;
    case JSONRPC_RESPONSE:
    case JSONRPC_ERROR:
        client_response(c, msg.id, msg.kind == JSONRPC_RESPONSE ? msg.result : NULL);
        break;
    }
    jsonrpc_message_free(&msg);
}
