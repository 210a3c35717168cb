/* libFuzzer harness for the auto-reviewer's answer: any text either is a
 * verdict (with a known risk level, authorization and a rationale) or is
 * refused with a reason; never both, never neither. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/auto_review_verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct review_verdict v = {0};
    char *why = NULL;
    if (review_verdict_parse(text, &v, &why)) {
        if (why || !v.risk || !v.authorization || !v.rationale)
            abort();
        free(v.rationale);
    } else if (!why || v.rationale) {
        abort();
    }
    free(why);
    free(text);
    return 0;
}
