#include "store/mcp_tokens.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/fs.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#define MAX_FILE_BYTES (4u << 20)

static char *key_of(const char *server, const char *url)
{
    json_t *payload = json_pack("{s:s s:s s:{}}", "type", "http", "url", url ? url : "", "headers");
    char *text = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(payload);
    char hex[65];
    sha256_hex(text, strlen(text), hex);
    free(text);
    hex[16] = 0;
    return xasprintf("%s|%s", server, hex);
}

/* The key of server's entry at url, *entry set to it: under the key, else
 * any entry naming the same server and URL (an older codex-c keyed entries
 * differently).  NULL when there is none. */
static const char *find_entry(json_t *doc, const char *server, const char *url, json_t **entry)
{
    char *want = key_of(server, url);
    const char *k;
    json_t *e;
    const char *found = NULL;
    *entry = NULL;
    json_object_foreach(doc, k, e) {
        const char *name = json_string_value(json_object_get(e, "server_name"));
        const char *at = json_string_value(json_object_get(e, "server_url"));
        bool same = name && at && strcmp(name, server) == 0 && strcmp(at, url ? url : "") == 0;
        if (strcmp(k, want) == 0 || (same && !found)) {
            found = k;
            *entry = e;
            if (strcmp(k, want) == 0)
                break;
        }
    }
    free(want);
    return found;
}

/* The whole file: an object, empty when there is none.  NULL with err set
 * when it cannot be read or is not JSON. */
static json_t *read_file(const char *path, struct codex_error *err)
{
    size_t len;
    char *text = fs_read_file(path, MAX_FILE_BYTES, &len);
    if (!text) {
        if (errno == ENOENT)
            return json_object();
        codex_error_set_os(err, errno, "%s: cannot read", path);
        return NULL;
    }
    json_error_t je;
    json_t *doc = json_loadb(text, len, 0, &je);
    free(text);
    if (!json_is_object(doc)) {
        json_decref(doc);
        codex_error_set(err, "%s:%d:%d: not a JSON object of credentials; remove the file to sign "
                        "in again", path, je.line, je.column);
        return NULL;
    }
    return doc;
}

static int write_file(const char *path, const json_t *doc, struct codex_error *err)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    int r = fs_write_atomic(path, text, strlen(text), 0600);
    if (r < 0)
        codex_error_set_os(err, errno, "%s: cannot write", path);
    free(text);
    return r;
}

static char *dup_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? xstrdup(s) : NULL;
}

int mcp_tokens_load(const char *codex_home, const char *server, const char *url,
                    struct mcp_tokens *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    char *path = fs_join(codex_home, ".credentials.json");
    json_t *doc = read_file(path, err);
    free(path);
    if (!doc)
        return -1;
    json_t *e;
    find_entry(doc, server, url, &e);
    int found = 0;
    if (json_is_object(e) && (json_string_value(json_object_get(e, "access_token")) ||
                              json_string_value(json_object_get(e, "client_secret")))) {
        out->client_id = dup_str(e, "client_id");
        out->client_secret = dup_str(e, "client_secret");
        out->access_token = dup_str(e, "access_token");
        out->refresh_token = dup_str(e, "refresh_token");
        out->token_endpoint = dup_str(e, "token_endpoint");
        /* Milliseconds; a value this small is seconds, as an older codex-c
         * wrote it. */
        int64_t at = (int64_t)json_integer_value(json_object_get(e, "expires_at"));
        out->expires_at_ms = at > 0 && at < 100000000000LL ? at * 1000 : at;
        size_t i;
        const json_t *s;
        json_array_foreach(json_object_get(e, "scopes"), i, s) if (json_is_string(s))
            strvec_push(&out->scopes, json_string_value(s));
        found = 1;
    }
    json_decref(doc);
    return found;
}

int mcp_tokens_save(const char *codex_home, const char *server, const char *url,
                    const struct mcp_tokens *t, struct codex_error *err)
{
    char *path = fs_join(codex_home, ".credentials.json");
    json_t *doc = read_file(path, err);
    if (!doc) {
        free(path);
        return -1;
    }
    json_t *scopes = json_array();
    for (size_t i = 0; i < t->scopes.n; i++)
        json_array_append_new(scopes, json_string(t->scopes.v[i]));
    json_t *e = json_pack("{s:s s:s s:s? s:s? s:s? s:o}", "server_name", server, "server_url",
                          url ? url : "", "client_id", t->client_id, "access_token",
                          t->access_token, "refresh_token", t->refresh_token, "scopes", scopes);
    if (t->expires_at_ms)
        json_object_set_new(e, "expires_at", json_integer(t->expires_at_ms));
    if (t->client_secret)
        json_object_set_new(e, "client_secret", json_string(t->client_secret));
    if (t->token_endpoint)
        json_object_set_new(e, "token_endpoint", json_string(t->token_endpoint));
    json_t *old;
    const char *old_key = find_entry(doc, server, url, &old);
    if (old_key)
        json_object_del(doc, old_key);
    char *key = key_of(server, url);
    json_object_set_new(doc, key, e);
    free(key);
    fs_mkdir_p(codex_home, 0700);
    int r = write_file(path, doc, err);
    json_decref(doc);
    free(path);
    return r;
}

int mcp_tokens_delete(const char *codex_home, const char *server, const char *url,
                      struct codex_error *err)
{
    char *path = fs_join(codex_home, ".credentials.json");
    json_t *doc = read_file(path, err);
    int r = -1;
    if (doc) {
        json_t *e;
        const char *key = find_entry(doc, server, url, &e);
        r = key && json_object_del(doc, key) == 0 ? 1 : 0;
        if (r == 1 && json_object_size(doc) == 0 && unlink(path) != 0 && errno != ENOENT) {
            codex_error_set_os(err, errno, "%s: cannot remove", path);
            r = -1;
        } else if (r == 1 && json_object_size(doc) > 0 && write_file(path, doc, err) < 0) {
            r = -1;
        }
        json_decref(doc);
    }
    free(path);
    return r;
}

bool mcp_tokens_exist(const char *codex_home, const char *server, const char *url)
{
    struct mcp_tokens t;
    struct codex_error err = CODEX_ERROR_INIT;
    int r = mcp_tokens_load(codex_home, server, url, &t, &err);
    bool exists = r == 1 && t.access_token;
    mcp_tokens_free(&t);
    codex_error_clear(&err);
    return exists;
}

int mcp_tokens_save_client_secret(const char *codex_home, const char *server, const char *url,
                                  const char *secret)
{
    struct mcp_tokens t;
    struct codex_error err = CODEX_ERROR_INIT;
    if (mcp_tokens_load(codex_home, server, url, &t, &err) < 0) {
        codex_error_clear(&err);
        return -1;
    }
    free(t.client_secret);
    t.client_secret = xstrdup(secret);
    int r = mcp_tokens_save(codex_home, server, url, &t, &err);
    codex_error_clear(&err);
    mcp_tokens_free(&t);
    return r;
}

void mcp_tokens_free(struct mcp_tokens *t)
{
    free(t->client_id);
    free(t->client_secret);
    free(t->access_token);
    free(t->refresh_token);
    free(t->token_endpoint);
    strvec_free(&t->scopes);
    memset(t, 0, sizeof *t);
}
