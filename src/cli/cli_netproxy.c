/* What the managed network proxy takes from codex's own environment (the
 * front end is the only reader of the environment), and running one
 * command behind it (codex sandbox). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_netproxy.h"
#include "netproxy/profile.h"
#include "policy/execpolicy.h"
#include "util/envp.h"
#include "util/xalloc.h"

static const char *env_either(const char *const *envp, const char *upper, const char *lower)
{
    const char *v = envp_get_nonempty(envp, upper);
    return v ? v : envp_get_nonempty(envp, lower);
}

void cli_netproxy_inputs(const char *const *envp, struct cli_netproxy_inputs *e)
{
    memset(e, 0, sizeof *e);
    e->in.https_proxy = env_either(envp, "HTTPS_PROXY", "https_proxy");
    e->in.http_proxy = env_either(envp, "HTTP_PROXY", "http_proxy");
    e->in.ssl_cert_file = envp_get_nonempty(envp, "SSL_CERT_FILE");
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
    struct sandbox_netns netns = {-1, -1, -1, -1, -1, 0, 0, 0};
    struct strvec env = STRVEC_INIT;
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
    struct netproxy_session_opts opts = {"/proc/self/exe", NULL, NULL};
    if (netproxy_session_start(&ncfg, &opts, &session, &err) != 0)
        goto fail;
    if (sandbox_netns_create(ncfg.enable_socks5, ncfg.enable_socks5_udp, &netns, &err) != 0)
        goto fail;
    uint64_t id;
    if (netproxy_session_attach(session, netns.http_fd, netns.socks_fd, netns.udp_fd, &id, &err) != 0)
        goto fail;
    /* The proxy holds the listeners now; nothing here may accept on them. */
    sandbox_netns_close_listeners(&netns);
    cli_environ_without_proxy(envp, &env);
    netproxy_session_env(session, netns.http_port, netns.socks_port, &env);
    pol->netns = &netns;
    rc = cli_run_sandboxed(pol, cwd, cwd, (const char *const *)env.v, argv);
    pol->netns = NULL;
    char *dead = NULL;
    if (!netproxy_session_pump(session, &dead)) {
        /* Its listeners died with it: the command could reach nothing more. */
        fprintf(stderr, "%s: %s while the command ran; its network access was cut off\n", prog, dead);
        free(dead);
        if (rc == 0)
            rc = 1;
    }
    netproxy_session_detach(session, id);
    goto out;
fail: {
    char *text = codex_error_text(&err);
    fprintf(stderr, "%s: %s\n", prog, text ? text : "network proxy failure");
    free(text);
    rc = 1;
}
out:
    codex_error_clear(&err);
    netproxy_session_stop(session);
    sandbox_netns_free(&netns);
    strvec_free(&env);
    if (have_cfg)
        netproxy_config_free(&ncfg);
    ep_policy_free(rules);
    cli_netproxy_inputs_free(&in);
    return rc;
}
