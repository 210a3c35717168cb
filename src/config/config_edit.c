/* One key of a config file changed in place: the user's comments and
 * layout stay, the file is replaced atomically, and it is created (0600, in
 * a 0700 directory) when missing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/fs.h"
#include "util/xalloc.h"

int config_file_set(const char *path, const char *const *keys, size_t n, const toml_value *value,
                    struct codex_error *err)
{
    size_t len = 0;
    char *text = fs_read_file(path, 16u << 20, &len);
    if (!text && errno != ENOENT) {
        codex_error_set_os(err, errno, "%s: cannot read", path);
        return -1;
    }
    struct toml_error te;
    toml_doc *doc = toml_doc_parse_dialect(text ? text : "", len, TOML_1_1, &te);
    free(text);
    char msg[1200];
    if (!doc) {
        toml_error_format(&te, path, msg, sizeof msg);
        codex_error_set(err, "%s", msg);
        return -1;
    }
    int r = value ? toml_doc_set(doc, keys, n, value, &te) : toml_doc_unset(doc, keys, n, &te);
    if (r < 0) {
        toml_error_format(&te, path, msg, sizeof msg);
        codex_error_set(err, "cannot update %s", msg);
        toml_doc_free(doc);
        return -1;
    }
    size_t out_len;
    const char *out = toml_doc_text(doc, &out_len);
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = '\0';
    r = 0;
    if (fs_mkdir_p(dir, 0700) < 0 || fs_write_atomic(path, out, out_len, 0600) < 0) {
        codex_error_set_os(err, errno, "%s: cannot write", path);
        r = -1;
    }
    free(dir);
    toml_doc_free(doc);
    return r;
}

int config_trust_project(const struct codex_config *cfg, struct codex_error *err)
{
    const char *dir = cfg->project_root ? cfg->project_root : cfg->cwd;
    if (cfg->project_untrusted)
        return 0; /* an explicit "untrusted" stays */
    char *path = fs_join(cfg->codex_home, "config.toml");
    const char *keys[] = {"projects", dir, "trust_level"};
    toml_value *v = toml_new_string("trusted", 7);
    int r = config_file_set(path, keys, 3, v, err);
    toml_free(v);
    free(path);
    return r;
}

int config_mcp_tool_approve(const struct codex_config *cfg, const char *server, const char *tool,
                            struct codex_error *err)
{
    char *path = fs_join(cfg->codex_home, "config.toml");
    const char *keys[] = {"mcp_servers", server, "tools", tool, "approval_mode"};
    toml_value *v = toml_new_string("approve", 7);
    int r = config_file_set(path, keys, 5, v, err);
    toml_free(v);
    free(path);
    return r;
}
