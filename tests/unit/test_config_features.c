/* Unit tests for the feature table: ordering (lookup bisects it), legacy
 * names, and how [features] entries resolve. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "config/features.h"
#include "config/toml.h"

static void table_is_sorted_and_every_name_is_found(void **state)
{
    (void)state;
    size_t n = 0;
    for (const struct feature_info *f = feature_table; f->name; f++, n++) {
        if (f != feature_table)
            assert_true(strcmp(f[-1].name, f->name) < 0);
        assert_ptr_equal(feature_lookup(f->name), f);
    }
    assert_true(n > 150);
    assert_null(feature_lookup("no_such_feature"));
    assert_null(feature_lookup(""));
}

static void legacy_names_select_the_canonical_flag(void **state)
{
    (void)state;
    assert_string_equal(feature_lookup("collab")->name, "multi_agent");
    assert_string_equal(feature_lookup("connectors")->name, "apps");
    assert_string_equal(feature_lookup("web_search")->name, "web_search_request");
    assert_string_equal(feature_lookup("memory_tool")->name, "memories");
    assert_string_equal(feature_lookup("experimental_use_unified_exec_tool")->name, "unified_exec");
}

static void stage_names(void **state)
{
    (void)state;
    assert_string_equal(feature_stage_name(FEATURE_UNDER_DEVELOPMENT), "under development");
    assert_string_equal(feature_stage_name(FEATURE_REMOVED), "removed");
    assert_string_equal(feature_lookup("shell_tool")->name, "shell_tool");
    assert_int_equal(feature_lookup("shell_tool")->stage, FEATURE_STABLE);
}

static toml_value *parse(const char *text)
{
    struct toml_error err;
    toml_value *v = toml_parse(text, strlen(text), &err);
    assert_non_null(v);
    return v;
}

static void effective_values_follow_the_last_entry(void **state)
{
    (void)state;
    const struct feature_info *multi = feature_lookup("multi_agent");
    toml_value *root = parse("[features]\nmulti_agent = false\ncollab = true\n");
    assert_true(feature_effective(multi, root));
    toml_free(root);

    root = parse("[features]\ncollab = true\nmulti_agent = false\n");
    assert_false(feature_effective(multi, root));
    toml_free(root);

    /* A table value turns the flag on unless it says enabled = false. */
    const struct feature_info *proxy = feature_lookup("network_proxy");
    root = parse("[features.network_proxy]\nmode = \"x\"\n");
    assert_true(feature_effective(proxy, root));
    toml_free(root);
    root = parse("[features.network_proxy]\nenabled = false\n");
    assert_false(feature_effective(proxy, root));
    toml_free(root);

    /* Flags the reference pins keep their default. */
    const struct feature_info *undo = feature_lookup("undo");
    assert_true(undo->fixed);
    root = parse("[features]\nundo = true\n");
    assert_false(feature_effective(undo, root));
    toml_free(root);
    assert_true(feature_effective(feature_lookup("shell_tool"), NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_sorted_and_every_name_is_found),
        cmocka_unit_test(legacy_names_select_the_canonical_flag),
        cmocka_unit_test(stage_names),
        cmocka_unit_test(effective_values_follow_the_last_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
