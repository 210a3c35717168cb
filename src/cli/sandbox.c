/* `codex sandbox [-c sandbox_mode=...] [--full-auto] [--explain] -- CMD...`
 * (also `codex sandbox linux|landlock ...` and `codex debug ...`): run one
 * command under the sandbox the configuration selects, passing its exit
 * status through. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
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
    "  -s, --sandbox <MODE>      read-only (default), workspace-write or danger-full-access\n"
    "      --add-dir <DIR>       Another writable directory\n"
    "  -C, --cd <DIR>            Working directory of the command\n"
    "      --explain             Print the policy and which pipeline enforces it, then exit\n"
    "  -h, --help                Print help\n"
    "\n"
    "`landlock` forces the Landlock pipeline; otherwise bubblewrap is used when it works here.\n";

/* TOML-ish value of a -c override: true/false, a quoted or bare string. */
static int parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "true") == 0)
        return *out = true, 0;
    if (strcmp(v, "false") == 0)
        return *out = false, 0;
    return -1;
}

static char *unquote(const char *v, size_t len)
{
    if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0])
        return xstrndup(v + 1, len - 2);
    return xstrndup(v, len);
}

/* ["a", "b"] into the list. */
static int parse_string_array(const char *v, struct strvec *out)
{
    size_t len = strlen(v);
    if (len < 2 || v[0] != '[' || v[len - 1] != ']')
        return -1;
    const char *p = v + 1, *end = v + len - 1;
    while (p < end) {
        p += strspn(p, " \t,");
        if (p >= end)
            break;
        if (*p != '"' && *p != '\'')
            return -1;
        const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));
        if (!close)
            return -1;
        strvec_push_owned(out, unquote(p, (size_t)(close - p + 1)));
        p = close + 1;
    }
    return 0;
}

static int apply_override(struct sandbox_policy *p, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq) {
        fprintf(stderr, "Error: -c %s: expected key=value\n", kv);
        return -1;
    }
    char *key = xstrndup(kv, (size_t)(eq - kv));
    const char *val = eq + 1;
    char *sval = unquote(val, strlen(val));
    int rc = 0;
    bool b;
    if (strcmp(key, "sandbox_mode") == 0) {
        int k = sandbox_kind_parse(sval);
        if (k < 0 || k == SANDBOX_KIND_EXTERNAL) {
            fprintf(stderr, "Error: -c sandbox_mode=%s: unknown variant, expected one of read-only, "
                            "workspace-write, danger-full-access\n", sval);
            rc = -1;
        } else {
            p->kind = (enum sandbox_kind)k;
        }
    } else if (strcmp(key, "sandbox_workspace_write.writable_roots") == 0) {
        strvec_free(&p->writable_roots);
        if (parse_string_array(val, &p->writable_roots) != 0) {
            fprintf(stderr, "Error: -c %s: expected an array of paths\n", kv);
            rc = -1;
        }
    } else if (strcmp(key, "sandbox_workspace_write.network_access") == 0 ||
               strcmp(key, "sandbox_workspace_write.exclude_slash_tmp") == 0 ||
               strcmp(key, "sandbox_workspace_write.exclude_tmpdir_env_var") == 0 ||
               strcmp(key, "use_legacy_landlock") == 0 ||
               strcmp(key, "features.use_legacy_landlock") == 0) {
        if (parse_bool(val, &b) != 0) {
            fprintf(stderr, "Error: -c %s: expected true or false\n", kv);
            rc = -1;
        } else if (strstr(key, "network_access")) {
            p->network_access = b;
        } else if (strstr(key, "exclude_slash_tmp")) {
            p->exclude_slash_tmp = b;
        } else if (strstr(key, "exclude_tmpdir_env_var")) {
            p->exclude_tmpdir_env_var = b;
        } else {
            p->use_legacy_landlock = b;
        }
    }
    /* Other keys configure other parts of codex; they do not matter here. */
    free(key);
    free(sval);
    return rc;
}

static void explain(const struct sandbox_policy *p, const char *cwd)
{
    char reason[256], err[512];
    enum sandbox_pipeline pl = sandbox_select_pipeline(p, reason, sizeof reason);
    printf("policy: %s\n", sandbox_kind_name(p->kind));
    printf("pipeline: %s (%s)\n", sandbox_pipeline_name(pl), reason);
    if (pl == SANDBOX_PIPELINE_NONE)
        return;
    int abi = sandbox_landlock_abi();
    printf("bwrap: %s\n", sandbox_bwrap_path() ? sandbox_bwrap_path() : "not found");
    if (abi > 0)
        printf("landlock: ABI %d\n", abi);
    else
        printf("landlock: unavailable\n");
    printf("network: %s\n", p->network_access ? "allowed" : "blocked");
    struct sandbox_roots roots;
    if (sandbox_compute_roots(p, cwd, &roots, err, sizeof err) != 0) {
        printf("error: %s\n", err);
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

int cmd_sandbox(struct cli_opts *o, int argc, char **argv)
{
    struct sandbox_policy pol;
    sandbox_policy_init(&pol, SANDBOX_KIND_READ_ONLY);
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
    if (o->full_auto)
        pol.kind = SANDBOX_KIND_WORKSPACE_WRITE;
    if (o->yolo)
        pol.kind = SANDBOX_KIND_DANGER_FULL_ACCESS;
    if (o->sandbox_mode) {
        int k = sandbox_kind_parse(o->sandbox_mode);
        if (k < 0 || k == SANDBOX_KIND_EXTERNAL) {
            rc = cli_usage_error("codex sandbox", "invalid value '%s' for '--sandbox <MODE>'", o->sandbox_mode);
            goto out;
        }
        pol.kind = (enum sandbox_kind)k;
    }
    for (size_t k = 0; k < o->config_overrides.n; k++)
        if (apply_override(&pol, o->config_overrides.v[k]) != 0) {
            rc = 1;
            goto out;
        }
    for (size_t k = 0; k < o->add_dirs.n; k++) {
        char abs[PATH_MAX];
        const char *d = o->add_dirs.v[k];
        strvec_push(&pol.writable_roots, realpath(d, abs) ? abs : d);
    }
    if (force_landlock)
        pol.use_legacy_landlock = true;

    char cwd[PATH_MAX];
    if (o->cd ? !realpath(o->cd, cwd) : !getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "Error: cannot use working directory %s\n", o->cd ? o->cd : ".");
        rc = 1;
        goto out;
    }
    if (want_explain) {
        explain(&pol, cwd);
        goto out;
    }
    if (i >= argc) {
        rc = cli_usage_error("codex sandbox", "a command to run is required");
        goto out;
    }
    rc = sandbox_run(&pol, cwd, &argv[i]);
out:
    sandbox_policy_free(&pol);
    return rc;
}
