/* What `codex plugin` and `codex plugin marketplace` share. */
#ifndef CODEX_CLI_PLUGIN_CLI_H
#define CODEX_CLI_PLUGIN_CLI_H

#include <stdbool.h>

#include <jansson.h>

#include "cli/cli.h"
#include "plugins/plugins.h"
#include "util/error.h"

int cmd_plugin_marketplace(struct cli_opts *o, int argc, char **argv);

void plugin_cli_print_json(json_t *v); /* takes the reference */
int plugin_cli_fail(struct codex_error *err); /* "Error: ..." on stderr; returns 1 */
/* "marketplaceSource" of a configured marketplace (a found one has none). */
void plugin_cli_set_market_source(json_t *obj, const struct configured_marketplace *m);
/* $HOME/.agents/plugins/marketplace.json is in scope, first, as in the reference. */
struct codex_config;
void plugin_cli_add_home_marketplace(const struct codex_config *cfg, struct plugins_config *pc);
bool plugin_cli_config_flag(const char *arg);
int plugin_cli_usage(const char *usage, const char *fmt, const char *arg);
const char *plugin_cli_flag_value(const char *flag, const char *short_flag, int argc, char **argv,
                                  int *i);

#endif
