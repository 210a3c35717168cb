/* Handlers of the app-server's client requests, one group per file. */
#ifndef CODEX_RPC_METHODS_H
#define CODEX_RPC_METHODS_H

#include "rpc/server.h"

/* fs_methods.c */
void rpc_fs_read_file(struct rpc_request *req);
void rpc_fs_write_file(struct rpc_request *req);
void rpc_fs_create_directory(struct rpc_request *req);
void rpc_fs_get_metadata(struct rpc_request *req);
void rpc_fs_read_directory(struct rpc_request *req);
void rpc_fs_remove(struct rpc_request *req);
void rpc_fs_copy(struct rpc_request *req);

/* command_exec.c */
void rpc_command_exec(struct rpc_request *req);
void rpc_command_exec_write(struct rpc_request *req);
void rpc_command_exec_resize(struct rpc_request *req);
void rpc_command_exec_terminate(struct rpc_request *req);
/* Release the process table once the loop has finished. */
void rpc_command_exec_free(struct rpc_server *s);

/* model_methods.c */
void rpc_model_list(struct rpc_request *req);
/* The start index encoded in a pagination cursor we handed out (0 for
 * none), or -1 when it is not one of ours. */
long rpc_parse_cursor(const char *cursor);
void rpc_reply_page(struct rpc_request *req, json_t *data, long next);

/* config_methods.c */
void rpc_config_read(struct rpc_request *req);
void rpc_config_value_write(struct rpc_request *req);
void rpc_config_batch_write(struct rpc_request *req);
void rpc_config_requirements_read(struct rpc_request *req);
void rpc_experimental_feature_list(struct rpc_request *req);

/* thread_methods.c, turn_methods.c, thread_store.c */
void rpc_thread_start(struct rpc_request *req);
void rpc_thread_resume(struct rpc_request *req);
void rpc_thread_fork(struct rpc_request *req);
void rpc_thread_read(struct rpc_request *req);
void rpc_thread_list(struct rpc_request *req);
void rpc_thread_loaded_list(struct rpc_request *req);
void rpc_thread_name_set(struct rpc_request *req);
void rpc_thread_archive(struct rpc_request *req);
void rpc_thread_unarchive(struct rpc_request *req);
void rpc_thread_unsubscribe(struct rpc_request *req);
void rpc_turn_start(struct rpc_request *req);
void rpc_thread_compact_start(struct rpc_request *req);
void rpc_review_start(struct rpc_request *req);
void rpc_turn_interrupt(struct rpc_request *req);
/* A client's answer to one of our requests (result NULL for an error
 * answer); false when it answers nothing we asked. */
bool rpc_thread_client_response(struct rpc_conn *c, const json_t *id, const json_t *result);
/* Release the thread registry once the loop has finished. */
void rpc_threads_free(struct rpc_server *s);

#endif
