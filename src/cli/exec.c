/* `codex exec`: run one task non-interactively and report on stdout
 * (the final message, or JSONL events with --json). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cli/cli.h"
#include "login/auth_manager.h"
#include "login/session.h"
#include "cli/cli_netproxy.h"
#include "config/config.h"
#include "core/agent.h"
#include "cli/arg0.h"
#include "cli/mcp_start.h"
#include "cli/exec_human.h"
#include "cli/exec_jsonl.h"
#include "store/git_root.h"
#include "store/rollout_find.h"
#include "util/image.h"
#include "core/review.h"
#include "model/models.h"
#include "model/provider.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct exec_args {
    bool bypass_hook_trust; /* --dangerously-bypass-hook-trust */
    const char *prompt;
    const char *last_message_file;
    const char *output_schema;
    const char *color;
    bool json;
    bool skip_git_check;
    bool ephemeral;
    bool ignore_rules;  /* --ignore-rules */
    bool ignore_user_config; /* --ignore-user-config */
    bool trust;         /* --trust: record the project as trusted */
    bool plan_tool;     /* --include-plan-tool */
    const char *thread_source; /* --thread-source */
    bool resume;        /* `exec resume` */
    bool resume_last;   /* --last */
    bool resume_all;    /* --all: --last looks beyond the working directory */
    const char *resume_words[2]; /* [SESSION_ID] [PROMPT] as given */
    int n_resume_words;
    /* `exec review` / `codex review` */
    const char *review_cmd; /* "codex exec review" or "codex review"; NULL: not a review */
    bool review_uncommitted;
    const char *review_base, *review_commit, *review_title, *review_prompt;
};

struct exec_run {
    struct exec_args *args;
    uv_signal_t sigint, sigterm;
    int signal;         /* the signal that stopped the run, or 0 */
    struct exec_jsonl jsonl;
    struct exec_human human;
    bool ok;
};

static const char exec_help[] =
    "Run Codex non-interactively\n\n"
    "Usage: codex exec [OPTIONS] [PROMPT]\n\n"
    "Arguments:\n"
    "  [PROMPT]  Initial instructions for the agent. If not provided as an argument (or if `-` is\n"
    "            used), instructions are read from stdin. If stdin is piped and a prompt is also\n"
    "            provided, stdin is appended as a `<stdin>` block\n\n"
    "Options:\n"
    "      --json                          Print events to stdout as JSONL\n"
    "  -o, --output-last-message <FILE>    Write the last message from the agent to FILE\n"
    "      --output-schema <FILE>          JSON Schema the model's final response must follow\n"
    "      --skip-git-repo-check           Allow running outside a Git repository\n"
    "      --ephemeral                     Do not persist session files\n"
    "      --color <COLOR>                 always, never or auto [default: auto]\n"
    "  (and the shared options: -c, -m, -s, -C, -i, -p, --add-dir, --full-auto, --yolo, --oss ...)\n"
    "  -h, --help                          Print help\n";

static int value_of(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);
    if (strcmp(argv[*i], name) == 0) {
        if (*i + 1 >= argc)
            return cli_usage_error("codex exec", "a value is required for '%s' but none was "
                                   "supplied", name), -1;
        *out = argv[++*i];
        return 1;
    }
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        return 1;
    }
    return 0;
}

/* A usage error in the reference's words for the review flags. */
static int review_usage(const struct exec_args *a, const char *usage, const char *message)
{
    fprintf(stderr, "error: %s\n\nUsage: %s %s\n\nFor more information, try '--help'.\n", message,
            a->review_cmd, usage);
    return 2;
}

static int check_review_args(const struct exec_args *a)
{
    struct {
        bool set;
        const char *name, *usage;
    } targets[] = {{a->review_uncommitted, "--uncommitted", "--uncommitted [PROMPT]"},
                   {a->review_base != NULL, "--base <BRANCH>", "--base <BRANCH> [PROMPT]"},
                   {a->review_commit != NULL, "--commit <SHA>", "--commit <SHA> [PROMPT]"}};
    int first = -1;
    char msg[160];
    for (int i = 0; i < 3; i++) {
        if (!targets[i].set)
            continue;
        if (first >= 0) {
            snprintf(msg, sizeof msg, "the argument '%s' cannot be used with '%s'", targets[first].name,
                     targets[i].name);
            return review_usage(a, targets[first].usage, msg);
        }
        first = i;
    }
    if (first >= 0 && a->review_prompt) {
        snprintf(msg, sizeof msg, "the argument '%s' cannot be used with '[PROMPT]'", targets[first].name);
        return review_usage(a, targets[first].usage, msg);
    }
    if (a->review_title && !a->review_commit)
        return review_usage(a, "--commit <SHA> --title <TITLE> [PROMPT]",
                            "the following required arguments were not provided:\n  --commit <SHA>");
    return -1;
}

/* Returns -1 to continue, else an exit status. */
static int parse_args(struct cli_opts *o, struct exec_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v = NULL;
        int r;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
            return fputs(exec_help, stdout), 0;
        if (strcmp(arg, "--json") == 0 || strcmp(arg, "--experimental-json") == 0) {
            a->json = true;
        } else if (strcmp(arg, "--skip-git-repo-check") == 0) {
            a->skip_git_check = true;
        } else if (strcmp(arg, "--ephemeral") == 0) {
            a->ephemeral = true;
        } else if (strcmp(arg, "--ignore-rules") == 0) {
            a->ignore_rules = true;
        } else if (strcmp(arg, "--ignore-user-config") == 0) {
            a->ignore_user_config = true;
        } else if (strcmp(arg, "--trust") == 0) {
            a->trust = true;
        } else if (strcmp(arg, "--include-plan-tool") == 0) {
            a->plan_tool = true;
        } else if (a->review_cmd && strcmp(arg, "--uncommitted") == 0) {
            a->review_uncommitted = true;
        } else if (a->review_cmd && ((r = value_of(argc, argv, &i, "--base", &v)) ||
                                     (r = value_of(argc, argv, &i, "--commit", &v)) ||
                                     (r = value_of(argc, argv, &i, "--title", &v)))) {
            if (r < 0)
                return 2;
            if (strncmp(arg, "--base", 6) == 0)
                a->review_base = v;
            else if (strncmp(arg, "--commit", 8) == 0)
                a->review_commit = v;
            else
                a->review_title = v;
        } else if (a->resume && strcmp(arg, "--last") == 0) {
            a->resume_last = true;
        } else if (a->resume && strcmp(arg, "--all") == 0) {
            a->resume_all = true;
        } else if ((r = value_of(argc, argv, &i, "--output-last-message", &v)) ||
                   (r = value_of(argc, argv, &i, "-o", &v))) {
            if (r < 0)
                return 2;
            a->last_message_file = v;
        } else if ((r = value_of(argc, argv, &i, "--output-schema", &v))) {
            if (r < 0)
                return 2;
            a->output_schema = v;
        } else if ((r = value_of(argc, argv, &i, "--color", &v))) {
            if (r < 0)
                return 2;
            a->color = v;
        } else if ((r = value_of(argc, argv, &i, "--thread-source", &v))) {
            if (r < 0)
                return 2;
            a->thread_source = v;
        } else if ((r = value_of(argc, argv, &i, "--cyber-access-program", &v))) {
            if (r < 0)
                return 2;
            fputs("codex-c: --cyber-access-program is not supported yet; ignored\n", stderr);
        } else if (strcmp(arg, "-") != 0 && arg[0] == '-' && arg[1]) {
            r = cli_shared_flag(o, "codex exec", argc, argv, &i);
            if (r < 0)
                return 2;
            if (r == 0)
                return cli_usage_error("codex exec", "unexpected argument '%s' found", arg);
        } else if (!a->prompt && !a->resume && !a->review_cmd && strcmp(arg, "resume") == 0) {
            a->resume = true;
        } else if (!a->prompt && !a->resume && !a->review_cmd && strcmp(arg, "review") == 0) {
            a->review_cmd = "codex exec review";
        } else if (a->review_cmd && !a->review_prompt) {
            a->review_prompt = arg;
        } else if (a->resume && a->n_resume_words < 2) {
            a->resume_words[a->n_resume_words++] = arg;
        } else if (!a->prompt && !a->resume) {
            a->prompt = arg;
        } else {
            return cli_usage_error("codex exec", "unexpected argument '%s' found", arg);
        }
    }
    if (a->review_cmd)
        return check_review_args(a);
    if (a->resume) {
        /* With --last every word is the prompt; otherwise the first is the id. */
        if (a->resume_last) {
            if (a->n_resume_words > 1)
                return cli_usage_error("codex exec resume", "unexpected argument '%s' found",
                                       a->resume_words[1]);
            a->prompt = a->n_resume_words ? a->resume_words[0] : NULL;
        } else {
            if (a->n_resume_words == 0)
                return cli_usage_error("codex exec resume",
                                       "a SESSION_ID or --last is required");
            a->prompt = a->n_resume_words > 1 ? a->resume_words[1] : NULL;
        }
    }
    return -1;
}

static char *read_all(FILE *f)
{
    struct buf b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    return buf_detach(&b, NULL);
}

/* The prompt: the argument, stdin, or the argument with stdin appended. */
static char *resolve_prompt(const char *arg)
{
    bool tty = isatty(STDIN_FILENO);
    if (arg && strcmp(arg, "-") != 0) {
        if (tty)
            return xstrdup(arg);
        fputs("Reading additional input from stdin...\n", stderr);
        char *in = read_all(stdin);
        size_t n = strlen(in);
        while (n && (in[n - 1] == '\n' || in[n - 1] == '\r'))
            in[--n] = '\0';
        char *p = n ? xasprintf("%s\n\n<stdin>\n%s\n</stdin>", arg, in) : xstrdup(arg);
        free(in);
        return p;
    }
    if (tty) {
        fputs("No prompt provided. Either specify one as an argument or pipe the prompt into "
              "stdin.\n",
              stderr);
        return NULL;
    }
    if (!arg)
        fputs("Reading prompt from stdin...\n", stderr);
    char *in = read_all(stdin);
    size_t n = strlen(in);
    while (n && (in[n - 1] == '\n' || in[n - 1] == '\r' || in[n - 1] == ' '))
        in[--n] = '\0';
    if (n == 0) {
        fputs("No prompt provided via stdin.\n", stderr);
        free(in);
        return NULL;
    }
    return in;
}

static bool inside_git_repo(const char *cwd)
{
    char *root = git_repo_root(cwd);
    free(root);
    return root != NULL;
}

static void write_line(void *ud, const char *line)
{
    (void)ud;
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

static void on_event(void *ud, const struct agent_event *ev)
{
    struct exec_run *run = ud;
    if (run->args->json)
        exec_jsonl_handle(&run->jsonl, ev);
    else
        exec_human_handle(&run->human, ev);
}

static void on_turn_done(void *ud, bool ok)
{
    struct exec_run *run = ud;
    run->ok = ok;
    uv_close((uv_handle_t *)&run->sigint, NULL);
    uv_close((uv_handle_t *)&run->sigterm, NULL);
    /* Done: commands still running in the background must not keep exec
     * alive; freeing the agent stops them. */
    uv_stop(run->sigint.loop);
}

/* Ctrl-C or a kill: stop the loop; freeing the agent then kills the
 * commands it started (they run in their own process groups). */
static void on_signal(uv_signal_t *h, int signum)
{
    struct exec_run *run = h->data;
    run->signal = signum;
    uv_stop(h->loop);
}

static void watch_signals(uv_loop_t *loop, struct exec_run *run)
{
    uv_signal_init(loop, &run->sigint);
    uv_signal_init(loop, &run->sigterm);
    run->sigint.data = run->sigterm.data = run;
    uv_signal_start_oneshot(&run->sigint, on_signal, SIGINT);
    uv_signal_start_oneshot(&run->sigterm, on_signal, SIGTERM);
}

static void load_config_opts(const struct cli_opts *o, struct config_load_opts *lo)
{
    memset(lo, 0, sizeof *lo);
    lo->envp = o->envp;
    lo->session = true;
    lo->overrides = (const char *const *)o->config_overrides.v;
    lo->n_overrides = (int)o->config_overrides.n;
    lo->enable = (const char *const *)o->enable.v;
    lo->n_enable = (int)o->enable.n;
    lo->disable = (const char *const *)o->disable.v;
    lo->n_disable = (int)o->disable.n;
    lo->add_dirs = (const char *const *)o->add_dirs.v;
    lo->n_add_dirs = (int)o->add_dirs.n;
    lo->profile = o->profile;
    lo->model = o->model;
    lo->sandbox_mode = o->sandbox_mode;
    /* Nobody can be asked, so never, as in the reference's exec, unless a
     * reviewer answers (approvals_reviewer, --approve-for-me). */
    lo->approval_policy = o->approval_policy;
    lo->unreviewed_approval_policy = "never";
    lo->cd = o->cd;
    lo->local_provider = o->local_provider;
    lo->full_auto = o->full_auto;
    lo->yolo = o->yolo;
    lo->oss = o->oss;
    /* The reference's exec leaves web search as configured whatever
     * `codex --search` says; so do we, and say so. */
    lo->search = false;
    if (o->search)
        fputs("codex-c: --search has no effect on codex exec (as with codex); set -c "
              "web_search=\"live\" instead\n", stderr);
    lo->strict_config = o->strict_config;
    lo->approve_for_me = o->approve_for_me;
}

static bool plan_tool_enabled(const struct codex_config *cfg)
{
    const char *path[] = {"tools", "update_plan", "enabled"};
    toml_value *v = cfg->root ? toml_table_get_path(cfg->root, path, 3) : NULL;
    return (v && toml_type(v) == TOML_BOOLEAN && toml_bool(v)) ||
           config_feature_enabled(cfg, "update_plan");
}

static json_t *load_schema(const char *path)
{
    json_error_t err;
    json_t *schema = json_load_file(path, 0, &err);
    if (!schema)
        fprintf(stderr, "Error: --output-schema %s:%d:%d: %s\n", path, err.line, err.column,
                err.text);
    return schema;
}

static bool collect_images(const struct strvec *files, struct strvec *urls)
{
    for (size_t i = 0; i < files->n; i++) {
        char *err = NULL;
        char *url = image_data_url(files->v[i], &err);
        if (!url) {
            fprintf(stderr, "Error: --image: %s\n", err);
            free(err);
            return false;
        }
        strvec_push_owned(urls, url);
    }
    return true;
}

static void write_last_message(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "Failed to write last message file %s: %s\n", path, strerror(errno));
        return;
    }
    fputs(text ? text : "", f);
    fclose(f);
}

/* The review's target from the flags; custom instructions from the
 * prompt (`-`: stdin), kept in *text.  False when there is none. */
static bool review_target_from_args(const struct exec_args *a, struct review_target *t, char **text)
{
    if (a->review_uncommitted) {
        t->kind = REVIEW_UNCOMMITTED;
    } else if (a->review_base) {
        t->kind = REVIEW_BASE_BRANCH;
        t->branch = a->review_base;
    } else if (a->review_commit) {
        t->kind = REVIEW_COMMIT;
        t->sha = a->review_commit;
        t->title = a->review_title;
    } else if (a->review_prompt) {
        *text = strcmp(a->review_prompt, "-") == 0 ? read_all(stdin) : xstrdup(a->review_prompt);
        if (!*text || !**text) {
            fputs("Error: the review instructions read from stdin are empty\n", stderr);
            return false;
        }
        t->kind = REVIEW_CUSTOM;
        t->instructions = *text;
    } else {
        fputs("Error: Specify --uncommitted, --base, --commit, or provide custom review instructions\n",
              stderr);
        return false;
    }
    return true;
}

/* The settings block of the human output, as the reference words it. */
static char *settings_block(const struct codex_config *cfg, const char *model, const char *provider)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "workdir: %s\nmodel: %s\nprovider: %s\napproval: %s\nsandbox: %s", cfg->cwd, model,
               provider, approval_policy_name(cfg->approval_policy), sandbox_mode_name(cfg->sandbox_mode));
    if (cfg->sandbox_mode == SANDBOX_WORKSPACE_WRITE) {
        const struct sandbox_workspace_write *w = &cfg->workspace_write;
        buf_puts(&b, " [workdir");
        if (!w->exclude_slash_tmp)
            buf_puts(&b, ", /tmp");
        if (!w->exclude_tmpdir_env_var)
            buf_puts(&b, ", $TMPDIR");
        for (size_t i = 0; i < w->writable_roots.n; i++)
            buf_printf(&b, ", %s", w->writable_roots.v[i]);
        buf_puts(&b, "]");
        if (w->network_access)
            buf_puts(&b, " (network access enabled)");
    }
    buf_printf(&b, "\nreasoning effort: %s\nreasoning summaries: %s\n",
               cfg->model_reasoning_effort ? cfg->model_reasoning_effort : "none",
               cfg->model_reasoning_summary ? cfg->model_reasoning_summary : "none");
    return buf_detach(&b, NULL);
}

/* The credentials of an exec run: CODEX_API_KEY applies here (and only
 * here), the configured restrictions are enforced, and the provider
 * settings get the auth manager's credentials. */
struct exec_auth {
    struct auth_manager *manager;
    struct login_env env;
    struct login_settings settings;
};

static void print_error(struct codex_error *err)
{
    char *text = codex_error_text(err);
    fprintf(stderr, "Error: %s\n", text);
    free(text);
    codex_error_clear(err);
}

static void exec_auth_free(struct exec_auth *a)
{
    auth_manager_free(a->manager);
    a->manager = NULL;
    login_settings_free(&a->settings);
}

static int exec_auth_init(struct exec_auth *a, uv_loop_t *loop, const struct codex_config *cfg,
                          const char *originator, struct provider_settings *ps)
{
    memset(a, 0, sizeof *a);
    struct codex_error err = CODEX_ERROR_INIT;
    if (login_env_read(cfg->envp, &a->env, &err) < 0) {
        print_error(&err);
        return -1;
    }
    if (login_settings_read(cfg, &a->settings, &err) < 0 ||
        !(a->manager = login_session_auth(loop, cfg, &a->env, &a->settings, true, &err))) {
        print_error(&err);
        exec_auth_free(a);
        return -1;
    }
    bool stored = false;
    char *denied = auth_manager_check_restrictions(a->manager, a->settings.forced_login_method,
                                                   a->settings.forced_workspace_id, &stored);
    if (denied) {
        fprintf(stderr, "%s\n", denied);
        free(denied);
        if (stored) {
            struct auth_store st = {cfg->codex_home, a->settings.store_mode};
            auth_store_delete(&st, &err);
            codex_error_clear(&err);
        }
        exec_auth_free(a);
        return -1;
    }
    struct provider_auth pa;
    login_provider_auth(a->manager, &a->settings, &a->env, &pa);
    char *msg = NULL;
    if (provider_settings_init_auth(ps, cfg, originator, &pa, &msg) < 0) {
        fprintf(stderr, "Error: %s\n", msg);
        free(msg);
        exec_auth_free(a);
        return -1;
    }
    return 0;
}

static void session_ended(void *ud)
{
    *(bool *)ud = false;
}

static int run_agent(struct exec_args *ea, const struct codex_config *cfg, const char *prompt,
                     const struct strvec *images, const json_t *schema,
                     struct rollout_session *resume, const char *resume_path,
                     const struct review_target *review)
{
    struct provider_settings ps;
    /* The TypeScript SDK names itself through this variable. */
    const char *originator = getenv("CODEX_INTERNAL_ORIGINATOR_OVERRIDE");
    if (!originator || !*originator)
        originator = "codex_exec";
    uv_loop_t loop;
    uv_loop_init(&loop);
    /* A hook or command that exits without reading its stdin must not
     * take us down with it; the write fails instead. */
    signal(SIGPIPE, SIG_IGN);
    struct exec_auth auth;
    if (exec_auth_init(&auth, &loop, cfg, originator, &ps) < 0) {
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        return 1;
    }
    char *aliases = ea->ephemeral ? NULL : arg0_aliases_create(cfg->codex_home);
    struct exec_run run = {.args = ea};
    exec_jsonl_init(&run.jsonl, write_line, NULL);
    run.human.out = stderr;
    run.human.hide_reasoning = cfg->hide_agent_reasoning;
    run.human.color = ea->color ? strcmp(ea->color, "always") == 0 : isatty(STDERR_FILENO);
    const char *model = cfg->model ? cfg->model : model_default_slug();
    const char *provider_id = cfg->model_provider ? cfg->model_provider : "openai";
    char *settings = settings_block(cfg, model, provider_id);
    run.human.settings = settings;
    struct cli_netproxy_inputs np_in;
    cli_netproxy_inputs(cfg->envp, &np_in);
    struct agent_params ap = {
        .cfg = cfg,
        .model = model,
        .provider_id = provider_id,
        .provider = &ps,
        .originator = originator,
        .source = "exec",
        .update_plan_tool = ea->plan_tool || plan_tool_enabled(cfg),
        .thread_source = ea->thread_source,
        .output_schema = schema,
        .ephemeral = ea->ephemeral,
        .path_prefix = aliases,
        .resume = resume,
        .resume_path = resume_path,
        .ignore_rules = ea->ignore_rules,
        .netproxy_hosts = np_in.in.hosts,
        .n_netproxy_hosts = np_in.in.n_hosts,
        .warn = cli_mcp_warn,
        .bypass_hook_trust = ea->bypass_hook_trust,
    };
    char *mcp_error = NULL;
    ap.mcp = cli_mcp_start(&loop, cfg, aliases, &mcp_error);
    struct codex_error aerr = CODEX_ERROR_INIT;
    struct agent *agent = NULL;
    if (mcp_error)
        codex_error_set(&aerr, "%s", mcp_error);
    else
        agent = agent_new(&loop, &ap, on_event, &run, &aerr);
    free(mcp_error);
    if (!agent) {
        char *text = codex_error_text(&aerr);
        fprintf(stderr, "Error: %s\n", text);
        free(text);
        codex_error_clear(&aerr);
    } else {
        watch_signals(&loop, &run);
        if (review)
            agent_start_review(agent, review, on_turn_done, &run);
        else
            agent_start_turn(agent, prompt, images, on_turn_done, &run);
        uv_run(&loop, UV_RUN_DEFAULT);
        /* Only until the SessionEnd hooks are done: commands left running
         * in the background must not hold exec. */
        bool ending = true;
        agent_end_session(agent, session_ended, &ending);
        while (ending)
            uv_run(&loop, UV_RUN_ONCE);
        if (run.signal) {
            uv_close((uv_handle_t *)&run.sigint, NULL);
            uv_close((uv_handle_t *)&run.sigterm, NULL);
            fprintf(stderr, "Interrupted\n");
        }
        const char *last = agent_last_message(agent);
        if (last && !ea->json)
            printf("%s\n", last);
        if (ea->last_message_file)
            write_last_message(ea->last_message_file, last);
        agent_free(agent);
    }
    exec_auth_free(&auth);
    mcp_manager_free(ap.mcp); /* servers are killed, HTTP sessions ended */
    uv_run(&loop, UV_RUN_DEFAULT); /* let closed handles finish */
    cli_netproxy_inputs_free(&np_in);
    uv_loop_close(&loop);
    exec_jsonl_free(&run.jsonl);
    arg0_aliases_remove(aliases);
    free(aliases);
    provider_settings_free(&ps);
    free(settings);
    if (run.signal)
        return 128 + run.signal;
    return agent && run.ok ? 0 : 1;
}

int cmd_exec(struct cli_opts *o, int argc, char **argv)
{
    return cli_exec_main(o, argc, argv, NULL);
}

int cli_exec_main(struct cli_opts *o, int argc, char **argv, const char *review_cmd)
{
    struct exec_args ea = {.review_cmd = review_cmd};
    int status = parse_args(o, &ea, argc, argv);
    if (status >= 0)
        return status;
    ea.bypass_hook_trust = o->bypass_hook_trust;
    o->bypass_hook_trust = false; /* acted on here, so not reported as unsupported */
    cli_warn_unsupported_flags(o);
    if (o->full_auto)
        fputs("warning: --full-auto is deprecated for codex exec; use --sandbox workspace-write\n", stderr);
    if (o->worktree && cli_enter_worktree(o) != 0)
        return 1;
    struct config_load_opts lo;
    load_config_opts(o, &lo);
    lo.ignore_user_config = ea.ignore_user_config;
    struct codex_config cfg;
    struct codex_error cerr = CODEX_ERROR_INIT;
    if (config_load(&lo, &cfg, &cerr) < 0) {
        fprintf(stderr, "Error loading config: %s\n", cerr.message);
        codex_error_clear(&cerr);
        return 1;
    }
    if (ea.trust) {
        /* Persisted even with --ephemeral, as the reference does; it counts
         * for this run too. */
        struct codex_error terr = CODEX_ERROR_INIT;
        if (config_trust_project(&cfg, &terr) < 0) {
            fprintf(stderr, "Error: --trust: %s\n", terr.message);
            codex_error_clear(&terr);
            config_free(&cfg);
            return 1;
        }
        config_free(&cfg);
        if (config_load(&lo, &cfg, &cerr) < 0) {
            fprintf(stderr, "Error loading config: %s\n", cerr.message);
            codex_error_clear(&cerr);
            return 1;
        }
    }
    cli_add_plugin_mcp_servers(&cfg);
    char *prompt = NULL;
    json_t *schema = NULL;
    struct strvec images = STRVEC_INIT;
    struct rollout_session resumed;
    bool have_resume = false;
    char *resume_path = NULL;
    status = 1;
    if (ea.output_schema && !(schema = load_schema(ea.output_schema)))
        goto out;
    if (!collect_images(&o->images, &images))
        goto out;
    struct review_target review = {0};
    if (ea.review_cmd) {
        if (!review_target_from_args(&ea, &review, &prompt))
            goto out;
    } else if (ea.resume && ea.prompt && strcmp(ea.prompt, "-") != 0) {
        prompt = xstrdup(ea.prompt); /* resume takes its prompt as given, never with stdin */
    } else if (!(prompt = resolve_prompt(ea.prompt))) {
        goto out;
    }
    if (!ea.skip_git_check && !o->yolo && !inside_git_repo(cfg.cwd)) {
        fputs("Not inside a trusted directory and --skip-git-repo-check was not specified.\n",
              stderr);
        goto out;
    }
    if (ea.resume) {
        /* --last: the newest session of this directory (of any with --all);
         * otherwise a thread id, or a thread name. */
        struct codex_error err = CODEX_ERROR_INIT;
        resume_path = ea.resume_last
                          ? rollout_find_last(cfg.codex_home, ea.resume_all ? NULL : cfg.cwd, &err)
                          : rollout_find(cfg.codex_home, ea.resume_words[0], &err);
        if (!resume_path || rollout_load(resume_path, &resumed, &err) < 0) {
            char *text = codex_error_text(&err);
            fprintf(stderr, "Error: %s\n", text);
            free(text);
            codex_error_clear(&err);
            goto out;
        }
        have_resume = true;
        for (size_t i = 0; i < resumed.warnings.n; i++)
            fprintf(stderr, "warning: %s\n", resumed.warnings.v[i]);
    }
    status = run_agent(&ea, &cfg, prompt, &images, schema, have_resume ? &resumed : NULL,
                       resume_path, ea.review_cmd ? &review : NULL);
out:
    if (have_resume)
        rollout_session_free(&resumed);
    free(resume_path);
    free(prompt);
    json_decref(schema);
    strvec_free(&images);
    config_free(&cfg);
    return status;
}
