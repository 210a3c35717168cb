/* requirements.toml: limits an administrator puts on the effective config.
 *
 * A value the user chose explicitly (in any layer or by flag) that the
 * requirements forbid stops start-up with a clear error naming both.  A value
 * that only came from the built-in defaults falls back to the first allowed
 * one instead: the user did not ask for it, so refusing to start would help
 * nobody.  [features] pins replace the flag's value; an explicit conflicting
 * setting is an error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_internal.h"
#include "config/config_keys.h"
#include "config/features.h"
#include "util/domain.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct req_ctx {
    struct codex_config *cfg;
    const toml_value *req;
    const char *path;
    char *err;
    size_t errlen;
};

static void where(const struct req_ctx *c, const toml_value *v, char *out, size_t len)
{
    struct layer_source src = {c->path, true, false};
    config_where(&src, v, out, len);
}

/* The allowed list under key, or NULL when the requirement is absent.
 * Returns -1 with err set when it is not an array of strings. */
static int allowed_list(struct req_ctx *c, const char *key, const toml_value **out)
{
    const toml_value *v = toml_table_get(c->req, key);
    *out = NULL;
    if (!v)
        return 0;
    bool ok = toml_type(v) == TOML_ARRAY;
    for (size_t i = 0; ok && i < toml_array_len(v); i++)
        ok = toml_type(toml_array_at(v, i)) == TOML_STRING;
    if (!ok) {
        char w[1200];
        where(c, v, w, sizeof w);
        snprintf(c->err, c->errlen, "%s: `%s` must be an array of strings", w, key);
        return -1;
    }
    *out = v;
    return 0;
}

static bool list_has(const toml_value *list, const char *s)
{
    for (size_t i = 0; i < toml_array_len(list); i++)
        if (strcmp(toml_string(toml_array_at(list, i), NULL), s) == 0)
            return true;
    return false;
}

static void list_text(const toml_value *list, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; i < toml_array_len(list); i++) {
        if (i)
            strncat(out, ", ", len - strlen(out) - 1);
        strncat(out, toml_string(toml_array_at(list, i), NULL), len - strlen(out) - 1);
    }
    if (!out[0])
        snprintf(out, len, "(none)");
}

static int violation(struct req_ctx *c, const char *key, const char *value, const toml_value *list)
{
    char w[1200], allowed[512];
    where(c, list, w, sizeof w);
    list_text(list, allowed, sizeof allowed);
    snprintf(c->err, c->errlen, "%s = \"%s\" is not allowed by %s (%s: %s); choose an allowed value",
             key, value, w, key, allowed);
    return -1;
}

static int check_sandbox(struct req_ctx *c)
{
    const toml_value *list;
    if (allowed_list(c, "allowed_sandbox_modes", &list) < 0 || !list)
        return list ? -1 : 0;
    const char *cur = sandbox_mode_name(c->cfg->sandbox_mode);
    if (list_has(list, cur))
        return 0;
    if (toml_table_get(c->cfg->root, "default_permissions")) {
        /* A chosen profile is not silently swapped for another. */
        char w[1200], allowed[512];
        where(c, list, w, sizeof w);
        list_text(list, allowed, sizeof allowed);
        snprintf(c->err, c->errlen,
                 "permission profile `%s` amounts to sandbox mode %s, which %s does not allow (allowed_sandbox_modes: "
                 "%s); choose another default_permissions",
                 c->cfg->permissions ? c->cfg->permissions->name : "?", cur, w, allowed);
        return -1;
    }
    if (toml_table_get(c->cfg->root, "sandbox_mode"))
        return violation(c, "sandbox_mode", cur, list);
    static const enum sandbox_mode order[] = {SANDBOX_READ_ONLY, SANDBOX_WORKSPACE_WRITE,
                                              SANDBOX_DANGER_FULL_ACCESS};
    for (size_t i = 0; i < 3; i++)
        if (list_has(list, sandbox_mode_name(order[i]))) {
            c->cfg->sandbox_mode = order[i];
            return 0;
        }
    return violation(c, "sandbox_mode", cur, list);
}

static int check_approval(struct req_ctx *c)
{
    const toml_value *list;
    if (allowed_list(c, "allowed_approval_policies", &list) < 0 || !list)
        return list ? -1 : 0;
    const char *cur = approval_policy_name(c->cfg->approval_policy);
    if (list_has(list, cur))
        return 0;
    if (toml_table_get(c->cfg->root, "approval_policy"))
        return violation(c, "approval_policy", cur, list);
    /* Most careful first. */
    static const enum approval_policy order[] = {APPROVAL_UNTRUSTED, APPROVAL_ON_REQUEST,
                                                 APPROVAL_ON_FAILURE, APPROVAL_NEVER};
    for (size_t i = 0; i < 4; i++)
        if (list_has(list, approval_policy_name(order[i]))) {
            c->cfg->approval_policy = order[i];
            return 0;
        }
    return violation(c, "approval_policy", cur, list);
}

/* allowed_approvals_reviewers: "user", "auto_review" (its legacy name
 * "guardian_subagent" counts as the same). */
static int check_reviewer(struct req_ctx *c)
{
    const toml_value *list;
    if (allowed_list(c, "allowed_approvals_reviewers", &list) < 0 || !list)
        return list ? -1 : 0;
    bool auto_ok = list_has(list, "auto_review") || list_has(list, "guardian_subagent");
    bool user_ok = list_has(list, "user");
    if (c->cfg->auto_review ? auto_ok : user_ok)
        return 0;
    const toml_value *set = toml_table_get(c->cfg->root, "approvals_reviewer");
    if (set || !auto_ok)
        return violation(c, "approvals_reviewer", c->cfg->auto_review ? "auto_review" : "user",
                         toml_table_get(c->req, "allowed_approvals_reviewers"));
    c->cfg->auto_review = true; /* the default, user, is not allowed */
    return 0;
}

static int check_web_search(struct req_ctx *c)
{
    const toml_value *list;
    if (allowed_list(c, "allowed_web_search_modes", &list) < 0 || !list)
        return list ? -1 : 0;
    /* "disabled" is always allowed; an empty list allows only it. */
    const char *cur = c->cfg->web_search;
    if (strcmp(cur, "disabled") == 0 || list_has(list, cur))
        return 0;
    if (toml_table_get(c->cfg->root, "web_search"))
        return violation(c, "web_search", cur, list);
    const char *fallback = list_has(list, "cached") ? "cached" : "disabled";
    free(c->cfg->web_search);
    c->cfg->web_search = xstrdup(fallback);
    return 0;
}

static int check_feature_pins(struct req_ctx *c)
{
    const toml_value *pins = toml_table_get(c->req, "features");
    if (!pins)
        return 0;
    char w[1200];
    if (toml_type(pins) != TOML_TABLE) {
        where(c, pins, w, sizeof w);
        snprintf(c->err, c->errlen, "%s: `features` must be a table of booleans", w);
        return -1;
    }
    toml_value *canonical = toml_new_table();
    c->cfg->feature_pins = canonical;
    for (size_t i = 0; i < toml_table_len(pins); i++) {
        const char *name = toml_table_key_at(pins, i);
        const toml_value *pin = toml_table_value_at(pins, i);
        const struct feature_info *f = feature_lookup(name);
        where(c, pin, w, sizeof w);
        if (toml_type(pin) != TOML_BOOLEAN) {
            snprintf(c->err, c->errlen, "%s: features.%s must be a boolean", w, name);
            return -1;
        }
        if (!f) {
            fprintf(stderr, "warning: %s: unknown feature `%s` pinned (ignored)\n", w, name);
            continue;
        }
        /* Only an explicit setting can conflict; defaults just follow. */
        const toml_value *features = toml_table_get(c->cfg->root, "features");
        bool explicit = false;
        for (size_t j = 0; features && toml_type(features) == TOML_TABLE && j < toml_table_len(features); j++)
            if (feature_lookup(toml_table_key_at(features, j)) == f)
                explicit = true;
        if (explicit && !f->fixed && feature_effective(f, c->cfg->root) != toml_bool(pin)) {
            snprintf(c->err, c->errlen,
                     "feature `%s` is pinned to %s by %s; remove it from [features] and --%s",
                     f->name, toml_bool(pin) ? "true" : "false", w, toml_bool(pin) ? "disable" : "enable");
            return -1;
        }
        toml_table_set(canonical, f->name, toml_new_bool(toml_bool(pin)));
    }
    return 0;
}

bool config_sandbox_mode_allowed(const struct codex_config *cfg, enum sandbox_mode m)
{
    const toml_value *list = cfg->allowed_sandbox_modes;
    if (!list)
        return true;
    for (size_t i = 0; i < toml_array_len(list); i++) {
        const char *s = toml_string(toml_array_at(list, i), NULL);
        if (s && strcmp(s, sandbox_mode_name(m)) == 0)
            return true;
    }
    return false;
}

int config_apply_requirements(struct codex_config *cfg, char *err, size_t errlen)
{
    const char *path = config_requirements_path(cfg->envp);
    /* Requirements are not config: their keys are not checked against the
     * config table; only the ones enforced here are read. */
    toml_value *req = NULL;
    int found = config_read_toml_file(path, 1u << 20, &req, err, errlen);
    if (found <= 0)
        return found;
    struct req_ctx c = {cfg, req, path, err, errlen};
    int r = 0;
    const toml_value *modes = toml_table_get(req, "allowed_sandbox_modes");
    if (modes && toml_type(modes) == TOML_ARRAY)
        cfg->allowed_sandbox_modes = toml_clone(modes);
    /* Feature pins first: whether profiles go through the proxy depends on
     * the network_proxy flag. */
    if (check_feature_pins(&c) < 0)
        r = -1;
    if (r == 0 && cfg->permissions)
        cfg->permissions->network_proxy = config_feature_enabled(cfg, "network_proxy");
    if (r == 0 && (check_sandbox(&c) < 0 || check_approval(&c) < 0 || check_reviewer(&c) < 0 ||
                   check_web_search(&c) < 0))
        r = -1;
    /* The administrator's reviewer policy replaces the user's and ours. */
    const toml_value *policy = toml_table_get(req, "guardian_policy_config");
    if (r == 0 && policy) {
        if (toml_type(policy) != TOML_STRING) {
            char w[1200];
            where(&c, policy, w, sizeof w);
            snprintf(err, errlen, "%s: `guardian_policy_config` must be a string", w);
            r = -1;
        } else if (toml_string(policy, NULL)[strspn(toml_string(policy, NULL), " \t\r\n")]) {
            free(cfg->auto_review_policy);
            cfg->auto_review_policy = xstrdup(toml_string(policy, NULL));
        }
    }
    const toml_value *net = toml_table_get(req, "network");
    if (r == 0 && net) {
        if (toml_type(net) != TOML_TABLE) {
            char w[1200];
            where(&c, net, w, sizeof w);
            snprintf(err, errlen, "%s: `network` must be a table", w);
            r = -1;
        } else {
            cfg->network_requirements = toml_clone(net);
            cfg->requirements_path = xstrdup(path);
            r = config_apply_network_requirements(cfg, err, errlen);
        }
    }
    toml_free(req);
    return r;
}

/* ---- [network] ------------------------------------------------------------ */

static const char *const net_req_keys[] = {
    "enabled", "http_port", "socks_port", "allow_upstream_proxy", "dangerously_allow_non_loopback_proxy",
    "dangerously_allow_non_loopback_admin", "dangerously_allow_all_unix_sockets", "allowed_domains",
    "denied_domains", "domains", "managed_allowed_domains_only", "allow_unix_sockets", "unix_sockets",
    "allow_local_binding", NULL,
};

struct net_req {
    struct codex_config *cfg;
    const toml_value *net;
    char *err;
    size_t errlen;
};

static void net_where(const struct net_req *n, const toml_value *v, char *out, size_t len)
{
    struct layer_source src = {n->cfg->requirements_path, true, false};
    config_where(&src, v, out, len);
}

static int net_fail(struct net_req *n, const toml_value *v, const char *fmt, const char *a, const char *b)
{
    char w[1200], what[900];
    net_where(n, v, w, sizeof w);
    snprintf(what, sizeof what, fmt, a, b ? b : "");
    snprintf(n->err, n->errlen, "%s (%s)", what, w);
    return -1;
}

/* A boolean requirement that, when false, forbids the profile's true. */
static int forbid_true(struct net_req *n, const char *key, bool value)
{
    const toml_value *v = toml_table_get(n->net, key);
    if (!v)
        return 0;
    if (toml_type(v) != TOML_BOOLEAN)
        return net_fail(n, v, "requirements: network.%s must be a boolean%s", key, NULL);
    if (!toml_bool(v) && value)
        return net_fail(n, v,
                        "permission profile `%s` sets %s = true, which requirements.toml forbids; remove it",
                        n->cfg->permissions->name, key);
    return 0;
}

/* Entries of an array key and of the "domains"/"unix_sockets" table with
 * the given value. */
static int gather(struct net_req *n, const char *list_key, const char *table_key, const char *value,
                  struct strvec *out)
{
    const toml_value *a = toml_table_get(n->net, list_key);
    if (a) {
        if (toml_type(a) != TOML_ARRAY)
            return net_fail(n, a, "requirements: network.%s must be an array of strings%s", list_key, NULL);
        for (size_t i = 0; i < toml_array_len(a); i++) {
            const toml_value *e = toml_array_at(a, i);
            if (toml_type(e) != TOML_STRING)
                return net_fail(n, e, "requirements: network.%s must be an array of strings%s", list_key, NULL);
            strvec_push(out, toml_string(e, NULL));
        }
    }
    const toml_value *t = table_key ? toml_table_get(n->net, table_key) : NULL;
    for (size_t i = 0; t && toml_type(t) == TOML_TABLE && i < toml_table_len(t); i++) {
        const toml_value *e = toml_table_value_at(t, i);
        if (toml_type(e) == TOML_STRING && strcmp(toml_string(e, NULL), value) == 0)
            strvec_push(out, toml_table_key_at(t, i));
    }
    return 0;
}

/* Patterns of a list, presets expanded (each preset domain as **.d). */
static void expand(const struct strvec *in, struct strvec *out)
{
    for (size_t i = 0; i < in->n; i++) {
        const char *const *preset = domain_preset(in->v[i]);
        if (!preset) {
            strvec_push(out, in->v[i]);
            continue;
        }
        for (; *preset; preset++)
            strvec_push_owned(out, xasprintf("**.%s", *preset));
    }
}

static bool covered(const struct strvec *managed, const char *entry)
{
    struct domain_pattern inner;
    struct codex_error e = CODEX_ERROR_INIT;
    if (domain_pattern_parse(entry, &inner, &e) != 0) {
        codex_error_clear(&e);
        return false;
    }
    bool ok = false;
    for (size_t i = 0; i < managed->n && !ok; i++) {
        struct domain_pattern outer;
        if (domain_pattern_parse(managed->v[i], &outer, &e) != 0) {
            codex_error_clear(&e);
            continue;
        }
        ok = domain_pattern_covers(&outer, &inner);
        domain_pattern_free(&outer);
    }
    domain_pattern_free(&inner);
    return ok;
}

static int fixed_port(struct net_req *n, const char *key, char **url)
{
    const toml_value *v = toml_table_get(n->net, key);
    if (!v)
        return 0;
    if (toml_type(v) != TOML_INTEGER || toml_integer(v) < 1 || toml_integer(v) > 65535)
        return net_fail(n, v, "requirements: network.%s must be a port number (1-65535)%s", key, NULL);
    char *want = xasprintf("http://127.0.0.1:%lld", (long long)toml_integer(v));
    if (*url && strcmp(*url, want) != 0) {
        int r = net_fail(n, v, "the permission profile listens on %s, but requirements.toml fixes it to %s", *url,
                         want);
        free(want);
        return r;
    }
    free(*url);
    *url = want;
    return 0;
}

int config_apply_network_requirements(struct codex_config *cfg, char *err, size_t errlen)
{
    struct permission_profile *p = cfg->permissions;
    if (!cfg->network_requirements || !p)
        return 0;
    struct net_req n = {cfg, cfg->network_requirements, err, errlen};
    struct network_permissions *np = &p->network;
    for (size_t i = 0; i < toml_table_len(n.net); i++) {
        const char *key = toml_table_key_at(n.net, i);
        bool known = false;
        for (const char *const *k = net_req_keys; *k && !known; k++)
            known = strcmp(*k, key) == 0;
        if (!known)
            /* An administrator's restriction we do not understand must not
             * be dropped silently. */
            return net_fail(&n, toml_table_value_at(n.net, i),
                            "requirements: network.%s is not supported by this codex; remove it or upgrade%s", key,
                            NULL);
    }
    const toml_value *enabled = toml_table_get(n.net, "enabled");
    if (enabled && toml_type(enabled) == TOML_BOOLEAN && !toml_bool(enabled) && np->enabled && !p->unrestricted)
        return net_fail(&n, enabled,
                        "permission profile `%s` enables network access, which requirements.toml turns off; set "
                        "enabled = false%s",
                        p->name, NULL);
    if (forbid_true(&n, "allow_local_binding", np->allow_local_binding) < 0 ||
        forbid_true(&n, "allow_upstream_proxy", np->allow_upstream_proxy) < 0 ||
        forbid_true(&n, "dangerously_allow_non_loopback_proxy", np->dangerously_allow_non_loopback_proxy) < 0 ||
        forbid_true(&n, "dangerously_allow_non_loopback_admin", np->dangerously_allow_non_loopback_admin) < 0 ||
        forbid_true(&n, "dangerously_allow_all_unix_sockets", np->dangerously_allow_all_unix_sockets) < 0)
        return -1;
    struct strvec allow = STRVEC_INIT, deny = STRVEC_INIT, sockets = STRVEC_INIT, managed = STRVEC_INIT;
    int rc = -1;
    if (gather(&n, "allowed_domains", "domains", "allow", &allow) < 0 ||
        gather(&n, "denied_domains", "domains", "deny", &deny) < 0 ||
        gather(&n, "allow_unix_sockets", "unix_sockets", "allow", &sockets) < 0)
        goto out;
    const toml_value *only = toml_table_get(n.net, "managed_allowed_domains_only");
    bool managed_only = only && toml_type(only) == TOML_BOOLEAN && toml_bool(only);
    if (allow.n || managed_only) {
        const toml_value *at = toml_table_get(n.net, "allowed_domains");
        if (!at)
            at = toml_table_get(n.net, "domains");
        if (!at)
            at = only;
        if (np->dangerously_allow_all_domains) {
            net_fail(&n, at, "permission profile `%s` allows every domain, but requirements.toml limits the "
                             "allowlist; remove dangerously_allow_all_domains%s",
                     p->name, NULL);
            goto out;
        }
        expand(&allow, &managed);
        if (np->allowed_domains.n && !managed_only) {
            /* The profile may narrow the managed allowlist, not widen it. */
            struct strvec mine = STRVEC_INIT;
            expand(&np->allowed_domains, &mine);
            for (size_t i = 0; i < mine.n; i++)
                if (!covered(&managed, mine.v[i])) {
                    net_fail(&n, at, "allowed domain \"%s\" of permission profile `%s` is outside the allowlist of "
                                     "requirements.toml; remove it",
                             mine.v[i], p->name);
                    strvec_free(&mine);
                    goto out;
                }
            strvec_free(&mine);
        } else {
            strvec_free(&np->allowed_domains);
            for (size_t i = 0; i < allow.n; i++)
                strvec_push(&np->allowed_domains, allow.v[i]);
        }
    }
    for (size_t i = 0; i < deny.n; i++)
        strvec_push(&np->denied_domains, deny.v[i]);
    if (sockets.n || toml_table_get(n.net, "allow_unix_sockets") || toml_table_get(n.net, "unix_sockets")) {
        for (size_t i = 0; i < np->allow_unix_sockets.n; i++) {
            bool ok = false;
            for (size_t j = 0; j < sockets.n && !ok; j++)
                ok = strcmp(sockets.v[j], np->allow_unix_sockets.v[i]) == 0;
            if (!ok) {
                const toml_value *at = toml_table_get(n.net, "allow_unix_sockets");
                net_fail(&n, at ? at : toml_table_get(n.net, "unix_sockets"),
                         "unix socket %s of permission profile `%s` is not allowed by requirements.toml; remove it",
                         np->allow_unix_sockets.v[i], p->name);
                goto out;
            }
        }
    }
    if (fixed_port(&n, "http_port", &np->proxy_url) < 0 || fixed_port(&n, "socks_port", &np->socks_url) < 0)
        goto out;
    rc = 0;
out:
    strvec_free(&allow);
    strvec_free(&deny);
    strvec_free(&sockets);
    strvec_free(&managed);
    return rc;
}
