/* Unit tests for src/plugins: marketplace.json and plugin.json readers
 * (what they accept, and where their errors point), the selector, and what
 * config.toml's [marketplaces] and [plugins] tables mean. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "plugins/plugins.h"

#define MP "/m/.agents/plugins/marketplace.json"

static char *error_of_marketplace(const char *text)
{
    struct marketplace m;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(marketplace_parse(text, strlen(text), MP, "/m", &m, &err), -1);
    char *t = codex_error_text(&err);
    codex_error_clear(&err);
    return t;
}

static void marketplace_reads_plugins_and_defaults(void **state)
{
    (void)state;
    const char *text = "{\"name\":\"debug\",\"interface\":{\"displayName\":\"D\"},\"plugins\":["
                       "{\"name\":\"a\",\"source\":{\"source\":\"local\",\"path\":\"./plugins/a/\"},"
                       "\"policy\":{\"installation\":\"NOT_AVAILABLE\",\"authentication\":\"ON_USE\"},"
                       "\"category\":\"Coding\"},"
                       "{\"name\":\"b\",\"source\":{\"source\":\"local\",\"path\":\"./b\"}}]}";
    struct marketplace m;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(marketplace_parse(text, strlen(text), MP, "/m", &m, &err), 0);
    assert_string_equal(m.name, "debug");
    assert_string_equal(m.display_name, "D");
    assert_int_equal(m.n_plugins, 2);
    assert_string_equal(m.plugins[0].source_path, "/m/plugins/a");
    assert_string_equal(m.plugins[0].install_policy, "NOT_AVAILABLE");
    assert_string_equal(m.plugins[0].auth_policy, "ON_USE");
    assert_string_equal(m.plugins[0].category, "Coding");
    assert_string_equal(m.plugins[1].source_path, "/m/b");
    assert_string_equal(m.plugins[1].install_policy, "AVAILABLE");
    assert_string_equal(m.plugins[1].auth_policy, "ON_INSTALL");
    assert_null(m.plugins[1].category);
    assert_ptr_equal(marketplace_find(&m, "b"), &m.plugins[1]);
    assert_null(marketplace_find(&m, "c"));
    marketplace_free(&m);
}

static void marketplace_errors_say_where(void **state)
{
    (void)state;
    char *t = error_of_marketplace("{\"name\": \"x\",\n  \"plugins\": [ }");
    assert_non_null(strstr(t, MP ":2:"));
    assert_non_null(strstr(t, "invalid JSON"));
    free(t);
    t = error_of_marketplace("{\"plugins\": []}");
    assert_string_equal(t, MP ": name: missing or not a string");
    free(t);
    t = error_of_marketplace("{\"name\":\"../x\",\"plugins\":[]}");
    assert_non_null(strstr(t, "is not a valid marketplace name"));
    free(t);
    t = error_of_marketplace("{\"name\":\"x\",\"plugins\":[{\"name\":\"a\",\"source\":{\"source\":\"local\","
                             "\"path\":\"./a/../../etc\"}}]}");
    assert_string_equal(t, MP ": plugins[0].source.path: local plugin source path must stay within its root");
    free(t);
    t = error_of_marketplace("{\"name\":\"x\",\"plugins\":[{\"name\":\"a\",\"source\":{\"source\":\"local\","
                             "\"path\":\"./\"}}]}");
    assert_non_null(strstr(t, "must not be empty"));
    free(t);
    t = error_of_marketplace("{\"name\":\"x\",\"plugins\":[{\"name\":\"a\",\"source\":{\"source\":\"git\","
                             "\"path\":\"./a\"}}]}");
    assert_non_null(strstr(t, "unknown source kind `git`"));
    free(t);
    t = error_of_marketplace("{\"name\":\"x\",\"plugins\":[{\"name\":\"a\",\"source\":{\"source\":\"local\","
                             "\"path\":\"./a\"},\"policy\":{\"installation\":\"MAYBE\"}}]}");
    assert_string_equal(t, MP ": plugins[0].policy.installation: unknown value `MAYBE`");
    free(t);
    t = error_of_marketplace("[]");
    assert_non_null(strstr(t, "expected a JSON object"));
    free(t);
}

static void manifest_paths_versions_and_name(void **state)
{
    (void)state;
    const char *text = "{\"version\":\" 1.2.0+b \",\"skills\":\"./skills\",\"mcpServers\":\"../x.json\","
                       "\"interface\":{\"displayName\":\"S\"}}";
    struct plugin_manifest pm;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(plugin_manifest_parse(text, strlen(text), "/p/sample/.codex-plugin/plugin.json",
                                           "/p/sample", &pm, &err), 0);
    assert_string_equal(pm.name, "sample"); /* the folder's name when none is given */
    assert_string_equal(pm.version, "1.2.0+b");
    assert_string_equal(pm.skills_dir, "/p/sample/skills");
    assert_null(pm.mcp_servers_file); /* outside the plugin: left out */
    assert_string_equal(pm.interface_json, "{\"displayName\":\"S\"}");
    plugin_manifest_free(&pm);
    const char *bad[] = {"{\"version\": 3}", "{\"version\": \"  \"}", "{\"version\": \"a/b\"}", "{\"name\": 1}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(plugin_manifest_parse(bad[i], strlen(bad[i]), "/p/x/plugin.json", "/p/x", &pm,
                                               &err), -1);
        assert_string_equal(err.where, "/p/x/plugin.json");
        codex_error_clear(&err);
    }
}

static void selectors(void **state)
{
    (void)state;
    char *p, *m;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(plugins_parse_selector("a@b", NULL, &p, &m, &err), 0);
    assert_string_equal(p, "a");
    assert_string_equal(m, "b");
    free(p);
    free(m);
    assert_int_equal(plugins_parse_selector("a", "mk", &p, &m, &err), 0);
    assert_string_equal(m, "mk");
    free(p);
    free(m);
    assert_int_equal(plugins_parse_selector("a", NULL, &p, &m, &err), -1);
    assert_non_null(strstr(err.message, "requires --marketplace"));
    codex_error_clear(&err);
    assert_int_equal(plugins_parse_selector("../a@b", NULL, &p, &m, &err), -1);
    codex_error_clear(&err);
    assert_int_equal(plugins_parse_selector("a@", NULL, &p, &m, &err), -1);
    codex_error_clear(&err);
}

static void config_tables(void **state)
{
    (void)state;
    const char *text = "[marketplaces.loc]\nsource_type = \"local\"\nsource = \"/m\"\n"
                       "[marketplaces.g]\nsource_type = \"git\"\nsource = \"https://x/y.git\"\n"
                       "ref = \"main\"\nsparse_paths = [\"a\", \"b\"]\n"
                       "[marketplaces.odd]\nsource_type = \"ftp\"\nsource = \"x\"\n"
                       "[plugins.\"a@loc\"]\nenabled = true\n[plugins.\"b@loc\"]\nenabled = false\n";
    struct toml_error te;
    toml_value *root = toml_parse(text, strlen(text), &te);
    assert_non_null(root);
    struct plugins_config c;
    plugins_config_read(root, "/home/.codex", &c);
    assert_int_equal(c.n_marketplaces, 2); /* an unknown source type is not a marketplace */
    assert_string_equal(c.marketplaces[0].root, "/m");
    assert_string_equal(c.marketplaces[1].root, "/home/.codex/.tmp/marketplaces/g");
    assert_string_equal(c.marketplaces[1].ref, "main");
    assert_int_equal(c.marketplaces[1].sparse_paths.n, 2);
    assert_ptr_equal(plugins_config_marketplace(&c, "g"), &c.marketplaces[1]);
    assert_int_equal(plugins_config_enabled(&c, "a@loc"), 1);
    assert_int_equal(plugins_config_enabled(&c, "b@loc"), 0);
    assert_int_equal(plugins_config_enabled(&c, "c@loc"), -1);
    plugins_config_free(&c);
    toml_free(root);
}

static void mcp_files(void **state)
{
    (void)state;
    json_t *s;
    struct codex_error err = CODEX_ERROR_INIT;
    const char *wrapped = "{\"mcpServers\":{\"a\":{\"command\":\"x\"}}}";
    assert_int_equal(plugin_mcp_servers_parse(wrapped, strlen(wrapped), "/p/.mcp.json", &s, &err), 0);
    assert_non_null(json_object_get(s, "a"));
    json_decref(s);
    const char *bare = "{\"b\":{\"url\":\"http://x\"}}";
    assert_int_equal(plugin_mcp_servers_parse(bare, strlen(bare), "/p/.mcp.json", &s, &err), 0);
    assert_non_null(json_object_get(s, "b"));
    json_decref(s);
    const char *bad = "{\"mcpServers\":{\"a\":3}}";
    assert_int_equal(plugin_mcp_servers_parse(bad, strlen(bad), "/p/.mcp.json", &s, &err), -1);
    assert_string_equal(err.message, "mcpServers.a: expected an object");
    codex_error_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marketplace_reads_plugins_and_defaults),
        cmocka_unit_test(marketplace_errors_say_where),
        cmocka_unit_test(manifest_paths_versions_and_name),
        cmocka_unit_test(selectors),
        cmocka_unit_test(config_tables),
        cmocka_unit_test(mcp_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
