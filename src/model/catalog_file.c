#include "model/catalog_file.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/xalloc.h"

struct entry {
    struct model_info info;
    struct model_request_facts facts;
    struct model_effort *efforts; /* terminated by {NULL} */
    char *instructions;
};

struct model_catalog_file {
    json_t *doc; /* owns every string the entries point to */
    struct entry *v;
    size_t n;
};

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool read_entry(const json_t *m, struct entry *e, struct codex_error *err, const char *path, size_t i)
{
    const char *slug = str(m, "slug");
    if (!json_is_object(m) || !slug || !*slug) {
        codex_error_set_at(err, path, "models[%zu] has no \"slug\" string; every model needs one", i);
        return false;
    }
    e->info.slug = slug;
    e->info.display_name = str(m, "display_name") ? str(m, "display_name") : slug;
    e->info.description = str(m, "description") ? str(m, "description") : "";
    e->info.default_effort = str(m, "default_reasoning_level");
    const json_t *levels = json_object_get(m, "supported_reasoning_levels");
    size_t nl = json_array_size(levels);
    e->efforts = xcalloc(nl + 1, sizeof *e->efforts);
    size_t k = 0;
    for (size_t j = 0; j < nl; j++) {
        const json_t *l = json_array_get(levels, j);
        if (!str(l, "effort"))
            continue;
        e->efforts[k].effort = str(l, "effort");
        e->efforts[k].description = str(l, "description") ? str(l, "description") : "";
        k++;
    }
    e->info.efforts = e->efforts;
    const json_t *up = json_object_get(m, "upgrade");
    e->info.upgrade = json_is_string(up) ? json_string_value(up) : str(up, "model");
    const char *vis = str(m, "visibility");
    e->info.hidden = vis && strcmp(vis, "list") != 0;

    const json_t *cw = json_object_get(m, "context_window");
    const char *patch = str(m, "apply_patch_tool_type");
    const char *shell = str(m, "shell_type");
    e->facts = (struct model_request_facts){
        .slug_prefix = slug,
        .context_window = json_is_integer(cw) ? json_integer_value(cw) : 258400,
        .default_effort = e->info.default_effort,
        .verbosity = str(m, "default_verbosity"),
        .apply_patch_freeform = patch && strcmp(patch, "freeform") == 0,
        .parallel_tool_calls = json_is_true(json_object_get(m, "supports_parallel_tool_calls")),
        .known = true,
        .local_shell = shell && strcmp(shell, "local") == 0,
        .tool_search = json_is_true(json_object_get(m, "supports_search_tool")),
    };
    if (!json_is_true(json_object_get(m, "support_verbosity")))
        e->facts.verbosity = NULL;
    const char *bi = str(m, "base_instructions");
    e->instructions = bi ? xstrdup(bi) : NULL;
    return true;
}

struct model_catalog_file *model_catalog_file_load(const char *path, struct codex_error *err)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) {
        char *where = xasprintf("%s:%d:%d", path, je.line, je.column);
        codex_error_set_at(err, where, "model_catalog_json: %s", je.text);
        free(where);
        return NULL;
    }
    const json_t *models = json_object_get(doc, "models");
    if (!json_is_array(models) || json_array_size(models) == 0) {
        codex_error_set_at(err, path, "model_catalog_json: expected {\"models\": [...]} with at least one model");
        json_decref(doc);
        return NULL;
    }
    struct model_catalog_file *c = xcalloc(1, sizeof *c);
    c->doc = doc;
    c->v = xcalloc(json_array_size(models), sizeof *c->v);
    for (size_t i = 0; i < json_array_size(models); i++) {
        if (!read_entry(json_array_get(models, i), &c->v[c->n], err, path, i)) {
            model_catalog_file_free(c);
            return NULL;
        }
        c->n++;
    }
    return c;
}

void model_catalog_file_free(struct model_catalog_file *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].efforts);
        free(c->v[i].instructions);
    }
    free(c->v);
    json_decref(c->doc);
    free(c);
}

static const struct entry *find(const struct model_catalog_file *c, const char *slug)
{
    for (size_t i = 0; c && slug && i < c->n; i++)
        if (strcmp(c->v[i].info.slug, slug) == 0)
            return &c->v[i];
    return NULL;
}

const struct model_request_facts *model_catalog_file_facts(const struct model_catalog_file *c, const char *slug)
{
    const struct entry *e = find(c, slug);
    return e ? &e->facts : NULL;
}

const char *model_catalog_file_instructions(const struct model_catalog_file *c, const char *slug)
{
    const struct entry *e = find(c, slug);
    return e ? e->instructions : NULL;
}

size_t model_catalog_file_count(const struct model_catalog_file *c)
{
    return c ? c->n : 0;
}

const struct model_info *model_catalog_file_model(const struct model_catalog_file *c, size_t i)
{
    return c && i < c->n ? &c->v[i].info : NULL;
}
