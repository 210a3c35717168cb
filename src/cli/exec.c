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
#include "config/config.h"
#include "core/agent.h"
#include "cli/arg0.h"
#include "cli/exec_human.h"
#include "cli/exec_jsonl.h"
#include "store/git_root.h"
#include "util/image.h"
#include "model/models.h"
#include "model/provider.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct exec_args {
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
    const char *resume_words[2]; /* [SESSION_ID] [PROMPT] as given */
    int n_resume_words;
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
        } else if (a->resume && strcmp(arg, "--last") == 0) {
            a->resume_last = true;
        } else if (a->resume && strcmp(arg, "--all") == 0) {
            continue;
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
        } else if (!a->prompt && !a->resume && strcmp(arg, "resume") == 0) {
            a->resume = true;
        } else if (a->resume && a->n_resume_words < 2) {
            a->resume_words[a->n_resume_words++] = arg;
        } else if (!a->prompt && !a->resume) {
            a->prompt = arg;
        } else {
            return cli_usage_error("codex exec", "unexpected argument '%s' found", arg);
        }
    }
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

static void write_line(void *ud, json_t *line)
{
    (void)ud;
    char *s = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        fflush(stdout);
        free(s);
    }
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
    lo->approval_policy = o->approval_policy ? o->approval_policy : "never";
    lo->cd = o->cd;
    lo->local_provider = o->local_provider;
    lo->full_auto = o->full_auto;
    lo->yolo = o->yolo;
    lo->oss = o->oss;
    lo->search = o->search;
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

static int run_agent(struct exec_args *ea, const struct codex_config *cfg, const char *prompt,
                     const struct strvec *images, const json_t *schema,
                     const struct rollout_session *resume, const char *resume_path)
{
    struct provider_settings ps;
    char *err = NULL;
    /* The TypeScript SDK names itself through this variable. */
    const char *originator = getenv("CODEX_INTERNAL_ORIGINATOR_OVERRIDE");
    if (!originator || !*originator)
        originator = "codex_exec";
    if (provider_settings_init(&ps, cfg, originator, &err) < 0) {
        fprintf(stderr, "Error: %s\n", err);
        free(err);
        return 1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    char *aliases = ea->ephemeral ? NULL : arg0_aliases_create(cfg->codex_home);
    struct exec_run run = {.args = ea};
    exec_jsonl_init(&run.jsonl, write_line, NULL);
    run.human.out = stderr;
    run.human.hide_reasoning = cfg->hide_agent_reasoning;
    run.human.color = ea->color ? strcmp(ea->color, "always") == 0 : isatty(STDERR_FILENO);
    struct agent_params ap = {
        .cfg = cfg,
        .model = cfg->model ? cfg->model : model_default_slug(),
        .provider_id = cfg->model_provider ? cfg->model_provider : "openai",
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
    };
    struct codex_error aerr = CODEX_ERROR_INIT;
    struct agent *agent = agent_new(&loop, &ap, on_event, &run, &aerr);
    if (!agent) {
        char *text = codex_error_text(&aerr);
        fprintf(stderr, "Error: %s\n", text);
        free(text);
        codex_error_clear(&aerr);
    } else {
        watch_signals(&loop, &run);
        agent_start_turn(agent, prompt, images, on_turn_done, &run);
        uv_run(&loop, UV_RUN_DEFAULT);
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
    uv_run(&loop, UV_RUN_DEFAULT); /* let closed handles finish */
    uv_loop_close(&loop);
    exec_jsonl_free(&run.jsonl);
    arg0_aliases_remove(aliases);
    free(aliases);
    provider_settings_free(&ps);
    if (run.signal)
        return 128 + run.signal;
    return agent && run.ok ? 0 : 1;
}

int cmd_exec(struct cli_opts *o, int argc, char **argv)
{
    struct exec_args ea = {0};
    int status = parse_args(o, &ea, argc, argv);
    if (status >= 0)
        return status;
    cli_warn_unsupported_flags(o);
    if (o->full_auto)
        fputs("warning: --full-auto is deprecated for codex exec; use --sandbox workspace-write\n", stderr);
    if (o->worktree && cli_enter_worktree(o) != 0)
        return 1;
    struct config_load_opts lo;
    load_config_opts(o, &lo);
    lo.ignore_user_config = ea.ignore_user_config;
    struct codex_config cfg;
    char errbuf[512];
    if (config_load(&lo, &cfg, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "Error loading config: %s\n", errbuf);
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
        if (config_load(&lo, &cfg, errbuf, sizeof errbuf) < 0) {
            fprintf(stderr, "Error loading config: %s\n", errbuf);
            return 1;
        }
    }
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
    if (!(prompt = resolve_prompt(ea.prompt)))
        goto out;
    if (!ea.skip_git_check && !o->yolo && !inside_git_repo(cfg.cwd)) {
        fputs("Not inside a trusted directory and --skip-git-repo-check was not specified.\n",
              stderr);
        goto out;
    }
    if (ea.resume) {
        char *err = NULL;
        resume_path = rollout_find(cfg.codex_home,
                                   ea.resume_last ? NULL : ea.resume_words[0], &err);
        if (!resume_path || rollout_load(resume_path, &resumed, &err) < 0) {
            fprintf(stderr, "Error: %s\n", err);
            free(err);
            goto out;
        }
        have_resume = true;
    }
    status = run_agent(&ea, &cfg, prompt, &images, schema, have_resume ? &resumed : NULL,
                       resume_path);
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
