#include "config/mcp_servers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

bool mcp_server_name_valid(const char *name)
{
    if (!name || !*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_-:@/.", *p)))
            return false;
    return true;
}

static const char *const approval_modes[] = {"auto", "prompt", "writes", "approve", NULL};

const char *mcp_approval_mode_name(enum mcp_approval_mode m)
{
    return m == MCP_APPROVAL_UNSET ? "auto" : approval_modes[m - MCP_APPROVAL_AUTO];
}

static enum mcp_approval_mode approval_mode_of(const char *s)
{
    for (int i = 0; approval_modes[i]; i++)
        if (strcmp(s, approval_modes[i]) == 0)
            return (enum mcp_approval_mode)(MCP_APPROVAL_AUTO + i);
    return MCP_APPROVAL_UNSET;
}

/* ---- checking one layer -------------------------------------------------- */

struct check {
    mcp_where_fn where;
    const void *ud;
    char *err;
    size_t errlen;
};

/* A name as it can appear in a one-line message. */
static void shown(char *out, size_t len, const char *s)
{
    size_t o = 0;
    for (; *s && o + 7 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = 0;
}

static int fail(struct check *c, const toml_value *v, const char *server, const char *key,
                const char *what)
{
    char where[1200], name[256];
    c->where(c->ud, v, where, sizeof where);
    shown(name, sizeof name, server);
    snprintf(c->err, c->errlen, "%s: mcp_servers.\"%s\"%s%s: %s", where, name, key ? "." : "",
             key ? key : "", what);
    return -1;
}

static bool is_string_array(const toml_value *v)
{
    if (toml_type(v) != TOML_ARRAY)
        return false;
    for (size_t i = 0; i < toml_array_len(v); i++)
        if (toml_type(toml_array_at(v, i)) != TOML_STRING)
            return false;
    return true;
}

static bool is_string_table(const toml_value *v)
{
    if (toml_type(v) != TOML_TABLE)
        return false;
    for (size_t i = 0; i < toml_table_len(v); i++)
        if (toml_type(toml_table_value_at(v, i)) != TOML_STRING)
            return false;
    return true;
}

static int check_entry(struct check *c, const char *name, const toml_value *e)
{
    static const char *const strings[] = {"command", "cwd", "url", "bearer_token_env_var",
                                          "oauth_resource", "oauth_client_id", NULL};
    static const char *const arrays[] = {"args", "env_vars", "enabled_tools", "disabled_tools",
                                         "scopes", NULL};
    static const char *const tables[] = {"env", "http_headers", "env_http_headers", NULL};
    static const char *const bools[] = {"enabled", "required", NULL};
    static const char *const numbers[] = {"startup_timeout_sec", "tool_timeout_sec", NULL};
    for (size_t i = 0; i < toml_table_len(e); i++) {
        const char *key = toml_table_key_at(e, i);
        const toml_value *v = toml_table_value_at(e, i);
        enum toml_type t = toml_type(v);
        for (int k = 0; strings[k]; k++)
            if (strcmp(key, strings[k]) == 0 && t != TOML_STRING)
                return fail(c, v, name, key, "must be a string");
        for (int k = 0; arrays[k]; k++)
            if (strcmp(key, arrays[k]) == 0 && !is_string_array(v))
                return fail(c, v, name, key, "must be an array of strings");
        for (int k = 0; tables[k]; k++)
            if (strcmp(key, tables[k]) == 0 && !is_string_table(v))
                return fail(c, v, name, key, "must be a table of strings");
        for (int k = 0; bools[k]; k++)
            if (strcmp(key, bools[k]) == 0 && t != TOML_BOOLEAN)
                return fail(c, v, name, key, "must be true or false");
        for (int k = 0; numbers[k]; k++) {
            if (strcmp(key, numbers[k]) != 0)
                continue;
            double d = t == TOML_INTEGER ? (double)toml_integer(v) : t == TOML_FLOAT ? toml_float(v) : -1;
            if (!(d >= 0 && d < 1e9))
                return fail(c, v, name, key, "must be a number of seconds (0 or more)");
        }
        if (strcmp(key, "startup_timeout_ms") == 0 && (t != TOML_INTEGER || toml_integer(v) < 0))
            return fail(c, v, name, key, "must be a number of milliseconds (0 or more)");
        if (strcmp(key, "default_tools_approval_mode") == 0 &&
            (t != TOML_STRING || approval_mode_of(toml_string(v, NULL)) == MCP_APPROVAL_UNSET))
            return fail(c, v, name, key, "must be one of auto, prompt, writes, approve");
        if (strcmp(key, "tools") == 0) {
            if (t != TOML_TABLE)
                return fail(c, v, name, key, "must be a table of tool settings");
            for (size_t k = 0; k < toml_table_len(v); k++) {
                const toml_value *tool = toml_table_value_at(v, k);
                const toml_value *mode = toml_type(tool) == TOML_TABLE ? toml_table_get(tool, "approval_mode") : NULL;
                if (toml_type(tool) != TOML_TABLE)
                    return fail(c, tool, name, "tools", "each tool's settings must be a table");
                if (mode && (toml_type(mode) != TOML_STRING ||
                             approval_mode_of(toml_string(mode, NULL)) == MCP_APPROVAL_UNSET))
                    return fail(c, mode, name, "tools", "approval_mode must be one of auto, prompt, writes, approve");
            }
        }
    }
    const toml_value *url = toml_table_get(e, "url");
    if (url && toml_table_get(e, "command"))
        return fail(c, url, name, NULL,
                    "has both `command` and `url`; keep `command` for a stdio server or `url` "
                    "for a streamable HTTP one");
    if (url) {
        static const char *const stdio_only[] = {"args", "env", "env_vars", "cwd", NULL};
        for (int k = 0; stdio_only[k]; k++)
            if (toml_table_get(e, stdio_only[k]))
                return fail(c, toml_table_get(e, stdio_only[k]), name, stdio_only[k],
                            "is for stdio servers; this one has a `url`");
    }
    if (toml_table_get(e, "command")) {
        static const char *const http_only[] = {"bearer_token_env_var", "http_headers",
                                                "env_http_headers", NULL};
        for (int k = 0; http_only[k]; k++)
            if (toml_table_get(e, http_only[k]))
                return fail(c, toml_table_get(e, http_only[k]), name, http_only[k],
                            "is for streamable HTTP servers; this one has a `command`");
    }
    return 0;
}

int mcp_servers_check_layer(const toml_value *v, mcp_where_fn where, const void *ud, char *err,
                            size_t errlen)
{
    struct check c = {where, ud, err, errlen};
    if (toml_type(v) != TOML_TABLE)
        return fail(&c, v, "", NULL, "must be a table of servers ([mcp_servers.NAME])");
    for (size_t i = 0; i < toml_table_len(v); i++) {
        const char *name = toml_table_key_at(v, i);
        const toml_value *e = toml_table_value_at(v, i);
        if (!mcp_server_name_valid(name))
            return fail(&c, e, name, NULL,
                        "invalid server name; use letters, numbers, '-', '_', ':', '@', '/', '.'");
        if (toml_type(e) != TOML_TABLE)
            return fail(&c, e, name, NULL, "must be a table");
        if (check_entry(&c, name, e) < 0)
            return -1;
    }
    return 0;
}

/* ---- reading the merged tree --------------------------------------------- */

static const char *str(const toml_value *t, const char *key)
{
    const toml_value *v = toml_table_get(t, key);
    return v && toml_type(v) == TOML_STRING ? toml_string(v, NULL) : NULL;
}

static char *dup(const toml_value *t, const char *key)
{
    const char *s = str(t, key);
    return s ? xstrdup(s) : NULL;
}

static bool strings(const toml_value *t, const char *key, struct strvec *out)
{
    const toml_value *v = toml_table_get(t, key);
    if (!v || toml_type(v) != TOML_ARRAY)
        return false;
    for (size_t i = 0; i < toml_array_len(v); i++)
        if (toml_type(toml_array_at(v, i)) == TOML_STRING)
            strvec_push(out, toml_string(toml_array_at(v, i), NULL));
    return true;
}

static bool pairs(const toml_value *t, const char *key, struct mcp_pairs *out)
{
    const toml_value *v = toml_table_get(t, key);
    if (!v || toml_type(v) != TOML_TABLE)
        return false;
    for (size_t i = 0; i < toml_table_len(v); i++) {
        const toml_value *x = toml_table_value_at(v, i);
        if (toml_type(x) != TOML_STRING)
            continue;
        strvec_push(&out->names, toml_table_key_at(v, i));
        strvec_push(&out->values, toml_string(x, NULL));
    }
    return true;
}

static double seconds(const toml_value *t, const char *key)
{
    const toml_value *v = toml_table_get(t, key);
    if (!v)
        return -1;
    return toml_type(v) == TOML_INTEGER ? (double)toml_integer(v)
           : toml_type(v) == TOML_FLOAT ? toml_float(v)
                                        : -1;
}

static bool flag(const toml_value *t, const char *key, bool dflt)
{
    const toml_value *v = toml_table_get(t, key);
    return v && toml_type(v) == TOML_BOOLEAN ? toml_bool(v) : dflt;
}

static const char *origin_of(const struct strvec *origins, const char *name)
{
    const char *found = NULL;
    size_t n = strlen(name);
    for (size_t i = 0; origins && i < origins->n; i++)
        if (strncmp(origins->v[i], name, n) == 0 && origins->v[i][n] == '\t')
            found = origins->v[i] + n + 1;
    return found;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const struct mcp_server_config *)a)->name,
                  ((const struct mcp_server_config *)b)->name);
}

int mcp_servers_read(const toml_value *root, const struct strvec *origins,
                     struct mcp_server_config **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    const toml_value *all = root ? toml_table_get(root, "mcp_servers") : NULL;
    if (!all || toml_type(all) != TOML_TABLE)
        return 0;
    struct mcp_server_config *v = xcalloc(toml_table_len(all) + 1, sizeof *v);
    size_t count = 0;
    for (size_t i = 0; i < toml_table_len(all); i++) {
        const char *name = toml_table_key_at(all, i);
        const toml_value *e = toml_table_value_at(all, i);
        if (toml_type(e) != TOML_TABLE)
            continue;
        struct mcp_server_config *s = &v[count++];
        s->name = xstrdup(name);
        s->command = dup(e, "command");
        s->url = dup(e, "url");
        if (!s->command && !s->url) {
            const char *where = origin_of(origins, name);
            char shown_name[256];
            shown(shown_name, sizeof shown_name, name);
            snprintf(err, errlen,
                     "%s%smcp_servers.\"%s\": invalid transport: set `command` (a stdio server) or "
                     "`url` (a streamable HTTP server)",
                     where ? where : "", where ? ": " : "", shown_name);
            mcp_servers_free(v, count);
            return -1;
        }
        s->transport = s->url ? MCP_TRANSPORT_HTTP : MCP_TRANSPORT_STDIO;
        strings(e, "args", &s->args);
        s->has_env = pairs(e, "env", &s->env);
        strings(e, "env_vars", &s->env_vars);
        s->cwd = dup(e, "cwd");
        s->bearer_token_env_var = dup(e, "bearer_token_env_var");
        s->has_http_headers = pairs(e, "http_headers", &s->http_headers);
        s->has_env_http_headers = pairs(e, "env_http_headers", &s->env_http_headers);
        strings(e, "scopes", &s->scopes);
        s->oauth_resource = dup(e, "oauth_resource");
        s->oauth_client_id = dup(e, "oauth_client_id");
        s->enabled = flag(e, "enabled", true);
        s->required = flag(e, "required", false);
        s->startup_timeout_sec = seconds(e, "startup_timeout_sec");
        const toml_value *ms = toml_table_get(e, "startup_timeout_ms");
        if (s->startup_timeout_sec < 0 && ms && toml_type(ms) == TOML_INTEGER)
            s->startup_timeout_sec = (double)toml_integer(ms) / 1000.0;
        s->tool_timeout_sec = seconds(e, "tool_timeout_sec");
        s->has_enabled_tools = strings(e, "enabled_tools", &s->enabled_tools);
        s->has_disabled_tools = strings(e, "disabled_tools", &s->disabled_tools);
        const char *mode = str(e, "default_tools_approval_mode");
        s->default_tools_approval_mode = mode ? approval_mode_of(mode) : MCP_APPROVAL_UNSET;
        const toml_value *tools = toml_table_get(e, "tools");
        if (tools && toml_type(tools) == TOML_TABLE) {
            s->tools = xcalloc(toml_table_len(tools) + 1, sizeof *s->tools);
            for (size_t k = 0; k < toml_table_len(tools); k++) {
                const toml_value *t = toml_table_value_at(tools, k);
                const char *m = toml_type(t) == TOML_TABLE ? str(t, "approval_mode") : NULL;
                s->tools[s->n_tools].tool = xstrdup(toml_table_key_at(tools, k));
                s->tools[s->n_tools++].approval_mode = m ? approval_mode_of(m) : MCP_APPROVAL_UNSET;
            }
        }
    }
    qsort(v, count, sizeof *v, cmp_name);
    *out = v;
    *n = count;
    return 0;
}

static void pairs_free(struct mcp_pairs *p)
{
    strvec_free(&p->names);
    strvec_free(&p->values);
}

void mcp_servers_free(struct mcp_server_config *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        struct mcp_server_config *s = &v[i];
        free(s->name);
        free(s->command);
        strvec_free(&s->args);
        pairs_free(&s->env);
        strvec_free(&s->env_vars);
        free(s->cwd);
        free(s->url);
        free(s->bearer_token_env_var);
        pairs_free(&s->http_headers);
        pairs_free(&s->env_http_headers);
        strvec_free(&s->scopes);
        free(s->oauth_resource);
        free(s->oauth_client_id);
        strvec_free(&s->enabled_tools);
        strvec_free(&s->disabled_tools);
        for (size_t k = 0; k < s->n_tools; k++)
            free(s->tools[k].tool);
        free(s->tools);
    }
    free(v);
}
