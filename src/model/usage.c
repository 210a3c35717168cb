#include "model/usage.h"

#include <string.h>

static int64_t int_at(const json_t *obj, const char *key, const char *sub)
{
    const json_t *v = json_object_get(obj, key);
    if (sub)
        v = json_object_get(v, sub);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

void token_usage_from_json(struct token_usage *u, const json_t *usage)
{
    memset(u, 0, sizeof *u);
    if (!json_is_object(usage))
        return;
    u->input_tokens = int_at(usage, "input_tokens", NULL);
    u->cached_input_tokens = int_at(usage, "input_tokens_details", "cached_tokens");
    u->output_tokens = int_at(usage, "output_tokens", NULL);
    u->reasoning_output_tokens = int_at(usage, "output_tokens_details", "reasoning_tokens");
    u->total_tokens = int_at(usage, "total_tokens", NULL);
}

void token_usage_add(struct token_usage *sum, const struct token_usage *u)
{
    sum->input_tokens += u->input_tokens;
    sum->cached_input_tokens += u->cached_input_tokens;
    sum->cache_write_input_tokens += u->cache_write_input_tokens;
    sum->output_tokens += u->output_tokens;
    sum->reasoning_output_tokens += u->reasoning_output_tokens;
    sum->total_tokens += u->total_tokens;
}

json_t *token_usage_to_json(const struct token_usage *u, int with_total)
{
    json_t *o = json_pack("{sI sI sI sI sI}", "input_tokens", (json_int_t)u->input_tokens,
                          "cached_input_tokens", (json_int_t)u->cached_input_tokens,
                          "cache_write_input_tokens", (json_int_t)u->cache_write_input_tokens,
                          "output_tokens", (json_int_t)u->output_tokens,
                          "reasoning_output_tokens", (json_int_t)u->reasoning_output_tokens);
    if (with_total)
        json_object_set_new(o, "total_tokens", json_integer(u->total_tokens));
    return o;
}
