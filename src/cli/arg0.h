/* apply_patch and applypatch on the PATH of spawned commands: a private
 * directory of symlinks to this binary, which acts as apply_patch when run
 * under that name. */
#ifndef CODEX_CLI_ARG0_H
#define CODEX_CLI_ARG0_H

/* Create the directory under $CODEX_HOME/tmp/arg0; NULL when that fails
 * (commands then simply lack the aliases).  Caller frees. */
char *arg0_aliases_create(const char *codex_home);
/* Remove what arg0_aliases_create made. */
void arg0_aliases_remove(const char *dir);

#endif
