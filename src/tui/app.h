/* The TUI's state and the functions its files share (app.c: start, the
 * server connection and the session; app_events.c: notifications into
 * cells; app_draw.c: frames; app_keys.c: input; app_slash.c: slash
 * commands and pickers; app_views.c: pagers, help, resume picker;
 * app_mention.c: the @ file popup). */
#ifndef CODEX_TUI_APP_H
#define CODEX_TUI_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "rpc/inproc_transport.h"
#include "rpc/server.h"
#include "tui/client.h"
#include "tui/composer.h"
#include "tui/grid.h"
#include "tui/history.h"
#include "tui/render.h"
#include "tui/term.h"
#include "tui/transcript.h"
#include "tui/tui.h"
#include "tui/ws_client.h"
#include "util/strvec.h"

struct pick_item {
    char *label;
    char *desc;
    char *value;
    char key;     /* a shortcut letter, or 0 */
    bool current; /* "(current)" */
    signed char check; /* a toggle list's box: -1 none, 0 [ ], 1 [x] */
};

enum picker_kind {
    PICK_MODEL,
    PICK_EFFORT,
    PICK_PERMISSIONS,
    PICK_TUI_MODE,
    PICK_CTRL_C,
    PICK_APPROVAL,
    PICK_LOGIN,
    PICK_REVIEW,
    PICK_REVIEW_BRANCH,
    PICK_REVIEW_COMMIT,
    PICK_PLAN_IMPLEMENT,
    PICK_SKILLS_MENU,
    PICK_SKILLS_LIST,
    PICK_SKILLS_TOGGLE,
    PICK_HOOKS,
    PICK_HOOK_DETAIL,
    PICK_EXPERIMENTAL,
    PICK_STATUSLINE,
    PICK_TITLE,
    PICK_THEME,
    PICK_AGENTS,         /* /subagents (app_agents.c) */
    PICK_APPROVE_DENIAL, /* /approve (app_autoreview.c) */
};

struct picker {
    enum picker_kind kind;
    char *title;
    struct tlines header; /* rows above the options */
    struct pick_item *items;
    size_t n, sel, top;
    char *hint;
    bool numbered;
    char *context; /* the model an effort picker is for */
    bool toggles;  /* Space ticks the selected box; Enter saves them all */
    bool esc_saves; /* Esc saves the boxes too (else it cancels) */
    bool fit_column; /* descriptions start past the longest label (else at 28) */
    json_t *data;  /* what the list was built from (owned) */
};

struct approval {
    json_t *id;
    char *method;
    json_t *params;
    char *command; /* as shown */
    /* A network question (networkApprovalContext): its host, and the
     * target "PROTO://HOST:PORT" the decision lines name. */
    char *network_host;
    char *network_target;
    /* An MCP server's form (app_elicit.c): the field being asked and the
     * values given so far. */
    size_t field;
    json_t *content;
    struct approval *next;
};

struct pager {
    char *title;
    struct tlines lines;
    long top;
    bool transcript; /* the Ctrl-T transcript (rebuilt on resize) */
};

struct resume_view {
    bool fork;
    json_t *threads; /* array of Thread objects as listed */
    size_t sel, top;
    struct buf query;
    bool all;          /* every directory, not just the cwd */
    bool sort_created; /* by creation instead of update time */
    bool archived;     /* archived sessions instead of active ones */
    bool loading;
    bool expanded;
    char *error;
};

struct title_req;
struct app_agents;
struct app_reviews;
struct question; /* app_question.c */

/* The @ mention popup (app_mention.c). */
struct mention {
    bool open;
    bool dismissed;   /* Esc: closed until the cursor leaves this @word */
    size_t at;        /* byte offset of the '@' in the composer */
    char *query;      /* the word after '@', up to the cursor */
    char *session;    /* the fuzzyFileSearch session while open */
    unsigned serial;
    json_t *files;    /* the matches for query */
    size_t sel, top;
};

enum pane {
    PANE_COMPOSER,
    PANE_PICKER,
    PANE_TRUST,
};

struct app {
    const struct tui_options *opt;
    uv_loop_t *loop;
    struct tterm term;
    bool term_open;
    struct trender render;
    struct tgrid frame;
    struct tgrid scratch;
    struct buf out;
    int w, h;
    bool fullscreen;
    bool focused;
    bool started_ui; /* the first frame may be drawn */
    bool editing;    /* Ctrl-G: the editor has the terminal */

    /* Server connection. */
    struct rpc_server server;
    bool server_init;
    struct rpc_inproc *inproc;
    struct wsclient *ws;
    struct tclient *client;
    bool connected;
    bool initialized;
    bool login_pending; /* sign-in screen to show once the trust question is answered */
    char *login_id;     /* the sign-in under way, or NULL */

    /* Session. */
    char *thread_id;
    char *thread_title;
    char *thread_path;
    char *model;
    char *provider;
    char *effort;
    char *cwd;
    char *approval_policy;
    char *sandbox_mode;
    json_t *models; /* model/list data */
    bool turn_running;
    char *turn_id;
    uint64_t turn_started;  /* uv_hrtime */
    bool answer_streaming;  /* an agent message is growing */
    int running_commands;   /* commandExecution items started, not completed */
    int64_t tokens_total, tokens_input, tokens_output, tokens_cached;
    int64_t context_used, context_window;
    bool title_requested;
    struct title_req *title; /* the thread-title side request in flight */
    int echo_pending;       /* our prompts whose userMessage item is still due */
    bool error_shown;       /* the turn's error already has a cell */
    char *retry_note;       /* a stream error being retried */
    bool interrupt_requested; /* Esc before the turn's id was known */
    bool policy_changed;    /* /permissions: send the new policy with turns */
    struct cell *shell_cell; /* a `!cmd` waiting for its result */
    uint64_t shell_started;
    int pending_starts;     /* thread/start, resume or fork in flight */
    char *pending_prompt;   /* sent once the thread exists */
    char *pending_title;    /* the name of the thread being resumed */
    bool resuming;          /* the pending start is a resume or fork */
    struct strvec pending_images;

    /* Transcript. */
    struct transcript tr;
    size_t view_from;       /* Ctrl-L: earlier cells leave the normal view */
    long scroll;            /* rows above the bottom (fullscreen) */
    bool details;           /* Ctrl-T in fullscreen */
    bool raw;               /* /raw */
    struct cell *status_cell;
    size_t inline_next;     /* inline: first cell not wholly in the scrollback */
    bool inline_any;        /* inline: something was put in the scrollback */

    /* Bottom pane. */
    enum pane pane;
    struct composer comp;
    struct picker picker;
    struct approval *approvals;
    bool elicit_typing; /* the composer's next Enter answers a form field */
    int esc_count;           /* Esc presses on an empty idle composer */
    bool browsing;           /* Esc Esc: choosing a prompt to rewind to */
    size_t browse_sel;
    bool help;               /* the ? overlay */
    bool searching;          /* Ctrl-R */
    struct buf search;
    long search_hit;
    size_t slash_sel;
    bool slash_hidden;       /* Esc closed the slash popup */
    struct mention mention;  /* the @ popup */
    int trust_sel;
    struct strvec queued;    /* Tab while a turn runs */
    struct strvec steering; /* texts sent with turn/steer, not answered yet */
    uint64_t last_key_ns;    /* for paste-burst detection */
    int burst_keys;

    /* History of prompts (Up/Down, Ctrl-R). */
    struct history hist;
    bool save_history;
    long long history_max_bytes;
    long hist_pos; /* -1: editing, else index into hist */
    char *hist_draft;

    /* Full-screen views. */
    struct pager *pager;
    struct resume_view *resume;
    bool alt_view;               /* inline mode showing a full-screen view */
    struct trender alt_render;

    /* Timers. */
    uv_timer_t frame_timer;
    uv_timer_t tick_timer;
    bool frame_pending;
    uint64_t last_frame_ns;
    bool ticking;
    int spinner;

    /* Exit. */
    bool quitting;
    bool shutting_down;
    int exit_status;
    char *fatal;        /* printed after the terminal is restored */
    struct strvec after_exit; /* lines printed after the terminal is restored */
    char *composer_next; /* a command's text for the composer once it is cleared */

    /* The status line's and the terminal title's items (app_statusline.c). */
    struct strvec status_items;
    struct strvec title_items;
    bool status_plain; /* tui.status_line_use_colors = false */

    struct app_agents *agents;   /* subagents (app_agents.c) */
    struct app_reviews *reviews; /* auto-reviews under way and denied (app_autoreview.c) */
    /* Collaboration mode and the proposed plan (app_plan.c); the
     * request_user_input questions (app_question.c). */
    bool plan_mode;
    bool mode_chosen;     /* a mode was picked: turns name theirs */
    char *default_effort; /* the effort Plan mode replaced */
    char *plan_effort;    /* collaborationMode/list's Plan preset */
    char *plan_text;      /* the proposed plan of the running turn */
    char *plan_prompt;    /* "/plan <prompt>" waiting for the mode */
    /* Mode switches asked for while collaborationMode/list is answered
     * (the first included): each one flips the mode once it is. */
    int mode_switches_pending;
    struct question *question;
};

/* app.c */
void app_request(struct app *a, const char *method, json_t *params, tclient_result_fn fn);
void app_redraw(struct app *a);
void app_quit(struct app *a, int status);
void app_fail(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_submit(struct app *a, const char *text, const struct strvec *images);
void app_interrupt(struct app *a);
void app_new_thread(struct app *a);
/* name: the thread's name as listed (NULL when unknown). */
void app_resume_thread(struct app *a, const char *id, bool fork, const char *name);
void app_add_cell(struct app *a, struct cell *c);
void app_notice(struct app *a, const char *text);
/* Sign-in (app_login.c): ask the server whether one is needed, act on the
 * choice of the sign-in screen, and report how it ended. */
void app_login_check(struct app *a);
void app_login_start(struct app *a, const char *how);
void app_login_completed(struct app *a, json_t *params);
/* /review (app_review.c): the preset picker, its follow-up lists, and the
 * review turn on this thread. */
void app_review_command(struct app *a, const char *args);
/* Send text into the running turn (turn/steer); if the turn ended first,
 * it waits in the queue for the next one. */
void app_steer(struct app *a, const char *text);
void app_review_open(struct app *a, enum picker_kind kind);
void app_review_chosen(struct app *a, enum picker_kind kind, const char *value);
void app_error_cell(struct app *a, const char *text);
char *app_display_path(const struct app *a, const char *path);
const char *app_model_display(const struct app *a);
void app_set_title(struct app *a, const char *title);
void app_notify(struct app *a, const char *text);
void app_write_terminal_title(struct app *a);
uint64_t app_now_ns(void);
json_t *app_thread_params(const struct app *a);
void app_after_trust(struct app *a);
/* Events of the thread-title side thread; false when not one of them. */
bool app_title_event(struct app *a, const char *method, json_t *params);

/* app_events.c */
void app_on_notification(void *ud, const char *method, json_t *params);
void app_on_server_request(void *ud, json_t *id, const char *method, json_t *params);
void app_approval_decide(struct app *a, const char *choice);
void app_approvals_cancel_all(struct app *a);
void app_approval_free(struct approval *ap);
/* app_elicit.c: mcpServer/elicitation/request (MCP tool-call approvals and
 * servers' forms) as the first of a->approvals. */
bool app_elicit_is_approval(const struct approval *ap);
void app_elicit_open(struct app *a);        /* fill the picker */
void app_elicit_choose(struct app *a, const char *choice);
bool app_elicit_text(struct app *a, const char *text); /* true: the composer's text was a field */
void app_turn_finished(struct app *a, const char *status, const char *error);
void app_replay_thread(struct app *a, const json_t *thread);

/* app_draw.c */
void app_draw(struct app *a);
void app_flush_inline(struct app *a);
void app_status_text(struct app *a, struct tline *out);

/* app_editor.c */
void app_open_editor(struct app *a);

/* app_keys.c */
void app_on_event(void *ud, const struct tev *ev);
void app_paste(struct app *a, const char *text, size_t len);

/* app_slash.c */
struct slash_command {
    const char *name;
    const char *desc;
    void (*run)(struct app *a, const char *args);
    bool while_running; /* allowed during a turn */
};
extern const struct slash_command app_slash_commands[];
/* Commands matching the composer's "/prefix" (into out, at most max). */
size_t app_slash_matches(const char *prefix, const struct slash_command **out, size_t max);
bool app_slash_run(struct app *a, const char *line);
void app_picker_open(struct app *a, enum picker_kind kind);
void app_picker_select(struct app *a);
void app_picker_close(struct app *a);
void picker_reset(struct picker *p);
/* A row above a picker's options, indented as the options are. */
void picker_header(struct picker *p, const char *text, struct tstyle st);
void picker_add(struct picker *p, const char *label, const char *desc, const char *value, char key,
                bool current);

/* app_manage.c: the commands that show or change what the server manages
 * (/mcp, /skills, /hooks, /experimental, /stop, /logout, /mention) and
 * the pickers they open. */
void app_cmd_mcp(struct app *a, const char *args);
void app_cmd_skills(struct app *a, const char *args);
void app_cmd_hooks(struct app *a, const char *args);
void app_cmd_experimental(struct app *a, const char *args);
void app_cmd_stop(struct app *a, const char *args);
void app_cmd_logout(struct app *a, const char *args);
void app_cmd_mention(struct app *a, const char *args);
void app_cmd_plan(struct app *a, const char *args);
void app_cmd_agents(struct app *a, const char *args);
void app_cmd_theme(struct app *a, const char *args);
/* /theme: recolour for the selected theme; Esc puts the first one back. */
void app_theme_preview(struct app *a);
void app_theme_cancel(struct app *a);
/* Enter on one of their pickers (kind >= PICK_SKILLS_MENU); Esc on a
 * picker whose boxes Esc saves. */
void app_manage_select(struct app *a);
void app_manage_save(struct app *a);
/* Rows a picker shows under its options (the selected hook's details). */
void app_manage_picker_extra(struct app *a, int width, struct tlines *out);
/* An error answer as "what: error" in a cell; false when there is none. */
bool app_failed(struct app *a, const char *what, const char *error);
/* The command echoed into the transcript in magenta, as "/status" is. */
void app_echo_command(struct app *a, const char *line);

/* app_statusline.c: the footer's status line and the terminal title, made
 * of the items tui.status_line and tui.terminal_title name; /statusline and
 * /title choose them. */
void app_items_init(struct app *a);
void app_items_free(struct app *a);
void app_status_line(struct app *a, struct tline *l);
char *app_title_text(struct app *a);
void app_cmd_statusline(struct app *a, const char *args);
void app_cmd_title(struct app *a, const char *args);
bool app_items_reorder(struct app *a, int dir);
void app_items_preview(struct app *a, struct tlines *out);
void app_items_save(struct app *a);
const char *app_permissions_label(const struct app *a);

/* app_mention.c: the @ popup.  sync follows the composer after each
 * event; notification takes the search session's answers (false: not
 * one); key handles the popup's keys (false: not consumed). */
void app_mention_sync(struct app *a);
bool app_mention_notification(struct app *a, const char *method, json_t *params);
bool app_mention_visible(const struct app *a);
bool app_mention_key(struct app *a, const struct tev *ev);
void app_mention_dismiss(struct app *a);
int app_mention_rows(void);
void app_draw_mention(struct app *a, struct tgrid *g, int y, int rows);
void app_mention_free(struct app *a);

/* app_agents.c: the agents this thread started, their rows (from
 * collabAgentToolCall items; replay: pushed while a thread is replayed),
 * /subagents and watching a child's transcript, a child's approval label
 * (false: the question is the main thread's). */
void app_agents_item(struct app *a, const json_t *item, bool completed, bool replay);
void app_cmd_subagents(struct app *a, const char *args);
void app_agents_select(struct app *a);
void app_agents_watch(struct app *a, const char *thread_id);
bool app_agents_approval_header(struct app *a, struct picker *p, const json_t *params);
bool app_agents_approval_open(struct app *a);
/* The child thread a server request comes from, or NULL (the main thread's). */
const char *app_agents_asking_child(struct app *a, const json_t *params);
bool app_agents_key(struct app *a, const struct tev *ev); /* Alt+Left/Right */
/* A notification of one of the children (their threads stream to us). */
void app_agents_notification(struct app *a, const char *method, const json_t *params);
/* The watched child's view takes typing, Enter sends it to the child;
 * false for keys it leaves to the pager. */
bool app_agents_view_key(struct app *a, const struct tev *ev);
bool app_agents_paste(struct app *a, const char *text, size_t len);
/* Its hint and message rows at y and y + 1; false when no child is shown. */
bool app_agents_draw_prompt(struct app *a, struct tgrid *g, int y);
void app_agents_tick(struct app *a); /* the spinner's tick, while a turn runs */
/* "Main [default]" once the thread has subagents, else NULL. */
const char *app_agents_footer_label(const struct app *a);
void app_agents_free(struct app *a);

/* app_autoreview.c: auto-review notifications (false: not one of them),
 * /approve and its picker's choice.  While reviews run, _status gives the
 * status row's header ("Reviewing approval request") and what is
 * reviewed, one line each, into details; else NULL. */
bool app_autoreview_notification(struct app *a, const char *method, json_t *params);
char *app_autoreview_status(struct app *a, struct strvec *details);
void app_cmd_approve(struct app *a, const char *args);
void app_autoreview_approve_selected(struct app *a);
void app_autoreview_free(struct app *a);
/* app_plan.c: Plan mode (/plan, Shift+Tab), the mode sent with each turn,
 * the footer's mode indicator, the proposed-plan cell and the "Implement
 * this plan?" prompt after a plan. */
void app_plan_cycle(struct app *a);
void app_plan_turn_params(struct app *a, json_t *turn_start_params);
/* Right side of the footer's second line ("Plan mode (shift+tab to cycle)"). */
void app_plan_footer(struct app *a, struct tline *right, bool brief);
/* plan items and their deltas; false when not one of them. */
bool app_plan_notification(struct app *a, const char *method, json_t *params);
void app_plan_replay_item(struct app *a, const json_t *item);
void app_plan_turn_finished(struct app *a, const char *status);
void app_plan_select(struct app *a);
void app_plan_free(struct app *a);

/* app_question.c: item/tool/requestUserInput, asked in the bottom pane. */
void app_question_open(struct app *a, json_t *id, json_t *params);
bool app_question_key(struct app *a, const struct tev *ev);
/* Pasted text goes into the answer being typed (true: a question is open). */
bool app_question_paste(struct app *a, const char *text, size_t len);
/* The pane's rows at this width; options beyond max_rows are scrolled. */
int app_question_rows(struct app *a, int width, int max_rows);
void app_question_draw(struct app *a, struct tgrid *g, int y, int h, int *cx, int *cy);
/* The server withdrew request id (false: not a question of ours). */
bool app_question_resolved(struct app *a, const json_t *id);
/* Answer every open question with no answers (exit) or just forget them
 * (the turn is over). */
void app_question_decline_all(struct app *a);
void app_question_drop_all(struct app *a);

/* app_views.c */
void app_pager_open(struct app *a, const char *title, struct tlines *lines, bool transcript);
void app_pager_close(struct app *a);
bool app_pager_key(struct app *a, const struct tev *ev);
void app_draw_pager(struct app *a, struct tgrid *g);
void app_draw_help(struct app *a, struct tgrid *g, int y, int h);
int app_help_rows(void);
void app_resume_open(struct app *a, bool fork);
bool app_resume_key(struct app *a, const struct tev *ev);
void app_draw_resume(struct app *a, struct tgrid *g);
void app_transcript_lines(struct app *a, struct tlines *out, bool details);
void app_draw_trust(struct app *a, struct tgrid *g);
bool app_trust_key(struct app *a, const struct tev *ev);

#endif
