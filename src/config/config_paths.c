/* Where config comes from: $CODEX_HOME, layer files, project roots, trust. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_internal.h"
#include "config/config_keys.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* A config file larger than this is certainly not hand-written config. */
#define CONFIG_MAX_BYTES (16u << 20)

char *config_codex_home(const char *const *envp, char *errbuf, size_t errlen)
{
    const char *env = envp_get(envp, "CODEX_HOME");
    if (env && *env) {
        /* The reference refuses a CODEX_HOME that does not exist or is not a
         * directory (exit 1) rather than creating it. */
        struct stat st;
        if (stat(env, &st) != 0) {
            snprintf(errbuf, errlen,
                     "CODEX_HOME points to \"%s\", but that path does not exist; create it or unset CODEX_HOME",
                     env);
            return NULL;
        }
        if (!S_ISDIR(st.st_mode)) {
            snprintf(errbuf, errlen,
                     "CODEX_HOME points to \"%s\", but that path is not a directory; point it at a directory",
                     env);
            return NULL;
        }
        char *real = realpath(env, NULL);
        if (!real) {
            snprintf(errbuf, errlen, "CODEX_HOME \"%s\": %s", env, strerror(errno));
            return NULL;
        }
        return real;
    }
    const char *home = envp_get(envp, "HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home) {
        snprintf(errbuf, errlen, "cannot find the home directory; set HOME or CODEX_HOME");
        return NULL;
    }
    char *cwd = getcwd(NULL, 0);
    char *abs_home = config_abs_path(cwd ? cwd : "/", home);
    free(cwd);
    char *path = fs_join(abs_home, ".codex");
    free(abs_home);
    return path;
}

char *config_abs_path(const char *base, const char *path)
{
    struct buf b = BUF_INIT;
    if (path[0] != '/')
        buf_puts(&b, base);
    buf_putc(&b, '/');
    buf_puts(&b, path);

    /* Normalise ".", ".." and repeated slashes without touching the disk. */
    char *in = buf_detach(&b, NULL);
    struct buf out = BUF_INIT;
    char *save = NULL;
    for (char *part = strtok_r(in, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") == 0)
            continue;
        if (strcmp(part, "..") == 0) {
            char *slash = out.len ? strrchr(buf_cstr(&out), '/') : NULL;
            buf_truncate(&out, slash ? (size_t)(slash - out.data) : 0);
            continue;
        }
        buf_putc(&out, '/');
        buf_puts(&out, part);
    }
    free(in);
    if (out.len == 0)
        buf_putc(&out, '/');
    return buf_detach(&out, NULL);
}

int config_read_toml_file(const char *path, size_t max_bytes, toml_value **out, char *err,
                          size_t errlen)
{
    size_t len = 0;
    char *text = fs_read_file(path, max_bytes, &len);
    if (!text) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    struct toml_error te;
    *out = toml_parse_dialect(text, len, TOML_1_1, &te);
    free(text);
    if (!*out) {
        toml_error_format(&te, path, err, errlen);
        return -1;
    }
    return 1;
}

const char *config_requirements_path(const char *const *envp)
{
    const char *path = envp_get(envp, "CODEX_REQUIREMENTS_PATH");
    return path && *path ? path : "/etc/codex/requirements.toml";
}

int config_read_layer(const char *path, bool strict, bool session, toml_value **out, char *err, size_t errlen)
{
    toml_value *root = NULL;
    int found = config_read_toml_file(path, CONFIG_MAX_BYTES, &root, err, errlen);
    if (found <= 0)
        return found;
    struct layer_source src = {path, true, session};
    if (config_check_layer(root, &src, strict, err, errlen) < 0) {
        toml_free(root);
        return -1;
    }
    *out = root;
    return 1;
}

static void absolutize_string(toml_value *table, const char *key, const char *base)
{
    toml_value *v = toml_table_get(table, key);
    if (!v || toml_type(v) != TOML_STRING)
        return;
    const char *s = toml_string(v, NULL);
    if (s[0] == '/' || s[0] == '\0')
        return;
    char *abs = config_abs_path(base, s);
    toml_table_set(table, key, toml_new_string(abs, strlen(abs)));
    free(abs);
}

static void absolutize_table(toml_value *t, const char *base)
{
    static const char *const path_keys[] = {
        "model_instructions_file", "experimental_instructions_file",
        "experimental_compact_prompt_file", "model_catalog_json", "log_dir", "sqlite_home",
    };
    for (size_t i = 0; i < sizeof path_keys / sizeof path_keys[0]; i++)
        absolutize_string(t, path_keys[i], base);

    toml_value *ww = toml_table_get(t, "sandbox_workspace_write");
    toml_value *roots = ww && toml_type(ww) == TOML_TABLE ? toml_table_get(ww, "writable_roots") : NULL;
    if (roots && toml_type(roots) == TOML_ARRAY) {
        toml_value *fresh = toml_new_array();
        for (size_t i = 0; i < toml_array_len(roots); i++) {
            const toml_value *item = toml_array_at(roots, i);
            if (toml_type(item) != TOML_STRING) {
                toml_array_push(fresh, toml_clone(item));
                continue;
            }
            char *abs = config_abs_path(base, toml_string(item, NULL));
            toml_array_push(fresh, toml_new_string(abs, strlen(abs)));
            free(abs);
        }
        toml_table_set(ww, "writable_roots", fresh);
    }
}

void config_absolutize_paths(toml_value *layer, const char *base_dir)
{
    absolutize_table(layer, base_dir);
    toml_value *profiles = toml_table_get(layer, "profiles");
    if (profiles && toml_type(profiles) == TOML_TABLE)
        for (size_t i = 0; i < toml_table_len(profiles); i++) {
            toml_value *p = toml_table_value_at(profiles, i);
            if (toml_type(p) == TOML_TABLE)
                absolutize_table(p, base_dir);
        }
}

static bool has_marker(const char *dir, const toml_value *markers)
{
    if (!markers) {
        char *p = fs_join(dir, ".git");
        bool found = fs_exists(p);
        free(p);
        return found;
    }
    for (size_t i = 0; i < toml_array_len(markers); i++) {
        const toml_value *m = toml_array_at(markers, i);
        if (toml_type(m) != TOML_STRING)
            continue;
        char *p = fs_join(dir, toml_string(m, NULL));
        bool found = fs_exists(p);
        free(p);
        if (found)
            return true;
    }
    return false;
}

char *config_project_root(const char *dir, const toml_value *markers)
{
    /* project_root_markers defaults to [".git"]; an empty list means every
     * directory is its own root. */
    char *cur = xstrdup(dir);
    for (;;) {
        if (has_marker(cur, markers))
            return cur;
        char *slash = strrchr(cur, '/');
        if (!slash || slash == cur)
            break;
        *slash = '\0';
    }
    free(cur);
    return xstrdup(dir);
}

/* Same directory, ignoring trailing slashes ("/a/b/" names "/a/b"). */
static bool same_dir(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 1 && a[la - 1] == '/')
        la--;
    while (lb > 1 && b[lb - 1] == '/')
        lb--;
    return la == lb && memcmp(a, b, la) == 0;
}

static enum trust_level trust_entry(const toml_value *projects, const char *dir)
{
    for (size_t i = 0; i < toml_table_len(projects); i++) {
        if (!same_dir(toml_table_key_at(projects, i), dir))
            continue;
        const toml_value *p = toml_table_value_at(projects, i);
        const toml_value *t = toml_type(p) == TOML_TABLE ? toml_table_get(p, "trust_level") : NULL;
        if (t && toml_type(t) == TOML_STRING)
            return strcmp(toml_string(t, NULL), "trusted") == 0 ? TRUST_TRUSTED : TRUST_UNTRUSTED;
    }
    return TRUST_UNKNOWN;
}

enum trust_level config_trust_of(const toml_value *root, const char *dir, const char *project_root)
{
    /* Reference 0.169.0: an entry for the directory itself decides; without
     * one the project root's entry does (a trusted repo root trusts every
     * subdirectory, a trusted subdirectory does not trust the root). */
    const toml_value *projects = toml_table_get(root, "projects");
    if (!projects || toml_type(projects) != TOML_TABLE)
        return TRUST_UNKNOWN;
    enum trust_level t = trust_entry(projects, dir);
    if (t == TRUST_UNKNOWN && project_root)
        t = trust_entry(projects, project_root);
    return t;
}

bool config_profile_name_valid(const char *name)
{
    if (!name || !*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}
