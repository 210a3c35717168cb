/* Admin rules from requirements.toml:
 *
 *     [rules]
 *     prefix_rules = [
 *       { pattern = [{ token = "rm" }, { any_of = ["-rf", "-fr"] }],
 *         decision = "forbidden", justification = "..." },
 *     ]
 *
 * They can only make things stricter: `allow` is refused. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"
#include "policy/execpolicy_requirements.h"
#include "util/buf.h"
#include "util/xalloc.h"

static int fail_at(char **err, const char *source, const toml_value *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(char **err, const char *source, const toml_value *at, const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s:%d:%d: ", source, toml_line(at), toml_col(at));
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    *err = buf_detach(&b, NULL);
    return -1;
}

static const char *plain_string(const toml_value *v)
{
    size_t len;
    if (!v || toml_type(v) != TOML_STRING)
        return NULL;
    const char *s = toml_string(v, &len);
    return strlen(s) == len ? s : NULL; /* an argv word never holds NUL */
}

static int add_rule(struct ep_policy *p, const toml_value *rule, size_t idx, const char *source, char **err)
{
    if (toml_type(rule) != TOML_TABLE)
        return fail_at(err, source, rule, "rules.prefix_rules[%zu] must be a table", idx);
    const toml_value *pattern = toml_table_get(rule, "pattern");
    if (!pattern || toml_type(pattern) != TOML_ARRAY || toml_array_len(pattern) == 0)
        return fail_at(err, source, pattern ? pattern : rule,
                       "rules.prefix_rules[%zu].pattern must be a non-empty array of tokens", idx);
    const toml_value *decision = toml_table_get(rule, "decision");
    enum ep_decision d;
    const char *dname = plain_string(decision);
    if (!dname)
        return fail_at(err, source, decision ? decision : rule,
                       "rules.prefix_rules[%zu].decision is required (\"prompt\" or \"forbidden\")", idx);
    if (ep_decision_parse(dname, strlen(dname), &d) < 0)
        return fail_at(err, source, decision, "rules.prefix_rules[%zu].decision \"%s\" is not \"prompt\" or "
                       "\"forbidden\"", idx, dname);
    if (d == EP_ALLOW)
        return fail_at(err, source, decision,
                       "rules.prefix_rules[%zu].decision: requirements may only prompt or forbid, not allow", idx);
    const toml_value *just = toml_table_get(rule, "justification");
    const char *justification = NULL;
    if (just && !(justification = plain_string(just)))
        return fail_at(err, source, just, "rules.prefix_rules[%zu].justification must be a string", idx);

    size_t n = toml_array_len(pattern);
    struct ep_pattern_word *words = xcalloc(n, sizeof *words);
    const char ***alts = xcalloc(n, sizeof *alts);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const toml_value *tok = toml_array_at(pattern, i);
        const toml_value *single = toml_type(tok) == TOML_TABLE ? toml_table_get(tok, "token") : NULL;
        const toml_value *any = toml_type(tok) == TOML_TABLE ? toml_table_get(tok, "any_of") : NULL;
        if (!!single == !!any) {
            rc = fail_at(err, source, tok,
                         "rules.prefix_rules[%zu].pattern[%zu] must be { token = \"...\" } or { any_of = [...] }",
                         idx, i);
            break;
        }
        size_t nalts = single ? 1 : (toml_type(any) == TOML_ARRAY ? toml_array_len(any) : 0);
        if (nalts == 0) {
            rc = fail_at(err, source, any, "rules.prefix_rules[%zu].pattern[%zu].any_of must be a non-empty "
                         "array of strings", idx, i);
            break;
        }
        alts[i] = xcalloc(nalts, sizeof *alts[i]);
        for (size_t j = 0; j < nalts; j++) {
            const toml_value *v = single ? single : toml_array_at(any, j);
            const char *s = plain_string(v);
            if (!s || !*s) {
                rc = fail_at(err, source, v, "rules.prefix_rules[%zu].pattern[%zu] tokens must be non-empty "
                             "strings", idx, i);
                break;
            }
            alts[i][j] = s;
        }
        words[i].alts = alts[i];
        words[i].nalts = nalts;
    }
    if (rc == 0) {
        char *why = NULL;
        if (ep_policy_add_prefix_rule(p, words, n, d, justification, true, &why) < 0) {
            rc = fail_at(err, source, rule, "rules.prefix_rules[%zu]: %s", idx, why);
            free(why);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(alts[i]);
    free(alts);
    free(words);
    return rc;
}

int ep_policy_add_requirements(struct ep_policy *p, const toml_value *root, const char *source, char **err)
{
    const toml_value *rules = toml_table_get(root, "rules");
    if (!rules)
        return 0;
    if (toml_type(rules) != TOML_TABLE)
        return fail_at(err, source, rules, "[rules] must be a table");
    const toml_value *list = toml_table_get(rules, "prefix_rules");
    if (!list)
        return 0;
    if (toml_type(list) != TOML_ARRAY || toml_array_len(list) == 0)
        return fail_at(err, source, list, "rules.prefix_rules must be a non-empty array of tables");
    for (size_t i = 0; i < toml_array_len(list); i++)
        if (add_rule(p, toml_array_at(list, i), i, source, err) < 0)
            return -1;
    return 0;
}
