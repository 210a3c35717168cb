/* `codex app-server`: serve the v2 JSON-RPC protocol that IDEs embed, on
 * stdio (default).  The protocol itself lives in src/rpc/. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cli/cli.h"
#include "rpc/server.h"
#include "rpc/stdio_transport.h"
#include "rpc/ws_transport.h"
#include "util/xalloc.h"

static const char usage[] =
    "[experimental] Run the app server or related tooling\n"
    "\n"
    "Usage: codex app-server [OPTIONS]\n"
    "\n"
    "Options:\n"
    "  -c, --config <key=value>  Override a configuration value (dotted path, TOML value)\n"
    "      --enable <FEATURE>    Enable a feature (repeatable)\n"
    "      --disable <FEATURE>   Disable a feature (repeatable)\n"
    "      --strict-config       Error out on unknown config.toml fields\n"
    "      --listen <URL>        Transport endpoint: `stdio://` (default), `unix://`, `unix://PATH` or\n"
    "                            `ws://IP:PORT`\n"
    "                            (loopback addresses only; port 0 picks a free port)\n"
    "      --stdio               Use stdio as the transport (same as --listen stdio://)\n"
    "      --ws-auth <MODE>      WebSocket authentication mode [possible values: "
    "capability-token, signed-bearer-token]\n"
    "      --ws-token-file <PATH>  Absolute path to the capability-token file\n"
    "      --ws-shared-secret-file <PATH>  Shared secret file for signed JWT bearer tokens (HS256)\n"
    "      --ws-issuer <ISSUER>  Expected issuer for signed JWT bearer tokens\n"
    "      --ws-audience <AUDIENCE>  Expected audience for signed JWT bearer tokens\n"
    "      --ws-max-clock-skew-seconds <SECONDS>  Maximum clock skew when validating signed JWT\n"
    "                            bearer tokens (default 30)\n"
    "  -h, --help                Print help\n";

static int take(int argc, char **argv, int *i, const char *flag, const char **out)
{
    const char *arg = argv[*i];
    size_t n = strlen(flag);
    if (strncmp(arg, flag, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *out = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return cli_usage_error("codex app-server",
                               "a value is required for '%s <VALUE>' but none was supplied", flag),
               -1;
    *out = argv[++*i];
    return 1;
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

int cmd_app_server(struct cli_opts *o, int argc, char **argv)
{
    const char *listen = "stdio://", *ws_auth = NULL, *ws_token_file = NULL;
    const char *ws_secret_file = NULL, *ws_issuer = NULL, *ws_audience = NULL, *ws_skew = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int r;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(arg, "--stdio") == 0) {
            listen = "stdio://";
            continue;
        }
        if ((r = take(argc, argv, &i, "--listen", &listen)) != 0 ||
            (r = take(argc, argv, &i, "--ws-auth", &ws_auth)) != 0 ||
            (r = take(argc, argv, &i, "--ws-token-file", &ws_token_file)) != 0 ||
            (r = take(argc, argv, &i, "--ws-shared-secret-file", &ws_secret_file)) != 0 ||
            (r = take(argc, argv, &i, "--ws-issuer", &ws_issuer)) != 0 ||
            (r = take(argc, argv, &i, "--ws-audience", &ws_audience)) != 0 ||
            (r = take(argc, argv, &i, "--ws-max-clock-skew-seconds", &ws_skew)) != 0) {
            if (r < 0)
                return 2;
            continue;
        }
        if ((r = cli_shared_flag(o, "codex app-server", argc, argv, &i)) != 0) {
            if (r < 0)
                return 2;
            continue;
        }
        if (strcmp(arg, "generate-json-schema") == 0 || strcmp(arg, "generate-ts") == 0 ||
            strcmp(arg, "daemon") == 0 || strcmp(arg, "proxy") == 0) {
            fprintf(stderr, "codex app-server %s: not supported by codex-c\n", arg);
            return 2;
        }
        return cli_usage_error("codex app-server", "unexpected argument '%s' found", arg);
    }
    bool signed_tokens = ws_auth && strcmp(ws_auth, "signed-bearer-token") == 0;
    if (ws_auth && !signed_tokens && strcmp(ws_auth, "capability-token") != 0)
        return cli_usage_error("codex app-server",
                               "invalid value '%s' for '--ws-auth <MODE>'\n  [possible values: "
                               "capability-token, signed-bearer-token]",
                               ws_auth);
    long max_skew = -1;
    if (ws_skew) {
        char *end;
        errno = 0;
        max_skew = strtol(ws_skew, &end, 10);
        if (!*ws_skew || *end || errno || max_skew < 0)
            return cli_usage_error("codex app-server",
                                   "invalid value '%s' for '--ws-max-clock-skew-seconds "
                                   "<SECONDS>': invalid digit found in string",
                                   ws_skew);
    }
    bool jwt_flags = ws_secret_file || ws_issuer || ws_audience || ws_skew;
    bool websocket = strncmp(listen, "ws://", 5) == 0;
    bool unix_socket = strncmp(listen, "unix://", 7) == 0;
    if (!websocket && !unix_socket && strcmp(listen, "stdio://") != 0)
        return cli_usage_error("codex app-server",
                               "invalid value '%s' for '--listen <URL>': unsupported --listen URL "
                               "`%s`; expected `stdio://`, `unix://`, `unix://PATH` or "
                               "`ws://IP:PORT`",
                               listen, listen);
    if ((ws_token_file || jwt_flags) && !ws_auth) {
        fprintf(stderr, "Error: websocket auth flags require `--ws-auth capability-token` or "
                        "`--ws-auth signed-bearer-token`\n");
        return 1;
    }
    if (ws_auth && !signed_tokens && jwt_flags) {
        fprintf(stderr, "Error: `--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience`, and "
                        "`--ws-max-clock-skew-seconds` require `--ws-auth signed-bearer-token`\n");
        return 1;
    }
    if (signed_tokens && ws_token_file) {
        fprintf(stderr, "Error: `--ws-token-file` requires `--ws-auth capability-token`\n");
        return 1;
    }
    if (ws_auth && !signed_tokens && !ws_token_file) {
        fprintf(stderr, "Error: `--ws-token-file` is required when `--ws-auth capability-token` "
                        "is set\n");
        return 1;
    }
    if (signed_tokens && !ws_secret_file) {
        fprintf(stderr, "Error: `--ws-shared-secret-file` is required when `--ws-auth "
                        "signed-bearer-token` is set\n");
        return 1;
    }
    if (!websocket && ws_auth) {
        fprintf(stderr, "Error: --ws-auth applies to a ws:// listener only\n");
        return 1;
    }

    char errbuf[512];
    char *home = NULL;
    const char *env_home = getenv("CODEX_HOME");
    if (env_home && *env_home) {
        char *real = realpath(env_home, NULL);
        home = real ? real : xstrdup(env_home);
    } else if (getenv("HOME")) {
        home = xasprintf("%s/.codex", getenv("HOME"));
    } else {
        snprintf(errbuf, sizeof errbuf, "cannot find the Codex home: set CODEX_HOME or HOME");
        fprintf(stderr, "codex app-server: %s\n", errbuf);
        return 1;
    }

    /* A client that goes away must not kill us in the middle of a write. */
    signal(SIGPIPE, SIG_IGN);

    uv_loop_t *loop = uv_default_loop();
    struct rpc_server server;
    rpc_server_init(&server, loop);
    server.codex_home = home;
    server.envp = o->envp;
    char cwd[PATH_MAX];
    server.cwd = xstrdup(getcwd(cwd, sizeof cwd) ? cwd : "/");
    server.config_overrides = (const char *const *)o->config_overrides.v;
    server.n_config_overrides = (int)o->config_overrides.n;

    if (websocket || unix_socket) {
        /* A relative secret path is taken from here, as the reference does. */
        char *secret_path = !ws_secret_file || ws_secret_file[0] == '/'
                                ? NULL
                                : xasprintf("%s/%s", server.cwd, ws_secret_file);
        struct ws_options ws = {.listen_url = listen, .token_file = ws_token_file,
                                .shared_secret_file = secret_path ? secret_path : ws_secret_file,
                                .issuer = ws_issuer,
                                .audience = ws_audience, .max_skew_s = max_skew};
        int rc = rpc_ws_start(&server, &ws);
        free(secret_path);
        if (rc != 0) {
            uv_loop_close(loop);
            rpc_server_free(&server);
            return rc;
        }
    } else if (rpc_stdio_start(&server) != 0) {
        rpc_server_free(&server);
        return 1;
    }
    /* Runs until stdin is closed and every process it started is reaped. */
    uv_run(loop, UV_RUN_DEFAULT);
    /* Close what is left unreferenced (the SIGCHLD watcher). */
    uv_walk(loop, close_walk, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    rpc_server_free(&server);
    return 0;
}
