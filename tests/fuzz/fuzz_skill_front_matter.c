/* libFuzzer harness for the YAML subset and SKILL.md front matter.
 * Any input: neither reader may crash, hang or leak; a failure always
 * carries a location; a parsed tree is well formed (maps have a key per
 * value, scalars have text). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skills/skills.h"
#include "skills/yaml.h"

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_skill_front_matter: %s\n", what);
        abort();
    }
}

static void walk(const struct yaml_node *n, int depth)
{
    check(depth < 200, "tree deeper than the nesting bound");
    switch (n->kind) {
    case YAML_SCALAR:
    case YAML_FLOW:
        check(n->text != NULL, "scalar without text");
        break;
    case YAML_MAP:
        for (size_t i = 0; i < n->n; i++) {
            check(n->keys[i] != NULL, "map value without a key");
            check(yaml_get(n, n->keys[i]) != NULL, "key not found in its own map");
            walk(n->items[i], depth + 1);
        }
        break;
    case YAML_SEQ:
        for (size_t i = 0; i < n->n; i++)
            walk(n->items[i], depth + 1);
        break;
    case YAML_NULL:
        break;
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *text = (const char *)data;
    struct codex_error err = CODEX_ERROR_INIT;
    struct yaml_node *root = yaml_parse(text, size, 1, "f.yaml", &err);
    if (root)
        walk(root, 0);
    else
        check(err.message && err.where && strncmp(err.where, "f.yaml:", 7) == 0,
              "a YAML error without a location");
    yaml_free(root);
    codex_error_clear(&err);

    struct skill_front_matter fm;
    if (skill_front_matter_parse(text, size, "/s/SKILL.md", &fm, &err) == 0) {
        check(!fm.name || !strchr(fm.name, '\n'), "a name that spans lines");
        check(!fm.description || !strchr(fm.description, '\n'), "a description that spans lines");
        skill_front_matter_free(&fm);
    } else {
        check(err.where && strncmp(err.where, "/s/SKILL.md:", 12) == 0,
              "a front matter error without a location");
    }
    codex_error_clear(&err);
    return 0;
}
