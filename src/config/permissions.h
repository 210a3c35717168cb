/* Permission profiles: what sandboxed commands may read, write and reach.
 *
 *   default_permissions = "dev"
 *   [permissions.dev.filesystem]
 *   ":root" = "read"                      # or ":minimal" = "read"
 *   "/opt/cache" = "write"
 *   "~/.ssh" = "none"
 *   [permissions.dev.filesystem.":project_roots"]
 *   "." = "write"
 *   "secrets" = "none"
 *   [permissions.dev.network]
 *   enabled = true
 *   mode = "limited"                      # or "full"
 *   allowed_domains = ["pypi.org", "*.pythonhosted.org", ":common_dependencies"]
 *   [permissions.dev.network.domains]     # the reference's form of the same lists
 *   "files.pythonhosted.org" = "allow"
 *
 * default_permissions may also name a built-in profile: ":read-only",
 * ":workspace" or ":danger-full-access" (":danger-no-sandbox" too).  Without it, the legacy
 * sandbox_mode and [sandbox_workspace_write] settings become the equivalent
 * built-in profile, so one code path enforces both.  [permissions.network]
 * (a table of network keys directly under [permissions]) is the older
 * spelling of the network part of that legacy profile.
 *
 * Network through the managed proxy needs [features] network_proxy = true,
 * as in the reference; without it `enabled = true` opens the network
 * unproxied (the reference's behaviour), with a warning. */
#ifndef CODEX_CONFIG_PERMISSIONS_H
#define CODEX_CONFIG_PERMISSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/toml.h"
#include "util/strvec.h"

struct codex_config;
struct layer_source;

enum fs_access { FS_ACCESS_NONE, FS_ACCESS_READ, FS_ACCESS_WRITE };

/* One filesystem entry.  path is absolute ("~/" already expanded) or one of
 * the special roots ":root", ":minimal", ":project_roots", ":tmpdir",
 * ":slash_tmp"; subpath (relative, "." for the root itself) is only used
 * with ":project_roots". */
struct fs_permission {
    char *path;
    char *subpath;
    enum fs_access access;
};

enum network_mode { NETWORK_MODE_FULL, NETWORK_MODE_LIMITED };

struct network_permissions {
    bool enabled;
    enum network_mode mode;
    char *proxy_url;
    char *admin_url;
    char *socks_url;
    bool enable_socks5;
    bool enable_socks5_udp;
    bool allow_upstream_proxy;
    bool allow_local_binding;
    bool dangerously_allow_non_loopback_proxy;
    bool dangerously_allow_non_loopback_admin;
    bool dangerously_allow_all_unix_sockets;
    bool dangerously_allow_all_domains;
    struct strvec allowed_domains; /* the documented list and the domains table's "allow" keys */
    struct strvec denied_domains;
    struct strvec allow_unix_sockets;
};

struct permission_profile {
    char *name;          /* ":read-only", ":workspace", ":danger-full-access" or a [permissions] name */
    bool unrestricted;   /* no sandbox at all */
    /* What the entries start from: ":read-only" (everything readable),
     * ":workspace" (that plus the workspace roots of
     * [sandbox_workspace_write] writable), or NULL (nothing). */
    const char *base;
    bool legacy;         /* built from sandbox_mode, not default_permissions */
    struct fs_permission *fs;
    size_t n_fs;
    struct network_permissions network;
    /* network.enabled goes through the managed proxy (the network_proxy
     * feature is on); otherwise enabled means plain, unproxied network. */
    bool network_proxy;
};

/* Check a layer's [permissions] table and default_permissions: unknown
 * keys and values, relative paths, and domain patterns that would match
 * every host are errors naming FILE:LINE:COL.  Returns 0 or -1 with err. */
int permissions_check_layer(const toml_value *root, const struct layer_source *src, char *err, size_t errlen);

/* Fill cfg->permissions from the merged tree (after sandbox_mode and
 * features are known).  Returns 0 or -1 with err. */
/* without_default: profiles that no default_permissions selects do not
 * fail the load (only listing them needs that: the reference's
 * permissionProfile/list lists while every other use of such a config
 * fails); the legacy sandbox settings stay in force. */
int permissions_extract(struct codex_config *cfg, bool without_default, char *err, size_t errlen);

/* Select another profile (codex sandbox -P NAME).  Returns 0 or -1 with err. */
int permissions_select(struct codex_config *cfg, const char *name, char *err, size_t errlen);

/* Rebuild cfg->permissions from the legacy settings (sandbox_mode and
 * [sandbox_workspace_write]) after they were changed, e.g. by a turn's
 * sandbox policy.  Returns 0 or -1 with err. */
int permissions_use_legacy(struct codex_config *cfg, char *err, size_t errlen);

/* Names of the profiles the configuration defines (built-ins first). */
void permissions_list(const struct codex_config *cfg, struct strvec *out);

void permission_profile_free(struct permission_profile *p);

#endif
