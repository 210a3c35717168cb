/* libFuzzer harness for the shell splitter: it must never crash, and a
 * successful split must yield non-empty commands. */
#include <stdint.h>
#include <stdlib.h>

#include "policy/shell_split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shell_commands c;
    if (shell_split((const char *)data, size, &c) == 0) {
        if (c.n == 0)
            abort();
        for (size_t i = 0; i < c.n; i++)
            if (c.cmds[i].n == 0 || c.cmds[i].v[c.cmds[i].n] != NULL)
                abort();
    }
    shell_commands_free(&c);
    return 0;
}
