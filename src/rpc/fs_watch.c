/* fs/watch and fs/unwatch: inotify (through libuv) on a file or a
 * directory for one connection.  Changes are gathered for a moment and
 * sent as one fs/changed with every path touched, as the reference
 * batches them.  A path that does not exist yet is watched through its
 * directory, so its creation is reported.  A watch ends with fs/unwatch or
 * with its connection. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <uv.h>

#include "rpc/conn.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "util/strvec.h"
#include "util/xalloc.h"

#define FS_WATCH_BATCH_MS 200

struct fs_watch {
    struct rpc_conn_resource resource; /* first: the connection hands it back */
    struct rpc_conn *conn;
    struct fs_watches *owner;
    char *id;
    char *path;   /* what the client asked for, canonical when it exists */
    char *only;   /* watching the parent for this name (path not there yet), or NULL */
    bool is_dir;
    uv_fs_event_t event;
    uv_timer_t batch;
    int open_handles;
    struct strvec changed;
    struct fs_watch *next;
};

struct fs_watches {
    struct fs_watch *list;
};

static struct fs_watches *watches_of(struct rpc_request *req)
{
    if (!*req->state)
        *req->state = xcalloc(1, sizeof(struct fs_watches));
    return *req->state;
}

static struct fs_watch **find(struct fs_watches *ws, struct rpc_conn *c, const char *id)
{
    for (struct fs_watch **pp = &ws->list; *pp; pp = &(*pp)->next)
        if ((*pp)->conn == c && strcmp((*pp)->id, id) == 0)
            return pp;
    return NULL;
}

static void handle_closed(uv_handle_t *h)
{
    struct fs_watch *w = h->data;
    if (--w->open_handles > 0)
        return;
    free(w->id);
    free(w->path);
    free(w->only);
    strvec_free(&w->changed);
    free(w);
}

/* Unlink w from its list and close it; freed once libuv lets go. */
static void end_watch(struct fs_watch *w)
{
    for (struct fs_watch **pp = &w->owner->list; *pp; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    uv_fs_event_stop(&w->event);
    uv_timer_stop(&w->batch);
    uv_close((uv_handle_t *)&w->event, handle_closed);
    uv_close((uv_handle_t *)&w->batch, handle_closed);
}

static void on_conn_closed(struct rpc_conn_resource *r)
{
    end_watch((struct fs_watch *)r);
}

static void send_batch(uv_timer_t *t)
{
    struct fs_watch *w = t->data;
    if (!w->changed.n)
        return;
    json_t *paths = json_array();
    for (size_t i = 0; i < w->changed.n; i++)
        json_array_append_new(paths, json_string_lossy(w->changed.v[i], strlen(w->changed.v[i])));
    strvec_free(&w->changed);
    rpc_conn_notify(w->conn, "fs/changed",
                    json_pack("{s:s s:o}", "watchId", w->id, "changedPaths", paths));
}

static void on_event(uv_fs_event_t *h, const char *filename, int events, int status)
{
    (void)events;
    struct fs_watch *w = h->data;
    if (status < 0)
        return;
    char *changed;
    if (w->only) {
        if (!filename || strcmp(filename, w->only) != 0)
            return;
        changed = xstrdup(w->path);
    } else if (w->is_dir && filename && *filename) {
        changed = xasprintf("%s/%s", w->path, filename);
    } else {
        changed = xstrdup(w->path);
    }
    for (size_t i = 0; i < w->changed.n; i++)
        if (strcmp(w->changed.v[i], changed) == 0) {
            free(changed);
            return;
        }
    strvec_push_owned(&w->changed, changed);
    if (!uv_is_active((uv_handle_t *)&w->batch))
        uv_timer_start(&w->batch, send_batch, FS_WATCH_BATCH_MS, 0);
}

static void rpc_fs_watch(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "FsWatchParams", false);
    const char *id;
    char *path = NULL;
    if (!params || !rpc_get_string(req, params, "watchId", true, &id) ||
        !rpc_get_abs_path(req, params, "path", true, &path))
        return;
    struct fs_watches *ws = watches_of(req);
    if (find(ws, req->conn, id)) {
        free(path);
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "watchId already exists: %s", id);
        return;
    }
    struct fs_watch *w = xcalloc(1, sizeof *w);
    w->conn = req->conn;
    w->owner = ws;
    w->id = xstrdup(id);
    char real[PATH_MAX];
    struct stat st;
    const char *target;
    char *parent = NULL;
    if (realpath(path, real)) {
        w->path = xstrdup(real);
        w->is_dir = stat(real, &st) == 0 && S_ISDIR(st.st_mode);
        target = w->path;
    } else {
        /* Not there yet: its directory tells when it appears. */
        w->path = xstrdup(path);
        char *slash = strrchr(path, '/');
        w->only = xstrdup(slash + 1);
        parent = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
        target = parent;
    }
    free(path);
    uv_loop_t *loop = req->server->loop;
    uv_fs_event_init(loop, &w->event);
    uv_timer_init(loop, &w->batch);
    w->event.data = w->batch.data = w;
    w->open_handles = 2;
    /* A directory that is missing too gives a watch that never fires, as
     * the reference's does. */
    uv_fs_event_start(&w->event, on_event, target, 0);
    free(parent);
    w->next = ws->list;
    ws->list = w;
    w->resource.on_close = on_conn_closed;
    rpc_conn_add_resource(req->conn, &w->resource);
    rpc_reply(req, json_pack("{s:s}", "path", w->path));
}

static void rpc_fs_unwatch(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "FsUnwatchParams", false);
    const char *id;
    if (!params || !rpc_get_string(req, params, "watchId", true, &id))
        return;
    struct fs_watch **pp = find(watches_of(req), req->conn, id);
    if (pp) {
        struct fs_watch *w = *pp;
        rpc_conn_remove_resource(req->conn, &w->resource);
        end_watch(w);
    }
    /* An unknown id is not an error: the watch is gone either way. */
    rpc_reply(req, json_object());
}

static void free_watches(void **slot)
{
    free(*slot);
    *slot = NULL;
}

const struct rpc_module rpc_fs_watch_module = {
    .name = "fs_watch",
    .methods =
        (const struct rpc_method[]){
            {"fs/watch", rpc_fs_watch},
            {"fs/unwatch", rpc_fs_unwatch},
            {NULL, NULL},
        },
    .free_state = free_watches,
};
