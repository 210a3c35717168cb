/* Collaboration modes (the app server's collaborationMode): Default, where
 * the agent works through the task, and Plan, where it explores, asks the
 * user with request_user_input and ends with a plan in a <proposed_plan>
 * block.  The mode's instructions reach the model as a
 * <collaboration_mode> developer text: in the initial context when the
 * first turn sets a mode, else as a developer message right before the
 * user's message of the first turn whose instructions differ from the
 * last ones the model was given. */
#ifndef CODEX_CORE_COLLAB_MODE_H
#define CODEX_CORE_COLLAB_MODE_H

#include <stdbool.h>

#include <jansson.h>

enum collab_mode {
    COLLAB_DEFAULT,
    COLLAB_PLAN,
};

/* "default" / "plan". */
const char *collab_mode_name(enum collab_mode m);
/* Parse a ModeKind; false for a name that is not one. */
bool collab_mode_parse(const char *name, enum collab_mode *out);
/* Our instructions for a mode (what a client that sends no
 * developer_instructions gets). */
const char *collab_mode_instructions(enum collab_mode m);
/* The presets collaborationMode/list answers: [{name, mode, model,
 * reasoning_effort}], Plan then Default.  A new reference. */
json_t *collab_mode_presets(void);

/* Splits an agent message of Plan mode into what the user reads and the
 * plan: a line holding only <proposed_plan> opens the plan and one holding
 * only </proposed_plan> closes it; both lines are dropped.  Fed with the
 * message's deltas as they come; text that might still turn out to be a
 * tag line is held back until its line ends. */
struct plan_splitter {
    bool inside;   /* between the tags */
    bool seen;     /* a plan was opened */
    bool at_line_start;
    char *pending; /* the current line, while it may be a tag */
    size_t n_pending;
};

void plan_splitter_init(struct plan_splitter *s);
void plan_splitter_free(struct plan_splitter *s);
/* Feed a delta; out_text and out_plan get what it releases (appended;
 * callers own the buffers, both NUL-terminated when non-NULL). */
struct buf;
void plan_splitter_feed(struct plan_splitter *s, const char *delta, struct buf *out_text,
                        struct buf *out_plan);
/* The message ended: what was held back. */
void plan_splitter_finish(struct plan_splitter *s, struct buf *out_text, struct buf *out_plan);
/* The whole message at once: the text without the plan block, and the
 * plan (NULL when there is none).  Caller frees both. */
void plan_split_text(const char *message, char **text, char **plan);

#endif
