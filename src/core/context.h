/* The context the model starts a thread with: our base instructions, the
 * permissions description, the user's instructions (developer_instructions,
 * AGENTS.md files) and the <environment_context> block. */
#ifndef CODEX_CORE_CONTEXT_H
#define CODEX_CORE_CONTEXT_H

#include <jansson.h>

#include "config/config.h"

/* Our base instructions (or the contents of model_instructions_file). */
char *context_base_instructions(const struct codex_config *cfg);
/* "<permissions instructions>...</permissions instructions>" */
char *context_permissions(const struct codex_config *cfg);
/* <environment_context> with cwd, shell, current_date and timezone. */
char *context_environment(const char *cwd, const char *const *envp);
/* The AGENTS.md instructions that apply to cwd, joined, or NULL when none.
 * $CODEX_HOME/AGENTS(.override).md, "--- project-doc ---", then the files of
 * every directory from the project root down to cwd (within
 * project_doc_max_bytes), joined by blank lines (agents_md.c). */
char *context_agents_md(const struct codex_config *cfg);
/* The IANA zone name of the machine ("Etc/UTC" when unknown). */
char *context_timezone(const char *const *envp);

/* A message input item {type: message, role, content: [{type: input_text, text}...]}. */
json_t *context_message(const char *role, const char *const *texts, int n);

#endif
