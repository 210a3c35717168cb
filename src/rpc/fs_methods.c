/* The fs/ methods: host filesystem access for clients, absolute paths only.
 * Errors are worded like the reference: OS failures as "<text> (os error N)"
 * with code -32603, misuse as code -32600.
 *
 * Params are checked on the loop thread; the file system work itself runs
 * on libuv's thread pool (a large read or copy must not stall the other
 * connections) and the answer is sent from the loop thread when it is done. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* A file whose base64 form would not fit in one message is refused. */
#define FS_READ_MAX (JSONRPC_MAX_MESSAGE / 4 * 3)

struct fs_job {
    uv_work_t work;
    struct rpc_request *req;
    void (*run)(struct fs_job *j); /* on a worker thread: no rpc_* calls */
    char *path, *path2;
    bool recursive, force;
    unsigned char *data;
    size_t len;
    /* Outcome: a result, an errno, or a worded error. */
    json_t *result;
    int err;
    int code;
    char *message;
};

static void job_work(uv_work_t *w)
{
    struct fs_job *j = w->data;
    j->run(j);
}

static void job_done(uv_work_t *w, int status)
{
    struct fs_job *j = w->data;
    if (status != 0 && !j->message && !j->err)
        j->err = ECANCELED;
    if (j->message) {
        rpc_reply_error(j->req, j->code, "%s", j->message);
        json_decref(j->result);
    } else if (j->err) {
        rpc_reply_errno(j->req, j->err);
        json_decref(j->result);
    } else {
        rpc_reply(j->req, j->result ? j->result : json_object());
    }
    free(j->path);
    free(j->path2);
    free(j->data);
    free(j->message);
    free(j);
}

static struct fs_job *new_job(char *path)
{
    struct fs_job *j = xcalloc(1, sizeof *j);
    j->path = path;
    return j;
}

static void submit(struct rpc_request *req, struct fs_job *j, void (*run)(struct fs_job *))
{
    j->req = req;
    j->run = run;
    j->work.data = j;
    int rc = uv_queue_work(req->server->loop, &j->work, job_work, job_done);
    if (rc != 0) { /* cannot happen with a live loop; answer rather than lose it */
        j->err = -rc;
        job_done(&j->work, 0);
    }
}

static void fail_worded(struct fs_job *j, int code, char *message)
{
    j->code = code;
    j->message = message;
}

/* ---- fs/readFile -------------------------------------------------------- */

static void read_file_run(struct fs_job *j)
{
    struct stat st;
    if (stat(j->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        fail_worded(j, JSONRPC_INVALID_REQUEST, xasprintf("path `%s` is not a file", j->path));
        return;
    }
    size_t len = 0;
    char *data = fs_read_file(j->path, FS_READ_MAX, &len);
    if (!data) {
        if (errno == EISDIR)
            fail_worded(j, JSONRPC_INVALID_REQUEST, xasprintf("path `%s` is not a file", j->path));
        else
            j->err = errno;
        return;
    }
    char *encoded = base64_encode(data, len);
    free(data);
    j->result = json_object();
    json_object_set_new(j->result, "dataBase64", json_string(encoded));
    free(encoded);
}

static void rpc_fs_read_file(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsReadFileParams", false);
    char *path;
    if (!p || !rpc_get_abs_path(req, p, "path", true, &path))
        return;
    submit(req, new_job(path), read_file_run);
}

/* ---- fs/writeFile ------------------------------------------------------- */

static void write_file_run(struct fs_job *j)
{
    if (fs_write_atomic(j->path, j->data, j->len, 0644) != 0)
        j->err = errno;
}

static void rpc_fs_write_file(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsWriteFileParams", false);
    const char *b64;
    char *path = NULL;
    if (!p || !rpc_get_string(req, p, "dataBase64", true, &b64) ||
        !rpc_get_abs_path(req, p, "path", true, &path))
        return;
    char why[128];
    size_t len;
    unsigned char *data = base64_decode(b64, strlen(b64), &len, why, sizeof why);
    if (!data) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "fs/writeFile requires valid base64 dataBase64: %s", why);
        free(path);
        return;
    }
    struct fs_job *j = new_job(path);
    j->data = data;
    j->len = len;
    submit(req, j, write_file_run);
}

/* ---- fs/createDirectory ------------------------------------------------- */

static void create_directory_run(struct fs_job *j)
{
    if ((j->recursive ? fs_mkdir_p(j->path, 0777) : mkdir(j->path, 0777)) != 0)
        j->err = errno;
}

static void rpc_fs_create_directory(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsCreateDirectoryParams", false);
    char *path;
    bool recursive = true;
    if (!p || !rpc_get_abs_path(req, p, "path", true, &path))
        return;
    if (!rpc_get_bool(req, p, "recursive", &recursive)) {
        free(path);
        return;
    }
    struct fs_job *j = new_job(path);
    j->recursive = recursive;
    submit(req, j, create_directory_run);
}

/* ---- fs/getMetadata ----------------------------------------------------- */

static int64_t millis(struct timespec ts)
{
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void get_metadata_run(struct fs_job *j)
{
    struct stat lst, st;
    if (lstat(j->path, &lst) != 0) {
        j->err = errno;
        return;
    }
    bool is_link = S_ISLNK(lst.st_mode);
    if (!is_link || stat(j->path, &st) != 0)
        st = lst;
    int64_t created = 0;
    struct statx sx;
    if (statx(AT_FDCWD, j->path, 0, STATX_BTIME, &sx) == 0 && (sx.stx_mask & STATX_BTIME))
        created = (int64_t)sx.stx_btime.tv_sec * 1000 + sx.stx_btime.tv_nsec / 1000000;
    j->result = json_object();
    json_object_set_new(j->result, "isDirectory", json_boolean(S_ISDIR(st.st_mode)));
    json_object_set_new(j->result, "isFile", json_boolean(S_ISREG(st.st_mode)));
    json_object_set_new(j->result, "isSymlink", json_boolean(is_link));
    json_object_set_new(j->result, "createdAtMs", json_integer(created));
    json_object_set_new(j->result, "modifiedAtMs", json_integer(millis(st.st_mtim)));
}

static void rpc_fs_get_metadata(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsGetMetadataParams", false);
    char *path;
    if (!p || !rpc_get_abs_path(req, p, "path", true, &path))
        return;
    submit(req, new_job(path), get_metadata_run);
}

/* ---- fs/readDirectory --------------------------------------------------- */

static void read_directory_run(struct fs_job *j)
{
    DIR *dir = opendir(j->path);
    if (!dir) {
        j->err = errno;
        return;
    }
    json_t *entries = json_array();
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        bool ok = fstatat(dirfd(dir), de->d_name, &st, 0) == 0;
        json_t *e = json_object();
        json_object_set_new(e, "fileName", json_string_lossy(de->d_name, strlen(de->d_name)));
        json_object_set_new(e, "isDirectory", json_boolean(ok && S_ISDIR(st.st_mode)));
        json_object_set_new(e, "isFile", json_boolean(ok && S_ISREG(st.st_mode)));
        json_array_append_new(entries, e);
    }
    closedir(dir);
    j->result = json_object();
    json_object_set_new(j->result, "entries", entries);
}

static void rpc_fs_read_directory(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsReadDirectoryParams", false);
    char *path;
    if (!p || !rpc_get_abs_path(req, p, "path", true, &path))
        return;
    submit(req, new_job(path), read_directory_run);
}

/* ---- fs/remove ---------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (type == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : errno;
}

static void remove_run(struct fs_job *j)
{
    struct stat st;
    int err = 0;
    if (lstat(j->path, &st) != 0)
        err = errno;
    else if (!S_ISDIR(st.st_mode))
        err = unlink(j->path) == 0 ? 0 : errno;
    else if (!j->recursive)
        err = rmdir(j->path) == 0 ? 0 : errno;
    else {
        int rc = nftw(j->path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
        err = rc == 0 ? 0 : (rc > 0 ? rc : errno);
    }
    if (err == ENOENT && j->force)
        err = 0;
    j->err = err;
}

static void rpc_fs_remove(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsRemoveParams", false);
    char *path;
    bool recursive = true, force = true;
    if (!p || !rpc_get_abs_path(req, p, "path", true, &path))
        return;
    if (!rpc_get_bool(req, p, "recursive", &recursive) || !rpc_get_bool(req, p, "force", &force)) {
        free(path);
        return;
    }
    struct fs_job *j = new_job(path);
    j->recursive = recursive;
    j->force = force;
    submit(req, j, remove_run);
}

/* ---- fs/copy ------------------------------------------------------------ */

static int copy_file(const char *src, const char *dst, mode_t mode)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return errno;
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777);
    if (out < 0) {
        int err = errno;
        close(in);
        return err;
    }
    int err = 0;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(in, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, chunk + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                err = errno;
                goto done;
            }
            off += w;
        }
    }
done:
    close(in);
    if (close(out) != 0 && !err)
        err = errno;
    return err;
}

static int copy_tree(const char *src, const char *dst)
{
    struct stat st;
    if (lstat(src, &st) != 0)
        return errno;
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(src, target, sizeof target - 1);
        if (n < 0)
            return errno;
        target[n] = '\0';
        return symlink(target, dst) == 0 ? 0 : errno;
    }
    if (!S_ISDIR(st.st_mode))
        return copy_file(src, dst, st.st_mode);
    if (mkdir(dst, st.st_mode & 07777) != 0 && errno != EEXIST)
        return errno;
    DIR *dir = opendir(src);
    if (!dir)
        return errno;
    int err = 0;
    struct dirent *de;
    while (!err && (de = readdir(dir))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *s = fs_join(src, de->d_name);
        char *d = fs_join(dst, de->d_name);
        err = copy_tree(s, d);
        free(s);
        free(d);
    }
    closedir(dir);
    return err;
}

static void copy_run(struct fs_job *j)
{
    const char *src = j->path, *dst = j->path2;
    struct stat st;
    if (stat(src, &st) != 0) {
        j->err = errno;
    } else if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(src);
        if (!j->recursive)
            fail_worded(j, JSONRPC_INVALID_REQUEST,
                        xstrdup("fs/copy requires recursive: true when sourcePath is a directory"));
        else if (strncmp(dst, src, n) == 0 && (dst[n] == '/' || dst[n] == '\0'))
            fail_worded(j, JSONRPC_INVALID_REQUEST,
                        xstrdup("fs/copy cannot copy a directory into itself"));
        else
            j->err = copy_tree(src, dst);
    } else {
        j->err = copy_file(src, dst, st.st_mode);
    }
}

static void rpc_fs_copy(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsCopyParams", false);
    char *src = NULL, *dst = NULL;
    bool recursive = false;
    if (!p || !rpc_get_abs_path(req, p, "destinationPath", true, &dst))
        return;
    if (!rpc_get_abs_path(req, p, "sourcePath", true, &src) ||
        !rpc_get_bool(req, p, "recursive", &recursive)) {
        free(dst);
        return;
    }
    struct fs_job *j = new_job(src);
    j->path2 = dst;
    j->recursive = recursive;
    submit(req, j, copy_run);
}

const struct rpc_module rpc_fs_module = {
    .name = "fs",
    .methods =
        (const struct rpc_method[]){
            {"fs/readFile", rpc_fs_read_file},
            {"fs/writeFile", rpc_fs_write_file},
            {"fs/createDirectory", rpc_fs_create_directory},
            {"fs/getMetadata", rpc_fs_get_metadata},
            {"fs/readDirectory", rpc_fs_read_directory},
            {"fs/remove", rpc_fs_remove},
            {"fs/copy", rpc_fs_copy},
            {NULL, NULL},
        },
};
