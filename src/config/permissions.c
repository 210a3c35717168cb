/* Permission profiles: checking [permissions.*] layer by layer (so errors
 * name FILE:LINE:COL), selecting the profile, and turning the legacy
 * sandbox settings into the equivalent built-in profile. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_internal.h"
#include "config/config_keys.h"
#include "config/permissions.h"
#include "util/domain.h"
#include "util/envp.h"
#include "util/xalloc.h"

#define MAX_EXTENDS_DEPTH 8

static const char *const specials[] = {":root", ":minimal", ":project_roots", ":tmpdir", ":slash_tmp", NULL};
/* 0.169's names; ":danger-no-sandbox" (a later spelling) is taken too. */
static const char *const builtins[] = {":read-only", ":workspace", ":danger-full-access",
                                       ":danger-no-sandbox", NULL};

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* ":workspace_roots" and ":cwd" are other names for ":project_roots". */
static const char *canonical_special(const char *s)
{
    if (strcmp(s, ":workspace_roots") == 0 || strcmp(s, ":cwd") == 0)
        return ":project_roots";
    return s;
}

/* ---- checking one layer ------------------------------------------------ */

struct pcheck {
    const struct layer_source *src;
    char *err;
    size_t errlen;
};

static int fail_at(struct pcheck *c, const toml_value *v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail_at(struct pcheck *c, const toml_value *v, const char *fmt, ...)
{
    char where[1200], what[900];
    config_where(c->src, v, where, sizeof where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s: %s", where, what);
    return -1;
}

static int want_type(struct pcheck *c, const toml_value *v, enum toml_type t, const char *path, const char *what)
{
    if (toml_type(v) == t)
        return 0;
    return fail_at(c, v, "`%s` must be %s, not %s", path, what, toml_type_name(toml_type(v)));
}

static bool is_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

static int check_access_value(struct pcheck *c, const toml_value *v, const char *path)
{
    if (want_type(c, v, TOML_STRING, path, "\"read\", \"write\" or \"none\"") < 0)
        return -1;
    const char *s = toml_string(v, NULL);
    if (strcmp(s, "read") && strcmp(s, "write") && strcmp(s, "none"))
        return fail_at(c, v, "invalid value \"%s\" for `%s`; expected \"read\", \"write\" or \"none\"", s, path);
    return 0;
}

static int check_subpath(struct pcheck *c, const toml_value *v, const char *key, const char *path)
{
    if (key[0] == '/' || key[0] == '~')
        return fail_at(c, v, "`%s`: a scoped entry is relative to its root; write \"%s\" without the leading %c",
                       path, key, key[0]);
    if (is_glob(key))
        return fail_at(c, v,
                       "`%s`: glob patterns in filesystem entries are not supported yet; list the paths instead",
                       path);
    for (const char *p = key; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && strncmp(p, "..", 2) == 0)
            return fail_at(c, v, "`%s`: \"..\" may not leave the root it is scoped to", path);
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

static int check_filesystem(struct pcheck *c, const toml_value *fs, const char *prefix)
{
    char path[1200];
    if (want_type(c, fs, TOML_TABLE, prefix, "a table") < 0)
        return -1;
    for (size_t i = 0; i < toml_table_len(fs); i++) {
        const char *key = toml_table_key_at(fs, i);
        const toml_value *v = toml_table_value_at(fs, i);
        snprintf(path, sizeof path, "%s.\"%s\"", prefix, key);
        if (strcmp(key, "allow_limited_git_writes") == 0) {
            if (want_type(c, v, TOML_BOOLEAN, path, "a boolean") < 0)
                return -1;
            continue;
        }
        const char *special = key[0] == ':' ? canonical_special(key) : NULL;
        if (special && !in_list(special, specials))
            return fail_at(c, v,
                           "unknown special path \"%s\"; use :root, :minimal, :project_roots, :tmpdir or :slash_tmp",
                           key);
        if (!special && key[0] != '/' && strncmp(key, "~/", 2) != 0 && strcmp(key, "~") != 0)
            return fail_at(c, v, "filesystem path \"%s\" must be absolute, start with ~/, or be a special path such "
                                 "as :project_roots",
                           key);
        if (!special && is_glob(key))
            return fail_at(c, v, "`%s`: glob patterns in filesystem entries are not supported yet; list the paths",
                           path);
        if (toml_type(v) == TOML_TABLE) {
            if (special && strcmp(special, ":project_roots") != 0)
                return fail_at(c, v, "`%s` takes \"read\", \"write\" or \"none\", not a table", path);
            for (size_t j = 0; j < toml_table_len(v); j++) {
                char sub[1400];
                const char *skey = toml_table_key_at(v, j);
                const toml_value *sv = toml_table_value_at(v, j);
                snprintf(sub, sizeof sub, "%s.\"%s\"", path, skey);
                if (check_subpath(c, sv, skey, sub) < 0 || check_access_value(c, sv, sub) < 0)
                    return -1;
            }
            continue;
        }
        if (check_access_value(c, v, path) < 0)
            return -1;
    }
    return 0;
}

static int check_pattern(struct pcheck *c, const toml_value *v, const char *pattern, const char *path)
{
    if (pattern[0] == ':') {
        if (!domain_preset(pattern))
            return fail_at(c, v, "`%s`: unknown domain preset \"%s\"; the preset is :common_dependencies", path,
                           pattern);
        return 0;
    }
    struct domain_pattern p;
    struct codex_error e = CODEX_ERROR_INIT;
    if (domain_pattern_parse(pattern, &p, &e) != 0) {
        int r = fail_at(c, v, "`%s`: %s", path, e.message);
        codex_error_clear(&e);
        return r;
    }
    domain_pattern_free(&p);
    return 0;
}

static int check_url(struct pcheck *c, const toml_value *v, const char *path)
{
    if (want_type(c, v, TOML_STRING, path, "a string such as \"http://127.0.0.1:3128\"") < 0)
        return -1;
    const char *s = toml_string(v, NULL);
    const char *h = strstr(s, "://");
    if (h && strncmp(s, "http://", 7) != 0 && strncmp(s, "socks5://", 9) != 0 && strncmp(s, "socks5h://", 10) != 0)
        return fail_at(c, v, "`%s`: \"%s\" must be an http:// address", path, s);
    h = h ? h + 3 : s;
    const char *colon = strrchr(h, ':');
    if (!*h || !colon || colon == h || !colon[1] || strspn(colon + 1, "0123456789/") != strlen(colon + 1))
        return fail_at(c, v, "`%s`: \"%s\" must name a host and a port, e.g. http://127.0.0.1:3128", path, s);
    return 0;
}

static const char *const network_bools[] = {
    "enabled", "enable_socks5", "enable_socks5_udp", "allow_upstream_proxy", "allow_local_binding",
    "dangerously_allow_non_loopback_proxy", "dangerously_allow_non_loopback_admin",
    "dangerously_allow_all_unix_sockets", "dangerously_allow_all_domains", NULL,
};

static int check_string_list(struct pcheck *c, const toml_value *v, const char *path)
{
    if (want_type(c, v, TOML_ARRAY, path, "an array of strings") < 0)
        return -1;
    for (size_t i = 0; i < toml_array_len(v); i++)
        if (want_type(c, toml_array_at(v, i), TOML_STRING, path, "an array of strings") < 0)
            return -1;
    return 0;
}

static int check_network(struct pcheck *c, const toml_value *net, const char *prefix)
{
    char path[1200];
    if (want_type(c, net, TOML_TABLE, prefix, "a table") < 0)
        return -1;
    for (size_t i = 0; i < toml_table_len(net); i++) {
        const char *key = toml_table_key_at(net, i);
        const toml_value *v = toml_table_value_at(net, i);
        snprintf(path, sizeof path, "%s.%s", prefix, key);
        if (in_list(key, network_bools)) {
            if (want_type(c, v, TOML_BOOLEAN, path, "a boolean") < 0)
                return -1;
        } else if (strcmp(key, "mode") == 0) {
            if (want_type(c, v, TOML_STRING, path, "\"limited\" or \"full\"") < 0)
                return -1;
            const char *s = toml_string(v, NULL);
            if (strcmp(s, "limited") && strcmp(s, "full"))
                return fail_at(c, v, "invalid value \"%s\" for `%s`; expected \"limited\" or \"full\"", s, path);
        } else if (strcmp(key, "proxy_url") == 0 || strcmp(key, "admin_url") == 0 || strcmp(key, "socks_url") == 0) {
            if (check_url(c, v, path) < 0)
                return -1;
        } else if (strcmp(key, "allowed_domains") == 0 || strcmp(key, "denied_domains") == 0) {
            if (check_string_list(c, v, path) < 0)
                return -1;
            for (size_t j = 0; j < toml_array_len(v); j++)
                if (check_pattern(c, toml_array_at(v, j), toml_string(toml_array_at(v, j), NULL), path) < 0)
                    return -1;
        } else if (strcmp(key, "allow_unix_sockets") == 0) {
            if (check_string_list(c, v, path) < 0)
                return -1;
            for (size_t j = 0; j < toml_array_len(v); j++)
                if (toml_string(toml_array_at(v, j), NULL)[0] != '/')
                    return fail_at(c, toml_array_at(v, j), "`%s`: \"%s\" is not an absolute path", path,
                                   toml_string(toml_array_at(v, j), NULL));
        } else if (strcmp(key, "domains") == 0 || strcmp(key, "unix_sockets") == 0) {
            bool domains = key[0] == 'd';
            if (want_type(c, v, TOML_TABLE, path, "a table") < 0)
                return -1;
            for (size_t j = 0; j < toml_table_len(v); j++) {
                const char *k = toml_table_key_at(v, j);
                const toml_value *e = toml_table_value_at(v, j);
                char sub[1400];
                snprintf(sub, sizeof sub, "%s.\"%s\"", path, k);
                const char *want = domains ? "\"allow\" or \"deny\"" : "\"allow\" or \"none\"";
                if (want_type(c, e, TOML_STRING, sub, want) < 0)
                    return -1;
                const char *s = toml_string(e, NULL);
                bool ok = strcmp(s, "allow") == 0 || (domains ? strcmp(s, "deny") == 0
                                                              : strcmp(s, "none") == 0 || strcmp(s, "deny") == 0);
                if (!ok)
                    return fail_at(c, e, "invalid value \"%s\" for `%s`; expected %s", s, sub, want);
                if (domains && check_pattern(c, e, k, sub) < 0)
                    return -1;
                if (!domains && k[0] != '/')
                    return fail_at(c, e, "`%s`: \"%s\" is not an absolute path", sub, k);
            }
        } else {
            return fail_at(c, v, "unknown key `%s` in a network permission table; see the [permissions.<name>.network] "
                                 "keys in the documentation",
                           path);
        }
    }
    return 0;
}

/* [permissions.network] holding network keys directly: the older form. */
static bool is_legacy_network_table(const char *name, const toml_value *t)
{
    if (strcmp(name, "network") != 0 || toml_type(t) != TOML_TABLE)
        return false;
    return !toml_table_get(t, "filesystem") && !toml_table_get(t, "network") && !toml_table_get(t, "extends");
}

static int check_profile(struct pcheck *c, const char *name, const toml_value *t)
{
    char prefix[600], path[800];
    snprintf(prefix, sizeof prefix, "permissions.%s", name);
    if (is_legacy_network_table(name, t))
        return check_network(c, t, prefix);
    if (want_type(c, t, TOML_TABLE, prefix, "a table") < 0)
        return -1;
    if (name[0] == ':')
        return fail_at(c, t, "profile names starting with ':' are reserved for the built-in profiles");
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const char *key = toml_table_key_at(t, i);
        const toml_value *v = toml_table_value_at(t, i);
        snprintf(path, sizeof path, "%s.%s", prefix, key);
        int r;
        if (strcmp(key, "filesystem") == 0)
            r = check_filesystem(c, v, path);
        else if (strcmp(key, "network") == 0)
            r = check_network(c, v, path);
        else if (strcmp(key, "extends") == 0)
            r = want_type(c, v, TOML_STRING, path, "a profile name");
        else if (strcmp(key, "description") == 0)
            r = want_type(c, v, TOML_STRING, path, "a string");
        else
            r = fail_at(c, v, "unknown key `%s`; a permission profile has filesystem, network and extends", path);
        if (r < 0)
            return -1;
    }
    return 0;
}

static int check_root(struct pcheck *c, const toml_value *root)
{
    const toml_value *dp = toml_table_get(root, "default_permissions");
    if (dp && (want_type(c, dp, TOML_STRING, "default_permissions", "a profile name") < 0))
        return -1;
    if (dp && !*toml_string(dp, NULL))
        return fail_at(c, dp, "`default_permissions` is empty; name a [permissions.<name>] profile or :workspace");
    const toml_value *perms = toml_table_get(root, "permissions");
    if (!perms)
        return 0;
    if (want_type(c, perms, TOML_TABLE, "permissions", "a table") < 0)
        return -1;
    for (size_t i = 0; i < toml_table_len(perms); i++)
        if (check_profile(c, toml_table_key_at(perms, i), toml_table_value_at(perms, i)) < 0)
            return -1;
    return 0;
}

int permissions_check_layer(const toml_value *root, const struct layer_source *src, char *err, size_t errlen)
{
    struct pcheck c = {src, err, errlen};
    if (check_root(&c, root) < 0)
        return -1;
    /* [profiles.<name>] may set default_permissions and permissions too. */
    const toml_value *profiles = toml_table_get(root, "profiles");
    for (size_t i = 0; profiles && toml_type(profiles) == TOML_TABLE && i < toml_table_len(profiles); i++) {
        const toml_value *p = toml_table_value_at(profiles, i);
        if (toml_type(p) == TOML_TABLE && check_root(&c, p) < 0)
            return -1;
    }
    return 0;
}

/* ---- building profiles ------------------------------------------------- */

static void add_fs(struct permission_profile *p, const char *path, const char *subpath, enum fs_access a)
{
    /* A later entry for the same place replaces an earlier one. */
    for (size_t i = 0; i < p->n_fs; i++)
        if (strcmp(p->fs[i].path, path) == 0 &&
            ((!subpath && !p->fs[i].subpath) || (subpath && p->fs[i].subpath && strcmp(subpath, p->fs[i].subpath) == 0))) {
            p->fs[i].access = a;
            return;
        }
    p->fs = xrealloc(p->fs, (p->n_fs + 1) * sizeof *p->fs);
    p->fs[p->n_fs++] = (struct fs_permission){xstrdup(path), subpath ? xstrdup(subpath) : NULL, a};
}

static enum fs_access parse_access(const char *s)
{
    return strcmp(s, "write") == 0 ? FS_ACCESS_WRITE : strcmp(s, "read") == 0 ? FS_ACCESS_READ : FS_ACCESS_NONE;
}

static char *expand_home(const char *path, const char *home)
{
    if (path[0] != '~')
        return xstrdup(path);
    if (!home || !*home)
        home = "/";
    return config_abs_path(home, path[1] ? path + 2 : ".");
}

static void network_defaults(struct network_permissions *n)
{
    memset(n, 0, sizeof *n);
    n->mode = NETWORK_MODE_FULL;
    n->enable_socks5 = true; /* on unless set, as the reference does in profiles */
}

static bool get_bool(const toml_value *t, const char *key, bool dflt)
{
    const toml_value *v = toml_table_get(t, key);
    return v && toml_type(v) == TOML_BOOLEAN ? toml_bool(v) : dflt;
}

static char *get_str(const toml_value *t, const char *key)
{
    const toml_value *v = toml_table_get(t, key);
    return v && toml_type(v) == TOML_STRING ? xstrdup(toml_string(v, NULL)) : NULL;
}

static void push_unique(struct strvec *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0)
            return;
    strvec_push(v, s);
}

static void apply_network(struct network_permissions *n, const toml_value *t)
{
    n->enabled = get_bool(t, "enabled", n->enabled);
    const toml_value *mode = toml_table_get(t, "mode");
    if (mode && toml_type(mode) == TOML_STRING)
        n->mode = strcmp(toml_string(mode, NULL), "limited") == 0 ? NETWORK_MODE_LIMITED : NETWORK_MODE_FULL;
    char **urls[] = {&n->proxy_url, &n->admin_url, &n->socks_url};
    const char *url_keys[] = {"proxy_url", "admin_url", "socks_url"};
    for (size_t i = 0; i < 3; i++) {
        char *v = get_str(t, url_keys[i]);
        if (v) {
            free(*urls[i]);
            *urls[i] = v;
        }
    }
    n->enable_socks5 = get_bool(t, "enable_socks5", n->enable_socks5);
    n->enable_socks5_udp = get_bool(t, "enable_socks5_udp", n->enable_socks5_udp);
    n->allow_upstream_proxy = get_bool(t, "allow_upstream_proxy", n->allow_upstream_proxy);
    n->allow_local_binding = get_bool(t, "allow_local_binding", n->allow_local_binding);
    n->dangerously_allow_non_loopback_proxy =
        get_bool(t, "dangerously_allow_non_loopback_proxy", n->dangerously_allow_non_loopback_proxy);
    n->dangerously_allow_non_loopback_admin =
        get_bool(t, "dangerously_allow_non_loopback_admin", n->dangerously_allow_non_loopback_admin);
    n->dangerously_allow_all_unix_sockets =
        get_bool(t, "dangerously_allow_all_unix_sockets", n->dangerously_allow_all_unix_sockets);
    n->dangerously_allow_all_domains = get_bool(t, "dangerously_allow_all_domains", n->dangerously_allow_all_domains);
    const struct {
        const char *key;
        struct strvec *to;
    } lists[] = {{"allowed_domains", &n->allowed_domains},
                 {"denied_domains", &n->denied_domains},
                 {"allow_unix_sockets", &n->allow_unix_sockets}};
    for (size_t i = 0; i < 3; i++) {
        const toml_value *a = toml_table_get(t, lists[i].key);
        for (size_t j = 0; a && toml_type(a) == TOML_ARRAY && j < toml_array_len(a); j++)
            if (toml_type(toml_array_at(a, j)) == TOML_STRING)
                push_unique(lists[i].to, toml_string(toml_array_at(a, j), NULL));
    }
    const toml_value *domains = toml_table_get(t, "domains");
    for (size_t j = 0; domains && toml_type(domains) == TOML_TABLE && j < toml_table_len(domains); j++) {
        const toml_value *v = toml_table_value_at(domains, j);
        if (toml_type(v) != TOML_STRING)
            continue;
        bool allow = strcmp(toml_string(v, NULL), "allow") == 0;
        push_unique(allow ? &n->allowed_domains : &n->denied_domains, toml_table_key_at(domains, j));
    }
    const toml_value *socks = toml_table_get(t, "unix_sockets");
    for (size_t j = 0; socks && toml_type(socks) == TOML_TABLE && j < toml_table_len(socks); j++) {
        const toml_value *v = toml_table_value_at(socks, j);
        if (toml_type(v) == TOML_STRING && strcmp(toml_string(v, NULL), "allow") == 0)
            push_unique(&n->allow_unix_sockets, toml_table_key_at(socks, j));
    }
}

/* The built-ins are the legacy modes: the sandbox expands ":read-only" and
 * ":workspace" (with [sandbox_workspace_write]) into the same places it
 * always did, so a profile that extends them and sandbox_mode meet in one
 * place (src/sandbox/policy.c). */
static void builtin_profile(struct permission_profile *p, const char *name, const struct codex_config *cfg)
{
    if (strcmp(name, ":danger-full-access") == 0 || strcmp(name, ":danger-no-sandbox") == 0) {
        p->unrestricted = true;
        p->base = NULL;
        p->network.enabled = true;
        return;
    }
    p->unrestricted = false;
    p->base = strcmp(name, ":workspace") == 0 ? ":workspace" : ":read-only";
    if (strcmp(name, ":workspace") == 0)
        p->network.enabled = cfg->workspace_write.network_access;
}

static void apply_filesystem(struct permission_profile *p, const toml_value *fs, const char *home)
{
    for (size_t i = 0; i < toml_table_len(fs); i++) {
        const char *key = toml_table_key_at(fs, i);
        const toml_value *v = toml_table_value_at(fs, i);
        if (strcmp(key, "allow_limited_git_writes") == 0) {
            if (toml_type(v) == TOML_BOOLEAN && toml_bool(v))
                fprintf(stderr, "codex-c: filesystem.allow_limited_git_writes is not supported yet; ignored "
                                "(.git stays read-only)\n");
            continue;
        }
        char *path = key[0] == ':' ? xstrdup(canonical_special(key)) : expand_home(key, home);
        if (toml_type(v) == TOML_TABLE) {
            for (size_t j = 0; j < toml_table_len(v); j++) {
                const toml_value *sv = toml_table_value_at(v, j);
                const char *sub = toml_table_key_at(v, j);
                if (toml_type(sv) != TOML_STRING)
                    continue;
                if (path[0] == '/') {
                    /* A scoped absolute entry is just a longer path. */
                    char *full = strcmp(sub, ".") == 0 ? xstrdup(path) : config_abs_path(path, sub);
                    add_fs(p, full, NULL, parse_access(toml_string(sv, NULL)));
                    free(full);
                } else {
                    add_fs(p, path, sub, parse_access(toml_string(sv, NULL)));
                }
            }
        } else if (toml_type(v) == TOML_STRING) {
            add_fs(p, path, strcmp(path, ":project_roots") == 0 ? "." : NULL, parse_access(toml_string(v, NULL)));
        }
        free(path);
    }
}

/* Build the named profile into p, following `extends`. */
static int build_named(const toml_value *perms, const char *name, const struct codex_config *cfg,
                       struct permission_profile *p, int depth, char *err, size_t errlen)
{
    if (depth > MAX_EXTENDS_DEPTH) {
        snprintf(err, errlen, "permission profile `%s`: `extends` goes more than %d profiles deep (a cycle?)", name,
                 MAX_EXTENDS_DEPTH);
        return -1;
    }
    if (in_list(name, builtins)) {
        builtin_profile(p, name, cfg);
        return 0;
    }
    const toml_value *t = perms && toml_type(perms) == TOML_TABLE ? toml_table_get(perms, name) : NULL;
    if (!t || toml_type(t) != TOML_TABLE || is_legacy_network_table(name, t)) {
        snprintf(err, errlen,
                 "permission profile `%s` is not defined; add [permissions.%s] to config.toml or use :read-only, "
                 ":workspace or :danger-full-access",
                 name, name);
        return -1;
    }
    const toml_value *ext = toml_table_get(t, "extends");
    if (ext && toml_type(ext) == TOML_STRING &&
        build_named(perms, toml_string(ext, NULL), cfg, p, depth + 1, err, errlen) < 0)
        return -1;
    const toml_value *fs = toml_table_get(t, "filesystem");
    if (fs && toml_type(fs) == TOML_TABLE) {
        if (!ext)
            p->base = NULL; /* its entries say everything */
        apply_filesystem(p, fs, envp_get_nonempty(cfg->envp, "HOME"));
    } else if (!ext) {
        /* A profile about the network only: files stay as :read-only has them. */
        p->base = ":read-only";
    }
    const toml_value *net = toml_table_get(t, "network");
    if (net && toml_type(net) == TOML_TABLE)
        apply_network(&p->network, net);
    return 0;
}

void permission_profile_free(struct permission_profile *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_fs; i++) {
        free(p->fs[i].path);
        free(p->fs[i].subpath);
    }
    free(p->fs);
    free(p->name);
    struct network_permissions *n = &p->network;
    free(n->proxy_url);
    free(n->admin_url);
    free(n->socks_url);
    strvec_free(&n->allowed_domains);
    strvec_free(&n->denied_domains);
    strvec_free(&n->allow_unix_sockets);
    free(p);
}

static bool defines_profiles(const toml_value *perms)
{
    for (size_t i = 0; perms && toml_type(perms) == TOML_TABLE && i < toml_table_len(perms); i++)
        if (!is_legacy_network_table(toml_table_key_at(perms, i), toml_table_value_at(perms, i)))
            return true;
    return false;
}

static int build(struct codex_config *cfg, const char *name, struct permission_profile **out, char *err,
                 size_t errlen)
{
    const toml_value *perms = toml_table_get(cfg->root, "permissions");
    struct permission_profile *p = xcalloc(1, sizeof *p);
    network_defaults(&p->network);
    p->network_proxy = config_feature_enabled(cfg, "network_proxy");
    if (name) {
        p->name = xstrdup(name);
        if (build_named(perms, name, cfg, p, 0, err, errlen) < 0) {
            permission_profile_free(p);
            return -1;
        }
    } else {
        const char *legacy = cfg->sandbox_mode == SANDBOX_DANGER_FULL_ACCESS ? ":danger-full-access"
                             : cfg->sandbox_mode == SANDBOX_WORKSPACE_WRITE  ? ":workspace"
                                                                             : ":read-only";
        p->name = xstrdup(legacy);
        p->legacy = true;
        builtin_profile(p, legacy, cfg);
        /* [permissions.network]: the older place for the proxy settings.
         * Without it, network_access means what it always did: the whole
         * network, unproxied. */
        const toml_value *net = perms && toml_type(perms) == TOML_TABLE ? toml_table_get(perms, "network") : NULL;
        if (net && is_legacy_network_table("network", net) && !p->unrestricted)
            apply_network(&p->network, net);
        else
            p->network_proxy = false;
    }
    if (p->network.enabled && !p->network_proxy && !p->unrestricted &&
        (p->network.allowed_domains.n || p->network.denied_domains.n || p->network.mode == NETWORK_MODE_LIMITED))
        fprintf(stderr, "codex-c: permission profile `%s` enables the network without [features] network_proxy = "
                        "true: commands get unrestricted network and its domain and mode settings do not apply\n",
                p->name);
    *out = p;
    return 0;
}

/* What the profile means for the code that still speaks sandbox_mode. */
static void reflect_mode(struct codex_config *cfg, const struct permission_profile *p)
{
    bool writes = p->base && strcmp(p->base, ":workspace") == 0;
    for (size_t i = 0; i < p->n_fs; i++)
        writes = writes || p->fs[i].access == FS_ACCESS_WRITE;
    cfg->sandbox_mode = p->unrestricted ? SANDBOX_DANGER_FULL_ACCESS : writes ? SANDBOX_WORKSPACE_WRITE : SANDBOX_READ_ONLY;
    cfg->workspace_write.network_access = p->network.enabled;
}

int permissions_extract(struct codex_config *cfg, bool without_default, char *err, size_t errlen)
{
    const toml_value *dp = toml_table_get(cfg->root, "default_permissions");
    const char *name = dp && toml_type(dp) == TOML_STRING ? toml_string(dp, NULL) : NULL;
    const toml_value *perms = toml_table_get(cfg->root, "permissions");
    if (!name && defines_profiles(perms) && !without_default) {
        snprintf(err, errlen, "config defines `[permissions]` profiles but does not set `default_permissions`");
        return -1;
    }
    struct permission_profile *p;
    if (build(cfg, name, &p, err, errlen) < 0)
        return -1;
    permission_profile_free(cfg->permissions);
    cfg->permissions = p;
    if (name)
        reflect_mode(cfg, p);
    return 0;
}

int permissions_select(struct codex_config *cfg, const char *name, char *err, size_t errlen)
{
    struct permission_profile *p;
    if (build(cfg, name, &p, err, errlen) < 0)
        return -1;
    permission_profile_free(cfg->permissions);
    cfg->permissions = p;
    reflect_mode(cfg, p);
    return config_apply_network_requirements(cfg, err, errlen);
}

int permissions_use_legacy(struct codex_config *cfg, char *err, size_t errlen)
{
    struct permission_profile *p;
    if (build(cfg, NULL, &p, err, errlen) < 0)
        return -1;
    permission_profile_free(cfg->permissions);
    cfg->permissions = p;
    return config_apply_network_requirements(cfg, err, errlen);
}

void permissions_list(const struct codex_config *cfg, struct strvec *out)
{
    for (const char *const *b = builtins; *b; b++)
        if (strcmp(*b, ":danger-no-sandbox") != 0) /* an alias, listed once */
            strvec_push(out, *b);
    const toml_value *perms = toml_table_get(cfg->root, "permissions");
    for (size_t i = 0; perms && toml_type(perms) == TOML_TABLE && i < toml_table_len(perms); i++)
        if (!is_legacy_network_table(toml_table_key_at(perms, i), toml_table_value_at(perms, i)))
            strvec_push(out, toml_table_key_at(perms, i));
}
