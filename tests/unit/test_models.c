/* One model catalog: model/list's entries and the agent's request facts agree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "model/models.h"
#include "model/catalog.h"

static void default_model_is_the_catalog_default(void **state)
{
    (void)state;
    const struct model_info *d = model_catalog_default();
    assert_true(d->is_default);
    assert_string_equal(model_default_slug(), d->slug);
    assert_true(model_facts_lookup(model_default_slug())->known);
}

static void every_catalog_model_has_known_request_facts(void **state)
{
    (void)state;
    for (const struct model_info *m = model_catalog; m->slug; m++) {
        const struct model_request_facts *f = model_facts_lookup(m->slug);
        assert_true(f->known);
        assert_true(f->apply_patch_freeform);
        /* The effort the agent sends by default is one model/list offers. */
        const char *effort = model_default_effort(m->slug);
        assert_non_null(effort);
        assert_string_equal(effort, m->default_effort);
        int offered = 0;
        for (const struct model_effort *e = m->efforts; e->effort; e++)
            offered |= strcmp(e->effort, effort) == 0;
        assert_true(offered);
    }
}

static void unknown_slugs_fall_back_and_keep_apply_patch(void **state)
{
    (void)state;
    const struct model_request_facts *f = model_facts_lookup("my-local-model");
    assert_false(f->known);
    assert_false(f->apply_patch_freeform); /* JSON function variant */
    assert_null(model_default_effort("my-local-model"));
    assert_false(model_facts_lookup(NULL)->known);
}

static void families_match_by_prefix(void **state)
{
    (void)state;
    assert_string_equal(model_facts_lookup("gpt-5.3-codex-mini")->slug_prefix, "gpt-5.3-codex");
    assert_string_equal(model_facts_lookup("gpt-oss:20b")->slug_prefix, "gpt-oss");
    assert_false(model_facts_lookup("gpt-oss:20b")->parallel_tool_calls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_model_is_the_catalog_default),
        cmocka_unit_test(every_catalog_model_has_known_request_facts),
        cmocka_unit_test(unknown_slugs_fall_back_and_keep_apply_patch),
        cmocka_unit_test(families_match_by_prefix),
    };
    return cmocka_run_group_tests_name("models", tests, NULL, NULL);
}
