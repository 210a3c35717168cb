/* Settings the TUI keeps in its own $CODEX_HOME/config.toml (folder
 * trust, the TUI mode for the next launch): edited in place, comments and
 * layout kept, written atomically. */
#ifndef CODEX_TUI_CONFIG_EDIT_H
#define CODEX_TUI_CONFIG_EDIT_H

#include <stddef.h>

#include "util/error.h"

/* Set keys[0].keys[1]... = value (a string). */
int tui_config_set_string(const char *codex_home, const char *const *keys, size_t n,
                          const char *value, struct codex_error *err);

#endif
