/* libFuzzer harness for the reviewer's answer: any text parses into a
 * ReviewOutput object with a findings array, and renders to non-empty
 * text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/review.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    json_t *out = review_output_parse(text);
    if (!json_is_array(json_object_get(out, "findings")))
        abort();
    char *rendered = review_output_render(out);
    if (!rendered || !*rendered)
        abort();
    free(rendered);
    json_decref(out);
    free(text);
    return 0;
}
