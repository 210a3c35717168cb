/* libFuzzer harness for hooks.json as hooks_config.c reads it (a file the
 * user, a project or a script wrote): a document is either refused with a
 * message or gives handlers whose keys, hashes and matchers are usable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/hooks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hook_set set;
    memset(&set, 0, sizeof set);
    struct codex_error err = CODEX_ERROR_INIT;
    if (hook_set_add_json_text(&set, (const char *)data, size, "/f/hooks.json", "user", &err) != 0) {
        if (!codex_error_is_set(&err) || set.n != 0)
            abort();
        codex_error_clear(&err);
    }
    for (size_t i = 0; i < set.n; i++) {
        const struct hook_handler *h = &set.v[i];
        if (!h->key || !h->command || strncmp(h->hash, "sha256:", 7) != 0)
            abort();
        char again[72];
        hook_handler_hash(h, again);
        if (strcmp(again, h->hash) != 0)
            abort();
        (void)hook_matcher_matches(h->matcher, h->command);
        if (h->run_timeout_sec > h->timeout_sec || h->run_timeout_sec <= 0)
            abort();
    }
    hook_set_apply_state(&set, NULL);
    hook_set_free(&set);
    return 0;
}
