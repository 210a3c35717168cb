/* Unit tests for skills: the YAML subset, SKILL.md front matter, discovery
 * over a scratch tree, the catalog block and $mentions. */
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

#include "skills/skills.h"
#include "skills/yaml.h"
#include "util/fs.h"
#include "util/xalloc.h"

static struct yaml_node *parse_ok(const char *text)
{
    struct codex_error err = CODEX_ERROR_INIT;
    struct yaml_node *n = yaml_parse(text, strlen(text), 1, "t.yaml", &err);
    if (!n)
        fail_msg("parse failed: %s: %s", err.where, err.message);
    return n;
}

static void parse_fails_at(const char *text, const char *where, const char *needle)
{
    struct codex_error err = CODEX_ERROR_INIT;
    struct yaml_node *n = yaml_parse(text, strlen(text), 1, "t.yaml", &err);
    if (n)
        fail_msg("expected a parse error for:\n%s", text);
    assert_string_equal(err.where, where);
    if (needle && !strstr(err.message, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
    codex_error_clear(&err);
}

static void yaml_scalars(void **state)
{
    (void)state;
    struct yaml_node *n = parse_ok("plain: hello world  # comment\n"
                                   "single: 'it''s'\n"
                                   "double: \"tab\\there \\u00e9\"\n"
                                   "empty:\n"
                                   "tilde: ~\n"
                                   "url: http://example.com/a#b\n"
                                   "folded: >\n  one\n  two\n\n  three\n"
                                   "literal: |-\n  a\n    b\n"
                                   "multi: first\n  second\n");
    assert_string_equal(yaml_scalar(yaml_get(n, "plain")), "hello world");
    assert_string_equal(yaml_scalar(yaml_get(n, "single")), "it's");
    assert_string_equal(yaml_scalar(yaml_get(n, "double")), "tab\there \xc3\xa9");
    assert_int_equal(yaml_get(n, "empty")->kind, YAML_NULL);
    assert_int_equal(yaml_get(n, "tilde")->kind, YAML_NULL);
    assert_string_equal(yaml_scalar(yaml_get(n, "url")), "http://example.com/a#b");
    assert_string_equal(yaml_scalar(yaml_get(n, "folded")), "one two\nthree\n");
    assert_string_equal(yaml_scalar(yaml_get(n, "literal")), "a\n  b");
    assert_string_equal(yaml_scalar(yaml_get(n, "multi")), "first second");
    yaml_free(n);
}

static void yaml_nesting(void **state)
{
    (void)state;
    struct yaml_node *n = parse_ok("---\npolicy:\n  allow_implicit_invocation: false\n"
                                   "tools:\n- a\n- name: b\n  value: c\n"
                                   "flow: [x, {y: z}]\n"
                                   "list:\n  - one\n  - two\n");
    const struct yaml_node *policy = yaml_get(n, "policy");
    assert_int_equal(yaml_bool(yaml_get(policy, "allow_implicit_invocation")), 0);
    const struct yaml_node *tools = yaml_get(n, "tools");
    assert_int_equal(tools->kind, YAML_SEQ);
    assert_int_equal(tools->n, 2);
    assert_string_equal(yaml_scalar(tools->items[0]), "a");
    assert_string_equal(yaml_scalar(yaml_get(tools->items[1], "value")), "c");
    assert_int_equal(yaml_get(n, "flow")->kind, YAML_FLOW);
    assert_string_equal(yaml_get(n, "flow")->text, "[x, {y: z}]");
    assert_int_equal(yaml_get(n, "list")->n, 2);
    yaml_free(n);
}

static void yaml_errors(void **state)
{
    (void)state;
    parse_fails_at("name: a: b\n", "t.yaml:1:8", "mapping values");
    parse_fails_at("name: x\n  bad: y\n", "t.yaml:2:3", NULL);
    parse_fails_at("a: 1\na: 2\n", "t.yaml:2:1", "duplicate key");
    parse_fails_at("a: \"open\n", "t.yaml:1:4", "unterminated");
    parse_fails_at("a: *alias\n", "t.yaml:1:4", "aliases");
    parse_fails_at("a: 1\nnot a mapping line\n", "t.yaml:2:1", NULL);
    parse_fails_at("a: @x\n", "t.yaml:1:4", NULL);
    parse_fails_at("a:\n\t- x\n", "t.yaml:2:1", "tab");
    parse_fails_at("a: 1\n---\nb: 2\n", "t.yaml:2:1", "one document");
}

static void front_matter(void **state)
{
    (void)state;
    struct skill_front_matter fm;
    struct codex_error err = CODEX_ERROR_INIT;
    const char *ok = "---\nname: demo\ndescription: |-\n  does things\n  carefully\n"
                     "metadata:\n  short-description: short\nallowed-tools: [a]\n---\n\nBody\n";
    assert_int_equal(skill_front_matter_parse(ok, strlen(ok), "/s/SKILL.md", &fm, &err), 0);
    assert_string_equal(fm.name, "demo");
    assert_string_equal(fm.description, "does things carefully");
    assert_string_equal(fm.short_description, "short");
    skill_front_matter_free(&fm);

    const char *none = "# Title\nno front matter\n";
    assert_int_equal(skill_front_matter_parse(none, strlen(none), "/s/SKILL.md", &fm, &err), -1);
    assert_string_equal(err.where, "/s/SKILL.md:1:1");
    assert_string_equal(err.message, "missing YAML frontmatter delimited by ---");
    codex_error_clear(&err);

    const char *unclosed = "---\nname: x\n";
    assert_int_equal(skill_front_matter_parse(unclosed, strlen(unclosed), "/s/SKILL.md", &fm, &err), -1);
    codex_error_clear(&err);

    const char *bad = "---\nname: x\ndescription: use it: now\n---\n";
    assert_int_equal(skill_front_matter_parse(bad, strlen(bad), "/s/SKILL.md", &fm, &err), -1);
    assert_string_equal(err.where, "/s/SKILL.md:3:20");
    assert_non_null(strstr(err.message, "invalid YAML"));
    codex_error_clear(&err);

    const char *list = "---\nname: [a, b]\n---\n";
    assert_int_equal(skill_front_matter_parse(list, strlen(list), "/s/SKILL.md", &fm, &err), -1);
    assert_string_equal(err.where, "/s/SKILL.md:2:7");
    codex_error_clear(&err);
}

/* ---- discovery over a scratch tree ---------------------------------------- */

static char scratch[256];

static void write_file(const char *rel, const char *text)
{
    char *path = fs_join(scratch, rel);
    char *dir = xstrdup(path);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(fs_mkdir_p(dir, 0755), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(dir);
    free(path);
}

static void skill_at(const char *rel_dir, const char *name, const char *desc)
{
    char *rel = xasprintf("%s/SKILL.md", rel_dir);
    char *text = xasprintf("---\nname: %s\ndescription: %s\n---\n\nBody of %s.\n", name, desc, name);
    write_file(rel, text);
    free(text);
    free(rel);
}

static int setup_tree(void **state)
{
    (void)state;
    snprintf(scratch, sizeof scratch, "/tmp/codex-skills-XXXXXX");
    assert_non_null(mkdtemp(scratch));
    skill_at("home/skills/home-skill", "home-skill", "In CODEX_HOME.");
    skill_at("home/skills/.system/sys", "sys-skill", "Bundled.");
    skill_at("uh/.agents/skills/user-skill", "user-skill", "In HOME.");
    skill_at("uh/.codex/skills/not-read", "not-read", "Not a root.");
    skill_at("repo/.agents/skills/repo-skill", "repo-skill", "Repo root.");
    skill_at("repo/.codex/skills/codexdir", "codexdir-skill", "Repo .codex.");
    skill_at("repo/sub/.agents/skills/sub-skill", "sub-skill", "Closer to cwd.");
    skill_at("repo/sub/deeper/.agents/skills/below", "below-cwd", "Below cwd.");
    skill_at(".agents/skills/above", "above-root", "Above the project root.");
    skill_at("repo/.agents/skills/renamed", "other-name", "Dir name differs.");
    skill_at("repo/.agents/skills/hidden", "hidden-skill", "Not implicit.");
    write_file("repo/.agents/skills/hidden/agents/openai.yaml",
               "policy:\n  allow_implicit_invocation: false\ninterface:\n  display_name: Hidden\n");
    write_file("repo/.agents/skills/nofm/SKILL.md", "no front matter\n");
    write_file("repo/.agents/skills/broken/SKILL.md", "---\nname: broken\ndescription: a: b\n---\n");
    char *longdesc = xcalloc(1, 2001);
    memset(longdesc, 'x', 2000);
    skill_at("home/skills/long", "long-skill", longdesc);
    free(longdesc);
    skill_at("home/skills/dup1", "dup", "First.");
    skill_at("uh/.agents/skills/dup2", "dup", "Second.");
    return 0;
}

static int teardown_tree(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", scratch);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
}

static const struct skill *find(const struct skill_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->skills[i].name, name) == 0)
            return &c->skills[i];
    return NULL;
}

static void discover(struct skill_catalog *c, const struct skill_rule *rules, size_t n_rules)
{
    char *home = fs_join(scratch, "home"), *uh = fs_join(scratch, "uh");
    char *repo = fs_join(scratch, "repo"), *cwd = fs_join(scratch, "repo/sub");
    mkdir(cwd, 0755);
    struct skills_discover_opts o = {.codex_home = home, .home = uh, .cwd = cwd,
                                     .project_root = repo, .rules = rules,
                                     .n_rules = n_rules};
    skills_discover(&o, c);
    free(home);
    free(uh);
    free(repo);
    free(cwd);
}

static void discovers_every_root(void **state)
{
    (void)state;
    struct skill_catalog c;
    discover(&c, NULL, 0);
    const char *want[] = {"home-skill", "sys-skill", "user-skill", "repo-skill", "codexdir-skill",
                          "sub-skill", "other-name", "hidden-skill", "long-skill"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!find(&c, want[i]))
            fail_msg("skill %s not found", want[i]);
    assert_null(find(&c, "not-read"));
    assert_null(find(&c, "below-cwd"));
    assert_null(find(&c, "above-root"));
    assert_false(find(&c, "hidden-skill")->implicit);
    assert_string_equal(find(&c, "hidden-skill")->display_name, "Hidden");
    const char *d = find(&c, "long-skill")->description;
    assert_int_equal(strlen(d), 1024);
    assert_string_equal(d + 1021, "...");
    /* the bundled root lists first, then the repository, closest first */
    assert_string_equal(c.skills[0].name, "sys-skill");
    size_t sub = find(&c, "sub-skill") - c.skills, repo = find(&c, "repo-skill") - c.skills;
    size_t home = find(&c, "home-skill") - c.skills, user = find(&c, "user-skill") - c.skills;
    assert_true(sub < repo && repo < home && home < user);
    /* two broken files are reported with where they break */
    assert_int_equal(c.n_problems, 2);
    bool saw_nofm = false, saw_broken = false;
    for (size_t i = 0; i < c.n_problems; i++) {
        saw_nofm |= strstr(c.problems[i].message, "nofm/SKILL.md:1:1: missing YAML") != NULL;
        saw_broken |= strstr(c.problems[i].message, "broken/SKILL.md:3:") != NULL;
    }
    assert_true(saw_nofm && saw_broken);
    skill_catalog_free(&c);
}

static void instructions_and_mentions(void **state)
{
    (void)state;
    char *disabled = fs_join(scratch, "home/skills/home-skill/SKILL.md");
    /* off by name, then back on by path: the later entry wins */
    const struct skill_rule rules[] = {{.path = disabled, .enabled = false},
                                       {.name = "user-skill", .enabled = false},
                                       {.name = "sys-skill", .enabled = false},
                                       {.path = NULL, .name = NULL, .enabled = false}};
    struct skill_catalog c;
    discover(&c, rules, 4);
    assert_false(find(&c, "home-skill")->enabled);
    assert_false(find(&c, "user-skill")->enabled);
    assert_true(find(&c, "repo-skill")->enabled);
    skill_catalog_free(&c);
    char *sys = fs_join(scratch, "home/skills/.system/sys/SKILL.md");
    const struct skill_rule again[] = {{.name = "sys-skill", .enabled = false},
                                       {.path = sys, .enabled = true}};
    discover(&c, again, 2);
    assert_true(find(&c, "sys-skill")->enabled);
    skill_catalog_free(&c);
    free(sys);
    discover(&c, rules, 1);
    char *text = skills_instructions(&c);
    assert_non_null(text);
    assert_non_null(strstr(text, "<skills_instructions>"));
    assert_non_null(strstr(text, "- repo-skill: Repo root. (file: r"));
    assert_null(strstr(text, "hidden-skill"));
    assert_null(strstr(text, "home-skill"));
    free(text);

    const struct skill **hit;
    size_t n = skills_mentioned(&c, "use $hidden-skill and $home-skill, $dup, $repo-skill and $PATH",
                                &hit);
    /* catalog order; disabled and ambiguous names select nothing */
    assert_int_equal(n, 2);
    assert_string_equal(hit[0]->name, "hidden-skill");
    assert_string_equal(hit[1]->name, "repo-skill");
    struct codex_error err = CODEX_ERROR_INIT;
    char *inj = skill_injection_text(hit[1], &err);
    assert_non_null(inj);
    assert_non_null(strstr(inj, "<skill>\n<name>repo-skill</name>\n<path>"));
    assert_non_null(strstr(inj, "Body of repo-skill.\n\n</skill>"));
    free(inj);
    free(hit);

    /* a linked mention picks one of two skills with the same name */
    char *dup2 = fs_join(scratch, "uh/.agents/skills/dup2/SKILL.md");
    char *linked = xasprintf("see [$dup](%s)", dup2);
    n = skills_mentioned(&c, linked, &hit);
    assert_int_equal(n, 1);
    assert_string_equal(hit[0]->path, dup2);
    free(hit);
    free(linked);
    free(dup2);
    skill_catalog_free(&c);
    free(disabled);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yaml_scalars),
        cmocka_unit_test(yaml_nesting),
        cmocka_unit_test(yaml_errors),
        cmocka_unit_test(front_matter),
        cmocka_unit_test_setup_teardown(discovers_every_root, setup_tree, teardown_tree),
        cmocka_unit_test_setup_teardown(instructions_and_mentions, setup_tree, teardown_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
