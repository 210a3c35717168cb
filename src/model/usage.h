/* Token accounting as the Responses API reports it and exec --json sums it. */
#ifndef CODEX_MODEL_USAGE_H
#define CODEX_MODEL_USAGE_H

#include <stdint.h>

#include <jansson.h>

struct token_usage {
    int64_t input_tokens;
    int64_t cached_input_tokens;
    int64_t cache_write_input_tokens;
    int64_t output_tokens;
    int64_t reasoning_output_tokens;
    int64_t total_tokens;
};

/* Read response.usage (missing fields stay 0). */
void token_usage_from_json(struct token_usage *u, const json_t *usage);
void token_usage_add(struct token_usage *sum, const struct token_usage *u);
/* {"input_tokens",...} with total_tokens only when with_total. */
json_t *token_usage_to_json(const struct token_usage *u, int with_total);

#endif
