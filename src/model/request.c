#include "model/request.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* Fields in the reference's order; only store=false (no server-side state)
 * and the include of encrypted reasoning are fixed. */
void request_body_split(const struct request_parts *rp, struct request_split *out)
{
    json_t *head = json_pack("{s:s s:b}", "model", rp->model, "stream", 1);
    if (rp->service_tier) /* right after "stream", as the reference places it */
        json_object_set_new(head, "service_tier", json_string(rp->service_tier));
    json_t *b = json_object();
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
                                          "strict", !rp->output_schema_lenient));
        json_object_set_new(b, "text", text);
    }
    if (rp->client_metadata)
        json_object_set(b, "client_metadata", (json_t *)rp->client_metadata);
    /* {"model":..,"stream":true,"input":[<history>],"tools":..,...} */
    char *h = json_dumps(head, JSON_COMPACT);
    char *t = json_dumps(b, JSON_COMPACT);
    json_decref(head);
    json_decref(b);
    struct buf hb = BUF_INIT, tb = BUF_INIT;
    buf_append(&hb, h, strlen(h) - 1);
    buf_puts(&hb, ",\"input\":[");
    buf_puts(&tb, "],");
    buf_puts(&tb, t + 1);
    free(h);
    free(t);
    out->head = buf_detach(&hb, &out->head_len);
    out->tail = buf_detach(&tb, &out->tail_len);
}

char *request_body(const struct request_parts *rp, size_t *len)
{
    struct request_split sp;
    request_body_split(rp, &sp);
    struct buf out = BUF_INIT;
    buf_reserve(&out, sp.head_len + rp->input_json_len + sp.tail_len);
    buf_append(&out, sp.head, sp.head_len);
    buf_append(&out, rp->input_json, rp->input_json_len);
    buf_append(&out, sp.tail, sp.tail_len);
    free(sp.head);
    free(sp.tail);
    return buf_detach(&out, len);
}

void request_append_item(struct buf *input_json, const json_t *item)
{
    char *s = json_dumps(item, JSON_COMPACT);
    if (!s)
        return;
    if (input_json->len)
        buf_putc(input_json, ',');
    buf_puts(input_json, s);
    free(s);
}
