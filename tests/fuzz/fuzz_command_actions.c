/* libFuzzer harness for commandActions: any bytes as a command line.  The
 * result must be a non-empty array of actions that each carry a type and
 * the command they describe. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/command_actions.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *command = xmalloc(size + 1);
    memcpy(command, data, size);
    command[size] = '\0';
    json_t *actions = tool_command_actions(command);
    if (!json_is_array(actions) || json_array_size(actions) == 0)
        abort();
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a) {
        if (!json_is_string(json_object_get(a, "type")) ||
            !json_is_string(json_object_get(a, "command")))
            abort();
    }
    json_decref(actions);
    free(command);
    return 0;
}
