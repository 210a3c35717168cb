/* From matched rules to the agent's action, with the messages the user and
 * the model see. */
#include <stdlib.h>
#include <string.h>

#include "policy/execpolicy_internal.h"
#include "util/xalloc.h"

/* The forbidding match with the longest prefix explains best. */
static const struct ep_match *most_specific(const struct ep_evaluation *ev, enum ep_decision d)
{
    const struct ep_match *best = NULL;
    for (size_t i = 0; i < ev->n; i++)
        if (ev->matches[i].decision == d && (!best || ev->matches[i].nprefix > best->nprefix))
            best = &ev->matches[i];
    return best;
}

static const struct ep_match *first_justified(const struct ep_evaluation *ev, enum ep_decision d)
{
    for (size_t i = 0; i < ev->n; i++)
        if (ev->matches[i].decision == d && ev->matches[i].justification)
            return &ev->matches[i];
    return NULL;
}

void ep_verdict_for(const struct ep_evaluation *ev, const char *const *argv, size_t argc, bool can_prompt,
                    bool rules_can_prompt, struct ep_verdict *out)
{
    out->reason = NULL;
    /* Allow rules vouch only for the commands they matched: if any part of
     * the command went unmatched (or was opaque), the whole of it falls to
     * the approval policy, while prompt and forbidden always apply. */
    if (ev->n == 0 || (ev->decision == EP_ALLOW && ev->uncovered > 0)) {
        out->outcome = EP_OUTCOME_UNMATCHED;
        return;
    }
    char *cmd = ep_shlex_join(argv, argc);
    switch (ev->decision) {
    case EP_ALLOW:
        out->outcome = EP_OUTCOME_RUN;
        break;
    case EP_FORBIDDEN: {
        out->outcome = EP_OUTCOME_REJECT;
        const struct ep_match *m = first_justified(ev, EP_FORBIDDEN);
        if (m) {
            out->reason = xasprintf("`%s` rejected: %.*s", cmd, (int)m->justification_len, m->justification);
        } else {
            m = most_specific(ev, EP_FORBIDDEN);
            char *prefix = ep_shlex_join((const char *const *)m->prefix, m->nprefix);
            out->reason = xasprintf("`%s` rejected: rules forbid commands starting with `%s`", cmd, prefix);
            free(prefix);
        }
        break;
    }
    case EP_PROMPT:
        if (!can_prompt) {
            out->outcome = EP_OUTCOME_REJECT;
            out->reason = xasprintf("`%s` rejected: a rule requires approval, but the approval policy is `never`",
                                    cmd);
        } else if (!rules_can_prompt) {
            out->outcome = EP_OUTCOME_REJECT;
            out->reason = xasprintf("`%s` rejected: a rule requires approval, but approvals for rules are "
                                    "turned off (granular rules = false)",
                                    cmd);
        } else {
            out->outcome = EP_OUTCOME_ASK;
            const struct ep_match *m = first_justified(ev, EP_PROMPT);
            out->reason = m ? xasprintf("%.*s", (int)m->justification_len, m->justification)
                            : xasprintf("a rule requires approval for `%s`", cmd);
        }
        break;
    }
    free(cmd);
}

static bool listed(const char *program, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(program, list[i]) == 0)
            return true;
    return false;
}

bool ep_prefix_suggestion_ok(const char *const *prefix, size_t n)
{
    /* Interpreters and multi-tools: fine with a real subcommand or script
     * (git status, python3 build.py), not alone or with only a flag
     * (python3 -c, bash -lc), which would allow arbitrary code. */
    static const char *const interpreters[] = {
        "python", "python3", "py", "pythonw", "pyw", "pypy", "pypy3", "git", "bash", "sh", "zsh", "dash",
        "fish", "ksh", "pwsh", "powershell", "powershell.exe", "node", "deno", "bun", "perl", "ruby", "php",
        "lua", "osascript",
    };
    /* Wrappers whose remaining words are themselves a command: no prefix
     * of theirs is safe to allow wholesale. */
    static const char *const wrappers[] = {
        "env", "sudo", "doas", "su", "xargs", "exec", "eval", "nohup", "timeout", "nice", "watch",
        "busybox", "command", "time", "chroot", "setsid", "stdbuf", "ionice", "taskset", "runuser",
    };
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!prefix[i] || !*prefix[i])
            return false;
    const char *slash = strrchr(prefix[0], '/');
    const char *program = slash ? slash + 1 : prefix[0];
    if (listed(program, wrappers, sizeof wrappers / sizeof wrappers[0]))
        return false;
    if (!listed(program, interpreters, sizeof interpreters / sizeof interpreters[0]))
        return true;
    return n >= 2 && !(n == 2 && prefix[1][0] == '-');
}
