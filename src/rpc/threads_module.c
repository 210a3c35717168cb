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
            {"thread/backgroundTerminals/clean", rpc_thread_background_terminals_clean},
            {"turn/steer", rpc_turn_steer},
            {"thread/compact/start", rpc_thread_compact_start},
            {"review/start", rpc_review_start},
            {"thread/shellCommand", rpc_thread_shell_command},
            {"thread/items/list", rpc_thread_items_list},
            {"thread/inject_items", rpc_thread_inject_items},
            {"thread/revert", rpc_thread_revert},
            {"thread/goal/set", rpc_thread_goal_set},
            {"thread/goal/get", rpc_thread_goal_get},
            {"thread/goal/clear", rpc_thread_goal_clear},
            {"thread/metadata/update", rpc_thread_metadata_update},
            {"threadSection/list", rpc_thread_section_list},
            {"threadSection/create", rpc_thread_section_create},
            {"threadSection/update", rpc_thread_section_update},
            {"threadSection/delete", rpc_thread_section_delete},
            {"thread/section/move", rpc_thread_section_move},
            {"thread/attachment/add", rpc_thread_attachment_add},
            {"thread/attachment/list", rpc_thread_attachment_list},
            {"thread/attachment/remove", rpc_thread_attachment_remove},
            {"thread/attachmentOwner/list", rpc_thread_attachment_owner_list},
            {NULL, NULL},
        },
    .free_state = rpc_threads_free_state,
    .client_response = rpc_threads_client_response,
};
