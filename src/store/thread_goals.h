/* Thread goals: one objective per thread that the app server keeps turns
 * working toward (rpc/thread_goals.c).  All of them live in one file,
 * $CODEX_HOME/thread_goals.json, {"<thread id>": ThreadGoal}, each goal in
 * the app-server v2 shape (threadId, objective, status, tokenBudget,
 * tokensUsed, timeUsedSeconds, createdAt, updatedAt), replaced atomically
 * on every change. */
#ifndef CODEX_STORE_THREAD_GOALS_H
#define CODEX_STORE_THREAD_GOALS_H

#include <stdbool.h>

#include <jansson.h>

#include "util/error.h"

/* The goal of thread id (a new reference), or NULL when it has none; NULL
 * with err when the file cannot be read. */
json_t *thread_goal_load(const char *codex_home, const char *id, struct codex_error *err);
/* Store goal (borrowed) as thread id's.  0, or -1 with err. */
int thread_goal_save(const char *codex_home, const char *id, const json_t *goal,
                     struct codex_error *err);
/* Forget thread id's goal; *removed says whether it had one.  0, or -1
 * with err. */
int thread_goal_remove(const char *codex_home, const char *id, bool *removed,
                       struct codex_error *err);

#endif
