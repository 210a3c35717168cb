/* The fs/ methods: host filesystem access for clients, absolute paths only.  Errors
 * are worded like the reference: OS failures as "<text> (os error N)" with
 * code -32603, misuse as code -32600. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpc/jsonrpc.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* A file whose base64 form would not fit in one message is refused. */
#define FS_READ_MAX (JSONRPC_MAX_MESSAGE / 4 * 3)

void rpc_fs_read_file(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsReadFileParams", false);
    char *path;
    if (!p || !rpc_get_abs_path(req, p, "path", true, &path))
        return;
    struct stat st;
    bool not_file = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
    size_t len = 0;
    char *data = NULL;
    int err = 0;
    if (!not_file) {
        data = fs_read_file(path, FS_READ_MAX, &len);
        err = data ? 0 : errno;
        not_file = err == EISDIR;
    }
    if (not_file) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "path `%s` is not a file", path);
    } else if (!data) {
        rpc_reply_errno(req, err);
    } else {
        char *encoded = base64_encode(data, len);
        json_t *result = json_object();
        json_object_set_new(result, "dataBase64", json_string(encoded));
        free(encoded);
        rpc_reply(req, result);
    }
    free(data);
    free(path);
}

void rpc_fs_write_file(struct rpc_request *req)
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
    if (fs_write_atomic(path, data, len, 0644) != 0)
        rpc_reply_errno(req, errno);
    else
        rpc_reply(req, json_object());
    free(data);
    free(path);
}

void rpc_fs_create_directory(struct rpc_request *req)
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
    int rc = recursive ? fs_mkdir_p(path, 0777) : mkdir(path, 0777);
    if (rc != 0)
        rpc_reply_errno(req, errno);
    else
        rpc_reply(req, json_object());
    free(path);
}

static int64_t millis(struct timespec ts)
{
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rpc_fs_get_metadata(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsGetMetadataParams", false);
    char *path;
    if (!p || !rpc_get_abs_path(req, p, "path", true, &path))
        return;
    struct stat lst, st;
    if (lstat(path, &lst) != 0) {
        rpc_reply_errno(req, errno);
        free(path);
        return;
    }
    bool is_link = S_ISLNK(lst.st_mode);
    if (!is_link || stat(path, &st) != 0)
        st = lst;
    int64_t created = 0;
    struct statx sx;
    if (statx(AT_FDCWD, path, 0, STATX_BTIME, &sx) == 0 && (sx.stx_mask & STATX_BTIME))
        created = (int64_t)sx.stx_btime.tv_sec * 1000 + sx.stx_btime.tv_nsec / 1000000;
    json_t *result = json_object();
    json_object_set_new(result, "isDirectory", json_boolean(S_ISDIR(st.st_mode)));
    json_object_set_new(result, "isFile", json_boolean(S_ISREG(st.st_mode)));
    json_object_set_new(result, "isSymlink", json_boolean(is_link));
    json_object_set_new(result, "createdAtMs", json_integer(created));
    json_object_set_new(result, "modifiedAtMs", json_integer(millis(st.st_mtim)));
    free(path);
    rpc_reply(req, result);
}

void rpc_fs_read_directory(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FsReadDirectoryParams", false);
    char *path;
    if (!p || !rpc_get_abs_path(req, p, "path", true, &path))
        return;
    DIR *dir = opendir(path);
    if (!dir) {
        rpc_reply_errno(req, errno);
        free(path);
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
    free(path);
    json_t *result = json_object();
    json_object_set_new(result, "entries", entries);
    rpc_reply(req, result);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (type == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : errno;
}

void rpc_fs_remove(struct rpc_request *req)
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
    struct stat st;
    int err = 0;
    if (lstat(path, &st) != 0)
        err = errno;
    else if (!S_ISDIR(st.st_mode))
        err = unlink(path) == 0 ? 0 : errno;
    else if (!recursive)
        err = rmdir(path) == 0 ? 0 : errno;
    else {
        int rc = nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
        err = rc == 0 ? 0 : (rc > 0 ? rc : errno);
    }
    if (err == ENOENT && force)
        err = 0;
    if (err)
        rpc_reply_errno(req, err);
    else
        rpc_reply(req, json_object());
    free(path);
}

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

void rpc_fs_copy(struct rpc_request *req)
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
    struct stat st;
    int err = 0;
    if (stat(src, &st) != 0) {
        err = errno;
    } else if (S_ISDIR(st.st_mode)) {
        if (!recursive) {
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                            "fs/copy requires recursive: true when sourcePath is a directory");
            goto out;
        }
        size_t n = strlen(src);
        if (strncmp(dst, src, n) == 0 && (dst[n] == '/' || dst[n] == '\0')) {
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                            "fs/copy cannot copy a directory into itself");
            goto out;
        }
        err = copy_tree(src, dst);
    } else {
        err = copy_file(src, dst, st.st_mode);
    }
    if (err)
        rpc_reply_errno(req, err);
    else
        rpc_reply(req, json_object());
out:
    free(src);
    free(dst);
}
