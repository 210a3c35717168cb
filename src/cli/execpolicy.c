/* `codex execpolicy check`: evaluate a command against rules files and print
 * the matches as JSON (the reference's format).  Every decision exits 0; an
 * unreadable or invalid rules file exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "policy/execpolicy.h"
#include "util/strvec.h"

static const char execpolicy_help[] =
    "Execpolicy tooling\n"
    "\n"
    "Usage: codex execpolicy [OPTIONS] <COMMAND>\n"
    "\n"
    "Commands:\n"
    "  check  Check execpolicy files against a command\n"
    "  help   Print this message or the help of the given subcommand(s)\n"
    "\n"
    "Options:\n"
    "  -c, --config <key=value>  Override a configuration value that would otherwise be loaded from\n"
    "                            `~/.codex/config.toml`\n"
    "      --enable <FEATURE>    Enable a feature (repeatable). Equivalent to `-c features.<name>=true`\n"
    "      --disable <FEATURE>   Disable a feature (repeatable). Equivalent to `-c features.<name>=false`\n"
    "  -h, --help                Print help\n";

static const char check_help[] =
    "Check execpolicy files against a command\n"
    "\n"
    "Usage: codex execpolicy check [OPTIONS] --rules <PATH> <COMMAND>...\n"
    "\n"
    "Arguments:\n"
    "  <COMMAND>...\n"
    "          Command tokens to check against the policy\n"
    "\n"
    "Options:\n"
    "  -c, --config <key=value>\n"
    "          Override a configuration value that would otherwise be loaded from `~/.codex/config.toml`\n"
    "\n"
    "  -r, --rules <PATH>\n"
    "          Paths to execpolicy rule files to evaluate (repeatable)\n"
    "\n"
    "      --enable <FEATURE>\n"
    "          Enable a feature (repeatable). Equivalent to `-c features.<name>=true`\n"
    "\n"
    "      --pretty\n"
    "          Pretty-print the JSON output\n"
    "\n"
    "      --disable <FEATURE>\n"
    "          Disable a feature (repeatable). Equivalent to `-c features.<name>=false`\n"
    "\n"
    "      --resolve-host-executables\n"
    "          Resolve absolute program paths against basename rules, gated by any `host_executable()`\n"
    "          definitions in the loaded policy files\n"
    "\n"
    "  -h, --help\n"
    "          Print help\n";

static const char check_usage[] = "Usage: codex execpolicy check --rules <PATH> <COMMAND>...";

static int check_usage_error(const char *what)
{
    fprintf(stderr, "error: %s\n\n%s\n\nFor more information, try '--help'.\n", what, check_usage);
    return 2;
}

static int run_check(struct cli_opts *o, int argc, char **argv)
{
    struct strvec rules = STRVEC_INIT;
    bool pretty = false, resolve = false;
    int i = 1, status = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(check_help, stdout);
            strvec_free(&rules);
            return 0;
        }
        if (strcmp(a, "--pretty") == 0) {
            pretty = true;
            continue;
        }
        if (strcmp(a, "--resolve-host-executables") == 0) {
            resolve = true;
            continue;
        }
        if (strcmp(a, "-r") == 0 || strcmp(a, "--rules") == 0) {
            if (i + 1 >= argc) {
                strvec_free(&rules);
                return check_usage_error("a value is required for '--rules <PATH>' but none was supplied");
            }
            strvec_push(&rules, argv[++i]);
            continue;
        }
        if (strncmp(a, "--rules=", 8) == 0) {
            strvec_push(&rules, a + 8);
            continue;
        }
        if (strncmp(a, "-r", 2) == 0 && a[2]) {
            strvec_push(&rules, a + 2);
            continue;
        }
        int r = cli_shared_flag(o, "codex execpolicy check", argc, argv, &i);
        if (r < 0) {
            strvec_free(&rules);
            return 2;
        }
        if (r > 0)
            continue;
        /* Anything else, even an unknown --flag, starts the command (as
         * the reference does); everything after it belongs to the command. */
        break;
    }
    if (rules.n == 0) {
        strvec_free(&rules);
        return check_usage_error("the following required arguments were not provided:\n  --rules <PATH>");
    }
    if (i >= argc) {
        strvec_free(&rules);
        return check_usage_error("the following required arguments were not provided:\n  <COMMAND>...");
    }

    struct ep_policy *policy = ep_policy_new();
    ep_policy_set_home(policy, getenv("HOME"));
    for (size_t k = 0; k < rules.n; k++) {
        char *err = NULL;
        if (ep_policy_load_file(policy, rules.v[k], &err) < 0) {
            if (strncmp(err, "failed to read policy", 21) == 0)
                fprintf(stderr, "Error: %s\n", err);
            else
                fprintf(stderr, "Error: failed to parse policy at %s: %s\n", rules.v[k], err);
            free(err);
            status = 1;
            goto out;
        }
    }
    struct ep_evaluation ev = {0};
    ep_policy_match(policy, (const char *const *)argv + i, (size_t)(argc - i), resolve, &ev);
    char *json = ep_evaluation_json(&ev, pretty);
    puts(json);
    free(json);
    ep_evaluation_free(&ev);
out:
    ep_policy_free(policy);
    strvec_free(&rules);
    return status;
}

int cmd_execpolicy(struct cli_opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(execpolicy_help, stdout);
            return 0;
        }
        int r = cli_shared_flag(o, "codex execpolicy", argc, argv, &i);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (strcmp(a, "check") == 0)
            return run_check(o, argc - i, argv + i);
        if (strcmp(a, "help") == 0) {
            if (i + 1 < argc && strcmp(argv[i + 1], "check") == 0)
                fputs(check_help, stdout);
            else
                fputs(execpolicy_help, stdout);
            return 0;
        }
        fprintf(stderr,
                "error: unrecognized subcommand '%s'\n\nUsage: codex execpolicy [OPTIONS] <COMMAND>\n\n"
                "For more information, try '--help'.\n",
                a);
        return 2;
    }
    fputs(execpolicy_help, stderr);
    return 2;
}
