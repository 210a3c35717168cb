/* libFuzzer harness for what the MCP server reads from a client besides
 * the JSON-RPC envelope: the arguments of `codex` and `codex-reply` (any
 * JSON value) and the id salvaged from a line that is not JSON.
 * Properties: no crash or leak; accepted `codex` arguments always carry a
 * prompt and only the sandbox modes there are; accepted `codex-reply`
 * arguments carry a prompt and a thread id; a refusal always says why; a
 * salvaged id is an integer or a string. */
#include "mcpserver/mcpserver.h"
#include "mcpserver/tool_args.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static void check_codex(const json_t *v)
{
    struct mcps_codex_args a;
    char *why = NULL;
    if (mcps_codex_args_parse(v, &a, &why) == 0) {
        assert(a.prompt && !why);
        assert(!a.sandbox || strcmp(a.sandbox, "read-only") == 0 ||
               strcmp(a.sandbox, "workspace-write") == 0 || strcmp(a.sandbox, "danger-full-access") == 0);
        assert(!a.config || json_is_object(a.config));
        mcps_codex_args_free(&a);
    } else {
        assert(why && *why);
        free(why);
    }
}

static void check_reply(const json_t *v)
{
    struct mcps_reply_args a;
    char *why = NULL;
    if (mcps_reply_args_parse(v, &a, &why) == 0) {
        assert(a.prompt && a.thread_id && !why);
        mcps_reply_args_free(&a);
    } else {
        assert(why && *why);
        free(why);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *id = mcpserver_salvage_id((const char *)data, size);
    assert(!id || json_is_integer(id) || json_is_string(id));
    json_decref(id);
    json_error_t err;
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v)
        return 0;
    check_codex(v);
    check_reply(v);
    json_decref(v);
    return 0;
}
