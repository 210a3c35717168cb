/* `codex mcp login NAME` and `codex mcp logout NAME`: OAuth sign-in to a
 * streamable HTTP server (mcp/oauth.h does the protocol), and
 * forgetting it.  The sign-in URL is printed, and opened in a browser
 * unless --no-browser; the answer comes to a loopback listener or, pasted,
 * on stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cli/cli.h"
#include "cli/mcp_cli.h"
#include "mcp/oauth.h"
#include "store/mcp_tokens.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/xalloc.h"

struct login_run {
    uv_loop_t *loop;
    const char *name;
    struct mcp_login *login;
    const struct codex_config *cfg;
    bool no_browser;
    bool done;
    char *error;
    uv_pipe_t in;
    bool reading;
    struct buf line;
};

static void show_url(void *ud, const char *url)
{
    struct login_run *r = ud;
    printf("Authorize `%s` by opening this URL in your browser:\n%s\n", r->name, url);
    if (r->no_browser)
        printf("After signing in, paste the URL your browser was sent to here if it does not "
               "come back by itself.\n");
    fflush(stdout);
    if (!r->no_browser)
        cli_open_url(r->loop, r->cfg->envp, url);
}

static void stop_reading(struct login_run *r)
{
    if (r->reading) {
        r->reading = false;
        uv_close((uv_handle_t *)&r->in, NULL);
    }
}

static void on_done(void *ud, const char *error)
{
    struct login_run *r = ud;
    r->done = true;
    r->login = NULL;
    r->error = error ? xstrdup(error) : NULL;
    stop_reading(r);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)h;
    b->base = xmalloc(suggested);
    b->len = suggested;
}

static void on_stdin(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct login_run *r = s->data;
    if (n > 0)
        buf_append(&r->line, b->base, (size_t)n);
    free(b->base);
    if (n < 0) {
        stop_reading(r);
        return;
    }
    char *nl;
    while (r->line.data && (nl = strchr(r->line.data, '\n'))) {
        *nl = 0;
        if (r->login)
            mcp_login_paste(r->login, r->line.data);
        size_t used = (size_t)(nl - r->line.data) + 1;
        memmove(r->line.data, r->line.data + used, r->line.len - used);
        buf_truncate(&r->line, r->line.len - used);
    }
}

int mcp_cli_login(const struct codex_config *cfg, const struct mcp_server_config *server,
                  const char *name, const struct mcp_add_args *a)
{
    if (!server) {
        fprintf(stderr, "Error: No MCP server named '%s' found.\n", name);
        return 1;
    }
    if (server->transport != MCP_TRANSPORT_HTTP) {
        fputs("Error: OAuth login is only supported for streamable HTTP servers.\n", stderr);
        return 1;
    }
    struct strvec scopes = STRVEC_INIT;
    for (const char *p = a->scopes; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n)
            strvec_push_owned(&scopes, xstrndup(p, n));
        p += n + (p[n] == ',');
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct login_run r = {.loop = &loop, .name = name, .cfg = cfg, .no_browser = a->no_browser};
    struct mcp_login_opts o = {
        .codex_home = cfg->codex_home,
        .server = server,
        .scopes = a->scopes ? &scopes : NULL,
        .registration = a->registration,
        .show_url = show_url,
        .ud = &r,
    };
    const char *bad = NULL;
    if (!mcp_login_callback_config(cfg, &o, &bad)) {
        fprintf(stderr, "Error: %s\n", bad);
        strvec_free(&scopes);
        uv_loop_close(&loop);
        return 1;
    }
    r.login = mcp_login_start(&loop, &o, on_done, &r);
    /* Only a pipe or a terminal can be watched on the loop (a file or
     * /dev/null cannot: epoll refuses them). */
    uv_handle_type in_type = uv_guess_handle(STDIN_FILENO);
    bool can_paste = in_type == UV_NAMED_PIPE || in_type == UV_TTY;
    if (a->no_browser && can_paste && uv_pipe_init(&loop, &r.in, 0) == 0) {
        if (uv_pipe_open(&r.in, STDIN_FILENO) == 0) {
            r.in.data = &r;
            r.reading = uv_read_start((uv_stream_t *)&r.in, on_alloc, on_stdin) == 0;
        }
        if (!r.reading)
            uv_close((uv_handle_t *)&r.in, NULL);
    }
    while (!r.done && uv_run(&loop, UV_RUN_ONCE))
        ;
    if (!r.done)
        mcp_login_cancel(r.login);
    stop_reading(&r);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    buf_free(&r.line);
    strvec_free(&scopes);
    if (!r.done || r.error) {
        fprintf(stderr, "Error: %s\n", r.error ? r.error : "the sign-in did not finish");
        free(r.error);
        return 1;
    }
    printf("Successfully logged in to MCP server '%s'.\n", name);
    return 0;
}

int mcp_cli_logout(const struct codex_config *cfg, const struct mcp_server_config *server,
                   const char *name)
{
    if (!server) {
        fprintf(stderr, "Error: No MCP server named '%s' found in configuration.\n", name);
        return 1;
    }
    if (server->transport != MCP_TRANSPORT_HTTP) {
        fputs("Error: OAuth logout is only supported for streamable_http transports.\n", stderr);
        return 1;
    }
    struct codex_error err = CODEX_ERROR_INIT;
    int r = mcp_tokens_delete(cfg->codex_home, server->name, server->url, &err);
    if (r < 0) {
        char *text = codex_error_text(&err);
        fprintf(stderr, "Error: failed to delete OAuth credentials: %s\n", text);
        free(text);
        codex_error_clear(&err);
        return 1;
    }
    if (r == 0)
        printf("No OAuth credentials stored for '%s'.\n", name);
    else
        printf("Removed OAuth credentials for '%s'.\n", name);
    return 0;
}
