/* `codex [PROMPT]`: the interactive session.  Reads the environment and the
 * configuration, turns the shared flags into the TUI's options (and the
 * in-process server's overrides), and runs src/tui. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_netproxy.h"
#include "config/config.h"
#include "config/toml.h"
#include "tui/color.h"
#include "tui/tui.h"
#include "tui/ws_client.h"
#include "util/strvec.h"
#include "util/xalloc.h"


/* "key=value" as thread/start's config entry: the value read as TOML, or
 * as a plain string when it is not TOML (as -c does). */
static void add_config_json(json_t *config, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq)
        return;
    char *key = xstrndup(kv, (size_t)(eq - kv));
    struct toml_error te;
    toml_value *v = toml_parse_value(eq + 1, strlen(eq + 1), &te);
    json_object_set_new(config, key, v ? toml_to_json(v) : json_string(eq + 1));
    toml_free(v);
    free(key);
}

static const char *tui_string(const struct codex_config *cfg, const char *key)
{
    const char *path[] = {"tui", key};
    const toml_value *v = cfg->root ? toml_table_get_path(cfg->root, path, 2) : NULL;
    return v && toml_type(v) == TOML_STRING ? toml_string(v, NULL) : NULL;
}

/* A [tui] list of strings; false when it is not set. */
static bool tui_list(const struct codex_config *cfg, const char *key, struct strvec *out)
{
    const char *path[] = {"tui", key};
    const toml_value *v = cfg->root ? toml_table_get_path(cfg->root, path, 2) : NULL;
    if (!v || toml_type(v) != TOML_ARRAY)
        return false;
    for (size_t i = 0; i < toml_array_len(v); i++) {
        const toml_value *e = toml_array_at(v, i);
        if (toml_type(e) == TOML_STRING)
            strvec_push(out, toml_string(e, NULL));
    }
    return true;
}

static bool tui_notifications(const struct codex_config *cfg)
{
    const char *path[] = {"tui", "notifications"};
    const toml_value *v = cfg->root ? toml_table_get_path(cfg->root, path, 2) : NULL;
    if (!v)
        return false;
    if (toml_type(v) == TOML_BOOLEAN)
        return toml_bool(v);
    return toml_type(v) == TOML_ARRAY && toml_array_len(v) > 0;
}

static void warn_ignored(const char *flag)
{
    fprintf(stderr, "codex-c: %s is not supported yet; ignored\n", flag);
}

int cli_run_tui(struct cli_opts *o, const struct cli_tui_launch *l)
{
    if (o->worktree) {
        /* Ignoring it would edit the main tree the user meant to keep clean. */
        fprintf(stderr, "codex-c: --worktree is not supported yet; run in a worktree you "
                        "created with `git worktree add` instead\n");
        return 2;
    }
    if (o->bypass_hook_trust)
        warn_ignored("--dangerously-bypass-hook-trust");
    /* A hook or command that exits without reading its stdin must not take
     * the UI down with it; the write fails instead. */
    signal(SIGPIPE, SIG_IGN);
    const char *token = NULL;
    if (o->remote_auth_token_env) {
        if (!o->remote)
            return cli_usage_error("codex", "--remote-auth-token-env needs --remote");
        token = getenv(o->remote_auth_token_env);
        if (!token || !*token) {
            fprintf(stderr, "Error: --remote-auth-token-env %s: that environment variable is "
                            "not set or empty\n",
                    o->remote_auth_token_env);
            return 1;
        }
    }
    if (o->remote) {
        struct codex_error err = CODEX_ERROR_INIT;
        if (wsclient_check_url(o->remote, token, &err) != 0) {
            char *m = codex_error_text(&err);
            cli_usage_error("codex", "%s", m);
            free(m);
            codex_error_clear(&err);
            return 2;
        }
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "Error: the interactive session needs a terminal on stdin and stdout; "
                        "use `codex exec PROMPT` to run non-interactively\n");
        return 1;
    }
    struct codex_config cfg;
    int rc = cli_load_config(o, &cfg);
    if (rc != 0)
        return rc;

    /* The in-process server loads the same layers; these carry the flags
     * that have no thread/start parameter. */
    struct strvec overrides = STRVEC_INIT;
    if (o->profile)
        strvec_push_owned(&overrides, xasprintf("profile=\"%s\"", o->profile));
    for (size_t i = 0; i < o->config_overrides.n; i++)
        strvec_push(&overrides, o->config_overrides.v[i]);
    for (size_t i = 0; i < o->enable.n; i++)
        strvec_push_owned(&overrides, xasprintf("features.%s=true", o->enable.v[i]));
    for (size_t i = 0; i < o->disable.n; i++)
        strvec_push_owned(&overrides, xasprintf("features.%s=false", o->disable.v[i]));
    if (o->search)
        strvec_push(&overrides, "web_search=\"live\"");
    if (o->approve_for_me) /* the sandbox and policy go as thread/start parameters below */
        strvec_push(&overrides, "approvals_reviewer=\"auto_review\"");
    if (cfg.add_dirs.n > 0) {
        json_t *roots = json_array();
        for (size_t i = 0; i < cfg.workspace_write.writable_roots.n; i++)
            json_array_append_new(roots, json_string(cfg.workspace_write.writable_roots.v[i]));
        for (size_t i = 0; i < cfg.add_dirs.n; i++)
            json_array_append_new(roots, json_string(cfg.add_dirs.v[i]));
        char *list = json_dumps(roots, JSON_COMPACT);
        strvec_push_owned(&overrides, xasprintf("sandbox_workspace_write.writable_roots=%s", list));
        free(list);
        json_decref(roots);
    }
    json_t *config = json_object();
    for (size_t i = 0; i < overrides.n; i++)
        add_config_json(config, overrides.v[i]);

    const char *alt = tui_string(&cfg, "alternate_screen");
    bool alt_screen = !o->no_alt_screen;
    if (alt && strcmp(alt, "never") == 0)
        alt_screen = false;
    /* "auto" keeps Zellij's scrollback: it cannot scroll an alternate screen. */
    if ((!alt || strcmp(alt, "auto") == 0) && getenv("ZELLIJ"))
        alt_screen = false;
    if (o->no_alt_screen)
        alt_screen = false;

    const char *method = tui_string(&cfg, "notification_method");
    bool bel = method && strcmp(method, "bel") == 0;
    const char *images[64];
    int n_images = 0;
    for (size_t i = 0; i < o->images.n && n_images < 64; i++) {
        char *abs = realpath(o->images.v[i], NULL);
        if (!abs) {
            fprintf(stderr, "Error: --image %s: cannot read it\n", o->images.v[i]);
            json_decref(config);
            strvec_free(&overrides);
            config_free(&cfg);
            for (int k = 0; k < n_images; k++)
                free((char *)images[k]);
            return 1;
        }
        images[n_images++] = abs;
    }
    const char *sandbox = o->sandbox_mode;
    const char *approval = o->approval_policy;
    if (o->full_auto || o->yolo || o->approve_for_me) {
        sandbox = sandbox_mode_name(cfg.sandbox_mode);
        approval = approval_policy_name(cfg.approval_policy);
    }
    struct tui_options t = {
        .in_fd = STDIN_FILENO,
        .out_fd = STDOUT_FILENO,
        .depth = tcolor_depth_from_env(getenv("NO_COLOR"), getenv("COLORTERM"), getenv("TERM")),
        .alt_screen = alt_screen,
        .notifications = tui_notifications(&cfg),
        .notify_bel = bel,
        .editor = getenv("VISUAL") && *getenv("VISUAL") ? getenv("VISUAL") : getenv("EDITOR"),
        .home = getenv("HOME"),
        .tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
        .version = CODEX_VERSION,
        .remote = o->remote,
        .remote_token = token,
        .codex_home = cfg.codex_home,
        .save_history = !(cfg.history_persistence && strcmp(cfg.history_persistence, "none") == 0),
        .history_max_bytes = (long long)cfg.history_max_bytes,
        .cwd = cfg.cwd,
        .envp = (const char *const *)o->envp,
        .server_overrides = (const char *const *)overrides.v,
        .n_server_overrides = (int)overrides.n,
        .model = o->model ? o->model : (o->oss ? cfg.model : NULL),
        .provider = o->oss || o->local_provider ? cfg.model_provider : NULL,
        .sandbox = sandbox,
        .approval = approval,
        .effort = cfg.model_reasoning_effort,
        .plan_effort = cfg.plan_mode_reasoning_effort,
        .config = config,
        .prompt = l->prompt,
        .images = images,
        .n_images = n_images,
        .start = l->start,
        .session_id = l->session_id,
        .last = l->last,
        .all = l->all,
        .ask_trust = !cfg.project_trusted && !cfg.project_untrusted && !o->yolo,
        .trust_path = cfg.project_root ? cfg.project_root : cfg.cwd,
        .history_enabled = !(cfg.history_persistence && strcmp(cfg.history_persistence, "none") == 0),
        .config_profile = cfg.profile,
        .disable_paste_burst = false,
    };
    struct strvec status_line, terminal_title;
    status_line = (struct strvec)STRVEC_INIT;
    terminal_title = (struct strvec)STRVEC_INIT;
    t.status_line_set = tui_list(&cfg, "status_line", &status_line);
    t.status_line = (const char *const *)status_line.v;
    t.n_status_line = (int)status_line.n;
    t.terminal_title_set = tui_list(&cfg, "terminal_title", &terminal_title);
    t.terminal_title = (const char *const *)terminal_title.v;
    t.n_terminal_title = (int)terminal_title.n;
    const char *colors_path[] = {"tui", "status_line_use_colors"};
    const toml_value *colors = cfg.root ? toml_table_get_path(cfg.root, colors_path, 2) : NULL;
    t.theme = tui_string(&cfg, "theme");
    t.status_line_plain = colors && toml_type(colors) == TOML_BOOLEAN && !toml_bool(colors);
    const char *path[] = {"disable_paste_burst"};
    const toml_value *dpb = cfg.root ? toml_table_get_path(cfg.root, path, 1) : NULL;
    if (dpb && toml_type(dpb) == TOML_BOOLEAN)
        t.disable_paste_burst = toml_bool(dpb);
    struct cli_netproxy_inputs np_in;
    cli_netproxy_inputs(o->envp, &np_in);
    t.netproxy_hosts = np_in.in.hosts;
    t.n_netproxy_hosts = np_in.in.n_hosts;
    rc = tui_run(&t);
    cli_netproxy_inputs_free(&np_in);
    strvec_free(&status_line);
    strvec_free(&terminal_title);
    for (int k = 0; k < n_images; k++)
        free((char *)images[k]);
    json_decref(config);
    strvec_free(&overrides);
    config_free(&cfg);
    return rc;
}

int cmd_tui(struct cli_opts *o, int argc, char **argv)
{
    struct cli_tui_launch l = {.start = TUI_START_NEW};
    /* Flags may follow the prompt, as clap allows. */
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0' && strcmp(arg, "-") != 0) {
            int r = cli_shared_flag(o, "codex", argc, argv, &i);
            if (r < 0)
                return 2;
            if (r == 0)
                return cli_usage_error("codex", "unexpected argument '%s' found", arg);
            continue;
        }
        if (l.prompt)
            return cli_usage_error("codex", "unexpected argument '%s' found", arg);
        l.prompt = arg;
    }
    return cli_run_tui(o, &l);
}
