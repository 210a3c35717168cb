/* libFuzzer harness for the known-safe classifier's shell reader: any
 * script must be classified without crashing, and an unquoted script with
 * an expansion or redirection character is never safe. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/safe_commands.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *script = malloc(size + 1);
    if (!script)
        return 0;
    memcpy(script, data, size);
    script[size] = '\0';
    const char *argv[] = {"bash", "-lc", script};
    bool safe = safe_command_is_known_safe(argv, 3);
    bool quoted = strchr(script, '\'') || strchr(script, '"');
    if (safe && !quoted && (strchr(script, '`') || strchr(script, '>') || strchr(script, '<') || strchr(script, '$')))
        abort();
    const char *words[] = {script, "-n", script};
    (void)safe_command_is_known_safe(words, 3);
    free(script);
    return 0;
}
