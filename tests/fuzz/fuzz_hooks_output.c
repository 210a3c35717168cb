/* libFuzzer harness for what a hook prints (hooks_output.c): any stdout,
 * stderr and exit code, for every event, is read without a crash, and a
 * block always carries a reason except where the reference allows none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/hooks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int event = data[0] % HOOK_EVENT_COUNT;
    int codes[] = {0, 2, 1, -1};
    int code = codes[data[1] % 4];
    const char *rest = (const char *)data + 2;
    size_t n = size - 2;
    /* The first NUL, if any, separates stdout from stderr. */
    const char *nul = memchr(rest, '\0', n);
    size_t out_len = nul ? (size_t)(nul - rest) : n;
    const char *err = nul ? nul + 1 : "";
    size_t err_len = nul ? n - out_len - 1 : 0;
    struct hook_result r;
    hook_output_interpret(event, code, code == -1 ? "hook timed out after 1s" : NULL, rest,
                          out_len, err, err_len, &r);
    if (r.block && !r.reason && event != HOOK_USER_PROMPT_SUBMIT)
        abort();
    if (r.block && r.error)
        abort();
    if (code != 0 && code != 2 && (r.block || r.context))
        abort();
    hook_result_free(&r);
    return 0;
}
