/* Agent roles and the multi_agent_v1 tool specs.  A role is a name, a
 * description the parent model reads, and settings layered over the
 * parent's config for the child (model, effort, instructions, sandbox).
 * The user's roles come from [agents.<name>] in config.toml (config_file
 * relative to CODEX_HOME) and from one file per role in
 * $CODEX_HOME/agents/ (and .codex/agents/ of a trusted project); the
 * built-in ones follow. */
#include "core/subagents.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

#define ROLE_FILE_MAX (1u << 20)

/* Names the children of a tree are given in turn, when their role has
 * none of its own. */
static const char *const nicknames[] = {
    "Ada",      "Babbage", "Boole",    "Curie",  "Darwin",   "Euler",   "Faraday", "Gauss",
    "Hopper",   "Huygens", "Kepler",   "Lovelace", "Maxwell", "Meitner", "Newton", "Noether",
    "Pascal",   "Planck",  "Ramanujan", "Riemann", "Shannon", "Tesla",  "Turing",  "Volta",
};

static const struct {
    const char *name, *description;
    const char *effort; /* pinned, or NULL */
} builtins[] = {
    {"default", "The general-purpose agent, with the same settings as you.", NULL},
    {"explorer",
     "Answers a specific, well-scoped question about the codebase quickly. Ask several "
     "explorers at once when the questions are independent, trust what they report rather "
     "than checking it again, and give related follow-up questions to the explorer that "
     "already knows the area.",
     NULL},
    {"worker",
     "Carries out a piece of the work: implement part of a feature, fix a test or a bug, do "
     "one slice of a large refactor. Say which files or modules it owns so that workers do "
     "not edit the same code, and tell it that others may be changing the tree at the same "
     "time.",
     NULL},
};

static const char *str_of(const toml_value *t, const char *key)
{
    const toml_value *v = t ? toml_table_get(t, key) : NULL;
    return v && toml_type(v) == TOML_STRING ? toml_string(v, NULL) : NULL;
}

static void read_nicknames(const toml_value *t, struct strvec *out)
{
    const toml_value *v = t ? toml_table_get(t, "nickname_candidates") : NULL;
    if (!v || toml_type(v) != TOML_ARRAY)
        return;
    for (size_t i = 0; i < toml_array_len(v); i++) {
        const toml_value *s = toml_array_at(v, i);
        if (toml_type(s) == TOML_STRING && *toml_string(s, NULL))
            strvec_push(out, toml_string(s, NULL));
    }
}

static struct subagent_role *add(struct subagent_roles *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].name, name) == 0)
            return NULL;
    r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
    struct subagent_role *role = &r->v[r->n++];
    memset(role, 0, sizeof *role);
    role->name = xstrdup(name);
    return role;
}

/* The settings of a role file: everything but the role's own keys. */
static toml_value *settings_of(const toml_value *file)
{
    toml_value *layer = toml_new_table();
    for (size_t i = 0; i < toml_table_len(file); i++) {
        const char *k = toml_table_key_at(file, i);
        if (strcmp(k, "name") == 0 || strcmp(k, "description") == 0 ||
            strcmp(k, "nickname_candidates") == 0)
            continue;
        toml_table_set(layer, k, toml_clone(toml_table_value_at(file, i)));
    }
    return layer;
}

static toml_value *read_file(const char *path, void (*warn)(void *, const char *), void *ud)
{
    toml_value *t = NULL;
    char err[512];
    int rc = config_read_toml_file(path, ROLE_FILE_MAX, &t, err, sizeof err);
    if (rc < 0) {
        char *msg = xasprintf("%s; the agent role is skipped", err);
        if (warn)
            warn(ud, msg);
        free(msg);
        return NULL;
    }
    if (rc == 0 && warn) {
        char *msg = xasprintf("%s: agent role file not found; the role is skipped", path);
        warn(ud, msg);
        free(msg);
    }
    return t;
}

static void load_config_roles(const struct codex_config *cfg, struct subagent_roles *r,
                              void (*warn)(void *, const char *), void *ud)
{
    const toml_value *agents = cfg->root ? toml_table_get(cfg->root, "agents") : NULL;
    if (!agents || toml_type(agents) != TOML_TABLE)
        return;
    for (size_t i = 0; i < toml_table_len(agents); i++) {
        const toml_value *t = toml_table_value_at(agents, i);
        if (toml_type(t) != TOML_TABLE)
            continue; /* max_threads, max_depth, ... */
        const char *name = toml_table_key_at(agents, i);
        const char *file = str_of(t, "config_file");
        toml_value *layer = NULL;
        char *path = NULL;
        if (file) {
            path = file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", cfg->codex_home, file);
            toml_value *doc = read_file(path, warn, ud);
            if (!doc) {
                free(path);
                continue;
            }
            layer = settings_of(doc);
            toml_free(doc);
        }
        struct subagent_role *role = add(r, name);
        if (!role) {
            toml_free(layer);
            free(path);
            continue;
        }
        const char *d = str_of(t, "description");
        role->description = d ? xstrdup(d) : NULL;
        role->config_file = path;
        role->layer = layer;
        read_nicknames(t, &role->nicknames);
    }
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One role per *.toml file: name (else the file's stem), description,
 * nickname_candidates, and any config key. */
static void load_dir_roles(const char *dir, struct subagent_roles *r,
                           void (*warn)(void *, const char *), void *ud)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct strvec names = STRVEC_INIT;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 5 && e->d_name[0] != '.' && strcmp(e->d_name + n - 5, ".toml") == 0)
            strvec_push(&names, e->d_name);
    }
    closedir(d);
    qsort(names.v, names.n, sizeof *names.v, cmp_names);
    for (size_t i = 0; i < names.n; i++) {
        char *path = xasprintf("%s/%s", dir, names.v[i]);
        toml_value *doc = read_file(path, warn, ud);
        if (doc) {
            const char *name = str_of(doc, "name");
            char *stem = xstrndup(names.v[i], strlen(names.v[i]) - 5);
            struct subagent_role *role = add(r, name && *name ? name : stem);
            if (role) {
                const char *desc = str_of(doc, "description");
                role->description = desc ? xstrdup(desc) : NULL;
                role->config_file = xstrdup(path);
                role->layer = settings_of(doc);
                read_nicknames(doc, &role->nicknames);
            }
            free(stem);
            toml_free(doc);
        }
        free(path);
    }
    strvec_free(&names);
}

void subagent_roles_load(const struct codex_config *cfg, struct subagent_roles *out,
                         void (*warn)(void *ud, const char *msg), void *ud)
{
    memset(out, 0, sizeof *out);
    load_config_roles(cfg, out, warn, ud);
    char *dir = xasprintf("%s/agents", cfg->codex_home);
    load_dir_roles(dir, out, warn, ud);
    free(dir);
    if (cfg->project_trusted && cfg->project_root) {
        dir = xasprintf("%s/.codex/agents", cfg->project_root);
        load_dir_roles(dir, out, warn, ud);
        free(dir);
    }
    out->n_custom = out->n;
    for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++) {
        struct subagent_role *role = add(out, builtins[i].name);
        if (!role)
            continue; /* the user's role of that name wins */
        role->builtin = true;
        role->description = xstrdup(builtins[i].description);
        if (builtins[i].effort) {
            role->layer = toml_new_table();
            toml_table_set(role->layer, "model_reasoning_effort",
                           toml_new_string(builtins[i].effort, strlen(builtins[i].effort)));
        }
    }
}

void subagent_roles_free(struct subagent_roles *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].name);
        free(r->v[i].description);
        free(r->v[i].config_file);
        toml_free(r->v[i].layer);
        strvec_free(&r->v[i].nicknames);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

const struct subagent_role *subagent_roles_find(const struct subagent_roles *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].name, name) == 0)
            return &r->v[i];
    return NULL;
}

static const char *owned(struct strvec *keep, const char *s)
{
    strvec_push(keep, s);
    return keep->v[keep->n - 1];
}

void subagent_role_apply(const struct subagent_role *role, struct codex_config *cfg,
                         struct strvec *keep)
{
    const toml_value *l = role ? role->layer : NULL;
    if (!l)
        return;
    const char *s;
    if ((s = str_of(l, "model")))
        cfg->model = (char *)owned(keep, s);
    if ((s = str_of(l, "model_reasoning_effort")))
        cfg->model_reasoning_effort = (char *)owned(keep, s);
    if ((s = str_of(l, "model_verbosity")))
        cfg->model_verbosity = (char *)owned(keep, s);
    if ((s = str_of(l, "developer_instructions")))
        cfg->developer_instructions = (char *)owned(keep, s);
    if ((s = str_of(l, "sandbox_mode"))) {
        /* A role may narrow the sandbox, never widen it. */
        enum sandbox_mode m = strcmp(s, "read-only") == 0         ? SANDBOX_READ_ONLY
                              : strcmp(s, "workspace-write") == 0 ? SANDBOX_WORKSPACE_WRITE
                                                                  : cfg->sandbox_mode;
        if (m < cfg->sandbox_mode)
            cfg->sandbox_mode = m;
    }
}

static void effort_note(struct buf *b, const struct subagent_role *role)
{
    const char *model = role->layer ? str_of(role->layer, "model") : NULL;
    const char *effort = role->layer ? str_of(role->layer, "model_reasoning_effort") : NULL;
    if (model && effort)
        buf_printf(b, "\n- This role always runs `%s` with reasoning effort `%s`.", model, effort);
    else if (model)
        buf_printf(b, "\n- This role always runs `%s`.", model);
    else if (effort)
        buf_printf(b, "\n- This role's reasoning effort is fixed at `%s`.", effort);
}

char *subagent_roles_describe(const struct subagent_roles *r)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "Which kind of agent to start; `default` when left out.\nAvailable roles:");
    for (size_t i = 0; i < r->n; i++) {
        const struct subagent_role *role = &r->v[i];
        if (!role->description) {
            buf_printf(&b, "\n%s: no description", role->name);
            continue;
        }
        buf_printf(&b, "\n%s: {\n%s", role->name, role->description);
        effort_note(&b, role);
        buf_puts(&b, "\n}");
    }
    return buf_detach(&b, NULL);
}

const char *subagent_nickname(const struct subagent_role *role, unsigned n)
{
    if (role && role->nicknames.n)
        return role->nicknames.v[n % role->nicknames.n];
    return nicknames[n % (sizeof nicknames / sizeof *nicknames)];
}

/* ---- the tool specs ------------------------------------------------------ */

static json_t *str_prop(const char *description)
{
    return json_pack("{s:s s:s}", "type", "string", "description", description);
}

static json_t *items_prop(void)
{
    json_t *props = json_pack(
        "{s:o s:o s:o s:o s:o s:o}", "type",
        str_prop("What the item is: text, image, local_image, audio, local_audio, skill or mention."),
        "text", str_prop("The text of a text item."), "image_url",
        str_prop("The URL of an image item."), "audio_url", str_prop("The data URL of an audio item."),
        "path", str_prop("The file of a local item or skill, or the target of a mention."), "name",
        str_prop("The display name of a skill or mention."));
    return json_pack("{s:s s:s s:{s:s s:o s:b}}", "type", "array", "description",
                     "Input as structured items instead of a message (for mentions and images).",
                     "items", "type", "object", "properties", props, "additionalProperties", 0);
}

static json_t *fn(const char *name, const char *description, json_t *props, json_t *required)
{
    json_t *params = json_pack("{s:s s:o}", "type", "object", "properties", props);
    if (required)
        json_object_set_new(params, "required", required);
    json_object_set_new(params, "additionalProperties", json_false());
    return json_pack("{s:s s:s s:s s:b s:o}", "type", "function", "name", name, "description",
                     description, "strict", 0, "parameters", params);
}

json_t *subagent_search_texts(void)
{
    /* What tool_search matches each tool on (in subagent_tool_specs' order):
     * words about agents only, so that a search for other tools does not
     * turn these up. */
    return json_pack("[s s s s s]",
                     "spawn_agent spawn start create new agent subagent thread delegate task parallel",
                     "send_input send message input agent subagent thread interrupt redirect",
                     "resume_agent resume reopen closed agent subagent thread",
                     "wait_agent wait until agent subagent thread finished final status timeout",
                     "close_agent close shutdown stop agent subagent thread");
}

json_t *subagent_tool_specs(const struct subagent_roles *roles)
{
    json_t *spawn_props = json_pack(
        "{s:o s:o s:o s:o s:o}", "message",
        str_prop("The task for the new agent, as plain text (or give items)."), "items", items_prop(),
        "fork_context",
        json_pack("{s:s s:s}", "type", "boolean", "description",
                  "Give the new agent a copy of this conversation so far instead of only the task."),
        "model", str_prop("Another model for the new agent; leave it out to use yours."),
        "reasoning_effort", str_prop("Another reasoning effort for the new agent; leave it out to use yours."));
    if (roles && roles->n_custom) {
        char *d = subagent_roles_describe(roles);
        json_object_set_new(spawn_props, "agent_type", str_prop(d));
        free(d);
    }
    json_t *tools = json_array();
    json_array_append_new(
        tools, fn("spawn_agent",
                  "Start a sub-agent on a task that is well defined and can be done on its own. "
                  "It runs beside you with the same tools and workspace; you get its id and a "
                  "nickname to show the user. New agents use your model unless you say otherwise.",
                  spawn_props, NULL));
    json_array_append_new(
        tools,
        fn("send_input",
           "Give an agent you started another message. It is queued until the agent's current "
           "task ends, unless interrupt is true: then the agent drops what it is doing and takes "
           "this message now. Prefer this to a new agent when the task builds on what that "
           "agent already knows.",
           json_pack("{s:o s:o s:o s:o}", "target", str_prop("The id of the agent (from spawn_agent)."),
                     "message", str_prop("The message, as plain text (or give items)."), "items",
                     items_prop(), "interrupt",
                     json_pack("{s:s s:s}", "type", "boolean", "description",
                               "Stop the agent's current task and handle this message at once.")),
           json_pack("[s]", "target")));
    json_array_append_new(
        tools, fn("resume_agent",
                  "Open again an agent that was closed, so that it takes send_input and wait_agent "
                  "again with everything it knew.",
                  json_pack("{s:o}", "id", str_prop("The id of the closed agent.")),
                  json_pack("[s]", "id")));
    json_array_append_new(
        tools,
        fn("wait_agent",
           "Wait until at least one of the given agents has finished (completed, failed, closed "
           "or unknown) and get the final status of those that have, with the last message of "
           "completed ones. An empty status means the time ran out. You are also told by a "
           "message when an agent finishes.",
           json_pack("{s:{s:s s:s s:{s:s}} s:{s:s s:s}}", "targets", "type", "array", "description",
                     "The ids of the agents to wait for.", "items", "type", "string", "timeout_ms",
                     "type", "number", "description",
                     "How long to wait at most, in milliseconds (30000 when left out; at least "
                     "10000, at most 3600000)."),
           json_pack("[s]", "targets")));
    json_array_append_new(
        tools, fn("close_agent",
                  "Close an agent, and the agents it started, once its work is no longer needed; "
                  "returns the status it had. A finished agent still counts against the limit "
                  "of open agents until it is closed.",
                  json_pack("{s:o}", "target", str_prop("The id of the agent to close (from spawn_agent).")),
                  json_pack("[s]", "target")));
    return tools;
}
