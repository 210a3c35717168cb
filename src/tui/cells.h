/* Transcript cells: what the transcript shows for each v2 ThreadItem (user
 * and agent messages, reasoning, command runs, file changes, plans) and for
 * the TUI's own notes (approval decisions, notices, errors, the header
 * card, "Worked for").  A cell lays itself out into rows for a width and a
 * view (normal or details, fullscreen or inline, raw) and keeps them until
 * something changes, so drawing a frame costs only the visible rows. */
#ifndef CODEX_TUI_CELLS_H
#define CODEX_TUI_CELLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tui/markdown.h"
#include "tui/text.h"

struct cell_ctx {
    int width;
    bool details;    /* Ctrl-T: reasoning, full output, whole diffs */
    bool fullscreen; /* vs inline (some cells differ) */
    bool raw;        /* /raw: no bullets, indents or backgrounds */
};

enum cell_type {
    CT_HEADER,
    CT_USER,
    CT_AGENT,
    CT_REASONING,
    CT_EXEC,
    CT_EXPLORED,
    CT_PATCH,
    CT_PLAN,
    CT_PROPOSED_PLAN, /* Plan mode's plan item */
    CT_TEXT, /* prebuilt paragraphs: notices, errors, history lines, cards */
    CT_COLLAB, /* an agent row (cell_collab.c) */
};

struct cell;

struct cell_ops {
    /* Bring c->rows up to date; `full` when the width or view changed. */
    void (*layout)(struct cell *c, const struct cell_ctx *ctx, bool full);
    void (*free)(struct cell *c);
    /* Shown in this view at all (reasoning: details only). */
    bool (*visible)(const struct cell *c, const struct cell_ctx *ctx);
};

struct cell {
    const struct cell_ops *ops;
    enum cell_type type;
    char *id;       /* the item id, when the cell shows an item */
    bool finished;  /* nothing will change any more */
    bool changed;   /* content changed since the last layout */
    struct tlines rows;
    int lw;         /* layout width, -1 when never laid out */
    unsigned lview; /* view flags of the layout */
    size_t stable;  /* leading rows that will not change (streaming) */
    size_t inserted; /* inline mode: rows already in the scrollback */
    bool separated;  /* inline mode: its blank separator row was inserted */
    bool is_turn_end; /* "Worked for" and similar: no cell after it joins */
    /* Rows are shown `indent` columns in, the first after a dim "• " when
     * bullet (the agent message keeps its rows unprefixed: no copy). */
    uint8_t indent;
    bool bullet;
};

/* Lay c out again from its source at the next frame (the colours changed). */
void cell_restyle(struct cell *c);

/* Draw row r of c at (x, y), with its indent and bullet. */
void cell_draw_row(const struct cell *c, size_t r, struct tgrid *g, int x, int y, int max_x);
/* Append row r as it is shown (indent and bullet included) to out. */
void cell_copy_row(const struct cell *c, size_t r, struct tlines *out);

/* For cell implementations: set up the common part. */
void cell_base_init(struct cell *c, const struct cell_ops *ops, enum cell_type type,
                    const char *id);

/* Lay out (cached) and tell whether it shows in this view. */
void cell_layout(struct cell *c, const struct cell_ctx *ctx);
bool cell_visible(const struct cell *c, const struct cell_ctx *ctx);
void cell_free(struct cell *c);
void cell_touch(struct cell *c); /* content changed */

/* ---- constructors ------------------------------------------------------ */

struct cell *cell_header_new(const char *version, const char *model, const char *cwd);
void cell_header_set(struct cell *c, const char *model, const char *cwd);

/* The user's prompt (with how many images came with it). */
struct cell *cell_user_new(const char *text, int n_images);
const char *cell_user_text(const struct cell *c);

struct cell *cell_agent_new(const char *id);
void cell_agent_append(struct cell *c, const char *delta, size_t len);
void cell_agent_set(struct cell *c, const char *text);
const char *cell_agent_text(const struct cell *c);

struct cell *cell_reasoning_new(const char *id);
void cell_reasoning_append(struct cell *c, const char *delta, size_t len);
void cell_reasoning_set(struct cell *c, const char *text);
/* The status row's label: the bold title of the latest summary, else its
 * body so far (caller frees; NULL when there is nothing yet). */
char *cell_reasoning_status(const struct cell *c);

/* A command run (commandExecution item). */
struct cell *cell_exec_new(const json_t *item);
void cell_exec_update(struct cell *c, const json_t *item);
void cell_exec_output(struct cell *c, const char *delta, size_t len);
/* Pending approval: shown as "Running <cmd>". */
void cell_exec_set_awaiting(struct cell *c, bool awaiting);
/* Read-only exploration (every command action reads, lists or searches). */
bool cell_exec_is_exploration(const json_t *item);
/* A user shell command (`!cmd`), as "You ran". */
struct cell *cell_shell_new(const char *command);
void cell_shell_finish(struct cell *c, int exit_code, const char *output, int64_t duration_ms);

/* "Explored": a group of exploration commands. */
struct cell *cell_explored_new(void);
void cell_explored_add(struct cell *c, const json_t *item);

/* A file change (fileChange item). */
struct cell *cell_patch_new(const json_t *item, const char *cwd);
void cell_patch_update(struct cell *c, const json_t *item);

/* A plan update (turn/plan/updated params). */
struct cell *cell_plan_new(const json_t *params);

/* Plan mode's proposed plan (a plan item): "• Proposed Plan" over the
 * plan's markdown; it grows with item/plan/delta. */
struct cell *cell_proposed_plan_new(const char *id);
void cell_proposed_plan_append(struct cell *c, const char *delta, size_t len);
void cell_proposed_plan_set(struct cell *c, const char *text);
const char *cell_proposed_plan_text(const struct cell *c);

/* Paragraphs: each is a line wrapped with a first-row prefix and a prefix
 * for the rows after it. */
struct cell *cell_text_new(void);
void cell_text_add(struct cell *c, const struct tline *line, const char *first, const char *rest,
                   struct tstyle prefix_style);
/* One line of plain text in a style, with "• " before it. */
struct cell *cell_notice_new(const char *text, struct tstyle st);
/* "■ message" in red. */
struct cell *cell_error_new(const char *message);
/* "⚠ message" in yellow, with an optional dim second paragraph. */
struct cell *cell_warning_new(const char *message, const char *details);

/* Agent rows (collabAgentToolCall items, cell_collab.c).  lookup gives an
 * agent's nickname and role when known (either may be left NULL). */
struct collab_names {
    void (*lookup)(void *ud, const char *thread_id, const char **nickname, const char **role);
    void *ud;
};
/* Whether the call shows a row at its start (begin) or its end. */
bool cell_collab_shows(const json_t *item, bool begin);
struct cell *cell_collab_new(const json_t *item, bool begin, const struct collab_names *names);
/* "Robie [explorer]" (nickname bold light blue, role dim), or the thread id
 * dim; and an agent's status ("Completed - reply", "Running", ...). */
void cell_collab_label(struct tline *l, const struct collab_names *names, const char *thread_id);
void cell_collab_status(struct tline *l, const char *status, const char *message);
const json_t *cell_collab_item(const struct cell *c); /* NULL: not an agent row */

/* The shell command a commandExecution shows: the script of a
 * `bash -lc '…'` wrapper, else the command as given (caller frees). */
char *cell_display_command(const char *command);

/* Format a duration as the transcript does: "<1s", "5s", "1m 05s",
 * "1h 02m 03s". */
void cell_format_elapsed(int64_t ms, char *out, size_t outlen);

/* The palette shared by the cells and the chrome. */
#define COL_USER_BG TC_HEX(0x444444)
#define COL_USER_FG TC_HEX(0xeeeeee)
#define COL_ACCENT TC_HEX(0x63a8f8)
#define COL_ADD_BG TC_HEX(0x213a2b)
#define COL_DEL_BG TC_HEX(0x4a221d)
#define COL_GREEN TC_INDEX(2)
#define COL_RED TC_INDEX(1)
#define COL_YELLOW TC_INDEX(3)
#define COL_MAGENTA TC_INDEX(5)
#define COL_CYAN TC_INDEX(6)

#endif
