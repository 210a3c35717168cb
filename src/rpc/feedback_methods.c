/* feedback/save: the report the reference would upload, written to a ZIP
 * the client names instead (store/feedback.c); feedback/upload stays
 * hosted-only (hosted_methods.c). */
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/server.h"
#include "rpc/thread.h"
#include "store/feedback.h"
#include "store/rollout_find.h"
#include "util/uuid.h"
#include "util/xalloc.h"

static void feedback_save_method(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FeedbackSaveParams", false);
    const char *classification, *save_path, *reason = NULL, *thread_id = NULL;
    bool include_logs = false;
    json_t *extra = NULL;
    if (!p || !rpc_get_string(req, p, "classification", true, &classification) ||
        !rpc_get_string(req, p, "savePath", true, &save_path) ||
        !rpc_get_string(req, p, "reason", false, &reason) ||
        !rpc_get_string(req, p, "threadId", false, &thread_id) ||
        !rpc_get_bool(req, p, "includeLogs", &include_logs) ||
        !rpc_get_string_array(req, p, "extraLogFiles", false, &extra))
        return;
    json_t *tags = json_object_get(p, "tags");
    if (tags && !json_is_null(tags)) {
        const char *k;
        json_t *v;
        bool ok = json_is_object(tags);
        json_object_foreach(tags, k, v) ok = ok && json_is_string(v);
        if (!ok) {
            rpc_reply_invalid(req, "invalid type for `tags`, expected a map of strings");
            return;
        }
    } else {
        tags = NULL;
    }
    if (save_path[0] != '/') {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "feedback savePath must be an absolute host path");
        return;
    }
    /* The session's file: a loaded thread's, else a stored one's. */
    char *rollout = NULL;
    char fallback[64];
    if (thread_id) {
        struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), thread_id);
        if (t && !t->ephemeral)
            rollout = xstrdup(agent_rollout_path(t->agent));
        else if (!t)
            rollout = rollout_locate(req->server->codex_home, thread_id, NULL);
    } else {
        char id[UUID_STR_LEN];
        uuid_v7(id);
        snprintf(fallback, sizeof fallback, "no-active-thread-%s", id);
        thread_id = fallback;
    }
    struct strvec files = STRVEC_INIT;
    size_t i;
    json_t *f;
    json_array_foreach(extra, i, f)
        strvec_push(&files, json_string_value(f));
    struct feedback_report r = {
        .classification = classification,
        .reason = reason,
        .thread_id = thread_id,
        .cli_version = CODEX_VERSION,
        .tags = tags,
        .rollout_path = rollout,
        .include_logs = include_logs,
        .extra_files = (const char *const *)files.v,
        .n_extra = files.n,
    };
    struct codex_error err = CODEX_ERROR_INIT;
    if (feedback_save(&r, save_path, &err) != 0) {
        char *text = codex_error_text(&err);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to save feedback: %s", text);
        free(text);
        codex_error_clear(&err);
    } else {
        char *hash = feedback_prompt_hash(rollout);
        rpc_reply(req, json_pack("{s:s s:s s:s?}", "savedPath", save_path, "threadId", thread_id,
                                 "promptHash", hash));
        free(hash);
    }
    strvec_free(&files);
    free(rollout);
}

const struct rpc_module rpc_feedback_module = {
    .name = "feedback",
    .methods =
        (const struct rpc_method[]){
            {"feedback/save", feedback_save_method},
            {NULL, NULL},
        },
    .uses_state_of = &rpc_threads_module,
};
