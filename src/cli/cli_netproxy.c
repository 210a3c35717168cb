/* What the managed network proxy takes from codex's own environment (the
 * front end is the only reader of the environment), and running one
 * command behind it (codex sandbox). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_netproxy.h"
#include "netproxy/profile.h"
#include "policy/execpolicy.h"
#include "proc/proc.h"
#include "util/envp.h"
#include "util/xalloc.h"

void cli_netproxy_inputs(const char *const *envp, struct cli_netproxy_inputs *e)
{
    memset(e, 0, sizeof *e);
    netproxy_inputs_from_envp(envp, &e->in);
    /* Tests name their origin servers here: "name=address,name=address". */
    const char *hosts = envp_get_nonempty(envp, "CODEX_NETWORK_PROXY_RESOLVE");
    for (const char *p = hosts; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n)
            strvec_push_owned(&e->hosts, xstrndup(p, n));
        p += n;
        if (*p)
            p++;
    }
    e->in.hosts = (const char *const *)e->hosts.v;
    e->in.n_hosts = e->hosts.n;
}

void cli_netproxy_inputs_free(struct cli_netproxy_inputs *e)
{
    strvec_free(&e->hosts);
}

void cli_environ_without_proxy(const char *const *envp, struct strvec *out)
{
    for (const char *const *e = envp; e && *e; e++) {
        size_t n = strcspn(*e, "=");
        bool ours = false;
        for (const char *const *name = netproxy_env_names; *name && !ours; name++)
            ours = strlen(*name) == n && strncmp(*name, *e, n) == 0;
        if (!ours)
            strvec_push(out, *e);
    }
}

int cli_network_rules(const struct codex_config *cfg, struct ep_policy **out, char **err)
{
    struct ep_policy *p = ep_policy_new();
    struct strvec dirs = STRVEC_INIT;
    const char *root = cfg->project_trusted ? (cfg->project_root ? cfg->project_root : cfg->cwd) : NULL;
    ep_rules_dirs(cfg->codex_home, root, cfg->cwd, &dirs);
    int r = ep_policy_load_dirs(p, (const char *const *)dirs.v, dirs.n, err);
    strvec_free(&dirs);
    if (r < 0) {
        ep_policy_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

int cli_run_behind_proxy(const struct codex_config *cfg, struct sandbox_policy *pol, const char *cwd,
                         const char *const *envp, char *const argv[], const char *prog)
{
    struct cli_netproxy_inputs in;
    cli_netproxy_inputs(envp, &in);
    struct ep_policy *rules = NULL;
    char *why = NULL;
    struct netproxy_config ncfg;
    struct codex_error err = CODEX_ERROR_INIT;
    struct netproxy_session *session = NULL;
    int rc = 1;
    bool have_cfg = false;
    if (cli_network_rules(cfg, &rules, &why) != 0) {
        fprintf(stderr, "%s: loading rules: %s\n", prog, why);
        free(why);
        goto out;
    }
    if (netproxy_config_from_profile(cfg, &in.in, rules, &ncfg, &err) != 0)
        goto fail;
    have_cfg = true;
    struct netproxy_session_opts opts = {pol->host.self_exe ? pol->host.self_exe : "/proc/self/exe", envp, NULL, NULL};
    if (netproxy_session_start(&ncfg, &opts, &session, &err) != 0)
        goto fail;
    struct proc_spec spec = {
        .argv = (const char *const *)argv,
        .envp = envp,
        .cwd = cwd,
        .sandbox = pol,
        .policy_cwd = cwd,
        .netproxy = session,
    };
    rc = proc_run_foreground(&spec, &err);
    if (rc < 0) {
        rc = err.os_errno == ENOENT ? 127 : err.os_errno == EACCES ? 126 : 1;
        goto fail;
    }
    char *dead = NULL;
    if (!netproxy_session_pump(session, &dead)) {
        /* Its listeners died with it: the command could reach nothing more. */
        fprintf(stderr, "%s: %s while the command ran; its network access was cut off\n", prog, dead);
        free(dead);
        if (rc == 0)
            rc = 1;
    }
    goto out;
fail: {
    char *text = codex_error_text(&err);
    fprintf(stderr, "%s: %s\n", prog, text ? text : "network proxy failure");
    free(text);
    if (rc == 0)
        rc = 1;
}
out:
    codex_error_clear(&err);
    netproxy_session_stop(session);
    if (have_cfg)
        netproxy_config_free(&ncfg);
    ep_policy_free(rules);
    cli_netproxy_inputs_free(&in);
    return rc;
}
