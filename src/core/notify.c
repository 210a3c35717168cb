/* `notify = [program, args...]`: after each completed turn the program runs
 * with one more argument, a JSON description of the turn, as the
 * reference's agent-turn-complete notification.  Nobody waits for it. */
#include "core/agent_internal.h"

#include <stdlib.h>

#include "proc/proc.h"
#include "util/strvec.h"
#include "util/xalloc.h"

void agent_notify_turn_complete(struct agent *a)
{
    const struct codex_config *cfg = a->p.cfg;
    if (cfg->notify.n == 0)
        return;
    /* Keys in the reference's order. */
    json_t *note = json_pack("{s:s s:s s:s s:s s:s s:o s:s?}", "type", "agent-turn-complete", "thread-id",
                             a->thread_id, "turn-id", a->turn_id, "cwd", cfg->cwd, "client", a->p.originator,
                             "input-messages", a->turn_inputs ? json_incref(a->turn_inputs) : json_array(),
                             "last-assistant-message", a->last_message);
    char *text = json_dumps(note, JSON_COMPACT);
    json_decref(note);
    struct strvec argv = STRVEC_INIT;
    for (size_t i = 0; i < cfg->notify.n; i++)
        strvec_push(&argv, cfg->notify.v[i]);
    strvec_push_owned(&argv, text);
    struct codex_error err = CODEX_ERROR_INIT;
    if (proc_spawn_detached((const char *const *)argv.v, cfg->envp, cfg->cwd, &err) != 0) {
        char *msg = xasprintf("notify: %s", err.message);
        struct agent_event ev = {.kind = AGENT_EV_ERROR, .message = msg};
        agent_emit(a, &ev);
        free(msg);
        codex_error_clear(&err);
    }
    strvec_free(&argv);
}
