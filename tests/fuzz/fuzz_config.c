/* libFuzzer harness for config loading: the first line of the input is a
 * `-c` override, the rest is written as $CODEX_HOME/config.toml.  Loading
 * must either succeed with a consistent result or fail with a one-line
 * message; it must never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *config_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char tmpl[] = "/tmp/fuzz-config.XXXXXX";
    if (!mkdtemp(tmpl))
        abort();
    setenv("CODEX_HOME", tmpl, 1);
    setenv("CODEX_MANAGED_CONFIG_PATH", "/nonexistent/managed.toml", 1);
    setenv("CODEX_REQUIREMENTS_PATH", "/nonexistent/requirements.toml", 1);
    config_path = fs_join(tmpl, "config.toml");
    if (chdir(tmpl) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t first = nl ? (size_t)(nl - text) : size;
    char *override = xstrndup(text, first);
    size_t rest = nl ? size - first - 1 : 0;
    /* A plain write: fs_write_atomic's fsyncs would slow fuzzing a hundredfold. */
    FILE *f = fopen(config_path, "wb");
    if (!f || fwrite(nl ? nl + 1 : "", 1, rest, f) != rest || fclose(f) != 0)
        abort();

    const char *overrides[] = {override};
    struct config_load_opts opts = {
        .overrides = overrides,
        .n_overrides = strlen(override) == first ? 1 : 0, /* no NUL inside the argument */
        .strict_config = size > 0 && (data[0] & 1),
    };
    struct codex_config cfg;
    struct codex_error e = CODEX_ERROR_INIT;
    if (config_load(&opts, &cfg, &e) == 0) {
        if (!cfg.root || !cfg.web_search || !cfg.model_provider ||
            !config_provider(&cfg, cfg.model_provider) || !cfg.history_persistence || !cfg.permissions)
            abort();
        (void)sandbox_mode_name(cfg.sandbox_mode);
        (void)approval_policy_name(cfg.approval_policy);
        config_free(&cfg);
    } else if (!e.message || !e.message[0] || strchr(e.message, '\n')) {
        abort(); /* errors are exactly one line */
    }
    codex_error_clear(&e);
    free(override);
    return 0;
}
