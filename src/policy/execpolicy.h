/* Rules (execpolicy): which commands the agent may run without asking, must
 * ask about, or must refuse.
 *
 * Rules files use a small subset of Starlark, the same files the reference
 * reads:
 *
 *     prefix_rule(pattern = ["git", ["status", "log"]], decision = "allow",
 *                 justification = "read-only", match = ["git status"],
 *                 not_match = ["git push"])
 *     host_executable(name = "git", paths = ["/usr/bin/git"])
 *
 * A command matches a prefix rule when its first words equal the pattern
 * (a list element offers alternatives).  Every matching rule is reported;
 * the strictest decision wins (forbidden > prompt > allow).  Anything beyond
 * literal calls of the supported functions is refused with a file:line:col
 * error instead of being ignored, so a rules file never silently means less
 * than its author wrote. */
#ifndef CODEX_POLICY_EXECPOLICY_H
#define CODEX_POLICY_EXECPOLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strvec.h"

enum ep_decision { EP_ALLOW = 0, EP_PROMPT = 1, EP_FORBIDDEN = 2 };

const char *ep_decision_name(enum ep_decision d);
/* Returns 0 and sets *out, or -1 if s is not allow/prompt/forbidden. */
int ep_decision_parse(const char *s, size_t len, enum ep_decision *out);

struct ep_policy;

struct ep_policy *ep_policy_new(void);
void ep_policy_free(struct ep_policy *p);
/* What "~" means in program paths ($HOME, passed down; NULL: no "~"). */
void ep_policy_set_home(struct ep_policy *p, const char *home);

/* Add the rules in one file's text.  identifier names the file in errors.
 * Returns 0, or -1 with *err set to "identifier:line:col: what" (caller
 * frees).  After an error the policy may hold part of the file: callers treat
 * a failed load as fatal and discard it. */
int ep_policy_parse(struct ep_policy *p, const char *identifier, const char *text, size_t len,
                    char **err);

/* Read and parse one file.  Errors: "failed to read policy at PATH: why" or
 * the parse error above. */
int ep_policy_load_file(struct ep_policy *p, const char *path, char **err);

/* One element of a prefix pattern: the word must equal one of alts. */
struct ep_pattern_word {
    const char *const *alts;
    size_t nalts;
};

/* Add a prefix rule given as data (requirements.toml [rules] prefix_rules).
 * With admin set, `allow` is refused: admin rules may only restrict.
 * justification may be NULL.  Returns 0 or -1 with *err set. */
int ep_policy_add_prefix_rule(struct ep_policy *p, const struct ep_pattern_word *words, size_t nwords,
                              enum ep_decision decision, const char *justification, bool admin,
                              char **err);

size_t ep_policy_rule_count(const struct ep_policy *p);

/* A rule that matched a command. */
struct ep_match {
    char **prefix; /* the command words the pattern covered (owned) */
    size_t nprefix;
    enum ep_decision decision;
    const char *justification; /* borrowed from the policy, or NULL */
    size_t justification_len;  /* may contain NULs written as \0 in the file */
    char *resolved_program;    /* absolute path when matched through basename resolution */
};

struct ep_evaluation {
    struct ep_match *matches;
    size_t n, cap;
    enum ep_decision decision; /* strictest of matches; meaningless when n == 0 */
    /* Set by ep_check_command when a shell script could not be split into
     * simple commands: allow matches for it were dropped because no allow
     * rule can vouch for what such a script runs. */
    bool opaque;
    /* Simple commands (counted by ep_check_command) that no rule matched,
     * opaque scripts included.  An allow decision covers the whole command
     * only when this is 0. */
    size_t uncovered;
};

void ep_evaluation_free(struct ep_evaluation *e);

/* Match one argv against the policy, appending to out (decision updated).
 * With resolve_host_executables, a command whose program is a path and that
 * no rule names literally is matched by the program's basename, provided any
 * host_executable() declaration for that basename lists the path. */
void ep_policy_match(const struct ep_policy *p, const char *const *argv, size_t argc,
                     bool resolve_host_executables, struct ep_evaluation *out);

/* What the agent calls before running a command.  A `bash|zsh|sh -c|-lc
 * SCRIPT` wrapper is unwrapped (also when nested) and every simple command in
 * SCRIPT is checked; a script the splitter cannot prove simple is checked as
 * the whole argv with allow matches discarded (out->opaque).  Use
 * ep_verdict_for to act on the result. */
void ep_check_command(const struct ep_policy *p, const char *const *argv, size_t argc,
                      bool resolve_host_executables, struct ep_evaluation *out);

/* The JSON `codex execpolicy check` prints, without a trailing newline.
 * Caller frees. */
char *ep_evaluation_json(const struct ep_evaluation *e, bool pretty);

/* network_rule(host=..., protocol=..., decision=...): what the managed
 * network proxy does for an exact host.  The host is stored normalized
 * (lower case, no trailing dot, no brackets or port); the protocol as
 * "http", "https", "socks5_tcp" or "socks5_udp". */
enum ep_network_decision { EP_NET_ALLOW, EP_NET_PROMPT, EP_NET_DENY };
struct ep_network_rule {
    char *host;
    char *protocol;
    enum ep_network_decision decision;
};
/* The policy's network rules in file order; *out is borrowed. */
size_t ep_policy_network_rules(const struct ep_policy *p, const struct ep_network_rule **out);

/* Append network_rule(host=HOST, protocol=PROTOCOL, decision="allow"|"deny",
 * justification="Allow PROTOCOL access to HOST") to
 * CODEX_HOME/rules/default.rules unless that line is there already (the
 * answer "always" to a network question).  Same durability as
 * execpolicy_append_rule.  Returns 0 or -1 with *err set. */
int execpolicy_append_network_rule(const char *codex_home, const char *host, const char *protocol, bool allow,
                                   char **err);

/* Loading for the agent, at startup:
 *   1. ep_rules_dirs() lists CODEX_HOME/rules and the trusted project's
 *      .codex/rules directories; ep_policy_load_dirs() parses them (with
 *      --ignore-rules, skip both and start from an empty policy);
 *   2. ep_policy_add_requirements() (execpolicy_requirements.h) adds the
 *      admin rules of requirements.toml, which only restrict.
 * Any failure is a startup error whose message names the file. */

/* Parse every regular *.rules file in each directory (sorted by name within a
 * directory, directories in the order given: lowest precedence first).
 * Missing directories are skipped.  Returns 0 or -1 with *err naming the file. */
int ep_policy_load_dirs(struct ep_policy *p, const char *const *dirs, size_t ndirs, char **err);

/* The directories the agent reads, lowest precedence first:
 * CODEX_HOME/rules, then DIR/.codex/rules for every directory from
 * project_root down to cwd (only when the project is trusted; pass
 * project_root NULL otherwise).  cwd must be project_root or below it. */
void ep_rules_dirs(const char *codex_home, const char *project_root, const char *cwd,
                   struct strvec *out);

/* Append `prefix_rule(pattern=[...], decision="allow")` to
 * CODEX_HOME/rules/default.rules (created if needed), unless that exact line
 * is already there.  Append-only under an advisory lock, then fsync.
 * Returns 0 or -1 with *err set. */
int execpolicy_append_rule(const char *codex_home, const char *const *prefix, size_t n, char **err);

/* Turning an evaluation into what the agent does. */

enum ep_outcome {
    EP_OUTCOME_UNMATCHED, /* no rule decided the whole command: apply the approval policy */
    EP_OUTCOME_RUN,       /* allowed by rule: run without asking, still sandboxed */
    EP_OUTCOME_ASK,       /* ask the user */
    EP_OUTCOME_REJECT,    /* refuse without asking */
};

struct ep_verdict {
    enum ep_outcome outcome;
    char *reason; /* for ASK and REJECT (caller frees), else NULL */
};

/* can_prompt is false under approval policy `never`; rules_can_prompt is
 * false when granular approval has `rules = false`.  A prompt rule then
 * rejects instead of asking.  argv is the command as proposed (for
 * messages). */
void ep_verdict_for(const struct ep_evaluation *ev, const char *const *argv, size_t argc, bool can_prompt,
                    bool rules_can_prompt, struct ep_verdict *out);

/* May the user be offered "always allow commands starting with PREFIX"?
 * False for empty prefixes and for interpreters, shells and wrappers
 * (python, bash -lc, env, sudo, ...) whose prefix would allow anything. */
bool ep_prefix_suggestion_ok(const char *const *prefix, size_t n);
/* Quote words for a message: plain words as-is, others single-quoted. */
char *ep_shlex_join(const char *const *words, size_t n);

#endif
