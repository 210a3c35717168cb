/* hooks/list: the hooks each working directory's configuration defines,
 * with the key and current hash a client writes to [hooks.state] to trust
 * one, and whether it is trusted now. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "hooks/hooks.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"

static json_t *nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *hook_json(const struct hook_handler *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(h->key));
    json_object_set_new(o, "eventName", json_string(hook_event_camel(h->event)));
    json_object_set_new(o, "handlerType", json_string("command"));
    json_object_set_new(o, "command", json_string(h->command));
    json_object_set_new(o, "async", json_boolean(h->async));
    json_object_set_new(o, "matcher", nullable(h->matcher));
    json_object_set_new(o, "timeoutSec", json_integer(h->timeout_sec));
    json_object_set_new(o, "statusMessage", nullable(h->status_message));
    json_object_set_new(o, "additionalContextLimit", json_null());
    json_object_set_new(o, "sourcePath", json_string(h->source_path));
    json_object_set_new(o, "source", json_string(h->source));
    json_object_set_new(o, "pluginId", json_null());
    json_object_set_new(o, "environmentId", json_null());
    json_object_set_new(o, "displayOrder", json_integer((json_int_t)h->display_order));
    json_object_set_new(o, "enabled", json_boolean(h->enabled));
    json_object_set_new(o, "isManaged", json_boolean(h->trust == HOOK_MANAGED));
    json_object_set_new(o, "currentHash", json_string(h->hash));
    json_object_set_new(o, "trustStatus", json_string(hook_trust_name(h->trust)));
    return o;
}

static json_t *entry_for(struct rpc_server *s, const char *cwd)
{
    json_t *entry = json_pack("{s:s s:[] s:[] s:[]}", "cwd", cwd, "hooks", "warnings", "errors");
    struct codex_config cfg;
    struct codex_error err = CODEX_ERROR_INIT;
    if (rpc_server_load_config(s, cwd, &cfg, &err) != 0) {
        char *text = codex_error_text(&err);
        json_array_append_new(json_object_get(entry, "errors"),
                              json_pack("{s:s s:s}", "path", cwd, "message", text));
        free(text);
        codex_error_clear(&err);
        return entry;
    }
    struct hook_set set;
    hook_set_load(&set, &cfg, false);
    for (size_t i = 0; i < set.n; i++)
        json_array_append_new(json_object_get(entry, "hooks"), hook_json(&set.v[i]));
    for (size_t i = 0; i < set.warnings.n; i++)
        json_array_append_new(json_object_get(entry, "warnings"), json_string(set.warnings.v[i]));
    hook_set_free(&set);
    config_free(&cfg);
    return entry;
}

static void rpc_hooks_list(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "HooksListParams", true);
    json_t *cwds = NULL;
    if (!p || !rpc_get_string_array(req, p, "cwds", false, &cwds))
        return;
    struct rpc_server *s = req->server;
    json_t *data = json_array();
    if (!cwds || json_array_size(cwds) == 0) {
        json_array_append_new(data, entry_for(s, s->cwd));
    } else {
        size_t i;
        json_t *cwd;
        json_array_foreach(cwds, i, cwd) {
            if (json_string_value(cwd)[0] != '/') {
                json_decref(data);
                rpc_reply_invalid(req, "cwds[%zu]: %s is not an absolute path", i,
                                  json_string_value(cwd));
                return;
            }
        }
        json_array_foreach(cwds, i, cwd) {
            char *path = rpc_normalize_abs_path(json_string_value(cwd));
            json_array_append_new(data, entry_for(s, path));
            free(path);
        }
    }
    rpc_reply(req, json_pack("{s:o}", "data", data));
}

static const struct rpc_method methods[] = {
    {"hooks/list", rpc_hooks_list},
    {NULL, NULL},
};

const struct rpc_module rpc_hooks_module = {
    .name = "hooks",
    .methods = methods,
};
