/* Unit tests for the bundled system skills: the embedded bundle and its
 * fingerprint, and writing it into $CODEX_HOME/skills/.system (first run,
 * up to date, changed marker, leftovers, a process killed midway). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skills/skills.h"
#include "skills/system.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *home;

static int setup_home(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/skills-system-XXXXXX";
    home = xstrdup(mkdtemp(tmpl));
    return 0;
}

static int teardown_home(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", home);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", home);
    free(cmd);
    free(home);
    return 0;
}

static char *sys_path(const char *rel)
{
    return xasprintf("%s/skills/.system%s%s", home, rel ? "/" : "", rel ? rel : "");
}

static char *read_rel(const char *rel)
{
    char *p = sys_path(rel);
    char *text = fs_read_file(p, 1 << 20, NULL);
    free(p);
    return text;
}

static void write_rel(const char *rel, const char *text)
{
    char *p = sys_path(rel);
    assert_int_equal(fs_write_atomic(p, text, strlen(text), 0644), 0);
    free(p);
}

static bool exists_rel(const char *rel)
{
    char *p = sys_path(rel);
    bool e = fs_exists(p);
    free(p);
    return e;
}

static enum skills_install_result install_ok(void)
{
    enum skills_install_result r;
    struct codex_error err = CODEX_ERROR_INIT;
    if (skills_system_install(home, &r, &err) != 0)
        fail_msg("install failed: %s", err.message);
    return r;
}

/* The whole bundle is on disk, byte for byte, with its modes. */
static void assert_complete(void)
{
    for (size_t i = 0; i < skills_bundle_n; i++) {
        const struct skills_bundle_file *f = &skills_bundle_files[i];
        char *p = sys_path(f->path);
        size_t len = 0;
        char *text = fs_read_file(p, 1 << 20, &len);
        if (!text)
            fail_msg("%s is missing", p);
        assert_int_equal(len, f->len);
        assert_memory_equal(text, f->data, len);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, f->mode);
        free(text);
        free(p);
    }
    char *marker = read_rel(SKILLS_SYSTEM_MARKER);
    char *want = xasprintf("%s\n", skills_bundle_fingerprint);
    assert_string_equal(marker, want);
    free(want);
    free(marker);
}

static void fingerprint_covers_the_bundle(void **state)
{
    (void)state;
    char fp[17];
    skills_bundle_digest(skills_bundle_files, skills_bundle_n, fp);
    assert_string_equal(fp, skills_bundle_fingerprint);
    assert_int_equal(strspn(fp, "0123456789abcdef"), 16);

    /* one changed byte, or a changed mode, gives another fingerprint */
    struct skills_bundle_file *copy = xcalloc(skills_bundle_n, sizeof *copy);
    memcpy(copy, skills_bundle_files, skills_bundle_n * sizeof *copy);
    unsigned char *data = xmalloc(copy[0].len);
    memcpy(data, copy[0].data, copy[0].len);
    data[0] ^= 1;
    copy[0].data = data;
    char other[17];
    skills_bundle_digest(copy, skills_bundle_n, other);
    assert_string_not_equal(other, fp);
    copy[0].data = skills_bundle_files[0].data;
    copy[0].mode ^= 0100;
    skills_bundle_digest(copy, skills_bundle_n, other);
    assert_string_not_equal(other, fp);
    free(data);
    free(copy);
}

/* Every bundled SKILL.md is a valid skill named after its folder; the
 * bundle holds what we can honestly ship (no image generation). */
static void bundle_skills_are_valid(void **state)
{
    (void)state;
    const char *want[] = {"openai-docs", "review-agent", "skill-creator", "skill-installer"};
    size_t found = 0, total = 0;
    for (size_t i = 0; i < skills_bundle_n; i++) {
        const struct skills_bundle_file *f = &skills_bundle_files[i];
        total += f->len;
        const char *slash = strchr(f->path, '/');
        assert_non_null(slash);
        if (strcmp(slash, "/SKILL.md") != 0)
            continue;
        struct skill_front_matter fm;
        struct codex_error err = CODEX_ERROR_INIT;
        if (skill_front_matter_parse((const char *)f->data, f->len, f->path, &fm, &err) != 0)
            fail_msg("%s: %s", f->path, err.message);
        assert_non_null(fm.name);
        assert_non_null(fm.description);
        assert_true(strlen(fm.description) <= 1024);
        assert_int_equal(strncmp(fm.name, f->path, (size_t)(slash - f->path)), 0);
        assert_int_equal(strlen(fm.name), (size_t)(slash - f->path));
        assert_string_equal(fm.name, want[found]);
        found++;
        skill_front_matter_free(&fm);
    }
    assert_int_equal(found, sizeof want / sizeof *want);
    assert_true(total < 64 * 1024); /* the bundle stays small */
}

static void first_run_installs_then_skips(void **state)
{
    (void)state;
    assert_int_equal(install_ok(), SKILLS_INSTALL_WRITTEN);
    assert_complete();

    /* Up to date: nothing is written, so what the user changed stays, as
     * in the reference (a deleted file is not brought back, an edit is kept). */
    write_rel("skill-creator/SKILL.md", "edited by the user\n");
    char *gone = sys_path("skill-installer/SKILL.md");
    assert_int_equal(unlink(gone), 0);
    write_rel("mine.txt", "user file\n");
    assert_int_equal(install_ok(), SKILLS_INSTALL_UP_TO_DATE);
    assert_false(fs_exists(gone));
    char *edited = read_rel("skill-creator/SKILL.md");
    assert_string_equal(edited, "edited by the user\n");
    free(edited);

    /* The marker is compared without surrounding whitespace. */
    char *padded = xasprintf("  %s \n\n", skills_bundle_fingerprint);
    write_rel(SKILLS_SYSTEM_MARKER, padded);
    free(padded);
    assert_int_equal(install_ok(), SKILLS_INSTALL_UP_TO_DATE);
    assert_false(fs_exists(gone));

    /* Another fingerprint: the folder is replaced as a whole. */
    write_rel(SKILLS_SYSTEM_MARKER, "0123456789abcdef\n");
    assert_int_equal(install_ok(), SKILLS_INSTALL_WRITTEN);
    assert_complete();
    assert_false(exists_rel("mine.txt"));
    free(gone);

    /* No marker at all: the same. */
    char *marker = sys_path(SKILLS_SYSTEM_MARKER);
    assert_int_equal(unlink(marker), 0);
    free(marker);
    assert_int_equal(install_ok(), SKILLS_INSTALL_WRITTEN);
    assert_complete();

    /* Nothing but the bundle's own folder is left under skills/. */
    char *skills = xasprintf("%s/skills", home);
    DIR *d = opendir(skills);
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, ".system"))
            fail_msg("left behind: %s", de->d_name);
    closedir(d);
    free(skills);
}

static void a_file_in_the_folders_place_is_replaced(void **state)
{
    (void)state;
    char *skills = xasprintf("%s/skills", home);
    assert_int_equal(fs_mkdir_p(skills, 0755), 0);
    char *sys = sys_path(NULL);
    assert_int_equal(fs_write_atomic(sys, "x", 1, 0644), 0);
    assert_int_equal(install_ok(), SKILLS_INSTALL_WRITTEN);
    assert_true(fs_is_dir(sys));
    assert_complete();
    free(sys);
    free(skills);
}

static pid_t dead_pid(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    assert_true(p > 0);
    assert_int_equal(waitpid(p, NULL, 0), p);
    return p;
}

/* A process killed while writing (here by its file size limit, which
 * stops it inside the first large write) leaves the previous state: no
 * folder on a first run, the old complete folder and marker on an update.
 * The next run finishes the job and removes the dead one's staging tree. */
static void killed_midway_never_leaves_a_marker(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        if (round == 1) { /* an older install is in place */
            assert_int_equal(install_ok(), SKILLS_INSTALL_WRITTEN);
            write_rel(SKILLS_SYSTEM_MARKER, "feedfacefeedface\n");
            write_rel("skill-creator/SKILL.md", "old version\n");
        }
        pid_t p = fork();
        if (p == 0) {
            struct rlimit lim = {600, 600};
            setrlimit(RLIMIT_FSIZE, &lim);
            signal(SIGXFSZ, SIG_DFL);
            enum skills_install_result r;
            struct codex_error err = CODEX_ERROR_INIT;
            (void)skills_system_install(home, &r, &err);
            _exit(3); /* not reached while the bundle has a file over 600 bytes */
        }
        int status;
        assert_int_equal(waitpid(p, &status, 0), p);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGXFSZ);

        char *stage = xasprintf("%s/skills/.system.tmp-%ld", home, (long)p);
        assert_true(fs_is_dir(stage)); /* the partial tree is only there */
        if (round == 0) {
            assert_false(exists_rel(NULL));
        } else {
            char *m = read_rel(SKILLS_SYSTEM_MARKER);
            assert_string_equal(m, "feedfacefeedface\n");
            free(m);
            char *old = read_rel("skill-creator/SKILL.md");
            assert_string_equal(old, "old version\n");
            free(old);
        }
        /* a staging tree of another dead process goes too */
        char *other = xasprintf("%s/skills/.system.old-%ld", home, (long)dead_pid());
        assert_int_equal(fs_mkdir_p(other, 0755), 0);

        assert_int_equal(install_ok(), SKILLS_INSTALL_WRITTEN);
        assert_complete();
        assert_false(fs_exists(stage));
        assert_false(fs_exists(other));
        free(other);
        free(stage);
        if (round == 0) {
            char *sys = sys_path(NULL);
            char *cmd = xasprintf("rm -rf '%s'", sys);
            assert_int_equal(system(cmd), 0);
            free(cmd);
            free(sys);
        }
    }
}

/* A home where the skills folder cannot be made: an error naming it,
 * and nothing else written. */
static void unusable_home_is_an_error(void **state)
{
    (void)state;
    char *skills = xasprintf("%s/skills", home);
    assert_int_equal(fs_write_atomic(skills, "not a folder", 12, 0644), 0);
    enum skills_install_result r;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(skills_system_install(home, &r, &err), -1);
    assert_non_null(strstr(err.message, skills));
    codex_error_clear(&err);
    assert_false(fs_is_dir(skills));
    free(skills);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fingerprint_covers_the_bundle),
        cmocka_unit_test(bundle_skills_are_valid),
        cmocka_unit_test_setup_teardown(first_run_installs_then_skips, setup_home, teardown_home),
        cmocka_unit_test_setup_teardown(a_file_in_the_folders_place_is_replaced, setup_home, teardown_home),
        cmocka_unit_test_setup_teardown(killed_midway_never_leaves_a_marker, setup_home, teardown_home),
        cmocka_unit_test_setup_teardown(unusable_home_is_an_error, setup_home, teardown_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
