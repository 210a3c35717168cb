/* `codex login`: sign in with ChatGPT in the browser (the default) or with
 * a device code (--device-auth), store an API key (--with-api-key) or an
 * access token (--with-access-token), both read from stdin; `codex login
 * status` says what is stored.  Messages go to stderr as the reference
 * prints them; the device code prompt goes to stdout. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cli/cli.h"
#include "config/config.h"
#include "login/access_token.h"
#include "login/auth_manager.h"
#include "login/login.h"
#include "login/session.h"
#include "store/auth.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/xalloc.h"

static const char login_help[] =
    "Manage login\n\n"
    "Usage: codex login [OPTIONS] [COMMAND]\n\n"
    "Commands:\n"
    "  status  Show login status\n"
    "  help    Print this message or the help of the given subcommand(s)\n\n"
    "Options:\n"
    "  -c, --config <key=value>  Override a configuration value\n"
    "      --with-api-key        Read the API key from stdin (e.g. `printenv OPENAI_API_KEY | "
    "codex login --with-api-key`)\n"
    "      --enable <FEATURE>    Enable a feature (repeatable)\n"
    "      --with-access-token   Read the access token from stdin (e.g. `printenv "
    "CODEX_ACCESS_TOKEN | codex login --with-access-token`)\n"
    "      --disable <FEATURE>   Disable a feature (repeatable)\n"
    "      --device-auth         Sign in with a one-time code on another device\n"
    "  -h, --help                Print help\n";

#define ANSI_BLUE "\x1b[94m"
#define ANSI_GRAY "\x1b[90m"
#define ANSI_RESET "\x1b[0m"

struct login_args {
    bool status, with_api_key, with_access_token, device_auth;
    const char *issuer;
    const char *client_id;
};

/* What one login run needs; the flows report here. */
struct login_run {
    const struct cli_opts *opts;
    uv_loop_t loop;
    uv_signal_t sigint;
    struct login_browser *browser;
    struct login_device *device;
    struct pat_whoami *whoami;
    char *error;
    char *token; /* --with-access-token, kept for the store */
    const struct codex_config *cfg;
    const struct login_settings *settings;
    bool done;
    bool interrupted;
};

/* ---- stdin -------------------------------------------------------------- */

static char *read_stdin_trimmed(void)
{
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        buf_append(&b, chunk, n);
    char *s = buf_detach(&b, NULL);
    char *start = s + strspn(s, " \t\r\n");
    size_t len = strlen(start);
    while (len && strchr(" \t\r\n", start[len - 1]))
        len--;
    char *out = xstrndup(start, len);
    free(s);
    return out;
}

/* ---- status ------------------------------------------------------------- */

/* "sk-test-***bcdef": enough to recognise the key, not to use it. */
static void print_masked(const char *key)
{
    size_t n = strlen(key);
    if (n <= 13)
        fprintf(stderr, "API key configured - ***\n");
    else
        fprintf(stderr, "API key configured - %.8s***%s\n", key, key + n - 5);
}

static void on_status_whoami(void *ud, const struct pat_identity *id, const char *error)
{
    struct login_run *r = ud;
    r->whoami = NULL;
    (void)id;
    if (error)
        r->error = xstrdup(error);
    r->done = true;
}

static int login_status(struct login_run *r, const struct login_env *env)
{
    struct login_env status_env = *env;
    status_env.openai_api_key = NULL; /* the environment's key is not a login */
    struct codex_error err = CODEX_ERROR_INIT;
    struct auth_manager *m = login_session_auth(&r->loop, r->cfg, &status_env, r->settings,
                                                false, &err);
    if (!m) {
        char *text = codex_error_text(&err);
        fprintf(stderr, "Error checking login status: %s\n", text);
        free(text);
        codex_error_clear(&err);
        return 1;
    }
    int rc = 0;
    switch (auth_manager_kind(m)) {
    case AUTH_KIND_NONE:
        fputs("Not logged in\n", stderr);
        rc = 1;
        break;
    case AUTH_KIND_API_KEY:
        print_masked(auth_manager_api_key(m));
        fputs("Authentication is checked when you send a request.\n", stderr);
        break;
    case AUTH_KIND_CHATGPT:
    case AUTH_KIND_CHATGPT_EXTERNAL:
        fputs("Logged in using ChatGPT\n", stderr);
        break;
    case AUTH_KIND_AGENT_IDENTITY:
        fputs("Logged in using access token\n", stderr);
        break;
    case AUTH_KIND_PERSONAL_TOKEN: {
        /* Like the reference, a personal access token is checked with its
         * issuer before it is reported as a login. */
        const char *token = env->access_token;
        struct auth_record rec;
        struct auth_store st = {r->cfg->codex_home, r->settings->store_mode};
        bool have_rec = false;
        if (!token && auth_store_load(&st, &rec, &err) == 1) {
            have_rec = true;
            token = rec.personal_access_token;
        }
        codex_error_clear(&err);
        r->whoami = pat_whoami_start(&r->loop, env->authapi_base, env->ca_file, token,
                                     on_status_whoami, r);
        uv_run(&r->loop, UV_RUN_DEFAULT);
        if (have_rec)
            auth_record_free(&rec);
        if (r->error) {
            fprintf(stderr, "Error checking login status: %s\n", r->error);
            rc = 1;
        } else {
            fputs("Logged in using personal access token\n", stderr);
        }
        break;
    }
    }
    auth_manager_free(m);
    return rc;
}

/* ---- storing keys and tokens --------------------------------------------- */

static int store_record(struct login_run *r, struct auth_record *rec, const char *what)
{
    struct auth_store st = {r->cfg->codex_home, r->settings->store_mode};
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = auth_store_save(&st, rec, &err);
    if (rc < 0) {
        char *text = codex_error_text(&err);
        fprintf(stderr, "Error saving %s: %s\n", what, text);
        free(text);
    }
    codex_error_clear(&err);
    return rc < 0 ? 1 : 0;
}

static int login_with_api_key(struct login_run *r)
{
    if (r->settings->forced_login_method &&
        strcmp(r->settings->forced_login_method, "chatgpt") == 0) {
        fputs("API key login is disabled. Use ChatGPT login instead.\n", stderr);
        return 1;
    }
    if (isatty(STDIN_FILENO)) {
        fputs("--with-api-key expects the API key on stdin. Try piping it, e.g. `printenv "
              "OPENAI_API_KEY | codex login --with-api-key`.\n",
              stderr);
        return 1;
    }
    fputs("Reading API key from stdin...\n", stderr);
    char *key = read_stdin_trimmed();
    int rc = 1;
    if (!*key) {
        fputs("No API key provided via stdin.\n", stderr);
    } else {
        struct auth_record rec = {0};
        rec.auth_mode = xstrdup("apikey");
        rec.api_key = xstrdup(key);
        rc = store_record(r, &rec, "API key");
        auth_record_free(&rec);
        if (rc == 0)
            fputs("API key saved. Authentication is checked when you send a request.\n",
                  stderr);
    }
    free(key);
    return rc;
}

static void on_token_whoami(void *ud, const struct pat_identity *id, const char *error)
{
    struct login_run *r = ud;
    r->whoami = NULL;
    (void)id;
    if (error)
        r->error = xstrdup(error);
    r->done = true;
}

static int login_with_access_token(struct login_run *r, const struct login_env *env)
{
    if (r->settings->forced_login_method && strcmp(r->settings->forced_login_method, "api") == 0) {
        fputs("Access token login is disabled. Use API key login instead.\n", stderr);
        return 1;
    }
    if (isatty(STDIN_FILENO)) {
        fputs("--with-access-token expects the access token on stdin. Try piping it, e.g. "
              "`printenv CODEX_ACCESS_TOKEN | codex login --with-access-token`.\n",
              stderr);
        return 1;
    }
    fputs("Reading access token from stdin...\n", stderr);
    r->token = read_stdin_trimmed();
    if (!*r->token) {
        fputs("No access token provided via stdin.\n", stderr);
        return 1;
    }
    if (!access_token_is_personal(r->token)) {
        fprintf(stderr, "Error logging in with access token: %s\n",
                access_token_unsupported_reason(r->token));
        return 1;
    }
    r->whoami = pat_whoami_start(&r->loop, env->authapi_base, env->ca_file, r->token,
                                 on_token_whoami, r);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    if (r->error) {
        fprintf(stderr, "Error logging in with access token: %s\n", r->error);
        return 1;
    }
    struct auth_record rec = {0};
    rec.personal_access_token = xstrdup(r->token);
    int rc = store_record(r, &rec, "access token");
    auth_record_free(&rec);
    if (rc == 0)
        fputs("Successfully logged in\n", stderr);
    return rc;
}

/* ---- ChatGPT sign-in ------------------------------------------------------ */

static void stop_signals(struct login_run *r)
{
    if (!uv_is_closing((uv_handle_t *)&r->sigint))
        uv_close((uv_handle_t *)&r->sigint, NULL);
}

static void on_flow_done(void *ud, const char *error)
{
    struct login_run *r = ud;
    r->browser = NULL;
    r->device = NULL;
    r->done = true;
    if (error)
        r->error = xstrdup(error);
    stop_signals(r);
}

static void on_sigint(uv_signal_t *s, int signum)
{
    struct login_run *r = s->data;
    (void)signum;
    r->interrupted = true;
    login_browser_cancel(r->browser);
    login_device_cancel(r->device);
    r->browser = NULL;
    r->device = NULL;
    stop_signals(r);
}

static void on_url(void *ud, const char *url, int port)
{
    struct login_run *r = ud;
    fprintf(stderr,
            "Starting local login server on http://localhost:%d.\n"
            "If your browser did not open, navigate to this URL to authenticate:\n\n%s\n\n"
            "On a remote or headless machine? Use `codex login --device-auth` instead.\n",
            port, url);
    cli_open_url(&r->loop, r->opts->envp, url);
}

static void on_code(void *ud, const char *verification_url, const char *user_code)
{
    (void)ud;
    printf("\nWelcome to Codex [v" ANSI_GRAY "%s" ANSI_RESET "]\n" ANSI_GRAY
           "OpenAI's command-line coding agent" ANSI_RESET "\n\n"
           "Follow these steps to sign in with ChatGPT using device code authorization:\n\n"
           "1. Open this link in your browser and sign in to your account\n   " ANSI_BLUE
           "%s" ANSI_RESET "\n\n"
           "2. Enter this one-time code " ANSI_GRAY "(expires in 15 minutes)" ANSI_RESET
           "\n   " ANSI_BLUE "%s" ANSI_RESET "\n\n" ANSI_GRAY
           "Continue only if you started this login in Codex. If a website or another person "
           "gave you this code, cancel." ANSI_RESET "\n\n",
           CODEX_VERSION, verification_url, user_code);
    fflush(stdout);
}

static int login_chatgpt(struct login_run *r, const struct login_args *a,
                         const struct login_env *env)
{
    if (r->settings->forced_login_method && strcmp(r->settings->forced_login_method, "api") == 0) {
        fputs("ChatGPT login is disabled. Use API key login instead.\n", stderr);
        return 1;
    }
    struct login_options lo = {
        .loop = &r->loop,
        .codex_home = r->cfg->codex_home,
        .store_mode = r->settings->store_mode,
        .issuer = a->issuer,
        .client_id = a->client_id,
        .originator = "codex_cli_rs",
        .forced_workspace_id = r->settings->forced_workspace_id,
        .ca_file = env->ca_file,
        .log_dir = r->settings->log_dir,
    };
    uv_signal_init(&r->loop, &r->sigint);
    r->sigint.data = r;
    uv_signal_start(&r->sigint, on_sigint, SIGINT);
    if (a->device_auth) {
        struct login_device_callbacks cbs = {on_code, on_flow_done, r};
        r->device = login_device_start(&lo, &cbs);
    } else {
        struct login_browser_callbacks cbs = {on_url, on_flow_done, r};
        r->browser = login_browser_start(&lo, &cbs);
    }
    uv_run(&r->loop, UV_RUN_DEFAULT);
    if (r->interrupted) {
        fputs("Login was not completed\n", stderr);
        return 130;
    }
    if (r->error) {
        fprintf(stderr, "Error logging in: %s\n", r->error);
        return 1;
    }
    fputs("Successfully logged in\n", stderr);
    return 0;
}

/* ---- arguments ------------------------------------------------------------ */

/* --flag VALUE or --flag=VALUE; 1 taken, 0 not this flag, -1 missing value. */
static int flag_value(const char *name, int argc, char **argv, int *i, const char **out)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *out = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *out = argv[++*i];
    return 1;
}

static int parse(struct cli_opts *o, struct login_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int r;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 ||
            (strcmp(arg, "help") == 0 && !a->status))
            return fputs(login_help, stdout), 0;
        if (strcmp(arg, "--with-api-key") == 0)
            a->with_api_key = true;
        else if (strcmp(arg, "--with-access-token") == 0)
            a->with_access_token = true;
        else if (strcmp(arg, "--device-auth") == 0)
            a->device_auth = true;
        else if ((r = flag_value("--experimental_issuer", argc, argv, &i, &a->issuer)) != 0 ||
                 (r = flag_value("--experimental_client-id", argc, argv, &i, &a->client_id)) != 0) {
            if (r < 0)
                return cli_usage_error("codex login", "a value is required for '%s <VALUE>' "
                                                      "but none was supplied",
                                       arg);
        } else if (strcmp(arg, "status") == 0 && !a->status)
            a->status = true;
        else if (arg[0] == '-') {
            r = cli_shared_flag(o, "codex login", argc, argv, &i);
            if (r < 0)
                return 2;
            if (r == 0)
                return cli_usage_error("codex login", "unexpected argument '%s' found", arg);
        } else {
            return cli_usage_error("codex login", "unrecognized subcommand '%s'", arg);
        }
    }
    return -1;
}

int cmd_login(struct cli_opts *o, int argc, char **argv)
{
    struct login_args a = {0};
    int rc = parse(o, &a, argc, argv);
    if (rc >= 0)
        return rc;
    if (a.with_api_key && a.with_access_token && !a.device_auth && !a.status) {
        fputs("Choose one login credential source: --with-api-key or --with-access-token.\n",
              stderr);
        return 1;
    }
    struct codex_config cfg;
    if (cli_load_config(o, &cfg) != 0)
        return 1;
    struct codex_error err = CODEX_ERROR_INIT;
    struct login_env env;
    struct login_settings settings;
    if (login_env_read(o->envp, &env, &err) < 0 ||
        login_settings_read(&cfg, &settings, &err) < 0) {
        char *text = codex_error_text(&err);
        fprintf(stderr, "Error: %s\n", text);
        free(text);
        codex_error_clear(&err);
        config_free(&cfg);
        return 1;
    }
    struct login_run r = {.opts = o, .cfg = &cfg, .settings = &settings};
    uv_loop_init(&r.loop);
    if (a.status)
        rc = login_status(&r, &env);
    else if (a.device_auth)
        rc = login_chatgpt(&r, &a, &env);
    else if (a.with_api_key)
        rc = login_with_api_key(&r);
    else if (a.with_access_token)
        rc = login_with_access_token(&r, &env);
    else
        rc = login_chatgpt(&r, &a, &env);
    uv_run(&r.loop, UV_RUN_DEFAULT); /* let closed handles finish */
    uv_loop_close(&r.loop);
    free(r.error);
    free(r.token);
    login_settings_free(&settings);
    config_free(&cfg);
    return rc;
}
