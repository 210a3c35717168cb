/* Unit tests for rules: parsing errors and their locations, matching,
 * host-executable resolution, shell-wrapper checks, loading from
 * directories, admin rules and appending approved rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/execpolicy.h"
#include "policy/execpolicy_internal.h"
#include "policy/execpolicy_requirements.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

static struct ep_policy *parse_ok(const char *text)
{
    struct ep_policy *p = ep_policy_new();
    char *err = NULL;
    if (ep_policy_parse(p, "t.rules", text, strlen(text), &err) != 0)
        fail_msg("unexpected error: %s", err);
    return p;
}

/* Parse text expecting failure; returns the message (caller frees). */
static char *parse_err(const char *text)
{
    struct ep_policy *p = ep_policy_new();
    char *err = NULL;
    int r = ep_policy_parse(p, "t.rules", text, strlen(text), &err);
    ep_policy_free(p);
    if (r == 0)
        fail_msg("expected an error for: %s", text);
    assert_non_null(err);
    return err;
}

static void expect_err_prefix(const char *text, const char *prefix, const char *needle)
{
    char *err = parse_err(text);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("for %s\n got: %s\nwant: %s... containing %s", text, err, prefix, needle);
    free(err);
}

/* Evaluate argv (space-separated) and render compact JSON. */
static char *check_json(const struct ep_policy *p, const char *cmd, bool resolve)
{
    struct strvec words = STRVEC_INIT;
    char *copy = xstrdup(cmd);
    for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " "))
        strvec_push(&words, tok);
    free(copy);
    struct ep_evaluation ev = {0};
    ep_policy_match(p, (const char *const *)words.v, words.n, resolve, &ev);
    char *json = ep_evaluation_json(&ev, false);
    ep_evaluation_free(&ev);
    strvec_free(&words);
    return json;
}

static void expect_json(const struct ep_policy *p, const char *cmd, bool resolve, const char *want)
{
    char *got = check_json(p, cmd, resolve);
    assert_string_equal(got, want);
    free(got);
}

static void matches_prefixes_and_picks_strictest(void **state)
{
    (void)state;
    struct ep_policy *p = parse_ok("prefix_rule(pattern=[\"git\", [\"status\", \"log\"]], decision=\"allow\")\n"
                                   "prefix_rule(pattern=[\"git\"], decision=\"prompt\", justification=\"j\")\n"
                                   "prefix_rule(pattern=[[\"rm\", \"rmdir\"]], decision=\"forbidden\")\n");
    assert_int_equal(ep_policy_rule_count(p), 4);
    expect_json(p, "git status -s", false,
                "{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"git\",\"status\"],\"decision\":"
                "\"allow\"}},{\"prefixRuleMatch\":{\"matchedPrefix\":[\"git\"],\"decision\":\"prompt\","
                "\"justification\":\"j\"}}],\"decision\":\"prompt\"}");
    expect_json(p, "rmdir x", false,
                "{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"rmdir\"],\"decision\":"
                "\"forbidden\"}}],\"decision\":\"forbidden\"}");
    expect_json(p, "gitk", false, "{\"matchedRules\":[]}");
    ep_policy_free(p);
}

static void pretty_json_layout(void **state)
{
    (void)state;
    struct ep_policy *p = parse_ok("prefix_rule(pattern=[\"a\"])");
    struct ep_evaluation ev = {0};
    const char *argv[] = {"a", "b"};
    ep_policy_match(p, argv, 2, false, &ev);
    char *json = ep_evaluation_json(&ev, true);
    assert_string_equal(json, "{\n  \"matchedRules\": [\n    {\n      \"prefixRuleMatch\": {\n"
                              "        \"matchedPrefix\": [\n          \"a\"\n        ],\n"
                              "        \"decision\": \"allow\"\n      }\n    }\n  ],\n"
                              "  \"decision\": \"allow\"\n}");
    free(json);
    ep_evaluation_free(&ev);
    struct ep_evaluation none = {0};
    json = ep_evaluation_json(&none, true);
    assert_string_equal(json, "{\n  \"matchedRules\": []\n}");
    free(json);
    ep_policy_free(p);
}

static void string_literal_forms(void **state)
{
    (void)state;
    struct ep_policy *p = parse_ok("prefix_rule(pattern=[r'\\d', '\\d', \"\"\"x\ny\"\"\", '\\x41\\101\\u00e9'])");
    const char *argv[] = {"\\d", "\\d", "x\ny", "AA\xc3\xa9"};
    struct ep_evaluation ev = {0};
    ep_policy_match(p, argv, 4, false, &ev);
    assert_int_equal(ev.n, 1);
    ep_evaluation_free(&ev);
    ep_policy_free(p);

    /* A NUL written as \0 can never match an argument. */
    p = parse_ok("prefix_rule(pattern=['a\\0b'])");
    const char *nul[] = {"a"};
    ep_policy_match(p, nul, 1, false, &ev);
    assert_int_equal(ev.n, 0);
    ep_policy_free(p);
}

static void errors_name_file_line_and_column(void **state)
{
    (void)state;
    expect_err_prefix("prefix_rule(pattern=[\"git\"],\n  decision=\"bogus\")", "t.rules:2:12: ", "bogus");
    expect_err_prefix("\n\nprefix_rule(pattern=[\"git\" ", "t.rules:3:28: ", "end of file");
    expect_err_prefix("x = 1", "t.rules:1:1: ", "not supported");
    expect_err_prefix("prefix_rule(pattern=[\"a\"] + [\"b\"])", "t.rules:1:27: ", "not supported");
    expect_err_prefix("foo()", "t.rules:1:1: ", "unknown function `foo`");
    expect_err_prefix("prefix_rule(pattern=[\"a\"], decision=1)", "t.rules:1:37: ", "must be a string");
    expect_err_prefix("prefix_rule(pattern=[\"a\"],\n  match=[\"a\", \"b c\"])", "t.rules:2:15: ",
                      "`b c` not matched");
    expect_err_prefix("prefix_rule(pattern=[\"a\"], not_match=[\"a b\"])", "t.rules:1:39: ", "`a b`");
    expect_err_prefix(" prefix_rule(pattern=[\"a\"])", "t.rules:1:1: ", "indentation");
    expect_err_prefix("prefix_rule(pattern=[\"a\"],\tdecision=\"allow\")", "t.rules:1:27: ", "tabs");
    expect_err_prefix("prefix_rule(pattern=[\"\\x4\"])", "t.rules:1:23: ", "hex digits");
    expect_err_prefix("prefix_rule(pattern=[f\"{x}\"])", "t.rules:1:22: ", "f-string");
    expect_err_prefix("prefix_rule(pattern=[\"\xff\"])", "t.rules:1:23: ", "UTF-8");
    expect_err_prefix("host_executable(name=\"git\", paths=[\"~/bin/git\"])", "t.rules:1:36: ", "absolute");
    expect_err_prefix("prefix_rule(pattern=[\"a\"], pattern=[\"b\"])", "t.rules:1:28: ", "twice");
    expect_err_prefix("prefix_rule(pattern=[])", "t.rules:1:21: ", "empty");
    expect_err_prefix("prefix_rule()", "t.rules:1:1: ", "missing");

    /* Deep nesting is refused, not a stack overflow. */
    struct buf deep = BUF_INIT;
    buf_puts(&deep, "prefix_rule(pattern=");
    for (int i = 0; i < 100000; i++)
        buf_putc(&deep, '[');
    char *err = parse_err(buf_cstr(&deep));
    assert_non_null(strstr(err, "nested"));
    free(err);
    buf_free(&deep);
}

static void host_executables_gate_basename_resolution(void **state)
{
    (void)state;
    struct ep_policy *p = parse_ok("prefix_rule(pattern=[\"git\"], decision=\"prompt\")\n"
                                   "host_executable(name=\"git\", paths=[\"/usr/bin/git\"])\n"
                                   "prefix_rule(pattern=[\"tool\"])\n");
    expect_json(p, "/usr/bin/git x", false, "{\"matchedRules\":[]}");
    expect_json(p, "/usr/bin/git x", true,
                "{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"git\"],\"decision\":\"prompt\","
                "\"resolvedProgram\":\"/usr/bin/git\"}}],\"decision\":\"prompt\"}");
    expect_json(p, "/opt/git x", true, "{\"matchedRules\":[]}");
    /* No declaration for tool: any path resolves, relative ones against
     * cwd and ~/ against the home the caller gives. */
    ep_policy_set_home(p, "/home/someone");
    expect_json(p, "~/bin/tool", true,
                "{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"tool\"],\"decision\":\"allow\","
                "\"resolvedProgram\":\"/home/someone/bin/tool\"}}],\"decision\":\"allow\"}");
    char *cwd = getcwd(NULL, 0);
    char *want = xasprintf("{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"tool\"],\"decision\":"
                           "\"allow\",\"resolvedProgram\":\"%s/tool\"}}],\"decision\":\"allow\"}",
                           strcmp(cwd, "/") == 0 ? "" : cwd);
    expect_json(p, "x/../tool", true, want);
    free(want);
    free(cwd);
    ep_policy_free(p);
}

static void path_helpers(void **state)
{
    (void)state;
    static const char *const base_cases[][2] = {
        {"/usr/bin/git", "git"}, {"git", "git"}, {"/usr/bin/git/", "git"}, {"/usr/bin/git/.", "git"},
        {"./git", "git"},        {"/", NULL},    {"", NULL},               {"/a/..", NULL},
        {".", NULL},             {"a//b", "b"},
    };
    for (size_t i = 0; i < sizeof base_cases / sizeof base_cases[0]; i++) {
        char *b = ep_path_basename(base_cases[i][0]);
        if (base_cases[i][1])
            assert_string_equal(b, base_cases[i][1]);
        else
            assert_null(b);
        free(b);
    }
    static const char *const abs_cases[][2] = {
        {"/usr/bin/../bin/git", "/usr/bin/git"}, {"/a/../../b", "/b"}, {"/", "/"}, {"//x//y/", "/x/y"},
        {"/a/./b/.", "/a/b"},
    };
    for (size_t i = 0; i < sizeof abs_cases / sizeof abs_cases[0]; i++) {
        char *a = ep_path_absolutize(abs_cases[i][0], "/home/someone");
        assert_string_equal(a, abs_cases[i][1]);
        free(a);
    }
}

static void shell_wrappers_are_checked_per_command(void **state)
{
    (void)state;
    struct ep_policy *p = parse_ok("prefix_rule(pattern=[\"git\", \"status\"])\n"
                                   "prefix_rule(pattern=[\"rm\"], decision=\"forbidden\")\n"
                                   "prefix_rule(pattern=[\"bash\"], decision=\"allow\")\n"
                                   "prefix_rule(pattern=[\"zsh\"], decision=\"prompt\")\n");
    struct ep_evaluation ev = {0};
    const char *a[] = {"bash", "-lc", "git status && rm -rf build"};
    ep_check_command(p, a, 3, false, &ev);
    assert_int_equal(ev.n, 2);
    assert_int_equal(ev.decision, EP_FORBIDDEN);
    assert_false(ev.opaque);
    ep_evaluation_free(&ev);

    const char *b[] = {"bash", "-lc", "git status"};
    ep_check_command(p, b, 3, false, &ev);
    assert_int_equal(ev.n, 1);
    assert_int_equal(ev.decision, EP_ALLOW);
    ep_evaluation_free(&ev);

    /* Opaque: the allow rule for bash cannot vouch for $(...). */
    const char *c[] = {"bash", "-lc", "git status $(rm -rf /)"};
    ep_check_command(p, c, 3, false, &ev);
    assert_true(ev.opaque);
    assert_int_equal(ev.n, 0);
    ep_evaluation_free(&ev);

    /* ...but a prompt rule about the wrapper still speaks. */
    const char *d[] = {"zsh", "-c", "ls > out"};
    ep_check_command(p, d, 3, false, &ev);
    assert_true(ev.opaque);
    assert_int_equal(ev.n, 1);
    assert_int_equal(ev.decision, EP_PROMPT);
    ep_evaluation_free(&ev);

    /* Nested wrappers are unwrapped too; an opaque one inside cannot be
     * vouched for by the allow rule on bash. */
    const char *f[] = {"bash", "-lc", "git status && bash -c 'rm -rf x'"};
    ep_check_command(p, f, 3, false, &ev);
    assert_int_equal(ev.decision, EP_FORBIDDEN);
    assert_false(ev.opaque);
    ep_evaluation_free(&ev);
    const char *g[] = {"bash", "-lc", "git status; bash -c 'echo $(id)'"};
    ep_check_command(p, g, 3, false, &ev);
    assert_true(ev.opaque);
    assert_int_equal(ev.uncovered, 1);
    assert_int_equal(ev.n, 1); /* only git status; bash's allow was dropped */
    assert_string_equal(ev.matches[0].prefix[0], "git");
    ep_evaluation_free(&ev);

    /* Not a wrapper: the argv itself. */
    const char *e[] = {"git", "status"};
    ep_check_command(p, e, 2, false, &ev);
    assert_int_equal(ev.n, 1);
    assert_false(ev.opaque);
    ep_evaluation_free(&ev);
    ep_policy_free(p);
}

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/codex-ep-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return xstrdup(tmpl);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = fs_join(dir, name);
    assert_int_equal(fs_write_atomic(path, text, strlen(text), 0644), 0);
    free(path);
}

static void loads_rules_directories_in_order(void **state)
{
    (void)state;
    char *root = make_tmpdir();
    char *home_rules = fs_join(root, "home/rules");
    assert_int_equal(fs_mkdir_p(home_rules, 0755), 0);
    write_file(home_rules, "b.rules", "prefix_rule(pattern=[\"x\"], decision=\"forbidden\")");
    write_file(home_rules, "a.rules", "prefix_rule(pattern=[\"x\"], decision=\"prompt\")");
    write_file(home_rules, "notes.txt", "this is not a rules file(");
    char *sub = fs_join(home_rules, "dir.rules");
    assert_int_equal(fs_mkdir_p(sub, 0755), 0);

    char *home = fs_join(root, "home");
    char *proj = fs_join(root, "proj");
    char *cwd = fs_join(proj, "a/b");
    assert_int_equal(fs_mkdir_p(cwd, 0755), 0);
    struct strvec dirs = STRVEC_INIT;
    ep_rules_dirs(home, proj, cwd, &dirs);
    assert_int_equal(dirs.n, 4);
    assert_string_equal(dirs.v[0], home_rules);
    char *want = fs_join(proj, ".codex/rules");
    assert_string_equal(dirs.v[1], want);
    free(want);
    want = fs_join(cwd, ".codex/rules");
    assert_string_equal(dirs.v[3], want);
    free(want);

    char *proj_rules = fs_join(cwd, ".codex/rules");
    assert_int_equal(fs_mkdir_p(proj_rules, 0755), 0);
    write_file(proj_rules, "p.rules", "prefix_rule(pattern=[\"y\"])");

    struct ep_policy *p = ep_policy_new();
    char *err = NULL;
    assert_int_equal(ep_policy_load_dirs(p, (const char *const *)dirs.v, dirs.n, &err), 0);
    expect_json(p, "x", false,
                "{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"x\"],\"decision\":\"prompt\"}},"
                "{\"prefixRuleMatch\":{\"matchedPrefix\":[\"x\"],\"decision\":\"forbidden\"}}],"
                "\"decision\":\"forbidden\"}");
    expect_json(p, "y", false,
                "{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"y\"],\"decision\":\"allow\"}}],"
                "\"decision\":\"allow\"}");
    ep_policy_free(p);

    /* Untrusted project (no root): only CODEX_HOME. */
    struct strvec only_home = STRVEC_INIT;
    ep_rules_dirs(home, NULL, cwd, &only_home);
    assert_int_equal(only_home.n, 1);
    strvec_free(&only_home);

    /* A broken file is an error naming it, not a silent skip. */
    write_file(proj_rules, "q.rules", "prefix_rule(pattern=[\"y\"]");
    p = ep_policy_new();
    assert_int_equal(ep_policy_load_dirs(p, (const char *const *)dirs.v, dirs.n, &err), -1);
    assert_non_null(strstr(err, "q.rules:1:"));
    free(err);
    ep_policy_free(p);

    strvec_free(&dirs);
    free(proj_rules);
    free(cwd);
    free(proj);
    free(home);
    free(sub);
    free(home_rules);
    free(root);
}

static void admin_rules_only_restrict(void **state)
{
    (void)state;
    struct ep_policy *p = ep_policy_new();
    const char *git[] = {"git"};
    const char *push[] = {"push", "fetch"};
    struct ep_pattern_word words[] = {{git, 1}, {push, 2}};
    char *err = NULL;
    assert_int_equal(ep_policy_add_prefix_rule(p, words, 2, EP_ALLOW, NULL, true, &err), -1);
    assert_non_null(strstr(err, "allow"));
    free(err);
    assert_int_equal(ep_policy_add_prefix_rule(p, words, 2, EP_FORBIDDEN, "admin says no", true, &err), 0);
    expect_json(p, "git fetch", false,
                "{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"git\",\"fetch\"],\"decision\":"
                "\"forbidden\",\"justification\":\"admin says no\"}}],\"decision\":\"forbidden\"}");
    assert_int_equal(ep_policy_add_prefix_rule(p, words, 2, EP_PROMPT, "  ", true, &err), -1);
    free(err);
    ep_policy_free(p);
}

static void appends_approved_rules(void **state)
{
    (void)state;
    char *home = make_tmpdir();
    char *err = NULL;
    const char *prefix[] = {"echo", "Hello, \"world\"\n\\", "caf\xc3\xa9"};
    assert_int_equal(execpolicy_append_rule(home, prefix, 3, &err), 0);
    assert_int_equal(execpolicy_append_rule(home, prefix, 3, &err), 0); /* no duplicate */
    char *path = fs_join(home, "rules/default.rules");
    size_t len;
    char *text = fs_read_file(path, 1 << 20, &len);
    assert_string_equal(text, "prefix_rule(pattern=[\"echo\", \"Hello, \\\"world\\\"\\n\\\\\", \"caf\xc3\xa9\"], "
                              "decision=\"allow\")\n");
    free(text);

    /* A file without a final newline gets one before the new line. */
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "# tail", 6), 6);
    close(fd);
    const char *ls[] = {"ls"};
    assert_int_equal(execpolicy_append_rule(home, ls, 1, &err), 0);

    /* What was written loads back and matches. */
    struct ep_policy *p = ep_policy_new();
    assert_int_equal(ep_policy_load_file(p, path, &err), 0);
    struct ep_evaluation ev = {0};
    ep_policy_match(p, prefix, 3, false, &ev);
    assert_int_equal(ev.n, 1);
    ep_evaluation_free(&ev);
    ep_policy_match(p, ls, 1, false, &ev);
    assert_int_equal(ev.n, 1);
    ep_evaluation_free(&ev);
    ep_policy_free(p);

    assert_int_equal(execpolicy_append_rule(home, ls, 0, &err), -1);
    free(err);
    free(path);
    free(home);
}

static void refuses_huge_and_missing_files(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *path = fs_join(dir, "huge.rules");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    static char line[1024];
    memset(line, '#', sizeof line - 1);
    for (int i = 0; i < 17 * 1024; i++)
        fputs(line, f);
    fclose(f);
    struct ep_policy *p = ep_policy_new();
    char *err = NULL;
    assert_int_equal(ep_policy_load_file(p, path, &err), -1);
    assert_non_null(strstr(err, "larger than"));
    free(err);
    unlink(path);
    assert_int_equal(ep_policy_load_file(p, path, &err), -1);
    assert_non_null(strstr(err, "failed to read policy at"));
    free(err);
    ep_policy_free(p);
    rmdir(dir);
    free(path);
    free(dir);
}

static int add_requirements(struct ep_policy *p, const char *doc, char **err)
{
    struct toml_error terr;
    toml_value *root = toml_parse(doc, strlen(doc), &terr);
    assert_non_null(root);
    int r = ep_policy_add_requirements(p, root, "requirements.toml", err);
    toml_free(root);
    return r;
}

static void requirements_prefix_rules(void **state)
{
    (void)state;
    struct ep_policy *p = ep_policy_new();
    char *err = NULL;
    assert_int_equal(add_requirements(p, "model = \"x\"\n", &err), 0);
    assert_int_equal(ep_policy_rule_count(p), 0);
    assert_int_equal(add_requirements(p,
                                      "[rules]\nprefix_rules = [\n"
                                      "  { pattern = [{ token = \"rm\" }, { any_of = [\"-rf\", \"-fr\"] }], "
                                      "decision = \"forbidden\", justification = \"admin\" },\n"
                                      "  { pattern = [{ any_of = [\"curl\", \"wget\"] }], decision = \"prompt\" },\n]\n",
                                      &err),
                     0);
    assert_int_equal(ep_policy_rule_count(p), 3);
    expect_json(p, "rm -fr /", false,
                "{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"rm\",\"-fr\"],\"decision\":"
                "\"forbidden\",\"justification\":\"admin\"}}],\"decision\":\"forbidden\"}");
    expect_json(p, "wget x", false,
                "{\"matchedRules\":[{\"prefixRuleMatch\":{\"matchedPrefix\":[\"wget\"],\"decision\":"
                "\"prompt\"}}],\"decision\":\"prompt\"}");

    static const char *const bad[][2] = {
        {"[rules]\nprefix_rules = [{ pattern = [{ token = \"ls\" }], decision = \"allow\" }]\n",
         "requirements.toml:2:60: rules.prefix_rules[0].decision: requirements may only prompt or forbid"},
        {"[rules]\nprefix_rules = [{ pattern = [{ token = \"ls\" }] }]\n", "decision is required"},
        {"[rules]\nprefix_rules = [{ pattern = [], decision = \"prompt\" }]\n", "non-empty array of tokens"},
        {"[rules]\nprefix_rules = [{ pattern = [{ token = \"a\", any_of = [\"b\"] }], decision = \"prompt\" }]\n",
         "must be { token"},
        {"[rules]\nprefix_rules = [{ pattern = [{ any_of = [] }], decision = \"prompt\" }]\n", "any_of"},
        {"[rules]\nprefix_rules = []\n", "non-empty array of tables"},
        {"[rules]\nprefix_rules = [{ pattern = [{ token = \"a\" }], decision = \"prompt\", justification = \" \" }]\n",
         "justification cannot be empty"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(add_requirements(p, bad[i][0], &err), -1);
        if (!strstr(err, bad[i][1]))
            fail_msg("got %s, want %s", err, bad[i][1]);
        free(err);
    }
    ep_policy_free(p);
}

static void verdicts_and_messages(void **state)
{
    (void)state;
    struct ep_policy *p = parse_ok("prefix_rule(pattern=[\"rm\"], decision=\"forbidden\")\n"
                                   "prefix_rule(pattern=[\"rm\", \"-rf\"], decision=\"forbidden\")\n"
                                   "prefix_rule(pattern=[\"dd\"], decision=\"forbidden\", justification=\"no raw disks\")\n"
                                   "prefix_rule(pattern=[\"curl\"], decision=\"prompt\", justification=\"network\")\n"
                                   "prefix_rule(pattern=[\"ssh\"], decision=\"prompt\")\n"
                                   "prefix_rule(pattern=[\"ls\"])\n");
    struct {
        const char *argv[3];
        size_t argc;
        bool can_prompt, rules_can_prompt;
        enum ep_outcome outcome;
        const char *reason;
    } cases[] = {
        {{"rm", "-rf", "a b"}, 3, true, true, EP_OUTCOME_REJECT,
         "`rm -rf 'a b'` rejected: rules forbid commands starting with `rm -rf`"},
        {{"dd", "if=x"}, 2, true, true, EP_OUTCOME_REJECT, "`dd if=x` rejected: no raw disks"},
        {{"curl", "x"}, 2, true, true, EP_OUTCOME_ASK, "network"},
        {{"ssh", "h"}, 2, true, true, EP_OUTCOME_ASK, "a rule requires approval for `ssh h`"},
        {{"ssh", "h"}, 2, false, true, EP_OUTCOME_REJECT,
         "`ssh h` rejected: a rule requires approval, but the approval policy is `never`"},
        {{"ssh", "h"}, 2, true, false, EP_OUTCOME_REJECT, "granular rules = false"},
        {{"ls"}, 1, false, false, EP_OUTCOME_RUN, NULL},
        {{"cat"}, 1, true, true, EP_OUTCOME_UNMATCHED, NULL},
        {{"bash", "-lc", "ls && cat x"}, 3, true, true, EP_OUTCOME_UNMATCHED, NULL},
        {{"bash", "-lc", "ls; ls -l | ls"}, 3, true, true, EP_OUTCOME_RUN, NULL},
        {{"bash", "-lc", "ls; echo $(id)"}, 3, true, true, EP_OUTCOME_UNMATCHED, NULL},
        {{"bash", "-lc", "cat x && ssh h"}, 3, true, true, EP_OUTCOME_ASK, "ssh h"},
        {{"bash", "-lc", "ls && rm -rf y"}, 3, true, true, EP_OUTCOME_REJECT, "rm -rf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ep_evaluation ev = {0};
        ep_check_command(p, cases[i].argv, cases[i].argc, false, &ev);
        struct ep_verdict v;
        ep_verdict_for(&ev, cases[i].argv, cases[i].argc, cases[i].can_prompt, cases[i].rules_can_prompt, &v);
        assert_int_equal(v.outcome, cases[i].outcome);
        if (cases[i].reason) {
            assert_non_null(v.reason);
            if (!strstr(v.reason, cases[i].reason))
                fail_msg("case %zu: got %s", i, v.reason);
        } else {
            assert_null(v.reason);
        }
        free(v.reason);
        ep_evaluation_free(&ev);
    }
    ep_policy_free(p);
}

static void prefix_suggestions_exclude_wrappers(void **state)
{
    (void)state;
    const char *ok1[] = {"cargo", "test"}, *ok2[] = {"git", "status"}, *ok3[] = {"python3", "build.py"},
               *ok4[] = {"ls"};
    const char *bad1[] = {"python3"}, *bad2[] = {"bash", "-lc"}, *bad3[] = {"/usr/bin/sudo", "apt"},
               *bad4[] = {"env", "FOO=1"}, *bad5[] = {"git"}, *bad6[] = {"ls", ""};
    assert_true(ep_prefix_suggestion_ok(ok1, 2));
    assert_true(ep_prefix_suggestion_ok(ok2, 2));
    assert_true(ep_prefix_suggestion_ok(ok3, 2));
    assert_true(ep_prefix_suggestion_ok(ok4, 1));
    assert_false(ep_prefix_suggestion_ok(bad1, 1));
    assert_false(ep_prefix_suggestion_ok(bad2, 2));
    assert_false(ep_prefix_suggestion_ok(bad3, 2));
    assert_false(ep_prefix_suggestion_ok(bad4, 2));
    assert_false(ep_prefix_suggestion_ok(bad5, 1));
    assert_false(ep_prefix_suggestion_ok(bad6, 2));
    assert_false(ep_prefix_suggestion_ok(ok1, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_prefixes_and_picks_strictest),
        cmocka_unit_test(pretty_json_layout),
        cmocka_unit_test(string_literal_forms),
        cmocka_unit_test(errors_name_file_line_and_column),
        cmocka_unit_test(host_executables_gate_basename_resolution),
        cmocka_unit_test(path_helpers),
        cmocka_unit_test(shell_wrappers_are_checked_per_command),
        cmocka_unit_test(loads_rules_directories_in_order),
        cmocka_unit_test(admin_rules_only_restrict),
        cmocka_unit_test(requirements_prefix_rules),
        cmocka_unit_test(verdicts_and_messages),
        cmocka_unit_test(prefix_suggestions_exclude_wrappers),
        cmocka_unit_test(appends_approved_rules),
        cmocka_unit_test(refuses_huge_and_missing_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
