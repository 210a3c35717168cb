/* Processes started by exec_command, kept alive as numbered sessions when
 * they outlive the call that started them (write_stdin talks to them).
 * The processes themselves are started by the host (src/proc underneath);
 * a session gathers their output and wakes the calls waiting on it. */
#ifndef CODEX_TOOLS_EXEC_SESSION_H
#define CODEX_TOOLS_EXEC_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "tools/tool.h"
#include "util/buf.h"

struct exec_session;
struct exec_sessions;

/* Called when the output wanted by a waiter is ready: either the process
 * ended or the yield time ran out. */
typedef void (*exec_ready_fn)(struct exec_session *s, void *ud);

/* The owner of a session's item: told about output and the end. */
struct exec_session_watch {
    void (*on_output)(void *ud, const char *data, size_t n);
    void (*on_end)(struct exec_session *s, void *ud); /* once, after the output is drained */
    void (*drop)(void *ud); /* the session went away before it ended */
    void *ud;
};

struct exec_sessions *exec_sessions_new(uv_loop_t *loop);
/* Kill every process and release everything; waiters and watches are
 * dropped without being called. */
void exec_sessions_free(struct exec_sessions *ss);

/* Kill the process group of every session still running (/stop, the
 * app server's thread/backgroundTerminals/clean).  Each ends as a killed
 * process does: its watch and any waiting call hear of the end.  Returns
 * how many were running. */
size_t exec_sessions_terminate(struct exec_sessions *ss);

/* Start a process through the host.  NULL with err set on failure. */
struct exec_session *exec_session_start(struct exec_sessions *ss, struct tool_host *host,
                                        const struct tool_spawn *sp, const struct exec_session_watch *watch,
                                        struct codex_error *err);
struct exec_session *exec_session_find(struct exec_sessions *ss, int id);
/* Wait up to yield_ms for the process to end, then call ready.  drop frees
 * ud if the session is released while still waiting (NULL: nothing). */
void exec_session_wait(struct exec_session *s, uint64_t yield_ms, exec_ready_fn ready, void *ud,
                       void (*drop)(void *ud));
int exec_session_write(struct exec_session *s, const char *bytes, size_t n);
/* Output gathered since the last take (caller frees). */
char *exec_session_take_output(struct exec_session *s, size_t *len);
/* Everything the process printed so far. */
const struct buf *exec_session_all_output(const struct exec_session *s);
bool exec_session_ended(const struct exec_session *s);
int exec_session_exit_code(const struct exec_session *s);
int exec_session_id(const struct exec_session *s);
int exec_session_pid(const struct exec_session *s);
/* The command's attachment at the managed proxy (proc_netproxy_attachment),
 * kept after it ends; 0 without the proxy. */
uint64_t exec_session_network_attachment(const struct exec_session *s);
/* Forget a session, killing its process if it still runs. */
void exec_session_release(struct exec_session *s);

#endif
