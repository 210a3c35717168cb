/* libFuzzer harness for the three plugin files: marketplace.json,
 * .codex-plugin/plugin.json and a plugin's .mcp.json.  Any input: no
 * crash, hang or leak; a failure always names the file (with line:col for
 * JSON that does not parse); what parses stays inside its root (every
 * resolved path starts with the root and has no ".." segment) and uses
 * only the names, versions and policies the readers promise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugins.h"

#define ROOT "/m"

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_plugin_manifests: %s\n", what);
        abort();
    }
}

static bool inside(const char *path)
{
    return path && strncmp(path, ROOT "/", sizeof ROOT) == 0 && !strstr(path, "/../") &&
           !strstr(path, "/./") && strcmp(path + strlen(path) - 3, "/..") != 0;
}

static bool located(const struct codex_error *err, const char *file)
{
    return err->message && err->where && strncmp(err->where, file, strlen(file)) == 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *text = (const char *)data;
    struct codex_error err = CODEX_ERROR_INIT;

    struct marketplace m;
    if (marketplace_parse(text, size, ROOT "/.agents/plugins/marketplace.json", ROOT, &m, &err) == 0) {
        check(plugin_segment_valid(m.name), "a marketplace name that is not a path segment");
        for (size_t i = 0; i < m.n_plugins; i++) {
            const struct marketplace_plugin *p = &m.plugins[i];
            check(plugin_segment_valid(p->name), "a plugin name that is not a path segment");
            check(inside(p->source_path), "a plugin source outside the marketplace");
            check(strcmp(p->install_policy, "AVAILABLE") == 0 ||
                      strcmp(p->install_policy, "NOT_AVAILABLE") == 0 ||
                      strcmp(p->install_policy, "INSTALLED_BY_DEFAULT") == 0,
                  "an unknown install policy");
            check(strcmp(p->auth_policy, "ON_INSTALL") == 0 || strcmp(p->auth_policy, "ON_USE") == 0,
                  "an unknown auth policy");
            check(marketplace_find(&m, p->name) != NULL, "a plugin its marketplace cannot find");
        }
        marketplace_free(&m);
    } else {
        check(located(&err, ROOT "/.agents/plugins/marketplace.json"), "a marketplace error without a location");
    }
    codex_error_clear(&err);

    struct plugin_manifest pm;
    if (plugin_manifest_parse(text, size, ROOT "/.codex-plugin/plugin.json", ROOT, &pm, &err) == 0) {
        check(pm.name != NULL, "a manifest without a name");
        check(!pm.version || (*pm.version && strcmp(pm.version, "..") != 0 && !strchr(pm.version, '/')),
              "a version that is not a path segment");
        check(!pm.skills_dir || inside(pm.skills_dir), "a skills folder outside the plugin");
        check(!pm.mcp_servers_file || inside(pm.mcp_servers_file), "an MCP file outside the plugin");
        plugin_manifest_free(&pm);
    } else {
        check(located(&err, ROOT "/.codex-plugin/plugin.json"), "a manifest error without a location");
    }
    codex_error_clear(&err);

    json_t *servers = NULL;
    if (plugin_mcp_servers_parse(text, size, ROOT "/.mcp.json", &servers, &err) == 0) {
        check(json_is_object(servers), "servers that are not an object");
        json_decref(servers);
    } else {
        check(located(&err, ROOT "/.mcp.json"), "an .mcp.json error without a location");
    }
    codex_error_clear(&err);
    return 0;
}
