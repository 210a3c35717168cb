#include "tui/config_edit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"
#include "util/fs.h"
#include "util/xalloc.h"

int tui_config_set_string(const char *codex_home, const char *const *keys, size_t n,
                          const char *value, struct codex_error *err)
{
    if (fs_mkdir_p(codex_home, 0700) != 0) {
        codex_error_set_os(err, errno, "cannot create %s", codex_home);
        return -1;
    }
    char *path = fs_join(codex_home, "config.toml");
    size_t len = 0;
    char *text = fs_read_file(path, 16 * 1024 * 1024, &len);
    if (!text && errno != ENOENT) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        free(path);
        return -1;
    }
    struct toml_error te;
    toml_doc *doc = toml_doc_parse(text ? text : "", text ? len : 0, &te);
    free(text);
    if (!doc) {
        char where[512];
        toml_error_format(&te, path, where, sizeof where);
        codex_error_set(err, "%s; fix the file and try again", where);
        free(path);
        return -1;
    }
    toml_value *v = toml_new_string(value, strlen(value));
    int rc = toml_doc_set(doc, keys, n, v, &te);
    toml_free(v);
    if (rc != 0) {
        codex_error_set(err, "%s: cannot set %s: %s", path, keys[0], te.message);
    } else {
        size_t out_len;
        const char *out = toml_doc_text(doc, &out_len);
        if (fs_write_atomic(path, out, out_len, 0600) != 0) {
            codex_error_set_os(err, errno, "cannot write %s", path);
            rc = -1;
        }
    }
    toml_doc_free(doc);
    free(path);
    return rc;
}
