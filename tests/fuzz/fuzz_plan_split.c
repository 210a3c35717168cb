/* libFuzzer harness for Plan mode's <proposed_plan> splitter: any bytes as
 * an agent message.  Fed whole and fed in pieces cut where the first byte
 * says, the splitter must give the same message text and plan, and neither
 * may be longer than the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/collab_mode.h"
#include "util/buf.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = (size_t)(data[0] % 7) + 1;
    char *text = xstrndup((const char *)data + 1, size - 1);
    size_t len = strlen(text);
    char *whole_text, *whole_plan;
    plan_split_text(text, &whole_text, &whole_plan);

    struct plan_splitter s;
    plan_splitter_init(&s);
    struct buf t = BUF_INIT, p = BUF_INIT;
    for (size_t at = 0; at < len; at += step) {
        char *piece = xstrndup(text + at, at + step <= len ? step : len - at);
        plan_splitter_feed(&s, piece, &t, &p);
        free(piece);
    }
    plan_splitter_finish(&s, &t, &p);
    if (strcmp(buf_cstr(&t), whole_text) != 0)
        abort();
    if (whole_plan ? strcmp(buf_cstr(&p), whole_plan) != 0 : s.seen)
        abort();
    if (strlen(whole_text) > len || (whole_plan && strlen(whole_plan) > len))
        abort();
    plan_splitter_free(&s);
    buf_free(&t);
    buf_free(&p);
    free(whole_text);
    free(whole_plan);
    free(text);
    return 0;
}
