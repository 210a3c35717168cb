/* libFuzzer harness for the rules-file parser: any input must load or fail
 * with a located message, and a loaded policy must evaluate and render. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/execpolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ep_policy *p = ep_policy_new();
    char *err = NULL;
    if (ep_policy_parse(p, "fuzz.rules", (const char *)data, size, &err) == 0) {
        static const char *const cmds[][3] = {
            {"git", "status", "x"}, {"/usr/bin/git", "a", "b"}, {"bash", "-lc", "a && b | c"}, {"a", "b", "c"}};
        for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
            struct ep_evaluation ev = {0};
            ep_check_command(p, cmds[i], 3, true, &ev);
            char *json = ep_evaluation_json(&ev, i % 2 == 0);
            free(json);
            ep_evaluation_free(&ev);
        }
    } else if (!err || strncmp(err, "fuzz.rules:", 11) != 0) {
        abort(); /* every failure must say where */
    }
    free(err);
    ep_policy_free(p);
    return 0;
}
