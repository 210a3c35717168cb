/* The install cache: $CODEX_HOME/plugins/cache/<market>/<plugin>/<version>.
 * A plugin is copied into a staging directory beside its final place and
 * renamed in, so a reader sees the old plugin or the new one, never half. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "plugins/plugins.h"
#include "util/fs.h"
#include "util/xalloc.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int plugins_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int copy_file(const char *from, const char *to, mode_t mode, struct codex_error *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        codex_error_set_os(err, errno, "%s: cannot read", from);
        return -1;
    }
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0777);
    if (out < 0) {
        codex_error_set_os(err, errno, "%s: cannot create", to);
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (fs_write_all(out, buf, (size_t)n) < 0) {
            rc = -1;
            break;
        }
    if (n < 0 || rc < 0 || fsync(out) < 0) {
        codex_error_set_os(err, errno, "%s: cannot copy", to);
        rc = -1;
    }
    close(in);
    close(out);
    return rc;
}

/* Directories and regular files; symlinks and the rest are left out (a
 * plugin must not point the cache at files outside it). */
int plugins_copy_tree(const char *from, const char *to, struct codex_error *err)
{
    if (mkdir(to, 0755) < 0 && errno != EEXIST) {
        codex_error_set_os(err, errno, "%s: cannot create", to);
        return -1;
    }
    DIR *d = opendir(from);
    if (!d) {
        codex_error_set_os(err, errno, "%s: cannot read", from);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, ".git") == 0)
            continue;
        char *src = fs_join(from, e->d_name), *dst = fs_join(to, e->d_name);
        struct stat st;
        if (lstat(src, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                rc = plugins_copy_tree(src, dst, err);
            else if (S_ISREG(st.st_mode))
                rc = copy_file(src, dst, st.st_mode, err);
        }
        free(src);
        free(dst);
    }
    closedir(d);
    return rc;
}

char *plugins_installed_root(const char *codex_home, const char *market, const char *plugin,
                             char **version_out)
{
    if (version_out)
        *version_out = NULL;
    char *base = xasprintf("%s/plugins/cache/%s/%s", codex_home, market, plugin);
    DIR *d = opendir(base);
    if (!d) {
        free(base);
        return NULL;
    }
    char *best = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!plugin_segment_valid(e->d_name) && !strchr(e->d_name, '+'))
            continue;
        char *p = fs_join(base, e->d_name);
        bool dir = fs_is_dir(p);
        free(p);
        if (!dir)
            continue;
        if (strcmp(e->d_name, "local") == 0) {
            free(best);
            best = xstrdup("local");
            break;
        }
        if (!best || strcmp(e->d_name, best) > 0) {
            free(best);
            best = xstrdup(e->d_name);
        }
    }
    closedir(d);
    char *root = best ? fs_join(base, best) : NULL;
    free(base);
    if (version_out)
        *version_out = best;
    else
        free(best);
    return root;
}

static int write_enabled(const char *config_path, const char *id, bool install,
                         struct codex_error *err)
{
    const char *keys[] = {"plugins", id};
    if (!install)
        return config_file_set(config_path, keys, 2, NULL, err);
    toml_value *t = toml_new_table();
    toml_table_set(t, "enabled", toml_new_bool(true));
    int rc = config_file_set(config_path, keys, 2, t, err);
    toml_free(t);
    return rc;
}

int plugins_install(const char *codex_home, const char *config_path, const char *market_root,
                    const char *plugin, struct plugin_install_result *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    struct marketplace m;
    if (marketplace_load(market_root, &m, err) < 0)
        return -1;
    const char *market = m.name;
    int rc = -1;
    char *stage = NULL, *base = NULL, *parent = NULL;
    struct plugin_manifest pm = {0};
    const struct marketplace_plugin *mp = marketplace_find(&m, plugin);
    if (!mp) {
        codex_error_set(err, "plugin `%s` was not found in marketplace `%s`", plugin, market);
        goto done;
    }
    if (strcmp(mp->install_policy, "NOT_AVAILABLE") == 0) {
        codex_error_set(err, "plugin `%s` is not available for install in marketplace `%s`", plugin,
                        market);
        goto done;
    }
    if (!fs_is_dir(mp->source_path)) {
        codex_error_set(err, "plugin source path is not a directory: %s", mp->source_path);
        goto done;
    }
    if (plugin_manifest_load(mp->source_path, &pm, err) < 0)
        goto done;
    if (strcmp(pm.name, plugin) != 0) {
        codex_error_set(err, "plugin manifest name `%s` does not match marketplace plugin name `%s`",
                        pm.name, plugin);
        goto done;
    }
    const char *version = pm.version ? pm.version : "local";
    parent = xasprintf("%s/plugins/cache/%s", codex_home, market);
    base = fs_join(parent, plugin);
    if (fs_mkdir_p(parent, 0755) < 0) {
        codex_error_set_os(err, errno, "%s: cannot create", parent);
        goto done;
    }
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/.plugin-install-XXXXXX", parent);
    if (!mkdtemp(tmpl)) {
        codex_error_set_os(err, errno, "%s: cannot create a staging directory", parent);
        goto done;
    }
    stage = xstrdup(tmpl);
    /* the staged tree is <stage>/<plugin>/<version>, renamed as a whole */
    char *staged_plugin = fs_join(stage, plugin);
    char *staged_version = fs_join(staged_plugin, version);
    int crc = mkdir(staged_plugin, 0755) < 0 ? -1 : plugins_copy_tree(mp->source_path, staged_version, err);
    if (crc < 0) {
        if (!codex_error_is_set(err))
            codex_error_set_os(err, errno, "%s: cannot create", staged_plugin);
        free(staged_plugin);
        free(staged_version);
        goto done;
    }
    /* One step either way: a new plugin is renamed in; a reinstall swaps
     * the two trees atomically (the old one lands in the staging dir and
     * goes with it), so a kill at any point leaves one whole copy. */
    int mv = fs_exists(base) ? renameat2(AT_FDCWD, staged_plugin, AT_FDCWD, base, RENAME_EXCHANGE)
                             : rename(staged_plugin, base);
    free(staged_plugin);
    free(staged_version);
    if (mv < 0) {
        codex_error_set_os(err, errno, "%s: cannot activate the plugin", base);
        goto done;
    }
    char *id = xasprintf("%s@%s", plugin, market);
    rc = write_enabled(config_path, id, true, err);
    free(id);
    if (rc == 0) {
        out->market = xstrdup(market);
        out->installed_path = fs_join(base, version);
        out->version = xstrdup(version);
        out->auth_policy = xstrdup(mp->auth_policy);
    }
done:
    if (stage) {
        plugins_remove_tree(stage);
        free(stage);
    }
    free(base);
    free(parent);
    plugin_manifest_free(&pm);
    marketplace_free(&m);
    return rc;
}

void plugin_install_result_free(struct plugin_install_result *r)
{
    free(r->market);
    free(r->installed_path);
    free(r->version);
    free(r->auth_policy);
    memset(r, 0, sizeof *r);
}

int plugins_uninstall(const char *codex_home, const char *config_path, const char *plugin,
                      const char *market, struct codex_error *err)
{
    if (!plugin_segment_valid(plugin) || !plugin_segment_valid(market)) {
        codex_error_set(err, "invalid plugin id `%s@%s`", plugin, market);
        return -1;
    }
    char *base = xasprintf("%s/plugins/cache/%s/%s", codex_home, market, plugin);
    int rc = 0;
    if (plugins_remove_tree(base) < 0) {
        codex_error_set_os(err, errno, "%s: failed to remove the plugin cache entry", base);
        rc = -1;
    }
    free(base);
    if (rc == 0) {
        char *id = xasprintf("%s@%s", plugin, market);
        rc = write_enabled(config_path, id, false, err);
        free(id);
    }
    return rc;
}

size_t plugins_active(const char *codex_home, const struct plugins_config *c,
                      struct active_plugin **out)
{
    *out = NULL;
    size_t n = 0;
    for (size_t i = 0; i < c->n_plugins; i++) {
        if (!c->plugins[i].enabled)
            continue;
        const char *id = c->plugins[i].id;
        const char *at = strrchr(id, '@');
        if (!at)
            continue;
        char *name = xstrndup(id, (size_t)(at - id));
        char *root = plugin_segment_valid(name) && plugin_segment_valid(at + 1)
                         ? plugins_installed_root(codex_home, at + 1, name, NULL)
                         : NULL;
        struct plugin_manifest pm;
        struct codex_error err = CODEX_ERROR_INIT;
        if (!root || plugin_manifest_load(root, &pm, &err) < 0) {
            codex_error_clear(&err);
            free(name);
            free(root);
            continue;
        }
        *out = xrealloc(*out, (n + 1) * sizeof **out);
        struct active_plugin *a = &(*out)[n++];
        a->id = xstrdup(id);
        a->name = name;
        a->root = root;
        a->skills_dir = pm.skills_dir ? xstrdup(pm.skills_dir) : NULL;
        if (!a->skills_dir) {
            /* the conventional folder when the manifest names none */
            char *d = fs_join(root, "skills");
            if (fs_is_dir(d))
                a->skills_dir = d;
            else
                free(d);
        }
        a->mcp_servers_file = pm.mcp_servers_file ? xstrdup(pm.mcp_servers_file) : NULL;
        if (!a->mcp_servers_file) {
            char *f = fs_join(root, ".mcp.json");
            if (fs_exists(f))
                a->mcp_servers_file = f;
            else
                free(f);
        }
        plugin_manifest_free(&pm);
    }
    return n;
}

void active_plugins_free(struct active_plugin *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].id);
        free(a[i].name);
        free(a[i].root);
        free(a[i].skills_dir);
        free(a[i].mcp_servers_file);
    }
    free(a);
}
