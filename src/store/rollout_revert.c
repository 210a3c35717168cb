#include "store/rollout_revert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "store/rollout_scan.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Whether a task_started line names turn_id. */
static bool starts_turn(const char *line, size_t len, const char *turn_id)
{
    json_t *v = json_loadb(line, len, 0, NULL);
    const char *id = json_string_value(json_object_get(json_object_get(v, "payload"), "turn_id"));
    bool yes = id && strcmp(id, turn_id) == 0;
    json_decref(v);
    return yes;
}

int rollout_turn_offset(const char *path, const char *turn_id, off_t *offset,
                        struct codex_error *err)
{
    struct rollout_lines lines;
    if (rollout_lines_open(&lines, path, err) != 0)
        return -1;
    const char *line;
    size_t len;
    off_t at = 0;
    int got, found = 0;
    while (!found && (got = rollout_lines_next(&lines, &line, &len)) > 0) {
        char type[24], ptype[24];
        if (rollout_line_type(line, len, type, ptype) && strcmp(type, "event_msg") == 0 &&
            strcmp(ptype, "task_started") == 0 && starts_turn(line, len, turn_id)) {
            *offset = at;
            found = 1;
        }
        at += (off_t)len + 1;
    }
    int saved = errno;
    rollout_lines_close(&lines);
    if (!found && got < 0) {
        codex_error_set_os(err, saved, "cannot read %s", path);
        return -1;
    }
    return found;
}

int rollout_cut(const char *path, off_t offset, struct codex_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        return -1;
    }
    struct stat st;
    char *data = NULL;
    size_t n = 0;
    int rc = -1;
    if (fstat(fd, &st) == 0 && offset <= st.st_size) {
        data = xmalloc((size_t)offset + 1);
        while (n < (size_t)offset) {
            ssize_t r = pread(fd, data + n, (size_t)offset - n, (off_t)n);
            if (r <= 0) {
                if (r < 0 && errno == EINTR)
                    continue;
                break;
            }
            n += (size_t)r;
        }
    }
    int saved = errno;
    close(fd);
    if (!data || n != (size_t)offset)
        codex_error_set_os(err, data ? (saved ? saved : EIO) : EINVAL, "cannot read %s", path);
    else if (fs_write_atomic(path, data, n, st.st_mode & 07777) != 0)
        codex_error_set_os(err, errno, "cannot rewrite %s", path);
    else
        rc = 0;
    free(data);
    return rc;
}
