/* The codex-linux-sandbox personality (argv[0]), kept for compatibility
 * with the reference's helper and for spawners that cannot run code before
 * exec:
 *   codex-linux-sandbox --sandbox-policy-cwd DIR [--sandbox-policy JSON]
 *                       [--use-legacy-landlock] [--no-proc]
 *                       [--netns-fd FD [--userns-fd FD]] -- CMD...
 * JSON is the reference's SandboxPolicy ({"type":"workspace-write",
 * "writable_roots":[...],"network_access":false,...}); read-only without it.
 * --netns-fd joins a network namespace codex made for proxy-only egress
 * (a spawner without a pre-exec hook cannot join it itself). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sandbox/sandbox.h"

static const char *const usage =
    "Usage: codex-linux-sandbox [OPTIONS] --sandbox-policy-cwd <SANDBOX_POLICY_CWD> [COMMAND]...\n";

static bool json_flag(json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

static int parse_policy_json(const char *text, struct sandbox_policy *p)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (!root || !json_is_object(root)) {
        fprintf(stderr, "codex-linux-sandbox: --sandbox-policy: invalid JSON at %d:%d: %s\n", jerr.line,
                jerr.column, root ? "expected an object" : jerr.text);
        json_decref(root);
        return -1;
    }
    const char *type = json_string_value(json_object_get(root, "type"));
    int kind = type ? sandbox_kind_parse(type) : -1;
    if (kind < 0) {
        fprintf(stderr, "codex-linux-sandbox: --sandbox-policy: unknown \"type\" %s\n", type ? type : "(missing)");
        json_decref(root);
        return -1;
    }
    p->kind = (enum sandbox_kind)kind;
    json_t *roots = json_object_get(root, "writable_roots");
    size_t i;
    json_t *v;
    json_array_foreach(roots, i, v) {
        if (!json_is_string(v)) {
            fprintf(stderr, "codex-linux-sandbox: --sandbox-policy: writable_roots[%zu] is not a string\n", i);
            json_decref(root);
            return -1;
        }
        strvec_push(&p->writable_roots, json_string_value(v));
    }
    json_t *fs = json_object_get(root, "fs");
    json_t *e;
    json_array_foreach(fs, i, e) {
        const char *path = json_string_value(json_object_get(e, "path"));
        const char *access = json_string_value(json_object_get(e, "access"));
        const char *subpath = json_string_value(json_object_get(e, "subpath"));
        if (!path || !access || (strcmp(access, "read") && strcmp(access, "write") && strcmp(access, "none"))) {
            fprintf(stderr, "codex-linux-sandbox: --sandbox-policy: fs[%zu] needs a path and an access of read, "
                            "write or none\n", i);
            json_decref(root);
            return -1;
        }
        sandbox_policy_add_fs(p, path, subpath,
                              strcmp(access, "write") == 0  ? SANDBOX_ACCESS_WRITE
                              : strcmp(access, "read") == 0 ? SANDBOX_ACCESS_READ
                                                            : SANDBOX_ACCESS_NONE);
    }
    p->network_access = json_flag(root, "network_access");
    p->exclude_tmpdir_env_var = json_flag(root, "exclude_tmpdir_env_var");
    p->exclude_slash_tmp = json_flag(root, "exclude_slash_tmp");
    json_decref(root);
    return 0;
}

int cli_linux_sandbox_main(int argc, char **argv)
{
    struct sandbox_policy pol;
    sandbox_policy_init(&pol, SANDBOX_KIND_READ_ONLY);
    const char *cwd = NULL;
    int i = 1, rc = 2;
    struct sandbox_netns netns = {-1, -1, -1, -1, -1, 0, 0, 0};
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            printf("CLI surface for the Linux sandbox helper.\n\n%s", usage);
            rc = 0;
            goto out;
        }
        if (strcmp(a, "--netns-fd") == 0 || strcmp(a, "--userns-fd") == 0) {
            /* Proxy-only egress: the namespace codex made for the command. */
            char *end = NULL;
            long fd = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
            if (fd < 0 || !end || *end || fd > 1023) {
                fprintf(stderr, "error: %s needs a descriptor number\n\n%s", a, usage);
                goto out;
            }
            i++;
            if (strcmp(a, "--netns-fd") == 0)
                netns.netns_fd = (int)fd;
            else
                netns.userns_fd = (int)fd;
            pol.netns = &netns;
        } else if (strcmp(a, "--no-proc") == 0) {
            pol.no_proc = true;
        } else if (strcmp(a, "--use-legacy-landlock") == 0) {
            pol.use_legacy_landlock = true;
        } else if (strcmp(a, "--sandbox-policy-cwd") == 0 || strcmp(a, "--sandbox-policy") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "error: a value is required for '%s'\n\n%s", a, usage);
                goto out;
            }
            if (strcmp(a, "--sandbox-policy") == 0) {
                bool legacy = pol.use_legacy_landlock, no_proc = pol.no_proc;
                if (parse_policy_json(argv[++i], &pol) != 0) {
                    rc = 1;
                    goto out;
                }
                pol.use_legacy_landlock = legacy;
                pol.no_proc = no_proc;
            } else {
                cwd = argv[++i];
            }
        } else if (a[0] == '-') {
            fprintf(stderr, "error: unexpected argument '%s' found\n\n%s", a, usage);
            goto out;
        } else {
            break;
        }
    }
    if (!cwd) {
        fprintf(stderr, "error: the following required arguments were not provided:\n"
                        "  --sandbox-policy-cwd <SANDBOX_POLICY_CWD>\n\n%s", usage);
        goto out;
    }
    if (i >= argc) {
        fprintf(stderr, "error: no command given\n\n%s", usage);
        goto out;
    }
    if (pol.netns && netns.netns_fd < 0) {
        fprintf(stderr, "error: --userns-fd needs --netns-fd\n\n%s", usage);
        goto out;
    }
    if (pol.netns && pol.network_access) {
        fprintf(stderr, "codex-linux-sandbox: a policy with network_access cannot also use --netns-fd\n");
        rc = 1;
        goto out;
    }
    char *here = getcwd(NULL, 0);
    if (!here) {
        fprintf(stderr, "codex-linux-sandbox: cannot determine the current directory: %s\n", strerror(errno));
        rc = 1;
        goto out;
    }
    sandbox_policy_set_host(&pol, (const char *const *)environ, NULL);
    rc = cli_run_sandboxed(&pol, cwd, here, (const char *const *)environ, &argv[i]);
    free(here);
out:
    sandbox_policy_free(&pol);
    return rc;
}
