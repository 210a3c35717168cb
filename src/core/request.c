#include "core/request.h"

#include <string.h>

/* Fields in the reference's order; only store=false (no server-side state)
 * and the include of encrypted reasoning are fixed. */
char *request_body(const struct request_parts *rp, size_t *len)
{
    json_t *b = json_object();
    json_object_set_new(b, "model", json_string(rp->model));
    json_object_set_new(b, "stream", json_true());
    json_object_set(b, "input", (json_t *)rp->input);
    json_object_set(b, "tools", (json_t *)rp->tools);
    json_object_set_new(b, "tool_choice", json_string("auto"));
    json_object_set_new(b, "parallel_tool_calls", json_boolean(rp->parallel_tool_calls));
    if (rp->reasoning_effort || rp->reasoning_summary) {
        json_t *r = json_object();
        if (rp->reasoning_effort)
            json_object_set_new(r, "effort", json_string(rp->reasoning_effort));
        if (rp->reasoning_summary)
            json_object_set_new(r, "summary", json_string(rp->reasoning_summary));
        json_object_set_new(b, "reasoning", r);
    }
    json_object_set_new(b, "store", json_false());
    json_object_set_new(b, "include", json_pack("[s]", "reasoning.encrypted_content"));
    json_object_set_new(b, "prompt_cache_key", json_string(rp->prompt_cache_key));
    if (rp->verbosity || rp->output_schema) {
        json_t *text = json_object();
        if (rp->verbosity)
            json_object_set_new(text, "verbosity", json_string(rp->verbosity));
        if (rp->output_schema)
            json_object_set_new(text, "format",
                                json_pack("{s:s s:s s:O s:b}", "type", "json_schema", "name",
                                          "codex_output_schema", "schema", rp->output_schema,
                                          "strict", 1));
        json_object_set_new(b, "text", text);
    }
    if (rp->client_metadata)
        json_object_set(b, "client_metadata", (json_t *)rp->client_metadata);
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    if (len)
        *len = s ? strlen(s) : 0;
    return s;
}
