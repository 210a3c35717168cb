/* commandActions of a commandExecution item, from its command line. */
#ifndef CODEX_TOOLS_COMMAND_ACTIONS_H
#define CODEX_TOOLS_COMMAND_ACTIONS_H

#include <jansson.h>

/* The v2 CommandAction array describing `command` (a shell command line,
 * possibly `bash -lc SCRIPT`): read / listFiles / search actions, or one
 * unknown action holding the script.  NULL reads as "".  New reference. */
json_t *tool_command_actions(const char *command);

#endif
