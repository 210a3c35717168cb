/* `codex sandbox [-c sandbox_mode=...] [--full-auto] [--explain] -- CMD...`
 * (also `codex sandbox linux|landlock ...` and `codex debug ...`): run one
 * command under the sandbox the configuration selects, passing its exit
 * status through. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "proc/proc.h"
#include "sandbox/sandbox.h"
#include "util/xalloc.h"

static const char *const help_text =
    "Run commands within a Codex-provided sandbox\n"
    "\n"
    "Usage: codex sandbox [OPTIONS] [--] <COMMAND>...\n"
    "       codex sandbox linux|landlock [OPTIONS] [--] <COMMAND>...\n"
    "\n"
    "Arguments:\n"
    "  <COMMAND>...  Full command args to run under the Linux sandbox\n"
    "\n"
    "Options:\n"
    "  -c, --config <key=value>  Override a configuration value (sandbox_mode,\n"
    "                            sandbox_workspace_write.network_access, .writable_roots,\n"
    "                            .exclude_slash_tmp, .exclude_tmpdir_env_var, use_legacy_landlock)\n"
    "      --full-auto           Same as -c sandbox_mode=workspace-write\n"
    "  -s, --sandbox <MODE>      read-only, workspace-write or danger-full-access\n"
    "                            (default: the configuration's sandbox_mode)\n"
    "  -p, --profile <NAME>      Configuration profile\n"
    "      --add-dir <DIR>       Another writable directory\n"
    "  -C, --cd <DIR>            Working directory of the command\n"
    "      --explain             Print the policy and which pipeline enforces it, then exit\n"
    "  -h, --help                Print help\n"
    "\n"
    "`landlock` forces the Landlock pipeline; otherwise bubblewrap is used when it works here.\n";

static void explain(const struct sandbox_policy *p, const char *cwd)
{
    char reason[256];
    enum sandbox_pipeline pl = sandbox_select_pipeline(p, reason, sizeof reason);
    printf("policy: %s\n", sandbox_kind_name(p->kind));
    printf("pipeline: %s (%s)\n", sandbox_pipeline_name(pl), reason);
    if (pl == SANDBOX_PIPELINE_NONE)
        return;
    int abi = sandbox_landlock_abi();
    printf("bwrap: %s\n", sandbox_bwrap_path(p) ? sandbox_bwrap_path(p) : "not found");
    if (abi > 0)
        printf("landlock: ABI %d\n", abi);
    else
        printf("landlock: unavailable\n");
    printf("network: %s\n", p->network_access ? "allowed" : "blocked");
    struct sandbox_roots roots;
    struct codex_error err = CODEX_ERROR_INIT;
    if (sandbox_compute_roots(p, cwd, &roots, &err) != 0) {
        printf("error: %s\n", err.message);
        codex_error_clear(&err);
        return;
    }
    if (roots.n == 0)
        printf("writable roots: none\n");
    for (size_t i = 0; i < roots.n; i++) {
        printf("writable root: %s\n", roots.v[i].path);
        for (size_t j = 0; j < roots.v[i].n_protected; j++)
            printf("  read-only: %s%s\n", roots.v[i].protected_paths[j].path,
                   roots.v[i].protected_paths[j].exists ? "" : " (absent; kept uncreatable)");
    }
    sandbox_roots_free(&roots);
}

int cli_run_sandboxed(const struct sandbox_policy *p, const char *policy_cwd, const char *cwd,
                      const char *const *envp, char *const argv[])
{
    struct proc_spec spec = {
        .argv = (const char *const *)argv,
        .envp = envp,
        .cwd = cwd,
        .sandbox = p,
        .policy_cwd = policy_cwd,
    };
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = proc_run_foreground(&spec, &err);
    if (rc < 0) {
        rc = err.os_errno == ENOENT ? 127 : err.os_errno == EACCES ? 126 : 1;
        fprintf(stderr, "codex sandbox: %s\n", err.message);
        codex_error_clear(&err);
    }
    return rc;
}

int cmd_sandbox(struct cli_opts *o, int argc, char **argv)
{
    struct sandbox_policy pol = {0};
    bool want_explain = false, force_landlock = false;
    int i = 1, rc = 0;
    if (i < argc && (strcmp(argv[i], "linux") == 0 || strcmp(argv[i], "landlock") == 0)) {
        force_landlock = strcmp(argv[i], "landlock") == 0;
        i++;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help_text, stdout);
            goto out;
        }
        if (strcmp(a, "--explain") == 0) {
            want_explain = true;
            continue;
        }
        if (a[0] != '-')
            break;
        int r = cli_shared_flag(o, "codex sandbox", argc, argv, &i);
        if (r < 0) {
            rc = 2;
            goto out;
        }
        if (r == 0) {
            rc = cli_usage_error("codex sandbox", "unexpected argument '%s' found", a);
            goto out;
        }
    }
    if (i >= argc && !want_explain) {
        rc = cli_usage_error("codex sandbox", "a command to run is required");
        goto out;
    }
    struct codex_config cfg;
    if (cli_load_session_config(o, &cfg) != 0) {
        rc = 1;
        goto out;
    }
    sandbox_policy_from_config(&pol, &cfg);
    if (force_landlock)
        pol.use_legacy_landlock = true;
    char cwd[PATH_MAX];
    snprintf(cwd, sizeof cwd, "%s", cfg.cwd);
    config_free(&cfg);
    if (want_explain) {
        explain(&pol, cwd);
        goto out;
    }
    rc = cli_run_sandboxed(&pol, cwd, cwd, o->envp, &argv[i]);
out:
    sandbox_policy_free(&pol);
    return rc;
}
