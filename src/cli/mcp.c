/* `codex mcp`: list, show, add and remove the MCP servers of config.toml,
 * and log in to or out of an HTTP server (mcp_login.c).
 *
 * Output follows reference 0.169.0 (list's two tables with two-space
 * columns, get's indented lines, --json shapes, messages and exit codes),
 * with three differences: `list` never touches the network (the reference
 * probes every HTTP server for OAuth metadata, eight requests each), `env`
 * is sorted in --json, and add/remove change only the entry they are about,
 * keeping the user's comments and layout everywhere else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_flags.h"
#include "cli/mcp_cli.h"
#include "config/config.h"
#include "config/mcp_servers.h"
#include "store/mcp_tokens.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/json_text.h"

static const char *const subcommands[] = {"list", "get", "add", "remove", "login", "logout", NULL};

static void print_help(FILE *out, const char *sub)
{
    if (!sub) {
        fputs("Manage external MCP servers for Codex\n\n"
              "Usage: codex mcp [OPTIONS] <COMMAND>\n\n"
              "Commands:\n"
              "  list    Show the configured MCP servers\n"
              "  get     Show one MCP server's configuration\n"
              "  add     Add an MCP server to config.toml\n"
              "  remove  Remove an MCP server from config.toml\n"
              "  login   Sign in to an HTTP MCP server with OAuth\n"
              "  logout  Forget the OAuth sign-in of an HTTP MCP server\n"
              "  help    Print this message or the help of the given subcommand(s)\n\n"
              "Options:\n",
              out);
    } else if (strcmp(sub, "list") == 0 || strcmp(sub, "get") == 0) {
        bool list = strcmp(sub, "list") == 0;
        fprintf(out, "%s\n\nUsage: codex mcp %s [OPTIONS]%s\n\n%sOptions:\n",
                list ? "Show the configured MCP servers" : "Show one MCP server's configuration",
                sub, list ? "" : " <NAME>",
                list ? "" : "Arguments:\n  <NAME>\n          The server's name in config.toml\n\n");
        cli_print_option(out, "--json", list ? "Print the servers as JSON" : "Print the server as JSON");
    } else if (strcmp(sub, "add") == 0) {
        fputs("Add an MCP server to config.toml\n\n"
              "Usage: codex mcp add [OPTIONS] <NAME> (--url <URL> | -- <COMMAND>...)\n\n"
              "Arguments:\n"
              "  <NAME>\n"
              "          The name to give the server (letters, digits, '-', '_', ':', '@', '/', '.')\n\n"
              "  [COMMAND]...\n"
              "          The program (and its arguments) that runs a stdio server; use --url for an "
              "HTTP one\n\n"
              "Options:\n",
              out);
        cli_print_option(out, "--env <KEY=VALUE>",
                         "A variable the server is started with (repeatable; stdio servers only)");
        cli_print_option(out, "--url <URL>", "The URL of a streamable HTTP server");
        cli_print_option(out, "--bearer-token-env-var <ENV_VAR>",
                         "The environment variable holding a bearer token for it (HTTP servers only)");
        cli_print_option(out, "--oauth-client-id <CLIENT_ID>",
                         "An OAuth client id registered with the server's authorization server");
        cli_print_option(out, "--oauth-client-secret <CLIENT_SECRET>",
                         "That client's secret (kept with the OAuth credentials, not in config.toml)");
        cli_print_option(out, "--oauth-client-registration <AUTO|CIMD|DCR>",
                         "How to register a client when signing in right after adding");
        cli_print_option(out, "--oauth-resource <RESOURCE>",
                         "The resource parameter to send when signing in");
    } else {
        bool login = strcmp(sub, "login") == 0;
        bool remove = strcmp(sub, "remove") == 0;
        fprintf(out, "%s\n\nUsage: codex mcp %s [OPTIONS] <NAME>\n\n"
                     "Arguments:\n  <NAME>\n          The server's name in config.toml\n\nOptions:\n",
                remove  ? "Remove an MCP server from config.toml"
                : login ? "Sign in to an HTTP MCP server with OAuth"
                        : "Forget the OAuth sign-in of an HTTP MCP server",
                sub);
        if (login) {
            cli_print_option(out, "--no-browser",
                             "Print the sign-in URL instead of opening a browser");
            cli_print_option(out, "--scopes <SCOPE,SCOPE>", "The OAuth scopes to ask for");
            cli_print_option(out, "--oauth-client-registration <AUTO|CIMD|DCR>",
                             "How to register a client for this sign-in");
        }
    }
    cli_print_flags(out, CLI_FLAGS_CONFIG);
    cli_print_option(out, "-h, --help", "Print help");
}

/* ---- reading --------------------------------------------------------------- */

static const struct mcp_server_config *find(const struct codex_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_mcp_servers; i++)
        if (strcmp(cfg->mcp_servers[i].name, name) == 0)
            return &cfg->mcp_servers[i];
    return NULL;
}

static int cmp_index(const void *a, const void *b, void *names)
{
    char **n = names;
    return strcmp(n[*(const size_t *)a], n[*(const size_t *)b]);
}

/* The pairs as an object, keys sorted; null when the table is absent. */
static json_t *pairs_object(const struct mcp_pairs *p, bool present)
{
    if (!present)
        return json_null();
    size_t n = p->names.n;
    size_t *order = xcalloc(n ? n : 1, sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, cmp_index, p->names.v);
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, p->names.v[order[i]], json_string(p->values.v[order[i]]));
    free(order);
    return o;
}

static json_t *seconds(double s)
{
    return s < 0 ? json_null() : json_real(s);
}

static const char *auth_status(const struct codex_config *cfg, const struct mcp_server_config *s)
{
    if (s->transport == MCP_TRANSPORT_STDIO)
        return "unsupported";
    if (s->bearer_token_env_var)
        return "bearer_token";
    return mcp_tokens_exist(cfg->codex_home, s->name, s->url) ? "o_auth" : "unknown";
}

static json_t *server_json(const struct codex_config *cfg, const struct mcp_server_config *s, bool for_get)
{
    json_t *transport;
    if (s->transport == MCP_TRANSPORT_STDIO)
        transport = json_pack("{s:s s:s s:o s:o s:o s:o}", "type", "stdio", "command", s->command,
                              "args", json_string_array(&s->args), "env", pairs_object(&s->env, s->has_env),
                              "env_vars", json_string_array(&s->env_vars), "cwd",
                              s->cwd ? json_string(s->cwd) : json_null());
    else
        transport = json_pack("{s:s s:s s:o s:o s:o s:n}", "type", "streamable_http", "url", s->url,
                              "bearer_token_env_var",
                              s->bearer_token_env_var ? json_string(s->bearer_token_env_var) : json_null(),
                              "http_headers", pairs_object(&s->http_headers, s->has_http_headers),
                              "env_http_headers",
                              pairs_object(&s->env_http_headers, s->has_env_http_headers),
                              "http_headers_helper");
    json_t *o = json_pack("{s:s s:b s:n s:o}", "name", s->name, "enabled", s->enabled,
                          "disabled_reason", "transport", transport);
    if (for_get) {
        json_object_set_new(o, "enabled_tools",
                            s->has_enabled_tools ? json_string_array(&s->enabled_tools) : json_null());
        json_object_set_new(o, "disabled_tools",
                            s->has_disabled_tools ? json_string_array(&s->disabled_tools) : json_null());
    }
    json_object_set_new(o, "startup_timeout_sec", seconds(s->startup_timeout_sec));
    json_object_set_new(o, "tool_timeout_sec", seconds(s->tool_timeout_sec));
    if (!for_get)
        json_object_set_new(o, "auth_status", json_string(auth_status(cfg, s)));
    return o;
}

static void print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2));
    puts(s ? s : "null");
    free(s);
    json_decref(v);
}

/* "A=*****, B=*****" (values hidden, or shown), or "-". */
static char *masked(const struct mcp_pairs *p, const struct strvec *extra_names, bool show_values)
{
    struct buf b = BUF_INIT;
    size_t n = p->names.n;
    size_t *order = xcalloc(n ? n : 1, sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, cmp_index, p->names.v);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s=%s", b.len ? ", " : "", p->names.v[order[i]],
                   show_values ? p->values.v[order[i]] : "*****");
    free(order);
    for (size_t i = 0; extra_names && i < extra_names->n; i++)
        buf_printf(&b, "%s%s=*****", b.len ? ", " : "", extra_names->v[i]);
    if (!b.len)
        buf_putc(&b, '-');
    return buf_detach(&b, NULL);
}

static char *joined(const struct strvec *v)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < v->n; i++)
        buf_printf(&b, "%s%s", i ? " " : "", v->v[i]);
    if (!b.len)
        buf_putc(&b, '-');
    return buf_detach(&b, NULL);
}

/* Rows of cells printed with each column as wide as its widest cell and
 * two spaces between columns (the last padded too, as the reference does). */
static void print_table(char ***rows, size_t n_rows, size_t n_cols)
{
    size_t *width = xcalloc(n_cols, sizeof *width);
    for (size_t r = 0; r < n_rows; r++)
        for (size_t c = 0; c < n_cols; c++)
            if (strlen(rows[r][c]) > width[c])
                width[c] = strlen(rows[r][c]);
    for (size_t r = 0; r < n_rows; r++) {
        for (size_t c = 0; c < n_cols; c++)
            printf("%s%-*s", c ? "  " : "", (int)width[c], rows[r][c]);
        putchar('\n');
    }
    free(width);
}

static void free_rows(char ***rows, size_t n_rows, size_t n_cols)
{
    for (size_t r = 0; r < n_rows; r++) {
        for (size_t c = 0; c < n_cols; c++)
            free(rows[r][c]);
        free(rows[r]);
    }
    free(rows);
}

static const char *auth_label(const char *status)
{
    return strcmp(status, "bearer_token") == 0 ? "Bearer token"
           : strcmp(status, "o_auth") == 0     ? "OAuth"
           : strcmp(status, "unknown") == 0    ? "Unknown"
                                               : "Unsupported";
}

static int list(const struct codex_config *cfg, bool as_json)
{
    if (as_json) {
        json_t *a = json_array();
        for (size_t i = 0; i < cfg->n_mcp_servers; i++)
            json_array_append_new(a, server_json(cfg, &cfg->mcp_servers[i], false));
        print_json(a);
        return 0;
    }
    if (cfg->n_mcp_servers == 0) {
        puts("No MCP servers configured yet. Try `codex mcp add my-tool -- my-command`.");
        return 0;
    }
    size_t n = cfg->n_mcp_servers;
    char ***stdio = xcalloc(n + 1, sizeof *stdio), ***http = xcalloc(n + 1, sizeof *http);
    size_t ns = 1, nh = 1;
    static const char *const stdio_head[] = {"Name", "Command", "Args", "Env", "Cwd", "Status", "Auth"};
    static const char *const http_head[] = {"Name", "Url", "Bearer Token Env Var", "Status", "Auth"};
    stdio[0] = xcalloc(7, sizeof(char *));
    http[0] = xcalloc(5, sizeof(char *));
    for (int c = 0; c < 7; c++)
        stdio[0][c] = xstrdup(stdio_head[c]);
    for (int c = 0; c < 5; c++)
        http[0][c] = xstrdup(http_head[c]);
    for (size_t i = 0; i < n; i++) {
        const struct mcp_server_config *s = &cfg->mcp_servers[i];
        const char *status = s->enabled ? "enabled" : "disabled";
        const char *auth = auth_label(auth_status(cfg, s));
        if (s->transport == MCP_TRANSPORT_STDIO) {
            char **row = stdio[ns++] = xcalloc(7, sizeof(char *));
            row[0] = xstrdup(s->name);
            row[1] = xstrdup(s->command);
            row[2] = joined(&s->args);
            row[3] = masked(&s->env, &s->env_vars, false);
            row[4] = xstrdup(s->cwd ? s->cwd : "-");
            row[5] = xstrdup(status);
            row[6] = xstrdup(auth);
        } else {
            char **row = http[nh++] = xcalloc(5, sizeof(char *));
            row[0] = xstrdup(s->name);
            row[1] = xstrdup(s->url);
            row[2] = xstrdup(s->bearer_token_env_var ? s->bearer_token_env_var : "-");
            row[3] = xstrdup(status);
            row[4] = xstrdup(auth);
        }
    }
    if (ns > 1)
        print_table(stdio, ns, 7);
    if (ns > 1 && nh > 1)
        putchar('\n');
    if (nh > 1)
        print_table(http, nh, 5);
    free_rows(stdio, ns, 7);
    free_rows(http, nh, 5);
    return 0;
}

static int get(const struct codex_config *cfg, const char *name, bool as_json)
{
    const struct mcp_server_config *s = find(cfg, name);
    if (!s) {
        fprintf(stderr, "Error: No MCP server named '%s' found.\n", name);
        return 1;
    }
    if (as_json) {
        print_json(server_json(cfg, s, true));
        return 0;
    }
    if (!s->enabled) {
        printf("%s (disabled)\n", s->name);
        return 0;
    }
    printf("%s\n  enabled: true\n", s->name);
    if (s->transport == MCP_TRANSPORT_STDIO) {
        char *args = joined(&s->args), *env = masked(&s->env, &s->env_vars, false);
        printf("  transport: stdio\n  command: %s\n  args: %s\n  cwd: %s\n  env: %s\n", s->command,
               args, s->cwd ? s->cwd : "-", env);
        free(args);
        free(env);
    } else {
        char *headers = masked(&s->http_headers, NULL, false);
        char *env_headers = masked(&s->env_http_headers, NULL, true);
        printf("  transport: streamable_http\n  url: %s\n  bearer_token_env_var: %s\n"
               "  http_headers: %s\n  env_http_headers: %s\n  http_headers_helper: -\n",
               s->url, s->bearer_token_env_var ? s->bearer_token_env_var : "-", headers, env_headers);
        free(headers);
        free(env_headers);
    }
    printf("  remove: codex mcp remove %s\n", s->name);
    return 0;
}

/* ---- writing ----------------------------------------------------------------- */

static int write_entry(const struct codex_config *cfg, const char *name, const toml_value *entry)
{
    char *path = fs_join(cfg->codex_home, "config.toml");
    const char *keys[] = {"mcp_servers", name};
    struct codex_error err = CODEX_ERROR_INIT;
    int r = config_file_set(path, keys, 2, entry, &err);
    free(path);
    if (r < 0) {
        char *text = codex_error_text(&err);
        fprintf(stderr, "Error: %s\n", text);
        free(text);
        codex_error_clear(&err);
        return 1;
    }
    return 0;
}

static int cmp_env(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int add(const struct codex_config *cfg, const struct mcp_add_args *a)
{
    if (!mcp_server_name_valid(a->name)) {
        fprintf(stderr,
                "Error: invalid server name '%s' (use letters, numbers, '-', '_', ':', '@', '/', '.')\n",
                a->name);
        return 1;
    }
    toml_value *entry = toml_new_table();
    if (a->url) {
        if (a->env.n) {
            fputs("Error: command is required\n", stderr);
            toml_free(entry);
            return 1;
        }
        toml_table_set(entry, "url", toml_new_string(a->url, strlen(a->url)));
        if (a->bearer_token_env_var)
            toml_table_set(entry, "bearer_token_env_var",
                           toml_new_string(a->bearer_token_env_var, strlen(a->bearer_token_env_var)));
        if (a->oauth_client_id)
            toml_table_set(entry, "oauth_client_id",
                           toml_new_string(a->oauth_client_id, strlen(a->oauth_client_id)));
        if (a->oauth_resource)
            toml_table_set(entry, "oauth_resource",
                           toml_new_string(a->oauth_resource, strlen(a->oauth_resource)));
    } else {
        toml_table_set(entry, "command", toml_new_string(a->command.v[0], strlen(a->command.v[0])));
        if (a->command.n > 1) {
            toml_value *args = toml_new_array();
            for (size_t i = 1; i < a->command.n; i++)
                toml_array_push(args, toml_new_string(a->command.v[i], strlen(a->command.v[i])));
            toml_table_set(entry, "args", args);
        }
        if (a->env.n) {
            char **sorted = xcalloc(a->env.n, sizeof *sorted);
            memcpy(sorted, a->env.v, a->env.n * sizeof *sorted);
            qsort(sorted, a->env.n, sizeof *sorted, cmp_env);
            toml_value *env = toml_new_table();
            for (size_t i = 0; i < a->env.n; i++) {
                const char *eq = strchr(sorted[i], '=');
                char *key = xstrndup(sorted[i], (size_t)(eq - sorted[i]));
                toml_table_set(env, key, toml_new_string(eq + 1, strlen(eq + 1)));
                free(key);
            }
            free(sorted);
            toml_table_set(entry, "env", env);
        }
    }
    /* Added anew, in its canonical form, in place of an entry of the same
     * name (the rest of the file is left as it is). */
    if (find(cfg, a->name))
        write_entry(cfg, a->name, NULL);
    int rc = write_entry(cfg, a->name, entry);
    toml_free(entry);
    if (rc)
        return rc;
    printf("Added global MCP server '%s'.\n", a->name);
    if (a->oauth_client_secret &&
        mcp_tokens_save_client_secret(cfg->codex_home, a->name, a->url, a->oauth_client_secret) < 0)
        fprintf(stderr, "codex-c: the OAuth client secret could not be saved\n");
    if (a->url && !a->bearer_token_env_var)
        printf("MCP server may or may not require login. Run `codex mcp login %s` to login.\n", a->name);
    return 0;
}

static int remove_server(const struct codex_config *cfg, const char *name)
{
    if (!find(cfg, name)) {
        printf("No MCP server named '%s' found.\n", name);
        return 0;
    }
    int rc = write_entry(cfg, name, NULL);
    if (rc == 0)
        printf("Removed global MCP server '%s'.\n", name);
    return rc;
}

/* ---- arguments ------------------------------------------------------------------ */

static bool is_config_flag(const char *arg)
{
    return strcmp(arg, "-c") == 0 || strncmp(arg, "-c", 2) == 0 || strncmp(arg, "--config", 8) == 0 ||
           strncmp(arg, "--enable", 8) == 0 || strncmp(arg, "--disable", 9) == 0;
}

static int usage(const char *fmt, const char *arg, bool add_usage)
{
    fputs("error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n\n", stderr);
    if (add_usage)
        fputs("Usage: codex mcp add [OPTIONS] <NAME> (--url <URL> | -- <COMMAND>...)\n\n", stderr);
    fputs("For more information, try '--help'.\n", stderr);
    return 2;
}

/* A value flag: "--flag value" or "--flag=value". */
static const char *flag_value(const char *flag, int argc, char **argv, int *i)
{
    size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], flag) != 0)
        return NULL;
    if (*i + 1 >= argc)
        return "";
    return argv[++*i];
}

int cmd_mcp(struct cli_opts *o, int argc, char **argv)
{
    int rc = 0;
    const char *sub = NULL;
    struct mcp_add_args a = {0};
    bool as_json = false;
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_help(stdout, sub);
            goto done;
        }
        if (sub && strcmp(sub, "add") == 0 && strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++)
                strvec_push(&a.command, argv[i]);
            break;
        }
        if (is_config_flag(arg)) {
            if (cli_shared_flag(o, "codex mcp", argc, argv, &i) < 0)
                return 2;
            continue;
        }
        if (sub && strcmp(arg, "--json") == 0 && (strcmp(sub, "list") == 0 || strcmp(sub, "get") == 0)) {
            as_json = true;
            continue;
        }
        if (sub && strcmp(sub, "add") == 0) {
            if ((v = flag_value("--env", argc, argv, &i))) {
                if (!strchr(v, '=') || v[0] == '=') {
                    strvec_free(&a.env);
                    return usage("invalid value '%s' for '--env <KEY=VALUE>': environment entries "
                                 "must be in KEY=VALUE form",
                                 v, false);
                }
                strvec_push(&a.env, v);
                continue;
            }
            if ((v = flag_value("--url", argc, argv, &i))) {
                a.url = v;
                continue;
            }
            if ((v = flag_value("--bearer-token-env-var", argc, argv, &i))) {
                a.bearer_token_env_var = v;
                continue;
            }
            if ((v = flag_value("--oauth-client-id", argc, argv, &i))) {
                a.oauth_client_id = v;
                continue;
            }
            if ((v = flag_value("--oauth-client-secret", argc, argv, &i))) {
                a.oauth_client_secret = v;
                continue;
            }
            if ((v = flag_value("--oauth-resource", argc, argv, &i))) {
                a.oauth_resource = v;
                continue;
            }
            if ((v = flag_value("--oauth-client-registration", argc, argv, &i))) {
                a.registration = v;
                continue;
            }
        }
        if (sub && strcmp(sub, "login") == 0) {
            if (strcmp(arg, "--no-browser") == 0) {
                a.no_browser = true;
                continue;
            }
            if ((v = flag_value("--scopes", argc, argv, &i))) {
                a.scopes = v;
                continue;
            }
            if ((v = flag_value("--oauth-client-registration", argc, argv, &i))) {
                a.registration = v;
                continue;
            }
        }
        if (arg[0] == '-' && arg[1]) {
            strvec_free(&a.env);
            return usage("unexpected argument '%s' found", arg, false);
        }
        if (!sub) {
            if (strcmp(arg, "help") == 0) {
                print_help(stdout, i + 1 < argc ? argv[i + 1] : NULL);
                return 0;
            }
            for (int k = 0; subcommands[k]; k++)
                if (strcmp(arg, subcommands[k]) == 0)
                    sub = subcommands[k];
            if (!sub) {
                fprintf(stderr, "error: unrecognized subcommand '%s'\n\n"
                                "Usage: codex mcp [OPTIONS] <COMMAND>\n\n"
                                "For more information, try '--help'.\n", arg);
                return 2;
            }
            continue;
        }
        if (!a.name && strcmp(sub, "list") != 0) {
            a.name = arg;
            continue;
        }
        if (strcmp(sub, "add") == 0) { /* a command given without "--" */
            strvec_push(&a.command, arg);
            continue;
        }
        strvec_free(&a.env);
        return usage("unexpected argument '%s' found", arg, false);
    }
    if (!sub) {
        print_help(stderr, NULL);
        return 2;
    }
    if (strcmp(sub, "list") != 0 && !a.name) {
        strvec_free(&a.env);
        fprintf(stderr, "error: the following required arguments were not provided:\n  <NAME>\n\n"
                        "Usage: codex mcp %s <NAME>\n\nFor more information, try '--help'.\n", sub);
        return 2;
    }
    if (strcmp(sub, "add") == 0) {
        if (a.url && a.command.n)
            rc = usage("the argument '--url <URL>' cannot be used with '%s'", "[COMMAND]...", true);
        else if (!a.url && !a.command.n && !a.bearer_token_env_var)
            rc = usage("the following required arguments were not provided:\n  %s",
                       "<COMMAND|--url <URL>>", true);
        else if (!a.url && a.bearer_token_env_var)
            rc = usage("the following required argument was not provided: %s", "url", false);
        else if (a.registration && strcmp(a.registration, "auto") != 0 &&
                 strcmp(a.registration, "cimd") != 0 && strcmp(a.registration, "dcr") != 0)
            rc = usage("invalid value '%s' for '--oauth-client-registration <AUTO|CIMD|DCR>'",
                       a.registration, false);
        if (rc) {
            strvec_free(&a.env);
            strvec_free(&a.command);
            return rc;
        }
    }
    struct codex_config cfg;
    rc = cli_load_config(o, &cfg);
    if (rc)
        goto done;
    if (strcmp(sub, "list") == 0)
        rc = list(&cfg, as_json);
    else if (strcmp(sub, "get") == 0)
        rc = get(&cfg, a.name, as_json);
    else if (strcmp(sub, "add") == 0)
        rc = add(&cfg, &a);
    else if (strcmp(sub, "remove") == 0)
        rc = remove_server(&cfg, a.name);
    else if (strcmp(sub, "login") == 0)
        rc = mcp_cli_login(&cfg, find(&cfg, a.name), a.name, &a);
    else
        rc = mcp_cli_logout(&cfg, find(&cfg, a.name), a.name);
    config_free(&cfg);
done:
    strvec_free(&a.env);
    strvec_free(&a.command);
    return rc;
}
