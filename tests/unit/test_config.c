/* Unit tests for config loading: layer precedence, profiles, project trust,
 * -c parsing, key checking and requirements. */
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

#include "config/config.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Every test runs in a fresh scratch tree:
 *   T/home        CODEX_HOME
 *   T/repo/.git   a project root, T/repo/sub its subdirectory (cwd)
 *   T/managed.toml, T/requirements.toml (absent unless a test writes them) */
struct scratch {
    char *top, *home, *repo, *sub, *managed, *requirements;
    char *old_cwd;
};

static void write_file(const char *path, const char *text)
{
    assert_int_equal(fs_write_atomic(path, text, strlen(text), 0600), 0);
}

static char *path_in(const char *dir, const char *rel)
{
    return fs_join(dir, rel);
}

static int setup(void **state)
{
    struct scratch *s = xcalloc(1, sizeof *s);
    char tmpl[] = "/tmp/codex-config-test.XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    s->top = realpath(tmpl, NULL);
    s->home = path_in(s->top, "home");
    s->repo = path_in(s->top, "repo");
    s->sub = path_in(s->repo, "sub");
    s->managed = path_in(s->top, "managed.toml");
    s->requirements = path_in(s->top, "requirements.toml");
    char *git = path_in(s->repo, ".git");
    char *sub_codex = path_in(s->sub, ".codex");
    char *repo_codex = path_in(s->repo, ".codex");
    assert_int_equal(fs_mkdir_p(s->home, 0700), 0);
    assert_int_equal(fs_mkdir_p(git, 0700), 0);
    assert_int_equal(fs_mkdir_p(sub_codex, 0700), 0);
    assert_int_equal(fs_mkdir_p(repo_codex, 0700), 0);
    free(git);
    free(sub_codex);
    free(repo_codex);
    setenv("CODEX_HOME", s->home, 1);
    setenv("CODEX_MANAGED_CONFIG_PATH", s->managed, 1);
    setenv("CODEX_REQUIREMENTS_PATH", s->requirements, 1);
    s->old_cwd = getcwd(NULL, 0);
    assert_int_equal(chdir(s->sub), 0);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct scratch *s = *state;
    assert_int_equal(chdir(s->old_cwd), 0);
    char *cmd = xasprintf("rm -rf '%s'", s->top);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(s->top);
    free(s->home);
    free(s->repo);
    free(s->sub);
    free(s->managed);
    free(s->requirements);
    free(s->old_cwd);
    free(s);
    return 0;
}

static void home_file(struct scratch *s, const char *name, const char *text)
{
    char *p = path_in(s->home, name);
    write_file(p, text);
    free(p);
}

static void project_file(const char *dir, const char *text)
{
    char *p = path_in(dir, ".codex/config.toml");
    write_file(p, text);
    free(p);
}

static char errbuf[2048];

/* The tests set variables with setenv; the loader sees the environment
 * only as the front end passes it, so pass it as it is now. */
static int load(struct codex_config *cfg, const struct config_load_opts *opts)
{
    struct config_load_opts o = {0};
    if (opts)
        o = *opts;
    o.envp = (const char *const *)environ;
    struct codex_error err = CODEX_ERROR_INIT;
    int r = config_load(&o, cfg, &err);
    snprintf(errbuf, sizeof errbuf, "%s", err.message ? err.message : "");
    codex_error_clear(&err);
    return r;
}

static void load_ok(struct codex_config *cfg, const struct config_load_opts *opts)
{
    if (load(cfg, opts) != 0)
        fail_msg("config_load failed: %s", errbuf);
}

static void load_fails(const struct config_load_opts *opts, const char *expected_fragment)
{
    struct codex_config cfg;
    assert_int_equal(load(&cfg, opts), -1);
    if (!strstr(errbuf, expected_fragment))
        fail_msg("error \"%s\" lacks \"%s\"", errbuf, expected_fragment);
}

static char *trust_entry(const char *dir, const char *level)
{
    return xasprintf("[projects.\"%s\"]\ntrust_level = \"%s\"\n", dir, level);
}

/* ---- defaults ----------------------------------------------------------- */

static void defaults_without_any_config(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    load_ok(&cfg, NULL);
    assert_string_equal(cfg.codex_home, s->home);
    assert_string_equal(cfg.cwd, s->sub);
    assert_string_equal(cfg.project_root, s->repo);
    assert_null(cfg.model);
    assert_null(cfg.profile);
    assert_string_equal(cfg.model_provider, "openai");
    assert_int_equal(cfg.sandbox_mode, SANDBOX_READ_ONLY);
    assert_int_equal(cfg.approval_policy, APPROVAL_ON_REQUEST);
    assert_false(cfg.project_trusted);
    assert_string_equal(cfg.web_search, "cached");
    assert_string_equal(cfg.history_persistence, "save-all");
    assert_int_equal(cfg.project_doc_max_bytes, 32768);
    assert_int_equal(cfg.shell_env.inherit, ENV_INHERIT_ALL);
    const struct model_provider *openai = config_provider(&cfg, "openai");
    assert_non_null(openai);
    assert_string_equal(openai->base_url, "https://api.openai.com/v1");
    assert_string_equal(openai->env_key, "OPENAI_API_KEY");
    assert_true(openai->requires_openai_auth);
    assert_int_equal(openai->request_max_retries, 4);
    assert_int_equal(openai->stream_max_retries, 5);
    assert_int_equal(openai->stream_idle_timeout_ms, 300000);
    assert_non_null(config_provider(&cfg, "ollama"));
    assert_non_null(config_provider(&cfg, "lmstudio"));
    assert_null(config_provider(&cfg, "nope"));
    assert_true(config_feature_enabled(&cfg, "shell_tool"));
    assert_false(config_feature_enabled(&cfg, "memories"));
    config_free(&cfg);
}

static void trust_decides_default_permissions(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;

    char *t = trust_entry(s->repo, "trusted");
    home_file(s, "config.toml", t);
    free(t);
    load_ok(&cfg, NULL);
    assert_true(cfg.project_trusted);
    assert_int_equal(cfg.sandbox_mode, SANDBOX_WORKSPACE_WRITE);
    assert_int_equal(cfg.approval_policy, APPROVAL_ON_REQUEST);
    config_free(&cfg);

    t = trust_entry(s->repo, "untrusted");
    home_file(s, "config.toml", t);
    free(t);
    load_ok(&cfg, NULL);
    assert_false(cfg.project_trusted);
    assert_int_equal(cfg.sandbox_mode, SANDBOX_WORKSPACE_WRITE);
    assert_int_equal(cfg.approval_policy, APPROVAL_UNTRUSTED);
    config_free(&cfg);
}

/* ---- precedence --------------------------------------------------------- */

static void every_layer_overrides_the_one_below(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    struct config_load_opts o = {0};
    char *trust = trust_entry(s->repo, "trusted");
    char *user = xasprintf("model = \"user\"\nreview_model = \"user\"\n[profiles.p]\nmodel = \"table\"\n%s", trust);
    free(trust);
    home_file(s, "config.toml", user);
    free(user);

    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "user");
    config_free(&cfg);

    o.profile = "p";
    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "table");
    assert_string_equal(cfg.profile, "p");
    config_free(&cfg);

    home_file(s, "p.config.toml", "model = \"profile-file\"\n");
    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "profile-file");
    config_free(&cfg);

    project_file(s->repo, "model = \"project-root\"\n");
    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "project-root");
    config_free(&cfg);

    project_file(s->sub, "model = \"project-sub\"\n");
    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "project-sub");
    assert_string_equal(cfg.review_model, "user"); /* untouched keys fall through */
    config_free(&cfg);

    const char *overrides[] = {"model=dash-c"};
    o.overrides = overrides;
    o.n_overrides = 1;
    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "dash-c");
    config_free(&cfg);

    o.model = "flag";
    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "flag");
    config_free(&cfg);

    write_file(s->managed, "model = \"managed\"\n");
    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "managed");
    config_free(&cfg);
}

static void profile_key_selects_profile(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    home_file(s, "config.toml", "profile = \"work\"\nmodel = \"a\"\n[profiles.work]\nmodel = \"b\"\n");
    load_ok(&cfg, NULL);
    assert_string_equal(cfg.profile, "work");
    assert_string_equal(cfg.model, "b");
    config_free(&cfg);

    /* --profile wins over the key; a profile without table or file is fine. */
    struct config_load_opts o = {.profile = "other"};
    load_ok(&cfg, &o);
    assert_string_equal(cfg.profile, "other");
    assert_string_equal(cfg.model, "a");
    config_free(&cfg);

    o.profile = "../evil";
    load_fails(&o, "invalid profile name");
}

static void profile_file_layers_over_user_config(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    home_file(s, "config.toml", "model = \"a\"\n[sandbox_workspace_write]\nnetwork_access = true\n");
    home_file(s, "ci.config.toml", "sandbox_mode = \"workspace-write\"\n[sandbox_workspace_write]\nexclude_slash_tmp = true\n");
    struct config_load_opts o = {.profile = "ci"};
    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "a");
    assert_int_equal(cfg.sandbox_mode, SANDBOX_WORKSPACE_WRITE);
    /* Tables merge key by key. */
    assert_true(cfg.workspace_write.network_access);
    assert_true(cfg.workspace_write.exclude_slash_tmp);
    config_free(&cfg);

    home_file(s, "ci.config.toml", "model = \"x\" x\n");
    load_fails(&o, "ci.config.toml:1:");
}

static void project_config_needs_trust(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    project_file(s->repo, "model = \"from-root\"\n");
    project_file(s->sub, "approval_policy = \"never\"\n");

    load_ok(&cfg, NULL); /* no trust entry: both ignored */
    assert_null(cfg.model);
    assert_int_equal(cfg.approval_policy, APPROVAL_ON_REQUEST);
    config_free(&cfg);

    char *t = trust_entry(s->sub, "trusted"); /* trusting sub does not trust the root */
    home_file(s, "config.toml", t);
    free(t);
    load_ok(&cfg, NULL);
    assert_null(cfg.model);
    assert_int_equal(cfg.approval_policy, APPROVAL_NEVER);
    assert_true(cfg.project_trusted);
    config_free(&cfg);

    char *slashed = xasprintf("%s/", s->repo); /* a trailing slash names the same directory */
    t = trust_entry(slashed, "trusted");        /* trusting the root covers sub */
    free(slashed);
    home_file(s, "config.toml", t);
    free(t);
    load_ok(&cfg, NULL);
    assert_string_equal(cfg.model, "from-root");
    assert_int_equal(cfg.approval_policy, APPROVAL_NEVER);
    config_free(&cfg);

    /* A project cannot make itself trusted. */
    home_file(s, "config.toml", "");
    char *self = trust_entry(s->repo, "trusted");
    project_file(s->repo, self);
    free(self);
    load_ok(&cfg, NULL);
    assert_false(cfg.project_trusted);
    config_free(&cfg);
}

static void relative_paths_resolve_against_their_file(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    char *t = trust_entry(s->repo, "trusted");
    char *user = xasprintf("%s[sandbox_workspace_write]\nwritable_roots = [\"extra\"]\n", t);
    free(t);
    home_file(s, "config.toml", user);
    free(user);
    project_file(s->repo, "model_instructions_file = \"prompt.md\"\n");
    /* The file is read at load, so a missing one is an error naming it. */
    load_fails(NULL, "failed to read model instructions file");
    char *want = xasprintf("%s/.codex/prompt.md", s->repo);
    write_file(want, "  Be terse.\n");
    load_ok(&cfg, NULL);
    assert_string_equal(cfg.model_instructions_file, want);
    assert_string_equal(cfg.model_instructions, "Be terse.");
    free(want);
    want = xasprintf("%s/extra", s->home);
    assert_int_equal(cfg.workspace_write.writable_roots.n, 1);
    assert_string_equal(cfg.workspace_write.writable_roots.v[0], want);
    free(want);
    config_free(&cfg);
}

static void project_root_markers_choose_the_root(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    /* With no marker anywhere, cwd is its own root. */
    home_file(s, "config.toml", "project_root_markers = [\"nothing-has-this\"]\n");
    load_ok(&cfg, NULL);
    assert_string_equal(cfg.project_root, s->sub);
    config_free(&cfg);

    char *marker = path_in(s->repo, "marker.txt");
    write_file(marker, "");
    free(marker);
    home_file(s, "config.toml", "project_root_markers = [\"nothing\", \"marker.txt\"]\n");
    load_ok(&cfg, NULL);
    assert_string_equal(cfg.project_root, s->repo);
    config_free(&cfg);

    struct config_load_opts o = {.cd = ".."};
    load_ok(&cfg, &o);
    assert_string_equal(cfg.cwd, s->repo);
    config_free(&cfg);
}

/* ---- -c and flags ------------------------------------------------------- */

static void overrides_parse_toml_or_fall_back_to_text(void **state)
{
    (void)state;
    struct codex_config cfg;
    const char *ov[] = {
        "model=o3",
        "review_model = \"quoted value\"",
        "sandbox_workspace_write.network_access=true",
        "shell_environment_policy.include_only=[\"PATH\",\"HOME\"]",
        "history.max_bytes=1024",
        "model_verbosity=[broken",
    };
    struct config_load_opts o = {.overrides = ov, .n_overrides = 5};
    load_ok(&cfg, &o);
    assert_string_equal(cfg.model, "o3");
    assert_string_equal(cfg.review_model, "quoted value");
    assert_true(cfg.workspace_write.network_access);
    assert_int_equal(cfg.shell_env.include_only.n, 2);
    assert_string_equal(cfg.shell_env.include_only.v[1], "HOME");
    assert_int_equal(cfg.history_max_bytes, 1024);
    config_free(&cfg);

    /* "[broken" is not TOML, so it is the literal string, which is then not
     * one of the allowed verbosities. */
    o.overrides = ov + 5;
    o.n_overrides = 1;
    load_fails(&o, "-c model_verbosity=[broken: invalid value \"[broken\" for `model_verbosity`");
}

static void override_errors_name_the_argument(void **state)
{
    (void)state;
    const char *missing_eq[] = {"model"};
    struct config_load_opts o = {.overrides = missing_eq, .n_overrides = 1};
    load_fails(&o, "-c model: invalid override (missing '=')");

    const char *empty_key[] = {"=x"};
    o.overrides = empty_key;
    load_fails(&o, "-c =x: invalid key");

    const char *wrong_type[] = {"model=3"};
    o.overrides = wrong_type;
    load_fails(&o, "-c model=3: `model` must be a string, not integer");
}

static void dedicated_flags(void **state)
{
    (void)state;
    struct codex_config cfg;
    struct config_load_opts o = {.full_auto = true};
    load_ok(&cfg, &o);
    assert_int_equal(cfg.sandbox_mode, SANDBOX_WORKSPACE_WRITE);
    assert_int_equal(cfg.approval_policy, APPROVAL_ON_REQUEST);
    config_free(&cfg);

    o = (struct config_load_opts){.yolo = true};
    load_ok(&cfg, &o);
    assert_int_equal(cfg.sandbox_mode, SANDBOX_DANGER_FULL_ACCESS);
    assert_int_equal(cfg.approval_policy, APPROVAL_NEVER);
    assert_string_equal(cfg.web_search, "live");
    config_free(&cfg);

    /* -s / -a win over the presets. */
    o = (struct config_load_opts){.yolo = true, .sandbox_mode = "read-only", .approval_policy = "untrusted"};
    load_ok(&cfg, &o);
    assert_int_equal(cfg.sandbox_mode, SANDBOX_READ_ONLY);
    assert_int_equal(cfg.approval_policy, APPROVAL_UNTRUSTED);
    config_free(&cfg);

    o = (struct config_load_opts){.search = true, .oss = true, .local_provider = "lmstudio"};
    load_ok(&cfg, &o);
    assert_string_equal(cfg.web_search, "live");
    assert_string_equal(cfg.model_provider, "lmstudio");
    config_free(&cfg);

    const char *dirs[] = {"extra", "/abs"};
    o = (struct config_load_opts){.add_dirs = dirs, .n_add_dirs = 2};
    load_ok(&cfg, &o);
    assert_int_equal(cfg.add_dirs.n, 2);
    assert_string_equal(cfg.add_dirs.v[1], "/abs");
    assert_non_null(strstr(cfg.add_dirs.v[0], "/sub/extra"));
    config_free(&cfg);

    o = (struct config_load_opts){.cd = "/nonexistent-dir-for-test"};
    load_fails(&o, "--cd /nonexistent-dir-for-test");
}

static void feature_flags_and_aliases(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    home_file(s, "config.toml", "[features]\nshell_tool = false\ncollab = false\nundo = true\n");
    load_ok(&cfg, NULL);
    assert_false(config_feature_enabled(&cfg, "shell_tool"));
    assert_false(config_feature_enabled(&cfg, "multi_agent")); /* via the legacy name */
    assert_false(config_feature_enabled(&cfg, "undo"));        /* removed: stays at its default */
    assert_false(config_feature_enabled(&cfg, "no_such_feature"));
    config_free(&cfg);

    const char *en[] = {"shell_tool", "multi_agent"};
    const char *dis[] = {"memory_tool"};
    struct config_load_opts o = {.enable = en, .n_enable = 2, .disable = dis, .n_disable = 1};
    load_ok(&cfg, &o);
    assert_true(config_feature_enabled(&cfg, "shell_tool"));
    assert_true(config_feature_enabled(&cfg, "collab"));
    assert_false(config_feature_enabled(&cfg, "memories"));
    config_free(&cfg);

    const char *bogus[] = {"bogus_flag"};
    o = (struct config_load_opts){.enable = bogus, .n_enable = 1};
    load_fails(&o, "--enable bogus_flag: unknown feature flag");
}

/* ---- checking ----------------------------------------------------------- */

static char *capture_stderr_of_load(const struct config_load_opts *o, int *rc)
{
    char path[] = "/tmp/codex-config-stderr.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    struct codex_config cfg;
    *rc = load(&cfg, o);
    if (*rc == 0)
        config_free(&cfg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *text = fs_read_file(path, 1 << 20, NULL);
    unlink(path);
    return text;
}

static void unknown_keys_warn_or_fail_when_strict(void **state)
{
    struct scratch *s = *state;
    home_file(s, "config.toml",
              "model = \"m\"\nmodle = \"typo\"\n[tui]\nanything_goes = 1\n[history]\nmax_size = 1\n");
    int rc;
    char *err = capture_stderr_of_load(NULL, &rc);
    assert_int_equal(rc, 0);
    char *want = xasprintf("warning: %s/config.toml:2:9: unknown configuration field `modle`", s->home);
    assert_non_null(strstr(err, want));
    free(want);
    assert_non_null(strstr(err, "`history.max_size`"));
    assert_null(strstr(err, "anything_goes")); /* [tui] is left to the TUI */
    free(err);

    struct config_load_opts o = {.strict_config = true};
    load_fails(&o, "unknown configuration field `modle`");

    /* Odd key names are quoted and escaped so the message stays one line. */
    home_file(s, "config.toml", "[profiles.\"a.b\\nc\"]\nbad = 1\n");
    load_fails(&o, "`profiles.\"a.b\\u000ac\".bad`");
    assert_null(strchr(errbuf, '\n'));
}

static void type_errors_point_at_the_value(void **state)
{
    struct scratch *s = *state;
    home_file(s, "config.toml", "# comment\nmodel = \"ok\"\nsandbox_mode = \"bogus\"\n");
    char *want = xasprintf("%s/config.toml:3:16: invalid value \"bogus\" for `sandbox_mode`", s->home);
    load_fails(NULL, want);
    free(want);

    home_file(s, "config.toml", "[profiles.x]\nmodel = 3\n");
    want = xasprintf("%s/config.toml:2:9: `profiles.x.model` must be a string, not integer", s->home);
    load_fails(NULL, want);
    free(want);

    home_file(s, "config.toml", "approval_policy = { granular = { rules = \"yes\" } }\n");
    load_fails(NULL, "`approval_policy.granular.rules` must be a boolean");
}

static void malformed_and_unreadable_files(void **state)
{
    struct scratch *s = *state;
    home_file(s, "config.toml", "model = \"a\"\nx = ]\n");
    char *want = xasprintf("%s/config.toml:2:", s->home);
    load_fails(NULL, want);
    free(want);

    char *dir = path_in(s->home, "config.toml");
    unlink(dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    load_fails(NULL, "cannot read");
    rmdir(dir);
    free(dir);

    setenv("CODEX_HOME", "/nonexistent/codex-home", 1);
    load_fails(NULL, "CODEX_HOME points to \"/nonexistent/codex-home\", but that path does not exist");
    setenv("CODEX_HOME", s->managed, 1);
    write_file(s->managed, "");
    load_fails(NULL, "is not a directory");
    setenv("CODEX_HOME", s->home, 1);
}

static void granular_approval_and_providers(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    home_file(s, "config.toml",
              "model_provider = \"azure\"\n"
              "approval_policy = { granular = { sandbox_approval = true, rules = false } }\n"
              "[model_providers.azure]\nname = \"Azure\"\nbase_url = \"https://x.example/openai\"\n"
              "env_key = \"AZURE_KEY\"\nrequest_max_retries = 500\nquery_params = { api-version = \"1\" }\n");
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.approval_policy, APPROVAL_GRANULAR);
    assert_true(cfg.granular.sandbox_approval);
    assert_false(cfg.granular.rules);
    assert_false(cfg.granular.mcp_elicitations);
    const struct model_provider *p = config_provider(&cfg, cfg.model_provider);
    assert_non_null(p);
    assert_string_equal(p->name, "Azure");
    assert_string_equal(p->env_key, "AZURE_KEY");
    assert_int_equal(p->request_max_retries, 100);
    assert_int_equal(p->stream_max_retries, 5);
    assert_non_null(p->query_params);
    assert_false(p->requires_openai_auth);
    config_free(&cfg);

    home_file(s, "config.toml", "openai_base_url = \"http://127.0.0.1:9/v1\"\n");
    load_ok(&cfg, NULL);
    assert_string_equal(config_provider(&cfg, "openai")->base_url, "http://127.0.0.1:9/v1");
    config_free(&cfg);

    home_file(s, "config.toml", "model_provider = \"missing\"\n");
    load_fails(NULL, "model_provider `missing` is not defined");
}

/* ---- requirements ------------------------------------------------------- */

static void requirements_reject_explicit_choices(void **state)
{
    struct scratch *s = *state;
    write_file(s->requirements,
               "allowed_sandbox_modes = [\"read-only\", \"workspace-write\"]\n"
               "allowed_approval_policies = [\"untrusted\", \"on-request\"]\n");
    struct config_load_opts o = {.yolo = true};
    load_fails(&o, "sandbox_mode = \"danger-full-access\" is not allowed by");
    o = (struct config_load_opts){.approval_policy = "never"};
    load_fails(&o, "approval_policy = \"never\" is not allowed");
    home_file(s, "config.toml", "sandbox_mode = \"danger-full-access\"\n");
    load_fails(NULL, s->requirements);
}

static void requirements_adjust_defaults(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    char *t = trust_entry(s->repo, "trusted"); /* default would be workspace-write */
    home_file(s, "config.toml", t);
    free(t);
    write_file(s->requirements, "allowed_sandbox_modes = [\"read-only\"]\nallowed_web_search_modes = []\n");
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.sandbox_mode, SANDBOX_READ_ONLY);
    assert_string_equal(cfg.web_search, "disabled");
    config_free(&cfg);

    struct config_load_opts o = {.search = true};
    load_fails(&o, "web_search = \"live\" is not allowed");
}

static void requirements_pin_features(void **state)
{
    struct scratch *s = *state;
    struct codex_config cfg;
    write_file(s->requirements, "[features]\nshell_tool = false\nmemories = true\n");
    load_ok(&cfg, NULL);
    assert_false(config_feature_enabled(&cfg, "shell_tool"));
    assert_true(config_feature_enabled(&cfg, "memories"));
    config_free(&cfg);

    const char *en[] = {"shell_tool"};
    struct config_load_opts o = {.enable = en, .n_enable = 1};
    load_fails(&o, "feature `shell_tool` is pinned to false");

    write_file(s->requirements, "allowed_sandbox_modes = ]\n");
    char *want = xasprintf("%s:1:", s->requirements);
    load_fails(NULL, want);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(defaults_without_any_config, setup, teardown),
        cmocka_unit_test_setup_teardown(trust_decides_default_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(every_layer_overrides_the_one_below, setup, teardown),
        cmocka_unit_test_setup_teardown(profile_key_selects_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(profile_file_layers_over_user_config, setup, teardown),
        cmocka_unit_test_setup_teardown(project_config_needs_trust, setup, teardown),
        cmocka_unit_test_setup_teardown(relative_paths_resolve_against_their_file, setup, teardown),
        cmocka_unit_test_setup_teardown(project_root_markers_choose_the_root, setup, teardown),
        cmocka_unit_test_setup_teardown(overrides_parse_toml_or_fall_back_to_text, setup, teardown),
        cmocka_unit_test_setup_teardown(override_errors_name_the_argument, setup, teardown),
        cmocka_unit_test_setup_teardown(dedicated_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(feature_flags_and_aliases, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_keys_warn_or_fail_when_strict, setup, teardown),
        cmocka_unit_test_setup_teardown(type_errors_point_at_the_value, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_and_unreadable_files, setup, teardown),
        cmocka_unit_test_setup_teardown(granular_approval_and_providers, setup, teardown),
        cmocka_unit_test_setup_teardown(requirements_reject_explicit_choices, setup, teardown),
        cmocka_unit_test_setup_teardown(requirements_adjust_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(requirements_pin_features, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
