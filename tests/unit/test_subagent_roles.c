/* Unit tests for subagent roles: where they come from, which wins, how
 * spawn_agent describes them, what a role changes in a child's config, and
 * the nicknames children get. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/subagents.h"

struct fixture {
    char home[64];
    struct codex_config cfg;
    char warned[512];
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void warn(void *ud, const char *msg)
{
    struct fixture *fx = ud;
    snprintf(fx->warned, sizeof fx->warned, "%s", msg);
}

static void setup(struct fixture *fx, const char *config)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->home, sizeof fx->home, "/tmp/codex-roles-XXXXXX");
    assert_non_null(mkdtemp(fx->home));
    fx->cfg.codex_home = fx->home;
    struct toml_error err;
    fx->cfg.root = toml_parse(config, strlen(config), &err);
    assert_non_null(fx->cfg.root);
    fx->cfg.sandbox_mode = SANDBOX_WORKSPACE_WRITE;
}

static void teardown(struct fixture *fx)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->home);
    assert_int_equal(system(cmd), 0);
    toml_free(fx->cfg.root);
}

static void roles_come_from_config_and_files_before_the_builtins(void **state)
{
    (void)state;
    struct fixture fx;
    setup(&fx, "[agents]\nmax_threads = 2\n[agents.reviewer]\ndescription = \"Reviews.\"\n"
               "config_file = \"reviewer.toml\"\nnickname_candidates = [\"Rex\"]\n");
    char path[256];
    snprintf(path, sizeof path, "%s/reviewer.toml", fx.home);
    write_file(path, "model = \"gpt-5.4\"\nmodel_reasoning_effort = \"high\"\n"
                     "sandbox_mode = \"read-only\"\n");
    snprintf(path, sizeof path, "%s/agents", fx.home);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/agents/tester.toml", fx.home);
    write_file(path, "name = \"tester\"\ndescription = \"Tests.\"\n"
                     "developer_instructions = \"Run the tests.\"\n");
    snprintf(path, sizeof path, "%s/agents/broken.toml", fx.home);
    write_file(path, "name = \n");
    snprintf(path, sizeof path, "%s/agents/default.toml", fx.home);
    write_file(path, "description = \"My default.\"\n");

    struct subagent_roles r;
    subagent_roles_load(&fx.cfg, &r, warn, &fx);
    /* The broken file is named and skipped. */
    assert_non_null(strstr(fx.warned, "broken.toml:1:"));
    assert_non_null(strstr(fx.warned, "the agent role is skipped"));
    assert_int_equal(r.n_custom, 3);
    assert_string_equal(r.v[0].name, "reviewer");
    assert_string_equal(r.v[1].name, "default"); /* the user's, from its file name */
    assert_string_equal(r.v[2].name, "tester");
    assert_int_equal(r.n, 5);                    /* + explorer, worker */
    assert_true(r.v[3].builtin && r.v[4].builtin);
    assert_string_equal(subagent_roles_find(&r, "default")->description, "My default.");
    assert_null(subagent_roles_find(&r, "nobody"));

    char *d = subagent_roles_describe(&r);
    assert_non_null(strstr(d, "reviewer: {\nReviews.\n- This role always runs `gpt-5.4` with "
                              "reasoning effort `high`.\n}"));
    assert_true(strstr(d, "reviewer: {") < strstr(d, "explorer: {"));
    free(d);

    /* The role's layer over a copy of the parent's config. */
    struct codex_config child = fx.cfg;
    struct strvec keep = STRVEC_INIT;
    subagent_role_apply(subagent_roles_find(&r, "reviewer"), &child, &keep);
    assert_string_equal(child.model, "gpt-5.4");
    assert_string_equal(child.model_reasoning_effort, "high");
    assert_int_equal(child.sandbox_mode, SANDBOX_READ_ONLY);
    child = fx.cfg;
    subagent_role_apply(subagent_roles_find(&r, "tester"), &child, &keep);
    assert_string_equal(child.developer_instructions, "Run the tests.");
    assert_null(child.model);
    strvec_free(&keep);

    assert_string_equal(subagent_nickname(subagent_roles_find(&r, "reviewer"), 7), "Rex");
    assert_string_not_equal(subagent_nickname(NULL, 0), subagent_nickname(NULL, 1));
    subagent_roles_free(&r);
    teardown(&fx);
}

static void a_role_never_widens_the_sandbox(void **state)
{
    (void)state;
    struct fixture fx;
    setup(&fx, "");
    char path[256];
    snprintf(path, sizeof path, "%s/agents", fx.home);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/agents/wide.toml", fx.home);
    write_file(path, "sandbox_mode = \"danger-full-access\"\n");
    struct subagent_roles r;
    subagent_roles_load(&fx.cfg, &r, warn, &fx);
    struct codex_config child = fx.cfg;
    child.sandbox_mode = SANDBOX_READ_ONLY;
    struct strvec keep = STRVEC_INIT;
    subagent_role_apply(subagent_roles_find(&r, "wide"), &child, &keep);
    assert_int_equal(child.sandbox_mode, SANDBOX_READ_ONLY);
    strvec_free(&keep);
    subagent_roles_free(&r);
    teardown(&fx);
}

static void tool_specs_offer_agent_type_only_with_user_roles(void **state)
{
    (void)state;
    struct subagent_roles none = {0};
    json_t *tools = subagent_tool_specs(&none);
    json_t *spawn = json_array_get(tools, 0);
    assert_string_equal(json_string_value(json_object_get(spawn, "name")), "spawn_agent");
    json_t *props = json_object_get(json_object_get(spawn, "parameters"), "properties");
    assert_null(json_object_get(props, "agent_type"));
    assert_non_null(json_object_get(props, "fork_context"));
    assert_int_equal(json_array_size(tools), 5);
    json_t *search = subagent_search_texts();
    assert_int_equal(json_array_size(search), json_array_size(tools));
    for (size_t i = 0; i < json_array_size(tools); i++) {
        const char *name = json_string_value(json_object_get(json_array_get(tools, i), "name"));
        assert_int_equal(strncmp(json_string_value(json_array_get(search, i)), name, strlen(name)), 0);
    }
    json_decref(search);
    json_decref(tools);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles_come_from_config_and_files_before_the_builtins),
        cmocka_unit_test(a_role_never_widens_the_sandbox),
        cmocka_unit_test(tool_specs_offer_agent_type_only_with_user_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
