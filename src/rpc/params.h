/* Reading request params with the reference's error wording.  Each getter
 * returns true on success; on bad input it answers the request with
 * "Invalid request: ..." (code -32600) and returns false, after which the
 * handler must return without touching req again. */
#ifndef CODEX_RPC_PARAMS_H
#define CODEX_RPC_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "rpc/server.h"

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

#endif
