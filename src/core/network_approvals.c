/* Network questions: the session's proxy holds a connection to a host no
 * rule covers and asks; we put the question through the approvals layer
 * (so the user, the app server's client or the auto-reviewer answers it,
 * as for a command) and hand the answer back to the proxy.
 *
 * A question is about one destination (host, protocol, port), as the
 * reference asks it: "network-access https://HOST:443", reason "HOST is
 * not in the allowed_domains".  "For the session" and "always" are kept by
 * the proxy itself (netproxy/session.c writes the network_rule of
 * "always" to $CODEX_HOME/rules/default.rules). */
#include "core/agent_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netproxy/session.h"
#include "util/xalloc.h"

struct network_question {
    struct agent *a;
    struct netproxy_session *proxy;
    uint64_t id;
    uint64_t attachment;
    struct tool_ask *ask;
    char *host;
    bool withdrawn; /* the proxy no longer waits: answer nobody */
    struct network_question *next;
};

/* The reference's HostApprovalKey labels (approval ids, targets). */
static const char *key_label(enum netproxy_protocol p)
{
    switch (p) {
    case NETPROXY_HTTP: return "http";
    case NETPROXY_HTTPS_CONNECT: return "https";
    case NETPROXY_SOCKS5_TCP: return "socks5-tcp";
    case NETPROXY_SOCKS5_UDP: return "socks5-udp";
    }
    return "http";
}

bool agent_network_may_ask(const struct agent *a)
{
    const struct codex_config *cfg = a->p.cfg;
    switch (cfg->approval_policy) {
    case APPROVAL_NEVER:
        return false;
    case APPROVAL_GRANULAR:
        return cfg->granular.sandbox_approval;
    default:
        return true;
    }
}

static void unlink_question(struct agent *a, struct network_question *q)
{
    for (struct network_question **pp = &a->network_questions; *pp; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            return;
        }
}

/* What the model is told when the user (or the reviewer) made a rule of
 * it, as the reference records it. */
static void note_rule_saved(struct agent *a, const char *host, bool allow)
{
    char *text = xasprintf("%s network rule saved in execpolicy (%s): %s", allow ? "Allowed" : "Denied",
                           allow ? "allowlist" : "denylist", host);
    json_t *msg = json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "message", "role", "developer", "content", "type",
                            "input_text", "text", text);
    free(text);
    if (!a->done) {
        agent_record_item(a, msg);
    } else {
        if (!a->pending_notes)
            a->pending_notes = json_array();
        json_array_append(a->pending_notes, msg);
    }
    json_decref(msg);
}

static void on_answer(void *ud, enum review_decision d)
{
    struct network_question *q = ud;
    struct agent *a = q->a;
    unlink_question(a, q);
    if (!q->withdrawn) {
        enum netproxy_answer answer = NETPROXY_DENY;
        const char *reason = NULL;
        switch (d) {
        case REVIEW_APPROVED: answer = NETPROXY_ALLOW_ONCE; break;
        case REVIEW_APPROVED_FOR_SESSION: answer = NETPROXY_ALLOW_SESSION; break;
        case REVIEW_APPROVED_ALWAYS: answer = NETPROXY_ALLOW_ALWAYS; break;
        case REVIEW_DENIED_ALWAYS: answer = NETPROXY_DENY_ALWAYS; break;
        case REVIEW_DENIED:
            if (approvals_denial_note(a->approvals)) {
                reason = "Declined by the automatic approval reviewer.";
                /* The model hears the reviewer's rationale, as for a command. */
                if (!a->network_denials)
                    a->network_denials = json_object();
                char key[32];
                snprintf(key, sizeof key, "%llu", (unsigned long long)q->attachment);
                json_object_set_new(a->network_denials, key, json_string(approvals_denial_note(a->approvals)));
            }
            break;
        case REVIEW_ABORT:
            break;
        }
        struct codex_error err = CODEX_ERROR_INIT;
        if (netproxy_session_answer(q->proxy, q->id, answer, reason, &err) != 0) {
            /* The answer holds for this session; only the rule is lost. */
            char *m = xasprintf("could not save the network rule for %s: %s", q->host, err.message);
            struct agent_event ev = {.kind = AGENT_EV_WARNING, .message = m};
            agent_emit(a, &ev);
            free(m);
        } else if (answer == NETPROXY_ALLOW_ALWAYS || answer == NETPROXY_DENY_ALWAYS) {
            note_rule_saved(a, q->host, answer == NETPROXY_ALLOW_ALWAYS);
        }
        codex_error_clear(&err);
    }
    free(q->host);
    free(q);
}

static void hook_ask(void *ud, struct netproxy_session *s, const struct netproxy_question *nq)
{
    struct agent *a = ud;
    if (!a->done) {
        /* A command left running after its turn: nobody is in a position
         * to answer, so, as the reference, no. */
        netproxy_session_answer(s, nq->id, NETPROXY_DENY, NULL, NULL);
        return;
    }
    const char *label = key_label(nq->protocol);
    char *target = xasprintf("%s://%s:%u", label, nq->host, (unsigned)nq->port);
    char *id = xasprintf("network#%s#%s#%u", label, nq->host, (unsigned)nq->port);
    char *command = xasprintf("network-access %s", target);
    char *reason = xasprintf("%s is not in the allowed_domains", nq->host);
    const char *argv[] = {"network-access", target};
    struct approval_request req = {
        .kind = APPROVAL_KIND_NETWORK,
        .call_id = id,
        .command = command,
        .argv = argv,
        .argc = 2,
        .cwd = a->p.cfg->cwd,
        .reason = reason,
        .network_host = nq->host,
        .network_protocol = netproxy_protocol_approval_name(nq->protocol),
        .network_port = nq->port,
    };
    struct network_question *q = xcalloc(1, sizeof *q);
    q->a = a;
    q->proxy = s;
    q->id = nq->id;
    q->attachment = nq->attachment;
    q->host = xstrdup(nq->host);
    q->next = a->network_questions;
    a->network_questions = q;
    /* The answer never runs before approvals_ask returns. */
    q->ask = approvals_ask(a->approvals, &req, on_answer, q);
    free(target);
    free(id);
    free(command);
    free(reason);
}

static void hook_withdrawn(void *ud, struct netproxy_session *s, uint64_t question)
{
    struct agent *a = ud;
    for (struct network_question *q = a->network_questions; q; q = q->next)
        if (q->proxy == s && q->id == question) {
            q->withdrawn = true;
            approvals_ask_cancel(a->approvals, q->ask); /* runs on_answer, which frees q */
            return;
        }
}

const char *agent_network_denial(const struct agent *a, uint64_t attachment)
{
    char key[32];
    snprintf(key, sizeof key, "%llu", (unsigned long long)attachment);
    return json_string_value(json_object_get(a->network_denials, key));
}

static const struct netproxy_session_hooks hooks_template = {
    .ask = hook_ask,
    .withdrawn = hook_withdrawn,
};

void agent_network_hooks(struct agent *a, struct netproxy_session_hooks *out)
{
    *out = hooks_template;
    out->ud = a;
}
