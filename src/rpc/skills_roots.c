/* The skill roots a client added with skills/extraRoots/set.  They live in
 * the skills module's slot; the threads module, which cannot reach the
 * module table without a cycle (modules.c names the threads module),
 * finds that slot by the tag it starts with. */
#include "rpc/skills_roots.h"

#include <stdlib.h>

#include "rpc/server.h"
#include "util/xalloc.h"

static const char skill_roots_tag[] = "skill roots";

struct rpc_skill_roots *rpc_skill_roots_slot(void **slot)
{
    if (!*slot) {
        struct rpc_skill_roots *r = xcalloc(1, sizeof *r);
        r->tag = skill_roots_tag;
        *slot = r;
    }
    return *slot;
}

void rpc_skill_roots_free(void **slot)
{
    struct rpc_skill_roots *r = *slot;
    if (!r)
        return;
    strvec_free(&r->roots);
    free(r);
    *slot = NULL;
}

const struct strvec *rpc_skill_roots(const struct rpc_server *s)
{
    for (size_t i = 0; i < RPC_MAX_MODULES; i++) {
        const struct rpc_skill_roots *r = s->module_state[i];
        if (r && r->tag == skill_roots_tag)
            return &r->roots;
    }
    return NULL;
}
