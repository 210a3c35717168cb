/* The skill roots a client added with skills/extraRoots/set, kept in the
 * skills module's slot (skills_roots.c). */
#ifndef CODEX_RPC_SKILLS_ROOTS_H
#define CODEX_RPC_SKILLS_ROOTS_H

#include "util/strvec.h"

struct rpc_server;

struct rpc_skill_roots {
    const char *tag; /* marks the slot as this struct */
    struct strvec roots; /* absolute */
};

/* The skills module's state in its slot, made on first use. */
struct rpc_skill_roots *rpc_skill_roots_slot(void **slot);
void rpc_skill_roots_free(void **slot);
/* The roots set on this server, or NULL when none were ever set. */
const struct strvec *rpc_skill_roots(const struct rpc_server *s);

#endif
