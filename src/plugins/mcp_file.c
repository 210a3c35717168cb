/* A plugin's MCP server file (.mcp.json by convention, or the manifest's
 * "mcpServers" path). */
#include <stdlib.h>
#include <string.h>

#include "plugins/plugins.h"
#include "util/fs.h"
#include "util/xalloc.h"

int plugin_mcp_servers_parse(const char *text, size_t len, const char *path, json_t **servers,
                             struct codex_error *err)
{
    *servers = NULL;
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        char *where = xasprintf("%s:%d:%d", path, je.line > 0 ? je.line : 1,
                                je.column > 0 ? je.column : 1);
        codex_error_set_at(err, where, "invalid JSON: %s", je.text);
        free(where);
        return -1;
    }
    json_t *map = json_object_get(doc, "mcpServers");
    if (!map && json_is_object(doc))
        map = doc;
    if (!json_is_object(map)) {
        codex_error_set_at(err, path, "mcpServers: expected an object of servers by name");
        json_decref(doc);
        return -1;
    }
    const char *name;
    json_t *v;
    json_object_foreach(map, name, v) {
        if (!json_is_object(v)) {
            codex_error_set_at(err, path, "mcpServers.%s: expected an object", name);
            json_decref(doc);
            return -1;
        }
    }
    *servers = json_incref(map);
    json_decref(doc);
    return 0;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int plugin_mcp_server_names(const char *file, struct strvec *names)
{
    size_t len;
    char *text = fs_read_file(file, 4u << 20, &len);
    if (!text)
        return -1;
    json_t *servers;
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = plugin_mcp_servers_parse(text, len, file, &servers, &err);
    free(text);
    codex_error_clear(&err);
    if (rc < 0)
        return -1;
    const char *name;
    json_t *v;
    json_object_foreach(servers, name, v)
        strvec_push(names, name);
    qsort(names->v, names->n, sizeof *names->v, by_string);
    json_decref(servers);
    return 0;
}
