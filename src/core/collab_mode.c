#include "core/collab_mode.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

/* Written for codex-c. */
static const char plan_instructions[] =
    "# Plan mode\n\n"
    "You are planning, not implementing. Stay in this mode until a developer message with new "
    "<collaboration_mode> instructions says otherwise; what the user asks for does not change "
    "the mode by itself. A request to do the work is a request to plan how it will be done.\n\n"
    "## What you may do\n"
    "- Read: open files, search the code, run commands that only look (listing, grep, git log, "
    "running the tests without changing them).\n"
    "- Do not edit files, apply patches, install anything or run commands whose purpose is to "
    "change the workspace.\n\n"
    "## How to plan\n"
    "1. Learn what you can from the workspace first; do not ask the user what the code can "
    "tell you.\n"
    "2. When a decision only the user can make is left (scope, behaviour, trade-offs), ask with "
    "the request_user_input tool: one to three short questions, each with two or three "
    "concrete options, the one you recommend first. Ask again later if new questions come up.\n"
    "3. When nothing is left open, write the plan.\n\n"
    "## The plan\n"
    "Put the final plan between a line holding only <proposed_plan> and a line holding only "
    "</proposed_plan>, in Markdown: a title, a short summary, the changes file by file or step "
    "by step, how they will be tested, and the assumptions you made. It must be complete "
    "enough that someone else can carry it out without further decisions. Write at most one "
    "such block per answer, and only when the plan is final.\n";

static const char default_instructions[] =
    "# Default mode\n\n"
    "You are in Default mode now: instructions given earlier for other modes (such as Plan "
    "mode) no longer apply. The mode changes only when a developer message with new "
    "<collaboration_mode> instructions says so.\n\n"
    "Work through the user's request: make reasonable assumptions where something is unclear, "
    "say which, and carry on. The request_user_input tool is not available in this mode; if you "
    "truly cannot go on without an answer, ask in your reply.\n";

const char *collab_mode_name(enum collab_mode m)
{
    return m == COLLAB_PLAN ? "plan" : "default";
}

bool collab_mode_parse(const char *name, enum collab_mode *out)
{
    if (name && strcmp(name, "plan") == 0) {
        *out = COLLAB_PLAN;
        return true;
    }
    if (name && strcmp(name, "default") == 0) {
        *out = COLLAB_DEFAULT;
        return true;
    }
    return false;
}

const char *collab_mode_instructions(enum collab_mode m)
{
    return m == COLLAB_PLAN ? plan_instructions : default_instructions;
}

json_t *collab_mode_presets(void)
{
    return json_pack("[{s:s s:s s:n s:s} {s:s s:s s:n s:n}]", "name", "Plan", "mode", "plan",
                     "model", "reasoning_effort", "medium", "name", "Default", "mode", "default",
                     "model", "reasoning_effort");
}

/* ---- the <proposed_plan> block -------------------------------------------- */

static const char open_tag[] = "<proposed_plan>";
static const char close_tag[] = "</proposed_plan>";

void plan_splitter_init(struct plan_splitter *s)
{
    memset(s, 0, sizeof *s);
    s->at_line_start = true;
}

void plan_splitter_free(struct plan_splitter *s)
{
    free(s->pending);
    plan_splitter_init(s);
}

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

/* Could the line so far still be the tag line?  done: it is one already. */
static bool may_be_tag(const char *line, size_t n, const char *tag, bool *done)
{
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    size_t rest = n - i, tlen = strlen(tag);
    *done = false;
    if (rest < tlen)
        return strncmp(line + i, tag, rest) == 0;
    if (strncmp(line + i, tag, tlen) != 0)
        return false;
    *done = blank(line + i + tlen, rest - tlen);
    return *done;
}

static struct buf *current(struct plan_splitter *s, struct buf *text, struct buf *plan)
{
    return s->inside ? plan : text;
}

static void release_pending(struct plan_splitter *s, struct buf *text, struct buf *plan)
{
    if (s->n_pending)
        buf_append(current(s, text, plan), s->pending, s->n_pending);
    s->n_pending = 0;
}

/* A whole held line ends: a tag line switches sides and disappears. */
static void end_held_line(struct plan_splitter *s, struct buf *text, struct buf *plan, bool newline)
{
    bool done = false;
    const char *tag = s->inside ? close_tag : open_tag;
    if (may_be_tag(s->pending ? s->pending : "", s->n_pending, tag, &done) && done) {
        s->n_pending = 0;
        s->inside = !s->inside;
        s->seen = true;
        return;
    }
    release_pending(s, text, plan);
    if (newline)
        buf_putc(current(s, text, plan), '\n');
}

void plan_splitter_feed(struct plan_splitter *s, const char *delta, struct buf *text,
                        struct buf *plan)
{
    for (const char *p = delta; *p; p++) {
        char c = *p;
        if (!s->at_line_start) {
            buf_putc(current(s, text, plan), c);
            if (c == '\n')
                s->at_line_start = true;
            continue;
        }
        if (c == '\n') {
            end_held_line(s, text, plan, true);
            continue;
        }
        s->pending = xrealloc(s->pending, s->n_pending + 2);
        s->pending[s->n_pending++] = c;
        bool done;
        if (!may_be_tag(s->pending, s->n_pending, s->inside ? close_tag : open_tag, &done) &&
            !blank(s->pending, s->n_pending)) {
            release_pending(s, text, plan);
            s->at_line_start = false;
        }
    }
}

void plan_splitter_finish(struct plan_splitter *s, struct buf *text, struct buf *plan)
{
    if (s->at_line_start && s->n_pending)
        end_held_line(s, text, plan, false);
    s->n_pending = 0;
}

void plan_split_text(const char *message, char **text, char **plan)
{
    struct plan_splitter s;
    plan_splitter_init(&s);
    struct buf t = BUF_INIT, p = BUF_INIT;
    plan_splitter_feed(&s, message, &t, &p);
    plan_splitter_finish(&s, &t, &p);
    *text = buf_detach(&t, NULL);
    *plan = s.seen ? buf_detach(&p, NULL) : NULL;
    if (!s.seen)
        buf_free(&p);
    plan_splitter_free(&s);
}
