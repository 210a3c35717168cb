#include "rpc/sandbox_param.h"

#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/request.h"

bool rpc_read_sandbox_policy(struct rpc_request *req, json_t *policy, struct sandbox_policy *out)
{
    if (!json_is_object(policy)) {
        char *what = rpc_describe_value(policy);
        rpc_reply_invalid(req, "invalid type: %s, expected internally tagged enum SandboxPolicy",
                          what);
        free(what);
        return false;
    }
    const char *type;
    if (!rpc_get_string(req, policy, "type", true, &type))
        return false;
    if (strcmp(type, "dangerFullAccess") == 0) {
        sandbox_policy_init(out, SANDBOX_KIND_DANGER_FULL_ACCESS);
        return true;
    }
    if (strcmp(type, "externalSandbox") == 0) {
        /* The client vouches that the host already confines this server. */
        sandbox_policy_init(out, SANDBOX_KIND_EXTERNAL);
        return true;
    }
    bool network = false;
    if (strcmp(type, "readOnly") == 0) {
        if (!rpc_get_bool(req, policy, "networkAccess", &network))
            return false;
        sandbox_policy_init(out, SANDBOX_KIND_READ_ONLY);
        out->network_access = network;
        return true;
    }
    if (strcmp(type, "workspaceWrite") == 0) {
        bool no_tmpdir = false, no_slash_tmp = false;
        json_t *roots;
        if (!rpc_get_bool(req, policy, "networkAccess", &network) ||
            !rpc_get_bool(req, policy, "excludeTmpdirEnvVar", &no_tmpdir) ||
            !rpc_get_bool(req, policy, "excludeSlashTmp", &no_slash_tmp) ||
            !rpc_get_string_array(req, policy, "writableRoots", false, &roots))
            return false;
        size_t i;
        json_t *root;
        json_array_foreach(roots, i, root)
        {
            if (json_string_value(root)[0] != '/') {
                rpc_reply_invalid(req, "AbsolutePathBuf deserialized without a base path");
                return false;
            }
        }
        sandbox_policy_init(out, SANDBOX_KIND_WORKSPACE_WRITE);
        out->network_access = network;
        out->exclude_tmpdir_env_var = no_tmpdir;
        out->exclude_slash_tmp = no_slash_tmp;
        json_array_foreach(roots, i, root) strvec_push(&out->writable_roots, json_string_value(root));
        return true;
    }
    rpc_reply_invalid(req,
                      "unknown variant `%s`, expected one of `dangerFullAccess`, `readOnly`, "
                      "`externalSandbox`, `workspaceWrite`",
                      type);
    return false;
}
