/* Shared between the execpolicy parser, matcher and loader; not for other
 * modules (they use execpolicy.h). */
#ifndef CODEX_POLICY_EXECPOLICY_INTERNAL_H
#define CODEX_POLICY_EXECPOLICY_INTERNAL_H

#include "policy/execpolicy.h"
#include "util/buf.h"

/* Alternatives for one command word.  Strings carry their length; none
 * holds NUL (such alternatives could never match and are left out). */
struct ep_word {
    char **alts;
    size_t *lens;
    size_t nalts;
};

struct ep_rule {
    char *program;
    size_t program_len;
    bool program_has_nul; /* written with \0: can never match */
    struct ep_word *rest;
    size_t nrest;
    enum ep_decision decision;
    char *justification; /* NULL when absent */
    size_t justification_len;
};

struct ep_rule_list {
    const char *key; /* borrowed from the first rule's program */
    size_t key_len;
    struct ep_rule **rules; /* insertion order */
    size_t n, cap;
};

struct ep_host_exec {
    char *name;
    char **paths; /* normalized absolute paths */
    size_t npaths;
};

struct ep_policy {
    struct ep_rule **rules; /* owner, insertion order */
    size_t nrules, rules_cap;
    struct ep_rule_list *buckets; /* open addressing by program */
    size_t nbuckets, nused;
    struct ep_host_exec *hosts;
    size_t nhosts, hosts_cap;
    struct ep_network_rule *network_rules; /* enforced by the network proxy */
    size_t nnetwork_rules;
    char *home;            /* what "~" means in paths, or NULL */
};

void ep_rule_free(struct ep_rule *r);
/* Takes ownership of r. */
void ep_policy_add_rule(struct ep_policy *p, struct ep_rule *r);
const struct ep_rule_list *ep_policy_rules_for(const struct ep_policy *p, const char *name, size_t len);
/* Replaces an earlier declaration of the same name (takes ownership). */
void ep_policy_set_host(struct ep_policy *p, char *name, char **paths, size_t npaths);
const struct ep_host_exec *ep_policy_host(const struct ep_policy *p, const char *name);

/* Does rule r cover the command program + args? */
bool ep_rule_matches(const struct ep_rule *r, const char *program, const char *const *args, size_t nargs);

/* The last path component the way the reference computes it (trailing
 * slashes and "." components ignored); NULL for "/", "..", "" (caller frees). */
char *ep_path_basename(const char *path);
/* Absolute, lexically normalized form: "~/" expands to $HOME, relative paths
 * join the current directory.  NULL if that is impossible (caller frees). */
char *ep_path_absolutize(const char *path, const char *home);

/* Split an example string into words the way POSIX shells quote (shlex).
 * Returns 0 or -1 on unbalanced quotes or a trailing backslash. */
int ep_shlex_split(const char *s, size_t len, struct strvec *out);


void ep_json_string(struct buf *b, const char *s, size_t len);

#endif
