/* `codex sandbox [-c sandbox_mode=...] [-P PROFILE] [--full-auto] [--explain] -- CMD...`
 * (also `codex sandbox linux|landlock ...` and `codex debug ...`): run one
 * command under the sandbox the configuration selects, passing its exit
 * status through.  A profile whose network goes through the managed proxy
 * gets the proxy for the one command, started and stopped here. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_netproxy.h"
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
    "  -P, --permission-profile <NAME>\n"
    "                            Permission profile to apply ([permissions.<NAME>], or\n"
    "                            :read-only, :workspace, :danger-full-access); default:\n"
    "                            default_permissions\n"
    "      --include-managed-config\n"
    "                            Apply managed config and requirements (always done)\n"
    "      --add-dir <DIR>       Another writable directory\n"
    "  -C, --cd <DIR>            Working directory of the command\n"
    "      --explain             Print the policy and which pipeline enforces it, then exit\n"
    "  -h, --help                Print help\n"
    "\n"
    "`landlock` forces the Landlock pipeline; otherwise bubblewrap is used when it works here.\n";

static void explain(const struct sandbox_policy *p, const struct codex_config *cfg, const char *cwd)
{
    char reason[256];
    enum sandbox_pipeline pl = sandbox_select_pipeline(p, reason, sizeof reason);
    if (cfg->permissions)
        printf("permission profile: %s\n", cfg->permissions->name);
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
    if (p->network_proxy)
        printf("network: through the managed proxy (%s mode, %zu allowed and %zu denied domain patterns)\n",
               cfg->permissions->network.mode == NETWORK_MODE_LIMITED ? "limited" : "full",
               cfg->permissions->network.allowed_domains.n, cfg->permissions->network.denied_domains.n);
    else
        printf("network: %s\n", p->network_access ? "allowed" : "blocked");
    struct sandbox_plan plan;
    struct codex_error err = CODEX_ERROR_INIT;
    if (sandbox_compute_plan(p, cwd, &plan, &err) != 0) {
        printf("error: %s\n", err.message);
        codex_error_clear(&err);
        return;
    }
    if (!plan.read_all)
        printf("readable: only the places listed below\n");
    for (size_t i = 0; i < plan.n_rules; i++)
        printf("%s: %s\n",
               plan.rules[i].access == SANDBOX_ACCESS_NONE    ? "hidden"
               : plan.rules[i].access == SANDBOX_ACCESS_WRITE ? "writable file"
                                                              : "read-only",
               plan.rules[i].path);
    const struct sandbox_roots *roots_p = &plan.roots;
    if (roots_p->n == 0)
        printf("writable roots: none\n");
    for (size_t i = 0; i < roots_p->n; i++) {
        printf("writable root: %s\n", roots_p->v[i].path);
        for (size_t j = 0; j < roots_p->v[i].n_protected; j++)
            printf("  read-only: %s%s\n", roots_p->v[i].protected_paths[j].path,
                   roots_p->v[i].protected_paths[j].exists ? "" : " (absent; kept uncreatable)");
    }
    sandbox_plan_free(&plan);
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
    bool want_explain = false, force_landlock = false, have_cfg = false;
    const char *permission_profile = NULL;
    struct codex_config cfg;
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
        if (strcmp(a, "--include-managed-config") == 0)
            continue; /* managed config and requirements always apply */
        if (strcmp(a, "-P") == 0 || strcmp(a, "--permission-profile") == 0 ||
            strncmp(a, "--permission-profile=", 21) == 0) {
            if (a[2] == 'p' && a[20] == '=') {
                permission_profile = a + 21;
            } else if (i + 1 < argc) {
                permission_profile = argv[++i];
            } else {
                rc = cli_usage_error("codex sandbox", "a value is required for '%s <NAME>'", a);
                goto out;
            }
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
    if (cli_load_session_config(o, &cfg) != 0) {
        rc = 1;
        goto out;
    }
    have_cfg = true;
    char err[1024];
    if (permission_profile && permissions_select(&cfg, permission_profile, err, sizeof err) != 0) {
        fprintf(stderr, "codex sandbox: %s\n", err);
        rc = 1;
        goto out;
    }
    sandbox_policy_from_config(&pol, &cfg);
    if (force_landlock)
        pol.use_legacy_landlock = true;
    char cwd[PATH_MAX];
    snprintf(cwd, sizeof cwd, "%s", cfg.cwd);
    if (want_explain) {
        explain(&pol, &cfg, cwd);
        goto out;
    }
    if (pol.network_proxy)
        rc = cli_run_behind_proxy(&cfg, &pol, cwd, o->envp, &argv[i], "codex sandbox");
    else
        rc = cli_run_sandboxed(&pol, cwd, cwd, o->envp, &argv[i]);
out:
    if (have_cfg)
        config_free(&cfg);
    sandbox_policy_free(&pol);
    return rc;
}
