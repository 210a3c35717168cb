/* The shared flag table (names and value names as the reference's
 * `codex --help` has them; the help sentences are ours). */
#include <string.h>

#include "cli/cli_flags.h"

#define C CLI_FLAGS_CONFIG
#define E CLI_FLAGS_EXEC
#define R CLI_FLAGS_ROOT

const struct cli_flag cli_shared_flags[] = {
    {'c', "config", "<key=value>", CLI_VALUE_TEXT, NULL, C | E | R,
     "Set a config value for this run, as if it were in ~/.codex/config.toml. The key is a "
     "dotted path (e.g. sandbox_workspace_write.network_access); the value is read as TOML, or "
     "used as plain text when it is not valid TOML"},
    {0, "enable", "<FEATURE>", CLI_VALUE_FEATURE, NULL, C | E | R,
     "Turn a feature flag on for this run (repeatable); short for -c features.<name>=true"},
    {0, "disable", "<FEATURE>", CLI_VALUE_FEATURE, NULL, C | E | R,
     "Turn a feature flag off for this run (repeatable); short for -c features.<name>=false"},
    {0, "remote", "<ADDR>", CLI_VALUE_TEXT, NULL, R,
     "Attach the interactive session to an app server at ws://host:port, wss://host:port or "
     "unix://PATH"},
    {0, "remote-auth-token-env", "<ENV_VAR>", CLI_VALUE_TEXT, NULL, R,
     "Environment variable holding the bearer token sent to the --remote server"},
    {0, "strict-config", NULL, CLI_VALUE_NONE, NULL, E | R,
     "Fail instead of warning when config.toml has keys this version does not know"},
    {'i', "image", "<FILE>...", CLI_VALUE_FILE, NULL, E | R,
     "Image file(s) to attach to the first prompt"},
    {'m', "model", "<MODEL>", CLI_VALUE_TEXT, NULL, E | R, "Model for the agent to use"},
    {0, "oss", NULL, CLI_VALUE_NONE, NULL, E | R,
     "Use a local open-source model provider (see --local-provider)"},
    {0, "local-provider", "<OSS_PROVIDER>", CLI_VALUE_CHOICE, "lmstudio ollama", E | R,
     "Local provider for --oss: lmstudio or ollama (default: oss_provider from config, else "
     "ollama)"},
    {'p', "profile", "<CONFIG_PROFILE_V2>", CLI_VALUE_TEXT, NULL, E | R,
     "Apply $CODEX_HOME/<name>.config.toml (and [profiles.<name>]) over the user config"},
    {'s', "sandbox", "<SANDBOX_MODE>", CLI_VALUE_CHOICE, "read-only workspace-write danger-full-access",
     E | R,
     "Sandbox for the shell commands the model runs [possible values: read-only, "
     "workspace-write, danger-full-access]"},
    {0, "approve-for-me", NULL, CLI_VALUE_NONE, NULL, E | R,
     "Let the automatic reviewer answer approval requests, with the workspace-write sandbox"},
    {0, "dangerously-bypass-approvals-and-sandbox", NULL, CLI_VALUE_NONE, NULL, E | R,
     "Run every command without a sandbox and without asking (alias --yolo). Only for "
     "environments that are already isolated from the outside"},
    {0, "dangerously-bypass-hook-trust", NULL, CLI_VALUE_NONE, NULL, E | R,
     "Run enabled hooks without a recorded trust decision, for this run only"},
    {'C', "cd", "<DIR>", CLI_VALUE_DIR, NULL, E | R, "Directory the agent works in"},
    {0, "worktree", NULL, CLI_VALUE_NONE, NULL, E | R,
     "Run the session in a new managed Git worktree"},
    {0, "add-dir", "<DIR>", CLI_VALUE_DIR, NULL, E | R,
     "Another directory the agent may write to, besides the workspace"},
    {'a', "ask-for-approval", "<APPROVAL_POLICY>", CLI_VALUE_CHOICE, "untrusted on-request never",
     R,
     "When to ask before running a command [possible values: untrusted, on-request, never]"},
    {0, "search", NULL, CLI_VALUE_NONE, NULL, R,
     "Give the model live web search (web_search = \"live\")"},
    {0, "no-alt-screen", NULL, CLI_VALUE_NONE, NULL, R,
     "Run the interactive session inline, keeping the terminal's scrollback"},
    {0, "no-daemon", NULL, CLI_VALUE_NONE, NULL, R,
     "Do not use the shared background server, even when one is running"},
    {0, NULL, NULL, CLI_VALUE_NONE, NULL, 0, NULL},
};

#define HELP_WIDTH 100
#define HELP_INDENT 10

/* Word-wrap text to HELP_WIDTH columns, every line indented. */
static void print_wrapped(FILE *out, const char *text)
{
    const char *p = text;
    while (*p) {
        size_t avail = HELP_WIDTH - HELP_INDENT;
        size_t len = strlen(p);
        size_t take = len;
        if (len > avail) {
            take = avail;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)
                take = avail;
        }
        fprintf(out, "%*s%.*s\n", HELP_INDENT, "", (int)take, p);
        p += take;
        while (*p == ' ')
            p++;
    }
}

void cli_print_option(FILE *out, const char *names, const char *help)
{
    fprintf(out, "  %s\n", names);
    print_wrapped(out, help);
}

void cli_print_flags(FILE *out, unsigned mask)
{
    for (const struct cli_flag *f = cli_shared_flags; f->long_name; f++) {
        if (!(f->shown_in & mask))
            continue;
        char names[128];
        if (f->short_name)
            snprintf(names, sizeof names, "-%c, --%s%s%s", f->short_name, f->long_name,
                     f->value_name ? " " : "", f->value_name ? f->value_name : "");
        else
            snprintf(names, sizeof names, "    --%s%s%s", f->long_name, f->value_name ? " " : "",
                     f->value_name ? f->value_name : "");
        cli_print_option(out, names, f->help);
    }
}
