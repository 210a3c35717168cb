#include "core/exec_rules.h"

#include <stdlib.h>
#include <string.h>

#include "core/git_root.h"
#include "policy/execpolicy_requirements.h"
#include "util/fs.h"
#include "util/xalloc.h"

static int add_requirements(struct ep_policy *p, char **err)
{
    const char *path = getenv("CODEX_REQUIREMENTS_PATH");
    if (!path || !*path)
        path = "/etc/codex/requirements.toml";
    size_t len;
    char *text = fs_read_file(path, 1u << 20, &len);
    if (!text)
        return 0; /* no requirements: nothing to add */
    struct toml_error terr;
    toml_value *root = toml_parse(text, len, &terr);
    free(text);
    if (!root) {
        char msg[512];
        toml_error_format(&terr, path, msg, sizeof msg);
        *err = xstrdup(msg);
        return -1;
    }
    int rc = ep_policy_add_requirements(p, root, path, err);
    toml_free(root);
    return rc;
}

struct ep_policy *exec_rules_load(const struct codex_config *cfg, char **err)
{
    struct ep_policy *p = ep_policy_new();
    char *root = cfg->project_trusted ? git_repo_root(cfg->cwd) : NULL;
    struct strvec dirs = STRVEC_INIT;
    ep_rules_dirs(cfg->codex_home, root, cfg->cwd, &dirs);
    int rc = ep_policy_load_dirs(p, (const char *const *)dirs.v, dirs.n, err);
    strvec_free(&dirs);
    free(root);
    if (rc == 0)
        rc = add_requirements(p, err);
    if (rc != 0) {
        ep_policy_free(p);
        return NULL;
    }
    return p;
}
