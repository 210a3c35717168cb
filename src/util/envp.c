#include "util/envp.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static bool names(const char *entry, const char *name, size_t len)
{
    return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

const char *envp_get(const char *const *envp, const char *name)
{
    if (!envp || !name)
        return NULL;
    size_t len = strlen(name);
    for (; *envp; envp++)
        if (names(*envp, name, len))
            return *envp + len + 1;
    return NULL;
}

const char *envp_get_nonempty(const char *const *envp, const char *name)
{
    const char *v = envp_get(envp, name);
    return v && *v ? v : NULL;
}

void envp_copy(const char *const *envp, struct strvec *out)
{
    for (; envp && *envp; envp++)
        strvec_push(out, *envp);
}

void envp_unset(struct strvec *env, const char *name)
{
    size_t len = strlen(name), kept = 0;
    for (size_t i = 0; i < env->n; i++) {
        if (names(env->v[i], name, len))
            free(env->v[i]);
        else
            env->v[kept++] = env->v[i];
    }
    env->n = kept;
    if (env->v)
        env->v[kept] = NULL;
}

void envp_set(struct strvec *env, const char *name, const char *value)
{
    envp_unset(env, name);
    strvec_push_owned(env, xasprintf("%s=%s", name, value));
}
