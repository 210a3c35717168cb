/* The decision log, $CODEX_HOME/log/network-proxy.log: one JSON object per
 * line for every decision and every malformed request.  Append-only, and
 * written through libuv's thread pool so a slow disk never stalls the
 * connections. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "netproxy/np_internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

static void flush(struct np_server *s);

static void on_written(uv_fs_t *req)
{
    struct np_server *s = req->data;
    uv_fs_req_cleanup(req);
    s->log_busy = false;
    s->log_inflight.len = 0;
    if (s->log_pending.len && s->log_fd >= 0)
        flush(s);
    else if (s->closing && s->log_fd >= 0) {
        uv_fs_t close_req;
        uv_fs_close(NULL, &close_req, s->log_fd, NULL);
        uv_fs_req_cleanup(&close_req);
        s->log_fd = -1;
    }
}

static void flush(struct np_server *s)
{
    struct buf tmp = s->log_inflight;
    s->log_inflight = s->log_pending;
    s->log_pending = tmp;
    s->log_pending.len = 0;
    uv_buf_t b = uv_buf_init(s->log_inflight.data, (unsigned)s->log_inflight.len);
    s->log_busy = true;
    s->log_req.data = s;
    if (uv_fs_write(s->loop, &s->log_req, s->log_fd, &b, 1, -1, on_written) != 0) {
        s->log_busy = false;
        s->log_inflight.len = 0;
    }
}

int np_log_open(struct np_server *s, struct codex_error *err)
{
    if (!s->cfg.codex_home)
        return 0;
    char *dir = fs_join(s->cfg.codex_home, "log");
    char *path = fs_join(dir, "network-proxy.log");
    int rc = 0;
    if (fs_mkdir_p(dir, 0700) != 0) {
        codex_error_set_os(err, errno, "cannot create %s", dir);
        rc = -1;
    } else {
        s->log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (s->log_fd < 0) {
            codex_error_set_os(err, errno, "cannot open %s", path);
            rc = -1;
        }
    }
    free(dir);
    free(path);
    return rc;
}

void np_log_line(struct np_server *s, const char *line)
{
    if (s->log_fd < 0)
        return;
    /* A log that cannot keep up loses lines rather than memory. */
    if (s->log_pending.len > (1u << 20))
        return;
    buf_puts(&s->log_pending, line);
    if (!s->log_busy)
        flush(s);
}

void np_log_close(struct np_server *s)
{
    if (s->log_fd < 0 || s->log_busy)
        return; /* on_written closes it once the last write lands */
    uv_fs_t req;
    if (s->log_pending.len) {
        uv_buf_t b = uv_buf_init(s->log_pending.data, (unsigned)s->log_pending.len);
        uv_fs_write(NULL, &req, s->log_fd, &b, 1, -1, NULL);
        uv_fs_req_cleanup(&req);
        s->log_pending.len = 0;
    }
    uv_fs_close(NULL, &req, s->log_fd, NULL);
    uv_fs_req_cleanup(&req);
    s->log_fd = -1;
}
