/* Where hooks come from and whether they may run: the hooks.json files, the
 * inline [hooks] tables, each handler's key and hash, and [hooks.state]. */
#include "hooks/hooks.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/sha256.h"
#include "util/xalloc.h"

static const struct {
    const char *name, *snake, *camel;
} events[HOOK_EVENT_COUNT] = {
    {"PreModelRequest", "pre_model_request", "preModelRequest"},
    {"PostModelRequest", "post_model_request", "postModelRequest"},
    {"PreToolUse", "pre_tool_use", "preToolUse"},
    {"PermissionRequest", "permission_request", "permissionRequest"},
    {"PostToolUse", "post_tool_use", "postToolUse"},
    {"PreCompact", "pre_compact", "preCompact"},
    {"PostCompact", "post_compact", "postCompact"},
    {"SessionStart", "session_start", "sessionStart"},
    {"SessionEnd", "session_end", "sessionEnd"},
    {"UserPromptSubmit", "user_prompt_submit", "userPromptSubmit"},
    {"SubagentStart", "subagent_start", "subagentStart"},
    {"SubagentStop", "subagent_stop", "subagentStop"},
    {"Stop", "stop", "stop"},
    {"Interrupt", "interrupt", "interrupt"},
};

const char *hook_event_name(enum hook_event e)
{
    return events[e].name;
}

const char *hook_event_snake(enum hook_event e)
{
    return events[e].snake;
}

const char *hook_event_camel(enum hook_event e)
{
    return events[e].camel;
}

int hook_event_from_name(const char *name)
{
    for (int i = 0; i < HOOK_EVENT_COUNT; i++)
        if (strcmp(events[i].name, name) == 0)
            return i;
    return -1;
}

const char *hook_trust_name(enum hook_trust t)
{
    static const char *const names[] = {"untrusted", "trusted", "modified", "managed"};
    return names[t];
}

/* ---- matchers -------------------------------------------------------------- */

static bool exact_matcher(const char *m)
{
    for (const char *p = m; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '|'))
            return false;
    return true;
}

/* glibc's regcomp expands repetitions into copies of the tree, so a
 * pattern like "a++++..." or "(a{999}){999}" takes gigabytes.  The
 * reference's regex engine refuses a repetition of a repetition and caps
 * the compiled size; these limits refuse the same patterns and keep every
 * plausible tool-name pattern. */
static bool regex_is_tame(const char *m)
{
    if (strlen(m) > 512)
        return false;
    bool after_quantifier = false;
    int bounded = 0, group_repeats = 0;
    for (const char *p = m; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            after_quantifier = false;
            continue;
        }
        bool quantifier = *p == '*' || *p == '+' || *p == '?' || *p == '{';
        if (quantifier && after_quantifier)
            return false;
        if (*p == '{') {
            if (++bounded > 1)
                return false;
            char *end;
            long lo = strtol(p + 1, &end, 10);
            long hi = *end == ',' ? strtol(end + 1, &end, 10) : lo;
            if (lo > 255 || hi > 255)
                return false;
        }
        /* A repeated group is copied per repetition; nested ones multiply. */
        if (quantifier && p > m && p[-1] == ')' && ++group_repeats > 4)
            return false;
        after_quantifier = quantifier || *p == '}';
    }
    return true;
}

bool hook_matcher_matches(const char *matcher, const char *input)
{
    if (!matcher || !*matcher || strcmp(matcher, "*") == 0)
        return true;
    if (!input)
        return false;
    if (exact_matcher(matcher)) {
        size_t n = strlen(input);
        for (const char *p = matcher;;) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == n && memcmp(p, input, n) == 0)
                return true;
            if (!bar)
                return false;
            p = bar + 1;
        }
    }
    regex_t re;
    if (!regex_is_tame(matcher) || regcomp(&re, matcher, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool hit = regexec(&re, input, 0, NULL, 0) == 0;
    regfree(&re);
    return hit;
}

/* ---- handlers ---------------------------------------------------------------- */

void hook_handler_hash(const struct hook_handler *h, char out[72])
{
    json_t *handler = json_pack("{s:s s:s s:I s:b}", "type", "command", "command", h->command,
                                "timeout", (json_int_t)h->timeout_sec, "async", h->async);
    if (h->status_message)
        json_object_set_new(handler, "statusMessage", json_string(h->status_message));
    json_t *doc = json_pack("{s:s s:[o]}", "event_name", hook_event_snake(h->event), "hooks", handler);
    if (h->matcher)
        json_object_set_new(doc, "matcher", json_string(h->matcher));
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    char hex[65];
    sha256_hex(text, strlen(text), hex);
    free(text);
    snprintf(out, 72, "sha256:%s", hex);
}

static struct hook_handler *push_handler(struct hook_set *set)
{
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 8;
        set->v = xrealloc(set->v, set->cap * sizeof *set->v);
    }
    struct hook_handler *h = &set->v[set->n++];
    memset(h, 0, sizeof *h);
    return h;
}

static int shape_error(struct codex_error *err, const char *source_path, const char *event,
                       size_t group, const char *what)
{
    codex_error_set_at(err, source_path, "hooks.%s[%zu]: %s; fix the hooks configuration", event,
                       group, what);
    return -1;
}

static int add_group(struct hook_set *set, enum hook_event ev, const json_t *group, size_t gi,
                     const char *source_path, const char *source, struct codex_error *err)
{
    const char *name = hook_event_name(ev);
    if (!json_is_object(group))
        return shape_error(err, source_path, name, gi, "a group must be an object");
    const json_t *matcher = json_object_get(group, "matcher");
    if (matcher && !json_is_string(matcher) && !json_is_null(matcher))
        return shape_error(err, source_path, name, gi, "matcher must be a string");
    const json_t *handlers = json_object_get(group, "hooks");
    if (!json_is_array(handlers))
        return shape_error(err, source_path, name, gi, "\"hooks\" must be an array of handlers");
    size_t hi;
    const json_t *spec;
    json_array_foreach(handlers, hi, spec) {
        const char *type = json_string_value(json_object_get(spec, "type"));
        const char *command = json_string_value(json_object_get(spec, "command"));
        if (!json_is_object(spec) || !type)
            return shape_error(err, source_path, name, gi, "each handler needs a \"type\"");
        if (strcmp(type, "command") != 0) {
            char *w = xasprintf("%s: hooks.%s[%zu]: handler type \"%s\" is not supported yet; "
                                "ignored",
                                source_path, name, gi, type);
            strvec_push_owned(&set->warnings, w);
            continue;
        }
        if (!command)
            return shape_error(err, source_path, name, gi, "a command handler needs \"command\"");
        const json_t *timeout = json_object_get(spec, "timeout");
        if (timeout && !(json_is_integer(timeout) && json_integer_value(timeout) > 0))
            return shape_error(err, source_path, name, gi, "timeout must be a positive integer");
        const json_t *async = json_object_get(spec, "async");
        if (async && !json_is_boolean(async))
            return shape_error(err, source_path, name, gi, "async must be true or false");
        const char *status = json_string_value(json_object_get(spec, "statusMessage"));
        struct hook_handler *h = push_handler(set);
        h->event = ev;
        h->matcher = json_is_string(matcher) ? xstrdup(json_string_value(matcher)) : NULL;
        h->command = xstrdup(command);
        h->timeout_sec = timeout ? json_integer_value(timeout) : HOOK_DEFAULT_TIMEOUT_SEC;
        h->run_timeout_sec = h->timeout_sec;
        if ((ev == HOOK_SESSION_END || ev == HOOK_INTERRUPT) &&
            h->timeout_sec > HOOK_SHUTDOWN_TIMEOUT_SEC) {
            h->run_timeout_sec = HOOK_SHUTDOWN_TIMEOUT_SEC;
            strvec_push_owned(&set->warnings, xasprintf("clamping %s hook timeout to %ds in %s",
                                                        name, HOOK_SHUTDOWN_TIMEOUT_SEC,
                                                        source_path));
        }
        h->async = async && json_is_true(async);
        if (h->async)
            strvec_push_owned(&set->warnings,
                              xasprintf("%s: hooks.%s[%zu]: async hooks are not supported yet; this "
                                        "one runs before the session goes on",
                                        source_path, name, gi));
        h->status_message = status ? xstrdup(status) : NULL;
        h->source_path = xstrdup(source_path);
        h->source = source;
        h->group = gi;
        h->index = hi;
        h->key = xasprintf("%s:%s:%zu:%zu", source_path, hook_event_snake(ev), gi, hi);
        hook_handler_hash(h, h->hash);
        h->enabled = true;
        h->trust = HOOK_UNTRUSTED;
    }
    return 0;
}

int hook_set_add_document(struct hook_set *set, const json_t *doc, const char *source_path,
                          const char *source, struct codex_error *err)
{
    if (!json_is_object(doc)) {
        codex_error_set_at(err, source_path, "\"hooks\" must be an object of event names");
        return -1;
    }
    size_t first = set->n;
    /* Run order is the reference's event order, whatever order the file has. */
    for (int ev = 0; ev < HOOK_EVENT_COUNT; ev++) {
        const json_t *groups = json_object_get(doc, hook_event_name(ev));
        if (!groups)
            continue;
        if (!json_is_array(groups)) {
            codex_error_set_at(err, source_path, "hooks.%s must be an array of groups",
                               hook_event_name(ev));
            goto fail;
        }
        size_t gi;
        const json_t *group;
        json_array_foreach(groups, gi, group)
            if (add_group(set, ev, group, gi, source_path, source, err) < 0)
                goto fail;
    }
    return 0;
fail:
    while (set->n > first) {
        struct hook_handler *h = &set->v[--set->n];
        free(h->matcher);
        free(h->command);
        free(h->status_message);
        free(h->source_path);
        free(h->key);
    }
    return -1;
}

int hook_set_add_json_text(struct hook_set *set, const char *text, size_t len,
                           const char *source_path, const char *source, struct codex_error *err)
{
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        char where[64];
        snprintf(where, sizeof where, ":%d:%d", je.line, je.column);
        char *loc = xasprintf("%s%s", source_path, where);
        codex_error_set_at(err, loc, "invalid JSON: %s; fix the hooks file", je.text);
        free(loc);
        return -1;
    }
    const json_t *hooks = json_object_get(doc, "hooks");
    int rc = 0;
    if (!json_is_object(doc) || !hooks) {
        codex_error_set_at(err, source_path, "expected {\"hooks\": {...}}; fix the hooks file");
        rc = -1;
    } else {
        rc = hook_set_add_document(set, hooks, source_path, source, err);
    }
    json_decref(doc);
    return rc;
}

void hook_set_apply_state(struct hook_set *set, const toml_value *state)
{
    for (size_t i = 0; i < set->n; i++) {
        struct hook_handler *h = &set->v[i];
        const toml_value *entry = state ? toml_table_get(state, h->key) : NULL;
        h->trust = HOOK_UNTRUSTED;
        h->enabled = true;
        if (!entry || toml_type(entry) != TOML_TABLE)
            continue;
        const toml_value *enabled = toml_table_get(entry, "enabled");
        if (enabled && toml_type(enabled) == TOML_BOOLEAN)
            h->enabled = toml_bool(enabled);
        const toml_value *hash = toml_table_get(entry, "trusted_hash");
        if (hash && toml_type(hash) == TOML_STRING)
            h->trust = strcmp(toml_string(hash, NULL), h->hash) == 0 ? HOOK_TRUSTED : HOOK_MODIFIED;
    }
}

bool hook_handler_runnable(const struct hook_set *set, const struct hook_handler *h)
{
    return h->enabled && (set->bypass_trust || h->trust == HOOK_TRUSTED || h->trust == HOOK_MANAGED);
}

bool hook_set_has(const struct hook_set *set, enum hook_event e)
{
    for (size_t i = 0; set && i < set->n; i++)
        if (set->v[i].event == e && hook_handler_runnable(set, &set->v[i]))
            return true;
    return false;
}

/* ---- loading ----------------------------------------------------------------- */

static void load_file(struct hook_set *set, const char *path, const char *source)
{
    size_t len;
    char *text = fs_read_file(path, 4u << 20, &len);
    if (!text)
        return; /* absent: nothing configured there */
    struct codex_error err = CODEX_ERROR_INIT;
    if (hook_set_add_json_text(set, text, len, path, source, &err) < 0) {
        char *line = codex_error_text(&err);
        strvec_push_owned(&set->warnings, xasprintf("%s; its hooks are skipped", line));
        free(line);
        codex_error_clear(&err);
    }
    free(text);
}

/* .codex/hooks.json of each directory from the project root down to cwd. */
static void load_project(struct hook_set *set, const struct codex_config *cfg)
{
    const char *root = cfg->project_root ? cfg->project_root : cfg->cwd;
    struct strvec dirs = {0};
    char *dir = xstrdup(cfg->cwd);
    for (;;) {
        strvec_push(&dirs, dir);
        if (strcmp(dir, root) == 0)
            break;
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir)
            break;
        *slash = '\0';
    }
    free(dir);
    for (size_t i = dirs.n; i-- > 0;) {
        char *codex_dir = fs_join(dirs.v[i], ".codex");
        char *path = fs_join(codex_dir, "hooks.json");
        /* $CODEX_HOME may itself be some project's .codex: read once. */
        char *home_file = fs_join(cfg->codex_home, "hooks.json");
        if (strcmp(path, home_file) != 0)
            load_file(set, path, "project");
        free(home_file);
        free(path);
        free(codex_dir);
    }
    strvec_free(&dirs);
}

static int by_display_order(const void *a, const void *b)
{
    const struct hook_handler *x = a, *y = b;
    return x->display_order < y->display_order ? -1 : x->display_order > y->display_order;
}

void hook_set_load(struct hook_set *set, const struct codex_config *cfg, bool bypass_trust)
{
    memset(set, 0, sizeof *set);
    set->bypass_trust = bypass_trust;
    char *home_file = fs_join(cfg->codex_home, "hooks.json");
    load_file(set, home_file, "user");
    free(home_file);
    const toml_value *inline_hooks = toml_table_get(cfg->root, "hooks");
    if (inline_hooks && toml_type(inline_hooks) == TOML_TABLE) {
        json_t *doc = toml_to_json(inline_hooks);
        json_object_del(doc, "state");
        if (json_object_size(doc) > 0) {
            char *config_file = fs_join(cfg->codex_home, "config.toml");
            struct codex_error err = CODEX_ERROR_INIT;
            if (hook_set_add_document(set, doc, config_file, "user", &err) < 0) {
                char *line = codex_error_text(&err);
                strvec_push_owned(&set->warnings, xasprintf("%s; its hooks are skipped", line));
                free(line);
                codex_error_clear(&err);
            }
            free(config_file);
        }
        json_decref(doc);
    }
    if (cfg->project_trusted)
        load_project(set, cfg);
    const toml_value *state = inline_hooks ? toml_table_get(inline_hooks, "state") : NULL;
    hook_set_apply_state(set, state && toml_type(state) == TOML_TABLE ? state : NULL);
    /* Display order: by event, then as loaded. */
    size_t order = 0;
    for (int ev = 0; ev < HOOK_EVENT_COUNT; ev++)
        for (size_t i = 0; i < set->n; i++)
            if (set->v[i].event == (enum hook_event)ev)
                set->v[i].display_order = order++;
    if (set->n > 1)
        qsort(set->v, set->n, sizeof *set->v, by_display_order);
}

void hook_set_free(struct hook_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        struct hook_handler *h = &set->v[i];
        free(h->matcher);
        free(h->command);
        free(h->status_message);
        free(h->source_path);
        free(h->key);
    }
    free(set->v);
    strvec_free(&set->warnings);
    memset(set, 0, sizeof *set);
}
