/* A client request as method modules see it, and the helpers every module
 * shares: reading params with the reference's error wording, answering,
 * and paging.  This file is the leaf of src/rpc: it uses the connection and
 * the JSON-RPC layer, nothing else, so any module may use it.
 *
 * A handler must answer its request exactly once, now or later from the
 * event loop (rpc_reply / rpc_reply_error...); the request keeps its
 * connection alive until then.  The param getters return true on success;
 * on bad input they answer "Invalid request: ..." (code -32600) and return
 * false, after which the handler returns without touching req again. */
#ifndef CODEX_RPC_REQUEST_H
#define CODEX_RPC_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "rpc/conn.h"

struct rpc_server;

struct rpc_request {
    struct rpc_conn *conn;
    struct rpc_server *server;
    json_t *id;
    char *id_key;
    const char *method; /* static name from the method table */
    json_t *params;     /* NULL when absent */
    void **state;       /* the slot the server keeps for the method's module */
};

/* A new request (id and params are referenced) counted in c's in-flight
 * ids; rpc_reply* releases it. */
struct rpc_request *rpc_request_new(struct rpc_conn *c, json_t *id, char *id_key,
                                    const char *method, json_t *params, void **state);

/* ---- answers --------------------------------------------------------------- */

/* Answer (result stolen; NULL means {}) and free the request. */
void rpc_reply(struct rpc_request *req, json_t *result);
/* The same answer, with the array at owner[key] (an object inside result)
 * written an element at a time, each freed once written: every turn of a
 * long thread is tens of megabytes, and the answer is never held whole.
 * The bytes are those rpc_reply would send. */
void rpc_reply_streaming(struct rpc_request *req, json_t *result, json_t *owner, const char *key);
/* The same with the elements made as they are written: element(ud, i,
 * &len) for i in [0, n) gives one element's compact JSON text (malloc'd;
 * NULL: none for that i), freed once written, so a turn read back from a
 * file is held only while it is sent. */
void rpc_reply_streaming_each(struct rpc_request *req, json_t *result, json_t *owner,
                              const char *key, size_t n,
                              char *(*element)(void *ud, size_t i, size_t *len), void *ud);
void rpc_reply_error(struct rpc_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error with a "data" member (stolen). */
void rpc_reply_error_data(struct rpc_request *req, int code, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "Invalid request: <detail>", code -32600, as the reference words bad params. */
void rpc_reply_invalid(struct rpc_request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* -32600 for a well-formed request that cannot be done (no such thread, a
 * turn already running): the bare message, as the reference sends those;
 * rpc_reply_invalid's prefix marks parameters that did not parse. */
void rpc_reply_refused(struct rpc_request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The error for an OS failure, as the reference words it:
 * "No such file or directory (os error 2)", code -32603. */
void rpc_reply_errno(struct rpc_request *req, int err);
/* Reply {data, nextCursor}: the cursor of the next page is the decimal index
 * rpc_parse_cursor reads back, or null after the last page (next < 0). */
void rpc_reply_page(struct rpc_request *req, json_t *data, long next);
/* The start index encoded in a pagination cursor we handed out (0 for
 * none), or -1 when it is not one of ours. */
long rpc_parse_cursor(const char *cursor);

/* ---- params ----------------------------------------------------------------- */

/* The params object.  Absent params: "missing field `params`" unless
 * optional, in which case an empty object is returned.  The result is
 * borrowed from req. */
json_t *rpc_params(struct rpc_request *req, const char *struct_name, bool optional);

/* Strings; *out is NULL when optional and absent or null. */
bool rpc_get_string(struct rpc_request *req, json_t *obj, const char *key, bool required,
                    const char **out);
/* An absolute path, lexically normalized (caller frees *out). */
bool rpc_get_abs_path(struct rpc_request *req, json_t *obj, const char *key, bool required,
                      char **out);
/* Booleans and integers keep *out when absent or null; *present (may be NULL) says
 * whether a value was given. */
bool rpc_get_bool(struct rpc_request *req, json_t *obj, const char *key, bool *out);
bool rpc_get_int(struct rpc_request *req, json_t *obj, const char *key, const char *type_name,
                 int64_t min, int64_t max, bool *present, int64_t *out);
/* An array of strings (borrowed); NULL when optional and absent or null. */
bool rpc_get_string_array(struct rpc_request *req, json_t *obj, const char *key, bool required,
                          json_t **out);

/* How serde names an unexpected JSON value: "integer `5`", "string \"x\"". */
char *rpc_describe_value(const json_t *v);

/* Lexically normalize an absolute path: drop "." and empty parts, apply
 * "..".  Returns a new string (caller frees). */
char *rpc_normalize_abs_path(const char *path);

struct codex_config;
struct codex_error;
struct rpc_server;
/* The configuration as a thread in cwd (NULL: the server's) would see it,
 * with the server's -c overrides.  0, or -1 with err (cfg untouched). */
int rpc_server_load_config(struct rpc_server *s, const char *cwd, struct codex_config *cfg,
                           struct codex_error *err);
/* The same with more overrides after the -c ones ("key=value"). */
int rpc_server_load_config_with(struct rpc_server *s, const char *cwd, const char *const *extra,
                                size_t n_extra, struct codex_config *cfg, struct codex_error *err);
/* The same for a request: false after replying with the loader's error. */
bool rpc_load_config(struct rpc_request *req, const char *cwd, struct codex_config *cfg);
bool rpc_load_config_with(struct rpc_request *req, const char *cwd, const char *const *extra,
                          size_t n_extra, struct codex_config *cfg);
/* The same for permissionProfile/list, which lists [permissions.<name>]
 * profiles even when no default_permissions selects one (as the reference
 * does; every other method refuses such a config). */
bool rpc_load_config_for_profiles(struct rpc_request *req, const char *cwd, struct codex_config *cfg);

#endif
