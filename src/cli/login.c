/* `codex login`: store an API key (`--with-api-key`, key on stdin) or show
 * what is stored (`codex login status`).  Messages go to stderr, as the
 * reference prints them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/auth.h"
#include "util/buf.h"
#include "util/xalloc.h"

static const char login_help[] =
    "Manage login\n\n"
    "Usage: codex login [OPTIONS] [COMMAND]\n\n"
    "Commands:\n"
    "  status  Show login status\n\n"
    "Options:\n"
    "      --with-api-key  Read the API key from stdin (e.g. `printenv OPENAI_API_KEY | codex "
    "login --with-api-key`)\n"
    "  -h, --help          Print help\n";

static char *read_key(void)
{
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        buf_append(&b, chunk, n);
    char *s = buf_detach(&b, NULL);
    char *start = s + strspn(s, " \t\r\n");
    size_t len = strlen(start);
    while (len && strchr(" \t\r\n", start[len - 1]))
        len--;
    char *key = xstrndup(start, len);
    free(s);
    return key;
}

/* "sk-test-***bcdef": enough to recognise the key, not to use it. */
static void print_masked(const char *key)
{
    size_t n = strlen(key);
    if (n <= 13)
        fprintf(stderr, "API key configured - ***\n");
    else
        fprintf(stderr, "API key configured - %.8s***%s\n", key, key + n - 5);
}

static int login_status(const char *home)
{
    char *key = auth_load_api_key(home);
    if (!key) {
        fputs("Not logged in\n", stderr);
        return 1;
    }
    print_masked(key);
    fputs("Authentication is checked when you send a request.\n", stderr);
    free(key);
    return 0;
}

static int login_with_api_key(const char *home)
{
    fputs("Reading API key from stdin...\n", stderr);
    char *key = read_key();
    int rc = 1;
    if (!*key) {
        fputs("No API key provided via stdin.\n", stderr);
    } else if (auth_save_api_key(home, key) < 0) {
        fprintf(stderr, "Error saving API key to %s/auth.json: %s\n", home, strerror(errno));
    } else {
        fputs("API key saved. Authentication is checked when you send a request.\n", stderr);
        rc = 0;
    }
    free(key);
    return rc;
}

int cmd_login(struct cli_opts *o, int argc, char **argv)
{
    bool with_key = false, status = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return fputs(login_help, stdout), 0;
        if (strcmp(a, "--with-api-key") == 0)
            with_key = true;
        else if (strcmp(a, "status") == 0)
            status = true;
        else if (a[0] == '-') {
            int r = cli_shared_flag(o, "codex login", argc, argv, &i);
            if (r < 0)
                return 2;
            if (r == 0)
                return cli_usage_error("codex login", "unexpected argument '%s' found", a);
        } else {
            return cli_usage_error("codex login", "unrecognized subcommand '%s'", a);
        }
    }
    char errbuf[256];
    char *home = config_codex_home(o->envp, errbuf, sizeof errbuf);
    if (!home) {
        fprintf(stderr, "Error: %s\n", errbuf);
        return 1;
    }
    int rc;
    if (status)
        rc = login_status(home);
    else if (with_key)
        rc = login_with_api_key(home);
    else {
        fputs("Browser sign-in is not supported by codex-c; use `codex login --with-api-key` "
              "with the key on stdin.\n",
              stderr);
        rc = 1;
    }
    free(home);
    return rc;
}
