#include "cli/mcp_start.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct start_wait {
    struct mcp_manager *m;
    bool waiting;
};

/* Control characters in a server's message never reach the terminal. */
static void print_clean(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
}

static void on_change(void *ud, size_t i)
{
    struct start_wait *w = ud;
    const struct mcp_server *s = mcp_manager_server(w->m, i);
    if (s->state == MCP_SERVER_FAILED) {
        fputs("codex-c: MCP server '", stderr);
        print_clean(stderr, s->cfg->name);
        fputs("' failed: ", stderr);
        print_clean(stderr, s->error ? s->error : "unknown error");
        fputc('\n', stderr);
    }
}

static void on_change_while_waiting(void *ud, size_t i)
{
    struct start_wait *w = ud;
    on_change(w, i);
    if (w->waiting && mcp_manager_required_settled(w->m))
        w->waiting = false;
}

void cli_mcp_warn(void *ud, const char *message)
{
    (void)ud;
    fputs("codex-c: warning: ", stderr);
    print_clean(stderr, message);
    fputc('\n', stderr);
}

/* Lives as long as the process: the observer's context. */
static struct start_wait watcher;

struct mcp_manager *cli_mcp_start(uv_loop_t *loop, const struct codex_config *cfg,
                                  const char *path_prefix, char **required_error)
{
    *required_error = NULL;
    if (cfg->n_mcp_servers == 0)
        return NULL;
    struct mcp_manager_env env = {
        .envp = cfg->envp,
        .cwd = cfg->cwd,
        .path_prefix = path_prefix,
        .client_version = CODEX_VERSION,
        .codex_home = cfg->codex_home,
    };
    struct mcp_manager *m = mcp_manager_new(loop, cfg->mcp_servers, cfg->n_mcp_servers, &env, NULL);
    watcher.m = m;
    watcher.waiting = false;
    /* Servers that could not even start are known already. */
    for (size_t i = 0; i < mcp_manager_count(m); i++)
        if (mcp_manager_server(m, i)->state == MCP_SERVER_FAILED)
            on_change(&watcher, i);
    if (!mcp_manager_required_settled(m)) {
        watcher.waiting = true;
        mcp_manager_observe(m, on_change_while_waiting, &watcher);
        while (watcher.waiting && uv_run(loop, UV_RUN_ONCE))
            ;
    }
    mcp_manager_observe(m, on_change, &watcher);
    *required_error = mcp_manager_required_error(m);
    if (*required_error) {
        mcp_manager_free(m);
        return NULL;
    }
    return m;
}
