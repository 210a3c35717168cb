/* The threads module: thread/... and turn/... (thread.h lists its files). */
#include <stddef.h>

#include "rpc/modules.h"
#include "rpc/thread.h"

const struct rpc_module rpc_threads_module = {
    .name = "threads",
    .methods =
        (const struct rpc_method[]){
            {"thread/start", rpc_thread_start},
            {"thread/resume", rpc_thread_resume},
            {"thread/fork", rpc_thread_fork},
            {"thread/read", rpc_thread_read},
            {"thread/list", rpc_thread_list},
            {"thread/loaded/list", rpc_thread_loaded_list},
            {"thread/name/set", rpc_thread_name_set},
            {"thread/approveGuardianDeniedAction", rpc_thread_approve_denied_action},
            {"thread/archive", rpc_thread_archive},
            {"thread/delete", rpc_thread_delete},
            {"thread/unarchive", rpc_thread_unarchive},
            {"thread/unsubscribe", rpc_thread_unsubscribe},
            {"thread/turns/list", rpc_thread_turns_list},
            {"thread/readState/update", rpc_thread_read_state_update},
            {"turn/start", rpc_turn_start},
            {"turn/interrupt", rpc_turn_interrupt},
            {"turn/steer", rpc_turn_steer},
            {"thread/compact/start", rpc_thread_compact_start},
            {"review/start", rpc_review_start},
            {NULL, NULL},
        },
    .free_state = rpc_threads_free_state,
    .client_response = rpc_threads_client_response,
};
