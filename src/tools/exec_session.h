/* Processes started by exec_command, kept alive as numbered sessions when
 * they outlive the call that started them (write_stdin talks to them). */
#ifndef CODEX_TOOLS_EXEC_SESSION_H
#define CODEX_TOOLS_EXEC_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "util/buf.h"
#include "util/strvec.h"

struct exec_session;
struct exec_sessions;

struct exec_spawn {
    const char *file;             /* program to exec; NULL: argv[0] */
    const struct strvec *argv;
    const struct strvec *env;
    const char *cwd;
    bool tty;
    int extra_fd;                 /* appears as fd 3 in the child, or -1 */
    /* Released with the session (a sandbox_cmd whose placeholders must
     * outlive the process). */
    void *owned;
    void (*free_owned)(void *owned);
    /* Frees end_ud when the session is released before it ended. */
    void (*drop_end_ud)(void *end_ud);
    /* Each chunk of output as it arrives (NULL: none), with end_ud. */
    void (*on_output)(void *end_ud, const char *data, size_t n);
};

/* Called when the output wanted by a waiter is ready: either the process
 * ended (exited = true) or the yield time ran out. */
typedef void (*exec_ready_fn)(struct exec_session *s, void *ud);
/* Called once when the process has ended and its output is drained. */
typedef void (*exec_ended_fn)(struct exec_session *s, void *ud);

struct exec_sessions *exec_sessions_new(uv_loop_t *loop);
/* Kill every process and release everything (handles close on the loop). */
void exec_sessions_free(struct exec_sessions *ss);

/* Start a process.  NULL with *err set to a message on failure. */
struct exec_session *exec_session_spawn(struct exec_sessions *ss, const struct exec_spawn *sp,
                                        exec_ended_fn on_end, void *end_ud, char **err);
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
/* Forget an ended session (frees it once its handles are closed). */
void exec_session_release(struct exec_session *s);

#endif
