/* codex doctor: checks of the install, the configuration, the credentials,
 * the sandbox, the provider's reachability and the session store, shown in
 * the reference's groups and glyphs (or as a JSON report); exit 1 when a
 * check fails. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "cli/cli.h"
#include "config/config.h"
#include "login/session.h"
#include "model/http_fetch.h"
#include "sandbox/sandbox.h"
#include "store/git_root.h"
#include "store/rollout.h"
#include "store/rollout_files.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

enum status { ST_OK, ST_WARN, ST_FAIL };

struct check {
    const char *id, *group, *name;
    enum status status;
    char *summary;
    char *remediation;
    json_t *details; /* "label": "value" */
};

struct doctor {
    struct check checks[24];
    int n;
    struct cli_opts *o;
};

static struct check *add(struct doctor *d, const char *id, const char *group, const char *name,
                         enum status st, char *summary)
{
    struct check *c = &d->checks[d->n++];
    *c = (struct check){id, group, name, st, summary, NULL, json_object()};
    return c;
}

static void detail(struct check *c, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void detail(struct check *c, const char *label, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = NULL;
    if (vasprintf(&v, fmt, ap) < 0)
        v = NULL;
    va_end(ap);
    json_object_set_new(c->details, label, json_string(v ? v : ""));
    free(v);
}

/* ---- environment -------------------------------------------------------- */

static void check_system(struct doctor *d)
{
    struct utsname u;
    uname(&u);
    struct check *c = add(d, "environment.system", "Environment", "system", ST_OK,
                          xasprintf("%s %s %s", u.sysname, u.release, u.machine));
    detail(c, "version", "%s", CODEX_VERSION);
    const char *lang = envp_get(d->o->envp, "LANG");
    detail(c, "LANG", "%s", lang ? lang : "not set");
}

static void check_disk(struct doctor *d, const char *home)
{
    struct statvfs fs;
    if (statvfs(home, &fs) != 0) {
        add(d, "environment.disk", "Environment", "disk", ST_WARN,
            xasprintf("free space of %s unknown: %s", home, strerror(errno)));
        return;
    }
    double gib = (double)fs.f_bavail * (double)fs.f_frsize / (1024.0 * 1024 * 1024);
    enum status st = gib < 1.0 ? ST_FAIL : gib < 5.0 ? ST_WARN : ST_OK;
    struct check *c = add(d, "environment.disk", "Environment", "disk", st,
                          xasprintf("%s free disk space (%.1f GiB)", st == ST_OK ? "sufficient" : "low", gib));
    detail(c, "CODEX_HOME available", "%.1f GiB", gib);
    if (st != ST_OK)
        c->remediation = xstrdup("Free disk space: sessions and logs are written under CODEX_HOME.");
}

static void check_git(struct doctor *d, const char *cwd)
{
    char *root = git_repo_root(cwd);
    bool have_git = access("/usr/bin/git", X_OK) == 0 || access("/bin/git", X_OK) == 0;
    struct check *c = add(d, "environment.git", "Environment", "git", have_git ? ST_OK : ST_WARN,
                          xstrdup(have_git ? "git executable found" : "git executable not found"));
    detail(c, "repo detected", "%s", root ? "true" : "false");
    if (root)
        detail(c, "repo root", "%s", root);
    free(root);
}

static void check_terminal(struct doctor *d)
{
    const char *term = envp_get(d->o->envp, "TERM");
    struct check *c = add(d, "environment.terminal", "Environment", "terminal", ST_OK,
                          xasprintf("TERM=%s", term ? term : "unset"));
    detail(c, "stdin is terminal", "%s", isatty(0) ? "true" : "false");
    detail(c, "stdout is terminal", "%s", isatty(1) ? "true" : "false");
}

/* ---- configuration -------------------------------------------------------- */

static bool check_config(struct doctor *d, struct codex_config *cfg)
{
    struct config_load_opts lo = {
        .envp = d->o->envp,
        .overrides = (const char *const *)d->o->config_overrides.v,
        .n_overrides = (int)d->o->config_overrides.n,
        .enable = (const char *const *)d->o->enable.v,
        .n_enable = (int)d->o->enable.n,
        .disable = (const char *const *)d->o->disable.v,
        .n_disable = (int)d->o->disable.n,
        .profile = d->o->profile,
        .cd = d->o->cd,
    };
    struct codex_error err = CODEX_ERROR_INIT;
    if (config_load(&lo, cfg, &err) != 0) {
        /* The loader's message names the file:line:col. */
        struct check *c = add(d, "config.load", "Configuration", "config", ST_FAIL, xstrdup(err.message));
        c->remediation = xstrdup("Fix the setting named above, or remove it.");
        codex_error_clear(&err);
        return false;
    }
    struct check *c = add(d, "config.load", "Configuration", "config", ST_OK, xstrdup("loaded"));
    detail(c, "CODEX_HOME", "%s", cfg->codex_home);
    detail(c, "model", "%s", cfg->model ? cfg->model : "(default)");
    detail(c, "model provider", "%s", cfg->model_provider ? cfg->model_provider : "openai");
    return true;
}

static void check_auth(struct doctor *d, const struct codex_config *cfg)
{
    const char *id = cfg->model_provider ? cfg->model_provider : "openai";
    const struct model_provider *mp = config_provider(cfg, id);
    bool openai = strcmp(id, "openai") == 0 || (mp && mp->requires_openai_auth);
    struct check *c;
    if (!openai) {
        const char *var = mp ? mp->env_key : NULL;
        const char *val = var ? envp_get(d->o->envp, var) : NULL;
        bool ok = !var || (val && *val);
        c = add(d, "auth.credentials", "Configuration", "auth", ok ? ST_OK : ST_FAIL,
                xstrdup(ok ? "the provider's credentials are set" : "active model provider auth env var is missing"));
        if (var)
            detail(c, "provider auth env var", "%s (%s)", var, ok ? "set" : "missing");
        if (!ok)
            c->remediation = xasprintf("Set %s for the active model provider.", var);
        return;
    }
    struct login_env env;
    struct login_settings s;
    struct codex_error err = CODEX_ERROR_INIT;
    struct auth_manager *m = NULL;
    if (login_env_read(d->o->envp, &env, &err) == 0 && login_settings_read(cfg, &s, &err) == 0) {
        m = login_session_auth(NULL, cfg, &env, &s, true, &err);
        login_settings_free(&s);
    }
    if (!m) {
        c = add(d, "auth.credentials", "Configuration", "auth", ST_FAIL, xstrdup(err.message ? err.message : "?"));
        c->remediation = xstrdup("Sign in again with codex login.");
    } else if (auth_manager_kind(m) == AUTH_KIND_NONE) {
        c = add(d, "auth.credentials", "Configuration", "auth", ST_FAIL, xstrdup("not signed in"));
        c->remediation = xstrdup("Run codex login, or set OPENAI_API_KEY.");
    } else {
        const char *kind = auth_kind_name(auth_manager_kind(m));
        c = add(d, "auth.credentials", "Configuration", "auth", ST_OK,
                xasprintf("signed in (%s)", kind ? kind : "credentials"));
    }
    detail(c, "auth file", "%s/auth.json", cfg->codex_home);
    codex_error_clear(&err);
    auth_manager_free(m);
}

static void check_mcp(struct doctor *d, const struct codex_config *cfg)
{
    size_t n = (size_t)cfg->n_mcp_servers;
    add(d, "config.mcp", "Configuration", "mcp", ST_OK,
        n ? xasprintf("%zu MCP server%s configured", n, n == 1 ? "" : "s") : xstrdup("no MCP servers configured"));
}

static void check_sandbox(struct doctor *d, const struct codex_config *cfg)
{
    struct sandbox_policy p;
    sandbox_policy_from_config(&p, cfg);
    char reason[256] = "";
    enum sandbox_pipeline pl = sandbox_select_pipeline(&p, reason, sizeof reason);
    const char *bw = sandbox_bwrap_path(&p);
    int abi = sandbox_landlock_abi();
    bool none = cfg->sandbox_mode == SANDBOX_DANGER_FULL_ACCESS;
    bool usable = none || pl != SANDBOX_PIPELINE_NONE;
    struct check *c = add(d, "sandbox.pipeline", "Configuration", "sandbox", usable ? ST_OK : ST_FAIL,
                          xasprintf("%s · pipeline %s · approval %s", sandbox_mode_name(cfg->sandbox_mode),
                                    sandbox_pipeline_name(pl), approval_policy_name(cfg->approval_policy)));
    detail(c, "bwrap", "%s", bw ? bw : "not found");
    detail(c, "user namespaces", "%s",
           fs_exists("/proc/sys/user/max_user_namespaces") ? "supported" : "unknown");
    detail(c, "Landlock ABI", "%d", abi > 0 ? abi : 0);
    detail(c, "seccomp", "%s", fs_exists("/proc/sys/kernel/seccomp/actions_avail") ? "available" : "unknown");
    if (*reason)
        detail(c, "why", "%s", reason);
    if (!usable)
        c->remediation = xstrdup("Install bubblewrap, or allow unprivileged user namespaces; commands "
                                 "refuse to run unsandboxed.");
    sandbox_policy_free(&p);
}

/* ---- connectivity ----------------------------------------------------------- */

static void on_reach(void *ud, const struct http_fetch_result *res)
{
    struct check *c = ud;
    if (res->error || res->status == 0) {
        c->status = ST_FAIL;
        free(c->summary);
        c->summary = xstrdup("the provider endpoint is unreachable over HTTP");
        c->remediation = xstrdup("Check proxy, VPN, firewall, DNS, and custom CA configuration.");
        detail(c, "error", "%s", res->error ? res->error : "no answer");
    } else {
        free(c->summary);
        c->summary = xasprintf("the provider endpoint answers (HTTP %ld)", res->status);
    }
}

static void check_reachability(struct doctor *d, const struct codex_config *cfg)
{
    const char *id = cfg->model_provider ? cfg->model_provider : "openai";
    const struct model_provider *mp = config_provider(cfg, id);
    const char *base = mp && mp->base_url ? mp->base_url : "https://api.openai.com/v1";
    struct check *c = add(d, "network.reachability", "Connectivity", "reachability", ST_OK, xstrdup("checking"));
    char *url = xasprintf("%s/models", base);
    detail(c, "url", "%s", url);
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct http_fetch_request req = {.method = "GET", .url = url, .timeout_ms = 3000};
    http_fetch_start(&loop, &req, on_reach, c);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(url);
}

/* ---- the session store -------------------------------------------------------- */

static void check_store(struct doctor *d, const char *home)
{
    size_t total = 0, broken = 0;
    for (int tree = ROLLOUT_ACTIVE; tree <= ROLLOUT_ARCHIVED; tree++) {
        char *root = rollout_tree_root(home, (enum rollout_tree)tree);
        struct strvec files = STRVEC_INIT;
        rollout_collect_files(root, &files, NULL, NULL);
        free(root);
        for (size_t i = 0; i < files.n; i++) {
            total++;
            /* A readable first line is what every listing needs. */
            FILE *f = fopen(files.v[i], "r");
            char head[16] = "";
            if (!f || !fgets(head, sizeof head, f) || head[0] != '{')
                broken++;
            if (f)
                fclose(f);
        }
        strvec_free(&files);
    }
    struct check *c = add(d, "state.rollouts", "Environment", "threads", broken ? ST_WARN : ST_OK,
                          broken ? xasprintf("%zu of %zu session files are not readable sessions", broken, total)
                                 : xasprintf("%zu session file%s readable", total, total == 1 ? "" : "s"));
    detail(c, "sessions", "%s/sessions", home);
    if (broken)
        c->remediation = xstrdup("Move the unreadable files out of CODEX_HOME/sessions.");
}

/* ---- output ---------------------------------------------------------------- */

static const char *glyph(enum status s)
{
    return s == ST_OK ? "\xe2\x9c\x93" : s == ST_WARN ? "\xe2\x9a\xa0" : "\xe2\x9c\x97";
}

static const char *status_name(enum status s)
{
    return s == ST_OK ? "ok" : s == ST_WARN ? "warning" : "fail";
}

static void print_human(const struct doctor *d, bool summary)
{
    printf("Codex Doctor v%s (codex-c) \xc2\xb7 linux-x86_64\n\n", CODEX_VERSION);
    bool notes = false;
    for (int i = 0; i < d->n; i++)
        notes |= d->checks[i].status != ST_OK;
    if (notes) {
        puts("Notes");
        for (int i = 0; i < d->n; i++) {
            const struct check *c = &d->checks[i];
            if (c->status != ST_OK)
                printf("   %s %-12s %s%s%s\n", glyph(c->status), c->name, c->summary,
                       c->remediation ? " - " : "", c->remediation ? c->remediation : "");
        }
        puts("\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
             "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80");
    }
    const char *groups[] = {"Environment", "Configuration", "Connectivity", NULL};
    int counts[3] = {0, 0, 0};
    for (const char *const *g = groups; *g; g++) {
        printf("\n%s\n", *g);
        for (int i = 0; i < d->n; i++) {
            const struct check *c = &d->checks[i];
            if (strcmp(c->group, *g) != 0)
                continue;
            counts[c->status]++;
            printf("  %s %-12s %s\n", glyph(c->status), c->name, c->summary);
            if (summary)
                continue;
            const char *k;
            json_t *v;
            json_object_foreach(c->details, k, v)
                printf("      %-24s %s\n", k, json_string_value(v));
        }
    }
    printf("\n%d ok \xc2\xb7 %d warn \xc2\xb7 %d fail%s\n", counts[ST_OK], counts[ST_WARN], counts[ST_FAIL],
           counts[ST_FAIL] ? " failed" : "");
}

static void print_json(const struct doctor *d, enum status overall)
{
    json_t *checks = json_object();
    for (int i = 0; i < d->n; i++) {
        const struct check *c = &d->checks[i];
        json_object_set_new(checks, c->id,
                            json_pack("{s:s s:s s:s s:s s:O s:s?}", "id", c->id, "category", c->name, "status",
                                      status_name(c->status), "summary", c->summary, "details", c->details,
                                      "remediation", c->remediation));
    }
    json_t *report = json_pack("{s:i s:I s:s s:s s:o}", "schemaVersion", 1, "generatedAt",
                               (json_int_t)time(NULL), "overallStatus", status_name(overall), "codexVersion",
                               CODEX_VERSION, "checks", checks);
    char *text = json_dumps(report, JSON_INDENT(2));
    puts(text);
    free(text);
    json_decref(report);
}

int cmd_doctor(struct cli_opts *o, int argc, char **argv)
{
    bool json = false, summary = false, network_only = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            puts("Diagnose local Codex installation, config, auth, and runtime health\n\n"
                 "Usage: codex doctor [OPTIONS]\n\nOptions:\n"
                 "      --json          Emit a machine-readable report\n"
                 "      --summary       Only show grouped check rows and the final count summary\n"
                 "      --network-only  Run config and provider reachability checks only\n"
                 "      --all           Expand long lists in detailed human output\n"
                 "  (and -c, --enable, --disable)\n"
                 "  -h, --help          Print help");
            return 0;
        }
        if (strcmp(a, "--json") == 0)
            json = true;
        else if (strcmp(a, "--summary") == 0)
            summary = true;
        else if (strcmp(a, "--network-only") == 0)
            network_only = true;
        else if (strcmp(a, "--all") == 0)
            continue;
        else {
            int r = cli_shared_flag(o, "codex doctor", argc, argv, &i);
            if (r < 0)
                return 2;
            if (r == 0)
                return cli_usage_error("codex doctor", "unexpected argument '%s' found", a);
        }
    }
    struct doctor d = {.o = o};
    struct codex_config cfg;
    bool loaded = check_config(&d, &cfg);
    if (!network_only) {
        check_system(&d);
        if (loaded) {
            check_disk(&d, cfg.codex_home);
            check_git(&d, cfg.cwd);
            check_store(&d, cfg.codex_home);
        }
        check_terminal(&d);
        if (loaded) {
            check_auth(&d, &cfg);
            check_mcp(&d, &cfg);
            check_sandbox(&d, &cfg);
        }
    }
    if (loaded)
        check_reachability(&d, &cfg);
    enum status overall = ST_OK;
    for (int i = 0; i < d.n; i++)
        if (d.checks[i].status > overall)
            overall = d.checks[i].status;
    if (json)
        print_json(&d, overall);
    else
        print_human(&d, summary);
    for (int i = 0; i < d.n; i++) {
        free(d.checks[i].summary);
        free(d.checks[i].remediation);
        json_decref(d.checks[i].details);
    }
    if (loaded)
        config_free(&cfg);
    return overall == ST_FAIL ? 1 : 0;
}
