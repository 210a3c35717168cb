/* `codex` itself: shared flags, --help/--version and subcommand dispatch. */
#include <stdarg.h>
#include <unistd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_flags.h"
#include "config/config.h"

const struct cli_command cli_commands[] = {
    {"exec", "e", "Run Codex non-interactively", cmd_exec, false},
    {"review", NULL, "Run a code review non-interactively", cmd_review, false},
    {"login", NULL, "Manage login", cmd_login, false},
    {"logout", NULL, "Remove stored authentication credentials", cmd_logout, false},
    {"mcp", NULL, "Manage external MCP servers for Codex", cmd_mcp, false},
    {"mcp-server", NULL, "Run Codex as an MCP server over stdio", cmd_mcp_server, false},
    {"plugin", NULL, "Manage Codex plugins", cmd_plugin, false},
    {"app-server", NULL, "[experimental] Run the app server", cmd_app_server, false},
    {"completion", NULL, "Generate shell completion scripts", cmd_completion, false},
    {"sandbox", NULL, "Run commands within a Codex-provided sandbox", cmd_sandbox, false},
    {"debug", NULL, "Debugging tools (same as sandbox)", cmd_sandbox, false},
    {"execpolicy", NULL, "Check commands against execpolicy rules", cmd_execpolicy, false},
    {"apply", "a", "Apply the latest diff produced by the agent with `git apply`", cmd_apply, true},
    {"resume", NULL, "Resume a previous interactive session", cmd_resume, false},
    {"fork", NULL, "Fork a previous interactive session", cmd_fork, false},
    {"features", NULL, "Inspect feature flags", cmd_features, false},
    {"archive", NULL, "Archive a saved session by id or session name", cmd_archive, false},
    {"unarchive", NULL, "Unarchive a saved session by id or session name", cmd_unarchive, false},
    {"delete", NULL, "Permanently delete a saved session by id or session name", cmd_delete, false},
    {"doctor", NULL, "Diagnose local Codex installation, config, auth, and runtime health", cmd_doctor, false},
    {NULL, NULL, NULL, NULL, false},
};

static void print_help(FILE *out)
{
    fputs("Codex CLI (codex-c)\n\n"
          "With no subcommand, the options and PROMPT start an interactive session.\n\n"
          "Usage: codex [OPTIONS] [PROMPT]\n"
          "       codex [OPTIONS] <COMMAND> [ARGS]\n\n"
          "Commands:\n",
          out);
    for (const struct cli_command *c = cli_commands; c->name; c++) {
        fprintf(out, "  %-12s %s", c->name, c->summary);
        if (c->alias)
            fprintf(out, " [aliases: %s]", c->alias);
        fputs(c->pending ? " (not yet in codex-c)\n" : "\n", out);
    }
    fputs("  help         Print this message or the help of the given subcommand(s)\n\n"
          "Arguments:\n"
          "  [PROMPT]  First message of the interactive session\n\n"
          "Options:\n",
          out);
    cli_print_flags(out, CLI_FLAGS_ROOT);
    cli_print_option(out, "-h, --help", "Print help");
    cli_print_option(out, "-V, --version", "Print version");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\nFor more information, try '%s%s--help'.\n", cmd ? cmd : "codex",
            " ");
    return 2;
}

int cli_not_implemented(const char *cmd)
{
    fprintf(stderr, "codex %s: not implemented yet\n", cmd);
    return 2;
}

void cli_opts_free(struct cli_opts *o)
{
    strvec_free(&o->config_overrides);
    strvec_free(&o->enable);
    strvec_free(&o->disable);
    strvec_free(&o->add_dirs);
    strvec_free(&o->images);
    free(o->owned_cd);
    o->owned_cd = NULL;
}

/* Match "--name value", "--name=value", "-x value" and "-xvalue". */
static int take_value(const char *arg, const char *shortf, const char *longf, int argc, char **argv,
                      int *i, const char **value, const char *cmd, int *err)
{
    size_t ll = longf ? strlen(longf) : 0;
    if ((shortf && strcmp(arg, shortf) == 0) || (longf && strcmp(arg, longf) == 0)) {
        if (*i + 1 >= argc) {
            *err = cli_usage_error(cmd, "a value is required for '%s' but none was supplied", arg);
            return -1;
        }
        *value = argv[++*i];
        return 1;
    }
    if (longf && strncmp(arg, longf, ll) == 0 && arg[ll] == '=') {
        *value = arg + ll + 1;
        return 1;
    }
    if (shortf && strncmp(arg, shortf, 2) == 0 && arg[2] != '\0' && arg[1] != '-') {
        *value = arg + 2;
        return 1;
    }
    return 0;
}

static bool one_of(const char *v, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(v, *allowed) == 0)
            return true;
    return false;
}

int cli_shared_flag(struct cli_opts *o, const char *cmd, int argc, char **argv, int *i)
{
    static const char *const sandbox_modes[] = {"read-only", "workspace-write", "danger-full-access", NULL};
    static const char *const approval_policies[] = {"untrusted", "on-failure", "on-request", "never", NULL};
    const char *arg = argv[*i];
    const char *v = NULL;
    int err = 0, r;

    static const struct {
        const char *name;
        size_t offset;
    } switches[] = {
        {"--full-auto", offsetof(struct cli_opts, full_auto)},
        {"--dangerously-bypass-approvals-and-sandbox", offsetof(struct cli_opts, yolo)},
        {"--yolo", offsetof(struct cli_opts, yolo)},
        {"--oss", offsetof(struct cli_opts, oss)},
        {"--search", offsetof(struct cli_opts, search)},
        {"--strict-config", offsetof(struct cli_opts, strict_config)},
        {"--approve-for-me", offsetof(struct cli_opts, approve_for_me)},
        {"--dangerously-bypass-hook-trust", offsetof(struct cli_opts, bypass_hook_trust)},
        {"--worktree", offsetof(struct cli_opts, worktree)},
        {"--no-alt-screen", offsetof(struct cli_opts, no_alt_screen)},
        {"--no-daemon", offsetof(struct cli_opts, no_daemon)},
    };
    for (size_t k = 0; k < sizeof switches / sizeof switches[0]; k++)
        if (strcmp(arg, switches[k].name) == 0) {
            *(bool *)((char *)o + switches[k].offset) = true;
            return 1;
        }

    if ((r = take_value(arg, "-c", "--config", argc, argv, i, &v, cmd, &err)) != 0) {
        if (r < 0)
            return -1;
        strvec_push(&o->config_overrides, v);
        return 1;
    }
    if ((r = take_value(arg, NULL, "--enable", argc, argv, i, &v, cmd, &err)) != 0)
        return r < 0 ? -1 : (strvec_push(&o->enable, v), 1);
    if ((r = take_value(arg, NULL, "--disable", argc, argv, i, &v, cmd, &err)) != 0)
        return r < 0 ? -1 : (strvec_push(&o->disable, v), 1);
    if ((r = take_value(arg, NULL, "--add-dir", argc, argv, i, &v, cmd, &err)) != 0)
        return r < 0 ? -1 : (strvec_push(&o->add_dirs, v), 1);
    if ((r = take_value(arg, "-i", "--image", argc, argv, i, &v, cmd, &err)) != 0)
        return r < 0 ? -1 : (strvec_push(&o->images, v), 1);
    if ((r = take_value(arg, "-p", "--profile", argc, argv, i, &v, cmd, &err)) != 0) {
        if (r < 0)
            return -1;
        if (!config_profile_name_valid(v)) {
            cli_usage_error(cmd, "invalid value '%s' for '--profile <CONFIG_PROFILE_V2>': use a plain name such as `work` (letters, digits, '-', '_')", v);
            return -1;
        }
        o->profile = v;
        return 1;
    }
    if ((r = take_value(arg, NULL, "--remote", argc, argv, i, &v, cmd, &err)) != 0)
        return r < 0 ? -1 : (o->remote = v, 1);
    if ((r = take_value(arg, NULL, "--remote-auth-token-env", argc, argv, i, &v, cmd, &err)) != 0)
        return r < 0 ? -1 : (o->remote_auth_token_env = v, 1);
    if ((r = take_value(arg, "-m", "--model", argc, argv, i, &v, cmd, &err)) != 0)
        return r < 0 ? -1 : (o->model = v, 1);
    if ((r = take_value(arg, "-C", "--cd", argc, argv, i, &v, cmd, &err)) != 0)
        return r < 0 ? -1 : (o->cd = v, 1);
    if ((r = take_value(arg, NULL, "--local-provider", argc, argv, i, &v, cmd, &err)) != 0)
        return r < 0 ? -1 : (o->local_provider = v, 1);
    if ((r = take_value(arg, "-s", "--sandbox", argc, argv, i, &v, cmd, &err)) != 0) {
        if (r < 0)
            return -1;
        if (!one_of(v, sandbox_modes)) {
            cli_usage_error(cmd, "invalid value '%s' for '--sandbox <SANDBOX_MODE>'\n  [possible values: read-only, workspace-write, danger-full-access]", v);
            return -1;
        }
        o->sandbox_mode = v;
        return 1;
    }
    if ((r = take_value(arg, "-a", "--ask-for-approval", argc, argv, i, &v, cmd, &err)) != 0) {
        if (r < 0)
            return -1;
        if (!one_of(v, approval_policies)) {
            cli_usage_error(cmd, "invalid value '%s' for '--ask-for-approval <APPROVAL_POLICY>'\n  [possible values: untrusted, on-request, never]", v);
            return -1;
        }
        o->approval_policy = v;
        return 1;
    }
    return 0;
}

static const struct cli_command *find_command(const char *name)
{
    for (const struct cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0 || (c->alias && strcmp(c->alias, name) == 0))
            return c;
    return NULL;
}

int cli_main(int argc, char **argv)
{
    struct cli_opts opts = {.envp = (const char *const *)environ};
    int status = 0;
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_help(stdout);
            goto out;
        }
        if (strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0) {
            puts("codex-c " CODEX_VERSION);
            goto out;
        }
        if (strcmp(arg, "--codex-run-as-apply-patch") == 0) {
            status = cli_apply_patch_main(argc - i, argv + i);
            goto out;
        }
        if (arg[0] == '-' && arg[1] != '\0') {
            int r = cli_shared_flag(&opts, "codex", argc, argv, &i);
            if (r < 0) {
                status = 2;
                goto out;
            }
            if (r == 0) {
                status = cli_usage_error("codex", "unexpected argument '%s' found", arg);
                goto out;
            }
            continue;
        }
        break;
    }
    if (i < argc) {
        if (strcmp(argv[i], "help") == 0) {
            const struct cli_command *c = i + 1 < argc ? find_command(argv[i + 1]) : NULL;
            if (c) {
                char *help_argv[] = {argv[i + 1], "--help", NULL};
                status = c->run(&opts, 2, help_argv);
            } else {
                print_help(stdout);
            }
            goto out;
        }
        const struct cli_command *c = find_command(argv[i]);
        if (c) {
            status = c->run(&opts, argc - i, argv + i);
            goto out;
        }
    }
    /* A bare word is the prompt of the interactive session. */
    status = cmd_tui(&opts, argc - i, argv + i);
out:
    cli_opts_free(&opts);
    return status;
}
