/* Recognising `apply_patch <<'EOF' ... EOF` inside exec_command, so that a
 * model that writes patches as shell heredocs gets the apply_patch tool. */
#ifndef CODEX_TOOLS_HEREDOC_H
#define CODEX_TOOLS_HEREDOC_H

/* The patch body when cmd is exactly one apply_patch/applypatch heredoc
 * (optionally after `cd DIR &&`), else NULL.  *workdir gets DIR or NULL.
 * Caller frees both. */
char *heredoc_apply_patch(const char *cmd, char **workdir);

#endif
