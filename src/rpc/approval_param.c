/* The AskForApproval parameter of thread/start and turn/start: a policy
 * name, or {"granular": {...}} saying which kinds of prompt reach the user. */
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/request.h"
#include "rpc/thread.h"

static bool read_flag(struct rpc_request *req, json_t *g, const char *key, bool required,
                      bool *out)
{
    if (required && !json_object_get(g, key)) {
        rpc_reply_invalid(req, "missing field `%s`", key);
        return false;
    }
    return rpc_get_bool(req, g, key, out);
}

bool rpc_read_approval(struct rpc_request *req, json_t *params, struct approval_param *out)
{
    memset(out, 0, sizeof *out);
    json_t *v = json_object_get(params, "approvalPolicy");
    if (!v || json_is_null(v))
        return true;
    if (json_is_string(v)) {
        static const struct { const char *name; enum approval_policy p; } names[] = {
            {"untrusted", APPROVAL_UNTRUSTED}, {"on-failure", APPROVAL_ON_FAILURE},
            {"on-request", APPROVAL_ON_REQUEST}, {"never", APPROVAL_NEVER}};
        const char *name = json_string_value(v);
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            if (strcmp(names[i].name, name) == 0) {
                out->set = true;
                out->name = names[i].name;
                out->policy = names[i].p;
                return true;
            }
        rpc_reply_invalid(req, "unknown variant `%s`, expected one of `untrusted`, "
                               "`on-request`, `granular`, `never`",
                          name);
        return false;
    }
    json_t *g = json_object_get(v, "granular");
    if (!json_is_object(v) || json_object_size(v) != 1 || !json_is_object(g)) {
        char *what = rpc_describe_value(v);
        rpc_reply_invalid(req, "invalid approvalPolicy: %s, expected a policy name or "
                               "{\"granular\": {...}}",
                          what);
        free(what);
        return false;
    }
    struct granular_approval *ga = &out->granular;
    if (!read_flag(req, g, "sandbox_approval", true, &ga->sandbox_approval) ||
        !read_flag(req, g, "rules", true, &ga->rules) ||
        !read_flag(req, g, "mcp_elicitations", true, &ga->mcp_elicitations) ||
        !read_flag(req, g, "request_permissions", false, &ga->request_permissions) ||
        !read_flag(req, g, "skill_approval", false, &ga->skill_approval))
        return false;
    out->set = true;
    out->policy = APPROVAL_GRANULAR;
    return true;
}

void rpc_apply_approval(const struct approval_param *a, struct codex_config *cfg)
{
    if (!a->set)
        return;
    cfg->approval_policy = a->policy;
    if (a->policy == APPROVAL_GRANULAR)
        cfg->granular = a->granular;
}
