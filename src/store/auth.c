#include "store/auth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/fs.h"
#include "util/xalloc.h"

char *auth_load_api_key(const char *codex_home)
{
    char *path = fs_join(codex_home, "auth.json");
    json_t *root = json_load_file(path, 0, NULL);
    free(path);
    const char *key = json_string_value(json_object_get(root, "OPENAI_API_KEY"));
    char *out = key && *key ? xstrdup(key) : NULL;
    json_decref(root);
    return out;
}

int auth_save_api_key(const char *codex_home, const char *key)
{
    if (fs_mkdir_p(codex_home, 0700) < 0)
        return -1;
    json_t *root = json_pack("{s:s s:s}", "auth_mode", "apikey", "OPENAI_API_KEY", key);
    char *text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    char *path = fs_join(codex_home, "auth.json");
    int rc = fs_write_atomic(path, text, strlen(text), 0600);
    int saved = errno;
    free(path);
    free(text);
    errno = saved;
    return rc;
}

int auth_remove(const char *codex_home)
{
    char *path = fs_join(codex_home, "auth.json");
    int rc = unlink(path);
    int saved = errno;
    free(path);
    if (rc == 0)
        return 1;
    errno = saved;
    return saved == ENOENT ? 0 : -1;
}
