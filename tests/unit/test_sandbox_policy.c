/* Unit tests for the sandbox policy model, the bwrap command line, the
 * seccomp program and the placeholders for missing protected names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "sandbox/sandbox.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *make_tmp(void)
{
    char tmpl[] = "/var/tmp/codex-sbx-unit-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    char canon[PATH_MAX];
    assert_non_null(realpath(d, canon));
    return xstrdup(canon);
}

static void rm_rf(const char *path)
{
    char *cmd = xasprintf("rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static const struct sandbox_protected *find_protected(const struct sandbox_root *r, const char *path)
{
    for (size_t i = 0; i < r->n_protected; i++)
        if (strcmp(r->protected_paths[i].path, path) == 0)
            return &r->protected_paths[i];
    return NULL;
}

static void kinds_parse_and_print(void **state)
{
    (void)state;
    assert_int_equal(sandbox_kind_parse("read-only"), SANDBOX_KIND_READ_ONLY);
    assert_int_equal(sandbox_kind_parse("workspace-write"), SANDBOX_KIND_WORKSPACE_WRITE);
    assert_int_equal(sandbox_kind_parse("danger-full-access"), SANDBOX_KIND_DANGER_FULL_ACCESS);
    assert_int_equal(sandbox_kind_parse("externalSandbox"), SANDBOX_KIND_EXTERNAL);
    assert_int_equal(sandbox_kind_parse("full"), -1);
    assert_string_equal(sandbox_kind_name(SANDBOX_KIND_WORKSPACE_WRITE), "workspace-write");
    struct sandbox_policy p;
    sandbox_policy_init(&p, SANDBOX_KIND_EXTERNAL);
    assert_false(sandbox_policy_restricts(&p));
    p.kind = SANDBOX_KIND_READ_ONLY;
    assert_true(sandbox_policy_restricts(&p));
    sandbox_policy_free(&p);
}

static void workspace_roots_and_protected_paths(void **state)
{
    (void)state;
    char *ws = make_tmp();
    char *git = fs_join(ws, ".git"), *codex = fs_join(ws, ".codex");
    assert_int_equal(mkdir(git, 0755), 0);
    char *tmpdir = make_tmp();
    setenv("TMPDIR", tmpdir, 1);

    struct sandbox_policy p;
    sandbox_policy_init(&p, SANDBOX_KIND_WORKSPACE_WRITE);
    sandbox_policy_set_host(&p, (const char *const *)environ, NULL);
    struct sandbox_roots roots;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(sandbox_compute_roots(&p, ws, &roots, &err), 0);
    assert_int_equal(roots.n, 3); /* cwd, /tmp, $TMPDIR */
    assert_string_equal(roots.v[0].path, ws);
    assert_string_equal(roots.v[1].path, "/tmp");
    assert_string_equal(roots.v[2].path, tmpdir);
    const struct sandbox_protected *pg = find_protected(&roots.v[0], git);
    assert_non_null(pg);
    assert_true(pg->exists);
    assert_true(pg->is_dir);
    const struct sandbox_protected *pc = find_protected(&roots.v[0], codex);
    assert_non_null(pc);
    assert_false(pc->exists);
    assert_int_equal(roots.v[0].n_protected, 4);
    sandbox_roots_free(&roots);

    p.exclude_slash_tmp = true;
    p.exclude_tmpdir_env_var = true;
    assert_int_equal(sandbox_compute_roots(&p, ws, &roots, &err), 0);
    assert_int_equal(roots.n, 1);
    sandbox_roots_free(&roots);

    p.kind = SANDBOX_KIND_READ_ONLY;
    assert_int_equal(sandbox_compute_roots(&p, ws, &roots, &err), 0);
    assert_int_equal(roots.n, 0);
    sandbox_roots_free(&roots);
    sandbox_policy_free(&p);
    unsetenv("TMPDIR");
    rm_rf(ws);
    rm_rf(tmpdir);
    free(git);
    free(codex);
    free(ws);
    free(tmpdir);
}

static void gitdir_pointer_protects_its_target(void **state)
{
    (void)state;
    char *ws = make_tmp(), *other = make_tmp();
    char *dotgit = fs_join(ws, ".git");
    char *text = xasprintf("gitdir: %s\n", other);
    assert_int_equal(fs_write_atomic(dotgit, text, strlen(text), 0644), 0);
    struct sandbox_policy p;
    sandbox_policy_init(&p, SANDBOX_KIND_WORKSPACE_WRITE);
    p.exclude_slash_tmp = p.exclude_tmpdir_env_var = true;
    struct sandbox_roots roots;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(sandbox_compute_roots(&p, ws, &roots, &err), 0);
    const struct sandbox_protected *f = find_protected(&roots.v[0], dotgit);
    assert_non_null(f);
    assert_true(f->exists);
    assert_false(f->is_dir);
    const struct sandbox_protected *t = find_protected(&roots.v[0], other);
    assert_non_null(t);
    assert_true(t->is_dir);
    sandbox_roots_free(&roots);
    sandbox_policy_free(&p);
    rm_rf(ws);
    rm_rf(other);
    free(ws);
    free(other);
    free(dotgit);
    free(text);
}

static void bad_roots_are_errors(void **state)
{
    (void)state;
    char *ws = make_tmp();
    struct sandbox_policy p;
    sandbox_policy_init(&p, SANDBOX_KIND_WORKSPACE_WRITE);
    p.exclude_slash_tmp = p.exclude_tmpdir_env_var = true;
    struct sandbox_roots roots;
    struct codex_error err = CODEX_ERROR_INIT;

    strvec_push(&p.writable_roots, "relative/dir");
    assert_int_equal(sandbox_compute_roots(&p, ws, &roots, &err), -1);
    assert_non_null(strstr(err.message, "not an absolute path"));
    codex_error_clear(&err);
    strvec_free(&p.writable_roots);

    strvec_push(&p.writable_roots, "/nonexistent/codex-sbx-root");
    assert_int_equal(sandbox_compute_roots(&p, ws, &roots, &err), -1);
    assert_non_null(strstr(err.message, "/nonexistent/codex-sbx-root"));
    assert_non_null(strstr(err.message, "No such file"));
    codex_error_clear(&err);
    strvec_free(&p.writable_roots);

    char *inside = fs_join(ws, ".git/hooks");
    assert_int_equal(fs_mkdir_p(inside, 0755), 0);
    assert_int_equal(sandbox_compute_roots(&p, inside, &roots, &err), -1);
    assert_non_null(strstr(err.message, "protected '.git'"));
    codex_error_clear(&err);

    /* A root that is a symlink is used as its target. */
    char *link = xasprintf("%s-link", ws);
    assert_int_equal(symlink(ws, link), 0);
    strvec_push(&p.writable_roots, link);
    assert_int_equal(sandbox_compute_roots(&p, ws, &roots, &err), 0);
    assert_int_equal(roots.n, 1); /* the same directory, once */
    sandbox_roots_free(&roots);
    unlink(link);
    sandbox_policy_free(&p);
    rm_rf(ws);
    free(link);
    free(inside);
    free(ws);
}

static bool argv_has_seq(const struct strvec *v, const char *a, const char *b, const char *c)
{
    for (size_t i = 0; i + 2 < v->n; i++)
        if (strcmp(v->v[i], a) == 0 && strcmp(v->v[i + 1], b) == 0 && (!c || strcmp(v->v[i + 2], c) == 0))
            return true;
    return false;
}

static bool argv_has(const struct strvec *v, const char *a)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], a) == 0)
            return true;
    return false;
}

static void bwrap_command_line(void **state)
{
    (void)state;
    struct sandbox_policy probe;
    sandbox_policy_init(&probe, SANDBOX_KIND_WORKSPACE_WRITE);
    sandbox_policy_set_host(&probe, (const char *const *)environ, NULL);
    bool have = sandbox_bwrap_path(&probe) != NULL;
    sandbox_policy_free(&probe);
    if (!have)
        skip();
    char *ws = make_tmp();
    char *inner = fs_join(ws, "inner");
    assert_int_equal(mkdir(inner, 0755), 0);
    char *git = fs_join(inner, ".git"), *codex = fs_join(inner, ".codex");
    assert_int_equal(mkdir(git, 0755), 0);
    struct sandbox_policy p;
    sandbox_policy_init(&p, SANDBOX_KIND_WORKSPACE_WRITE);
    p.exclude_slash_tmp = p.exclude_tmpdir_env_var = true;
    /* The cwd (inner) is listed before the root that contains it. */
    strvec_push(&p.writable_roots, ws);
    struct sandbox_plan plan;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(sandbox_compute_plan(&p, inner, &plan, &err), 0);
    struct strvec argv = STRVEC_INIT;
    sandbox_bwrap_args(&p, &plan, inner, SANDBOX_CHILD_SECCOMP_FD, -1, &argv);
    assert_true(argv_has(&argv, "--unshare-net"));
    assert_true(argv_has(&argv, "--unshare-pid"));
    assert_true(argv_has(&argv, "--die-with-parent"));
    assert_true(argv_has_seq(&argv, "--cap-drop", "ALL", NULL));
    assert_true(argv_has_seq(&argv, "--ro-bind", "/", "/"));
    assert_true(argv_has_seq(&argv, "--seccomp", "3", NULL));
    assert_true(argv_has_seq(&argv, "--ro-bind", git, git));
    /* Absent and without a placeholder: nothing to bind (sandbox_stubs_create
     * makes one first whenever the name could be created). */
    assert_false(argv_has(&argv, codex));
    /* The outer root is bound before the inner one. */
    size_t outer_at = 0, inner_at = 0;
    for (size_t i = 0; i < argv.n; i++)
        if (strcmp(argv.v[i], "--bind") == 0) {
            if (strcmp(argv.v[i + 1], ws) == 0)
                outer_at = i;
            if (strcmp(argv.v[i + 1], inner) == 0)
                inner_at = i;
        }
    assert_true(outer_at > 0 && inner_at > outer_at);
    assert_string_equal(argv.v[argv.n - 1], "--");
    strvec_free(&argv);

    p.network_access = true;
    sandbox_bwrap_args(&p, &plan, inner, -1, -1, &argv);
    assert_false(argv_has(&argv, "--unshare-net"));
    assert_false(argv_has(&argv, "--seccomp"));
    strvec_free(&argv);
    sandbox_plan_free(&plan);
    sandbox_policy_free(&p);
    rm_rf(ws);
    free(git);
    free(codex);
    free(inner);
    free(ws);
}

static void seccomp_program_depends_on_network(void **state)
{
    (void)state;
    struct sandbox_policy p;
    sandbox_policy_init(&p, SANDBOX_KIND_WORKSPACE_WRITE);
    void *off = NULL, *on = NULL;
    size_t off_len = 0, on_len = 0;
    char err[256];
    assert_int_equal(sandbox_seccomp_compile(&p, &off, &off_len, err, sizeof err), 0);
    p.network_access = true;
    assert_int_equal(sandbox_seccomp_compile(&p, &on, &on_len, err, sizeof err), 0);
    assert_true(off_len > on_len); /* the network rules add instructions */
    assert_true(on_len > 4);
    int fd = sandbox_seccomp_memfd(off, off_len);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal((size_t)st.st_size, off_len * 8);
    assert_int_equal(write(fd, "x", 1), -1); /* sealed */
    close(fd);
    free(off);
    free(on);
    sandbox_policy_free(&p);
}

static void placeholders_come_and_go(void **state)
{
    (void)state;
    char *ws = make_tmp();
    struct sandbox_policy p;
    sandbox_policy_init(&p, SANDBOX_KIND_WORKSPACE_WRITE);
    p.exclude_slash_tmp = p.exclude_tmpdir_env_var = true;
    struct sandbox_roots roots;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(sandbox_compute_roots(&p, ws, &roots, &err), 0);
    char msg[512];
    struct sandbox_stub *a = NULL, *b = NULL;
    assert_int_equal(sandbox_stubs_create(&roots, NULL, &a, msg, sizeof msg), 0);
    char *codex = fs_join(ws, ".codex"), *aws = fs_join(ws, ".aws");
    assert_true(fs_is_dir(codex));
    /* A second, concurrent sandbox shares the placeholders. */
    assert_int_equal(sandbox_stubs_create(&roots, NULL, &b, msg, sizeof msg), 0);
    sandbox_stubs_release(a);
    assert_true(fs_is_dir(codex)); /* still in use by b */
    /* Something put into a placeholder from outside is never deleted. */
    char *keep = fs_join(aws, "credentials");
    assert_int_equal(fs_write_atomic(keep, "k", 1, 0600), 0);
    sandbox_stubs_release(b);
    assert_false(fs_exists(codex));
    assert_true(fs_exists(keep));
    sandbox_roots_free(&roots);
    sandbox_policy_free(&p);
    rm_rf(ws);
    free(keep);
    free(codex);
    free(aws);
    free(ws);
}

static void policy_from_config_copies_the_settings(void **state)
{
    (void)state;
    struct codex_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.sandbox_mode = SANDBOX_WORKSPACE_WRITE;
    strvec_push(&cfg.workspace_write.writable_roots, "/srv/data");
    strvec_push(&cfg.add_dirs, "/srv/extra");
    cfg.workspace_write.network_access = true;
    cfg.workspace_write.exclude_slash_tmp = true;
    cfg.use_legacy_landlock = true;
    struct sandbox_policy p;
    sandbox_policy_from_config(&p, &cfg);
    assert_int_equal(p.kind, SANDBOX_KIND_WORKSPACE_WRITE);
    assert_int_equal(p.writable_roots.n, 2);
    assert_string_equal(p.writable_roots.v[1], "/srv/extra");
    assert_true(p.network_access);
    assert_true(p.exclude_slash_tmp);
    assert_false(p.exclude_tmpdir_env_var);
    assert_true(p.use_legacy_landlock);
    sandbox_policy_free(&p);
    strvec_free(&cfg.workspace_write.writable_roots);
    strvec_free(&cfg.add_dirs);
}

static void landlock_ruleset_builds(void **state)
{
    (void)state;
    if (sandbox_landlock_abi() < 1)
        skip();
    char *ws = make_tmp();
    struct sandbox_policy p;
    sandbox_policy_init(&p, SANDBOX_KIND_WORKSPACE_WRITE);
    struct sandbox_plan plan;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(sandbox_compute_plan(&p, ws, &plan, &err), 0);
    char msg[512];
    int fd = sandbox_landlock_ruleset(&p, &plan, false, msg, sizeof msg);
    assert_true(fd >= 0);
    close(fd);
    fd = sandbox_landlock_ruleset(&p, &plan, true, msg, sizeof msg);
    assert_true(fd >= 0);
    close(fd);
    sandbox_plan_free(&plan);
    sandbox_policy_free(&p);
    rm_rf(ws);
    free(ws);
}

static void which_finds_programs(void **state)
{
    (void)state;
    char *sh = fs_which("sh", getenv("PATH"), NULL);
    assert_non_null(sh);
    assert_true(sh[0] == '/');
    free(sh);
    assert_null(fs_which("no-such-program-codex", getenv("PATH"), NULL));
    assert_null(fs_which("", NULL, NULL));
    char *abs = fs_which("/bin/sh", NULL, NULL);
    assert_string_equal(abs, "/bin/sh");
    free(abs);
    assert_null(fs_which("/etc/passwd", NULL, NULL)); /* not executable */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds_parse_and_print),
        cmocka_unit_test(workspace_roots_and_protected_paths),
        cmocka_unit_test(gitdir_pointer_protects_its_target),
        cmocka_unit_test(bad_roots_are_errors),
        cmocka_unit_test(bwrap_command_line),
        cmocka_unit_test(seccomp_program_depends_on_network),
        cmocka_unit_test(placeholders_come_and_go),
        cmocka_unit_test(policy_from_config_copies_the_settings),
        cmocka_unit_test(landlock_ruleset_builds),
        cmocka_unit_test(which_finds_programs),
    };
    return cmocka_run_group_tests_name("sandbox_policy", tests, NULL, NULL);
}
