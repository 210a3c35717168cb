/* Methods that only make sense against OpenAI's hosted services or on
 * another platform.  They answer -32601 with the reason, so that a client
 * can tell "never here" from "not built yet". */
#include <stddef.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"

struct hosted {
    const char *prefix; /* a method name, or a prefix ending in '/' */
    const char *reason;
};

static const struct hosted hosted[] = {
    {"plugin/share/", "plugin sharing is a service of ChatGPT workspaces, which codex-c does not "
                      "connect to"},
    {"plugin/skill/read", "it reads a skill of a plugin in OpenAI's hosted plugin catalog, which "
                          "codex-c does not connect to; the skills of installed local plugins are "
                          "files under $CODEX_HOME/plugins/cache (plugin/read lists them)"},
    {"account/rateLimitResetCredit/consume", "credits belong to ChatGPT plans, which codex-c does "
                                             "not connect to"},
    {"account/sendAddCreditsNudgeEmail", "credits belong to ChatGPT plans, which codex-c does not "
                                         "connect to"},
    {"windowsSandbox/", "the Windows sandbox exists on Windows only; this server runs on Linux"},
    {"feedback/upload", "feedback is uploaded to OpenAI's service, which codex-c does not connect "
                        "to; feedback/save (and /feedback in the TUI) writes the report to a local ZIP "
                        "instead"},
    {NULL, NULL},
};

static void not_here(struct rpc_request *req)
{
    for (const struct hosted *h = hosted; h->prefix; h++) {
        size_t n = strlen(h->prefix);
        if (h->prefix[n - 1] == '/' ? strncmp(req->method, h->prefix, n) == 0
                                    : strcmp(req->method, h->prefix) == 0) {
            rpc_reply_error(req, JSONRPC_METHOD_NOT_FOUND, "`%s` is not available in codex-c: %s",
                            req->method, h->reason);
            return;
        }
    }
    rpc_reply_error(req, JSONRPC_METHOD_NOT_FOUND, "`%s` is not available in codex-c", req->method);
}

const struct rpc_module rpc_hosted_module = {
    .name = "hosted services",
    .methods =
        (const struct rpc_method[]){
            {"plugin/share/save", not_here},
            {"plugin/share/updateTargets", not_here},
            {"plugin/share/list", not_here},
            {"plugin/share/checkout", not_here},
            {"plugin/share/delete", not_here},
            {"plugin/skill/read", not_here},
            {"account/rateLimitResetCredit/consume", not_here},
            {"account/sendAddCreditsNudgeEmail", not_here},
            {"windowsSandbox/setupStart", not_here},
            {"windowsSandbox/readiness", not_here},
            {"feedback/upload", not_here},
            {NULL, NULL},
        },
};
