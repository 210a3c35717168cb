/* Code review: a turn of a thread in which a separate, read-only reviewer
 * thread looks at a change (uncommitted work, a branch, a commit, or what
 * the user describes) and answers with findings.  The parent thread shows
 * it as an enteredReviewMode item, then exitedReviewMode and an agent
 * message with the rendered review. */
#ifndef CODEX_CORE_REVIEW_H
#define CODEX_CORE_REVIEW_H

#include <stdbool.h>

#include <jansson.h>

struct agent;

enum review_kind {
    REVIEW_UNCOMMITTED,
    REVIEW_BASE_BRANCH,
    REVIEW_COMMIT,
    REVIEW_CUSTOM,
};

struct review_target {
    enum review_kind kind;
    const char *branch;       /* REVIEW_BASE_BRANCH */
    const char *sha;          /* REVIEW_COMMIT */
    const char *title;        /* REVIEW_COMMIT, optional */
    const char *instructions; /* REVIEW_CUSTOM */
};

/* The app-server's ReviewTarget object. */
json_t *review_target_json(const struct review_target *t);
/* Reads a ReviewTarget object; false with *why set when it is not one. */
bool review_target_from_json(const json_t *j, struct review_target *out, const char **why);
/* What the user sees for the target: "current changes", "changes against
 * 'main'", "commit abc1234: title", or the custom instructions. */
char *review_target_hint(const struct review_target *t);
/* The request the reviewer gets for the target. */
char *review_target_prompt(const struct review_target *t);

/* The reviewer's answer as a ReviewOutput object {findings, overall_*}:
 * JSON, JSON inside other text, or else the text as the explanation. */
json_t *review_output_parse(const char *text);
/* The review as text: the explanation, then each finding with its place. */
char *review_output_render(const json_t *output);

/* Run a review as a turn of the thread; done as for agent_start_turn. */
void agent_start_review(struct agent *a, const struct review_target *t,
                        void (*done)(void *ud, bool ok), void *done_ud);

#endif
