#include "store/installation_id.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/uuid.h"
#include "util/xalloc.h"

char *installation_id(const char *codex_home, struct codex_error *err)
{
    char *path = fs_join(codex_home, "installation_id");
    size_t len;
    char *text = fs_read_file(path, 4096, &len);
    if (text) {
        /* Tolerate the whitespace an editor may have added. */
        while (len && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\r'))
            text[--len] = '\0';
        if (uuid_is_valid(text)) {
            free(path);
            return text;
        }
        free(text);
    }
    char id[UUID_STR_LEN];
    uuid_v4(id);
    if (fs_mkdir_p(codex_home, 0700) != 0 || fs_write_atomic(path, id, strlen(id), 0644) != 0) {
        codex_error_set_os(err, errno, "cannot write %s", path);
        free(path);
        return NULL;
    }
    free(path);
    return xstrdup(id);
}
