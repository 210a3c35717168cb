/* The front end: one file per subcommand (like git's builtin/), each a thin
 * layer that parses its flags, asks the core library for work and renders
 * the result.  Flags shared by several subcommands are parsed here once. */
#ifndef CODEX_CLI_CLI_H
#define CODEX_CLI_CLI_H

#include <stdbool.h>

#include "util/strvec.h"

/* Options accepted by `codex` itself and by most subcommands. */
struct cli_opts {
    /* The process environment, read here once and passed down: the library
     * never calls getenv. */
    const char *const *envp;
    struct strvec config_overrides; /* raw "key=value" from -c/--config, in order */
    struct strvec enable;           /* --enable FEATURE */
    struct strvec disable;          /* --disable FEATURE */
    struct strvec add_dirs;         /* --add-dir DIR */
    struct strvec images;           /* -i/--image FILE */
    const char *profile;            /* -p/--profile */
    const char *model;              /* -m/--model */
    const char *sandbox_mode;       /* -s/--sandbox */
    const char *approval_policy;    /* -a/--ask-for-approval */
    const char *cd;                 /* -C/--cd */
    char *owned_cd;                 /* cd when a subcommand chose it (--worktree) */
    const char *local_provider;     /* --local-provider */
    const char *remote;             /* --remote ADDR */
    const char *remote_auth_token_env; /* --remote-auth-token-env VAR */
    bool full_auto; /* hidden: the reference dropped it; kept for old scripts */
    bool yolo; /* --dangerously-bypass-approvals-and-sandbox */
    bool oss;
    bool search;
    bool strict_config;
    bool approve_for_me;
    bool bypass_hook_trust; /* --dangerously-bypass-hook-trust */
    bool worktree;
    bool no_alt_screen;
    bool no_daemon;
};

/* A subcommand.  argv[0] is the subcommand's own name; opts already holds
 * the shared flags given before it.  Returns the process exit status. */
typedef int (*cli_cmd_fn)(struct cli_opts *opts, int argc, char **argv);

struct cli_command {
    const char *name;
    const char *alias; /* or NULL */
    const char *summary;
    cli_cmd_fn run;
    bool pending; /* listed for the reference's sake, not working yet: --help says so */
};

extern const struct cli_command cli_commands[]; /* terminated by {NULL} */

/* If argv[*i] is a shared flag, consume it (and its value, advancing *i past
 * it) and return 1.  Return 0 if it is not a shared flag, or -1 after
 * printing a usage error (the caller exits 2). */
int cli_shared_flag(struct cli_opts *o, const char *cmd, int argc, char **argv, int *i);

/* Print a usage error the way the reference does ("error: ..." plus a hint)
 * and return 2, the usage exit status. */
/* Run argv in the foreground under p (codex sandbox, the helper); the
 * writable roots come from policy_cwd, the command runs in cwd.  Returns
 * the exit status to report (127 missing program, 1 sandbox failure). */
struct sandbox_policy;
int cli_run_sandboxed(const struct sandbox_policy *p, const char *policy_cwd, const char *cwd,
                      const char *const *envp, char *const argv[]);

/* --worktree: make a managed git worktree and point o->cd into it.
 * 0, or 1 after one error line. */
int cli_enter_worktree(struct cli_opts *o);
/* One line on stderr for each given shared flag that is not supported yet. */
void cli_warn_unsupported_flags(const struct cli_opts *o);

int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open url in the user's browser (xdg-open) when envp names a display;
 * best effort, on loop (cli/open_url.c). */
struct uv_loop_s;
void cli_open_url(struct uv_loop_s *loop, const char *const *envp, const char *url);

/* For subcommands that do not exist yet: one line on stderr, exit 2. */
int cli_not_implemented(const char *cmd);

void cli_opts_free(struct cli_opts *o);

struct codex_config;
/* Load the configuration from the shared flags (cli_config.c).  Returns 0,
 * or prints "Error: ..." on stderr and returns the exit status to use (1). */
int cli_load_config(struct cli_opts *o, struct codex_config *cfg);
/* Add the installed plugins' MCP servers to a session's cfg, saying on
 * stderr which plugin files cannot be used. */
void cli_add_plugin_mcp_servers(struct codex_config *cfg);
/* The same, to run a session: a restricting setting codex-c cannot honour
 * yet refuses the load instead of warning. */
int cli_load_session_config(struct cli_opts *o, struct codex_config *cfg);

/* Entry points chosen by argv[0] (see main.c). */
int cli_main(int argc, char **argv);
int cli_apply_patch_main(int argc, char **argv);
int cli_linux_sandbox_main(int argc, char **argv);
int cli_network_proxy_main(int argc, char **argv);

/* The interactive session (tui.c), shared by `codex`, `codex resume` and
 * `codex fork`.  start is an enum tui_start. */
struct cli_tui_launch {
    int start;
    const char *prompt;
    const char *session_id;
    bool last;
    bool all;
};
int cli_run_tui(struct cli_opts *o, const struct cli_tui_launch *l);
/* `codex resume` / `codex fork` (resume.c). */
int cli_resume_or_fork(struct cli_opts *o, int argc, char **argv, int start);

/* Subcommands. */
/* cmd_tui gets only the positional words: argv[0] is the prompt, if any. */
int cmd_tui(struct cli_opts *o, int argc, char **argv);
int cmd_exec(struct cli_opts *o, int argc, char **argv);
/* codex exec, or (review_cmd "codex review") a review run the same way. */
int cli_exec_main(struct cli_opts *o, int argc, char **argv, const char *review_cmd);
int cmd_review(struct cli_opts *o, int argc, char **argv);
int cmd_login(struct cli_opts *o, int argc, char **argv);
int cmd_logout(struct cli_opts *o, int argc, char **argv);
int cmd_mcp(struct cli_opts *o, int argc, char **argv);
int cmd_plugin(struct cli_opts *o, int argc, char **argv);
int cmd_mcp_server(struct cli_opts *o, int argc, char **argv);
int cmd_app_server(struct cli_opts *o, int argc, char **argv);
int cmd_sandbox(struct cli_opts *o, int argc, char **argv);
int cmd_execpolicy(struct cli_opts *o, int argc, char **argv);
int cmd_apply(struct cli_opts *o, int argc, char **argv);
int cmd_resume(struct cli_opts *o, int argc, char **argv);
int cmd_fork(struct cli_opts *o, int argc, char **argv);
int cmd_completion(struct cli_opts *o, int argc, char **argv);
int cmd_features(struct cli_opts *o, int argc, char **argv);
int cmd_archive(struct cli_opts *o, int argc, char **argv);
int cmd_unarchive(struct cli_opts *o, int argc, char **argv);
int cmd_delete(struct cli_opts *o, int argc, char **argv);
int cmd_doctor(struct cli_opts *o, int argc, char **argv);

#endif
