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
    if (check_sandbox(&c) < 0 || check_approval(&c) < 0 || check_web_search(&c) < 0 ||
        check_feature_pins(&c) < 0)
        r = -1;
    toml_free(req);
    return r;
}
