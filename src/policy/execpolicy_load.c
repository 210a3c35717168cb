/* Where the agent's rules come from, how a command is checked against them,
 * and how an approved "always allow" becomes a rule on disk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/execpolicy_internal.h"
#include "policy/shell_split.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_rules_extension(const char *name)
{
    size_t n = strlen(name);
    /* Like Path::extension: ".rules" alone is a hidden file, not an extension. */
    return n > 6 && strcmp(name + n - 6, ".rules") == 0;
}

static int load_dir(struct ep_policy *p, const char *dir, char **err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        *err = xasprintf("failed to read rules directory %s: %s", dir, strerror(errno));
        return -1;
    }
    struct strvec names = STRVEC_INIT;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!has_rules_extension(e->d_name))
            continue;
        char *path = fs_join(dir, e->d_name);
        struct stat st;
        /* Follow symlinks, as the reference does, but only load files. */
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            strvec_push_owned(&names, path);
        else
            free(path);
    }
    closedir(d);
    if (names.n)
        qsort(names.v, names.n, sizeof *names.v, cmp_names);
    int r = 0;
    for (size_t i = 0; i < names.n && r == 0; i++)
        r = ep_policy_load_file(p, names.v[i], err);
    strvec_free(&names);
    return r;
}

int ep_policy_load_dirs(struct ep_policy *p, const char *const *dirs, size_t ndirs, char **err)
{
    for (size_t i = 0; i < ndirs; i++)
        if (load_dir(p, dirs[i], err) < 0)
            return -1;
    return 0;
}

void ep_rules_dirs(const char *codex_home, const char *project_root, const char *cwd, struct strvec *out)
{
    if (codex_home)
        strvec_push_owned(out, fs_join(codex_home, "rules"));
    if (!project_root || !cwd)
        return;
    size_t root_len = strlen(project_root);
    while (root_len > 1 && project_root[root_len - 1] == '/')
        root_len--;
    if (strncmp(cwd, project_root, root_len) != 0 || (cwd[root_len] != '/' && cwd[root_len] != '\0'))
        return; /* cwd outside the project: no project rules */
    /* Every directory from the root down to cwd, outermost first. */
    const char *p = cwd + root_len;
    for (;;) {
        char *dir = xstrndup(cwd, (size_t)(p - cwd));
        if (!*dir) {
            free(dir);
            dir = xstrdup("/");
        }
        char *codex_dir = fs_join(dir, ".codex");
        strvec_push_owned(out, fs_join(codex_dir, "rules"));
        free(codex_dir);
        free(dir);
        while (*p == '/')
            p++;
        if (!*p)
            break;
        while (*p && *p != '/')
            p++;
    }
}

int ep_policy_add_prefix_rule(struct ep_policy *p, const struct ep_pattern_word *words, size_t nwords,
                              enum ep_decision decision, const char *justification, bool admin, char **err)
{
    if (admin && decision == EP_ALLOW) {
        *err = xstrdup("requirements rules may only prompt or forbid: `allow` is not permitted");
        return -1;
    }
    if (nwords == 0) {
        *err = xstrdup("pattern cannot be empty");
        return -1;
    }
    for (size_t i = 0; i < nwords; i++) {
        if (words[i].nalts == 0) {
            *err = xasprintf("pattern element %zu has no alternatives", i + 1);
            return -1;
        }
    }
    if (justification) {
        const char *s = justification;
        while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
            s++;
        if (!*s) {
            *err = xstrdup("justification cannot be empty");
            return -1;
        }
    }
    for (size_t h = 0; h < words[0].nalts; h++) {
        struct ep_rule *r = xcalloc(1, sizeof *r);
        r->program = xstrdup(words[0].alts[h]);
        r->program_len = strlen(r->program);
        r->nrest = nwords - 1;
        r->rest = xcalloc(nwords, sizeof *r->rest);
        for (size_t i = 1; i < nwords; i++) {
            struct ep_word *w = &r->rest[i - 1];
            w->nalts = words[i].nalts;
            w->alts = xmalloc(w->nalts * sizeof *w->alts);
            w->lens = xmalloc(w->nalts * sizeof *w->lens);
            for (size_t j = 0; j < w->nalts; j++) {
                w->alts[j] = xstrdup(words[i].alts[j]);
                w->lens[j] = strlen(w->alts[j]);
            }
        }
        r->decision = decision;
        if (justification) {
            r->justification = xstrdup(justification);
            r->justification_len = strlen(justification);
        }
        ep_policy_add_rule(p, r);
    }
    return 0;
}

/* Scripts nest (bash -lc "bash -lc '...'"); deeper than this is opaque. */
#define EP_MAX_SHELL_DEPTH 8

/* Match argv but keep only the restrictive matches: for a command whose
 * real effect is unknown, rules may still prompt or forbid. */
static void match_restrictive_only(const struct ep_policy *p, const char *const *argv, size_t argc, bool resolve,
                                   struct ep_evaluation *out)
{
    struct ep_evaluation whole = {0};
    ep_policy_match(p, argv, argc, resolve, &whole);
    out->opaque = true;
    for (size_t i = 0; i < whole.n; i++) {
        struct ep_match *m = &whole.matches[i];
        if (m->decision == EP_ALLOW)
            continue;
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 4;
            out->matches = xrealloc(out->matches, out->cap * sizeof *out->matches);
        }
        out->matches[out->n++] = *m;
        if (out->n == 1 || m->decision > out->decision)
            out->decision = m->decision;
        memset(m, 0, sizeof *m); /* moved */
    }
    ep_evaluation_free(&whole);
    out->uncovered++;
}

static void check_into(const struct ep_policy *p, const char *const *argv, size_t argc, bool resolve,
                       struct ep_evaluation *out, int depth)
{
    const char *script = shell_wrapper_script(argv, argc);
    if (!script) {
        size_t before = out->n;
        ep_policy_match(p, argv, argc, resolve, out);
        if (out->n == before)
            out->uncovered++;
        return;
    }
    struct shell_commands cmds;
    if (depth >= EP_MAX_SHELL_DEPTH || shell_split(script, strlen(script), &cmds) < 0) {
        /* Opaque script: rules about the wrapper itself may still prompt
         * or forbid, but nothing can vouch for what it runs. */
        match_restrictive_only(p, argv, argc, resolve, out);
        return;
    }
    for (size_t i = 0; i < cmds.n; i++)
        check_into(p, (const char *const *)cmds.cmds[i].v, cmds.cmds[i].n, resolve, out, depth + 1);
    shell_commands_free(&cmds);
}

void ep_check_command(const struct ep_policy *p, const char *const *argv, size_t argc,
                      bool resolve_host_executables, struct ep_evaluation *out)
{
    check_into(p, argv, argc, resolve_host_executables, out, 0);
}

/* Appending an approved rule. */

static int append_line(const char *codex_home, struct buf line, char **err);

int execpolicy_append_rule(const char *codex_home, const char *const *prefix, size_t n, char **err)
{
    if (n == 0) {
        *err = xstrdup("a prefix rule needs at least one word");
        return -1;
    }
    struct buf line = BUF_INIT;
    buf_puts(&line, "prefix_rule(pattern=[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(&line, ", ");
        ep_json_string(&line, prefix[i], strlen(prefix[i]));
    }
    buf_puts(&line, "], decision=\"allow\")");
    return append_line(codex_home, line, err);
}

int execpolicy_append_network_rule(const char *codex_home, const char *host, const char *protocol, bool allow,
                                   char **err)
{
    static const char *const protocols[] = {"http", "https", "socks5_tcp", "socks5_udp", NULL};
    bool known = false;
    for (const char *const *p = protocols; *p && !known; p++)
        known = strcmp(*p, protocol) == 0;
    if (!known) {
        *err = xasprintf("network_rule protocol must be one of http, https, socks5_tcp, socks5_udp (got %s)", protocol);
        return -1;
    }
    if (!*host || strpbrk(host, "*/?#\"\\ \t\r\n")) {
        *err = xasprintf("network_rule host must be a specific hostname or IP address (got %s)", host);
        return -1;
    }
    struct buf line = BUF_INIT;
    buf_puts(&line, "network_rule(host=");
    ep_json_string(&line, host, strlen(host));
    buf_printf(&line, ", protocol=\"%s\", decision=\"%s\", justification=", protocol, allow ? "allow" : "deny");
    /* The reference names an HTTPS tunnel "https_connect" in the text. */
    char *why = xasprintf("%s %s access to %s", allow ? "Allow" : "Deny",
                          strcmp(protocol, "https") == 0 ? "https_connect" : protocol, host);
    ep_json_string(&line, why, strlen(why));
    free(why);
    buf_putc(&line, ')');
    return append_line(codex_home, line, err);
}

static int append_line(const char *codex_home, struct buf line, char **err)
{
    char *dir = fs_join(codex_home, "rules");
    char *path = fs_join(dir, "default.rules");
    int fd = -1, rc = -1;
    char *existing = NULL;
    if (fs_mkdir_p(dir, 0700) < 0) {
        *err = xasprintf("failed to create rules directory %s: %s", dir, strerror(errno));
        goto out;
    }
    fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        *err = xasprintf("failed to open %s: %s", path, strerror(errno));
        goto out;
    }
    /* Serialize with other codex processes appending at the same time. */
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            *err = xasprintf("failed to lock %s: %s", path, strerror(errno));
            goto out;
        }
    }
    size_t len = 0;
    existing = fs_read_file(path, (size_t)64 << 20, &len);
    if (!existing) {
        *err = xasprintf("failed to read %s: %s", path, strerror(errno));
        goto out;
    }
    for (const char *s = existing; *s;) {
        const char *e = strchr(s, '\n');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (l == line.len && memcmp(s, line.data, l) == 0) {
            rc = 0; /* already there */
            goto out;
        }
        s += l + (e ? 1 : 0);
    }
    struct buf add = BUF_INIT;
    if (len > 0 && existing[len - 1] != '\n')
        buf_putc(&add, '\n');
    buf_append(&add, line.data, line.len);
    buf_putc(&add, '\n');
    size_t off = 0;
    while (off < add.len) {
        ssize_t w = write(fd, add.data + off, add.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            *err = xasprintf("failed to write %s: %s", path, strerror(errno));
            buf_free(&add);
            goto out;
        }
        off += (size_t)w;
    }
    buf_free(&add);
    if (fsync(fd) < 0) {
        *err = xasprintf("failed to sync %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    free(existing);
    free(path);
    free(dir);
    buf_free(&line);
    return rc;
}
