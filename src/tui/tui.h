/* The interactive terminal UI (`codex`, `codex resume`, `codex fork`): a
 * client of the app-server v2 protocol, talking to a server in the same
 * process (the default) or to any v2 server over `--remote`.  The front end
 * (src/cli/tui.c) reads the environment and the flags and fills in these
 * options; nothing here reads the environment. */
#ifndef CODEX_TUI_TUI_H
#define CODEX_TUI_TUI_H

#include <stdbool.h>

#include <jansson.h>

#include "tui/style.h"

enum tui_start {
    TUI_START_NEW,
    TUI_START_RESUME, /* session_id, or last, or the picker */
    TUI_START_FORK,
};

struct tui_options {
    int in_fd, out_fd;
    enum tcolor_depth depth;
    bool alt_screen;       /* fullscreen (the default) vs inline */
    bool notifications;    /* tui.notifications: notify when unfocused */
    bool notify_bel;       /* tui.notification_method = "bel" (else OSC 9) */
    bool disable_paste_burst; /* Enter always submits */
    const char *editor;    /* $VISUAL or $EDITOR, for Ctrl-G; NULL: none */
    const char *home;      /* $HOME, to show paths as ~/... */
    const char *tmpdir;    /* $TMPDIR (else /tmp), for the Ctrl-G draft file */
    const char *version;

    /* Where the server is: in-process (remote == NULL) with these
     * settings, or a v2 server at `remote`. */
    const char *remote;
    const char *remote_token;
    const char *codex_home; /* absolute */
    /* history.jsonl: what the user submits is appended there (by the TUI,
     * as the reference's does; exec and the app server keep none). */
    bool save_history;          /* history.persistence != "none" */
    long long history_max_bytes; /* history.max_bytes; 0: no limit */
    const char *cwd;        /* absolute: -C applied */
    const char *const *envp; /* the process environment (in-process server) */
    const char *const *netproxy_hosts; /* the proxy's resolver overrides (tests) */
    size_t n_netproxy_hosts;
    const char *const *server_overrides; /* "key=value" (in-process server) */
    int n_server_overrides;

    /* thread/start (and resume/fork) parameters from the flags. */
    const char *model;
    const char *provider;
    const char *sandbox;  /* read-only | workspace-write | danger-full-access */
    const char *approval; /* untrusted | on-failure | on-request | never */
    const char *effort;   /* model_reasoning_effort, for the footer */
    const char *plan_effort; /* plan_mode_reasoning_effort, or NULL */
    json_t *config;       /* -c overrides as JSON (remote mode), borrowed */

    const char *prompt;   /* `codex "prompt"` */
    const char *const *images;
    int n_images;

    enum tui_start start;
    const char *session_id; /* resume/fork this id or name */
    bool last;              /* --last */
    bool all;               /* resume --all: every directory */

    /* The folder-trust screen: shown when the project is not trusted;
     * the decision is written to $CODEX_HOME/config.toml. */
    bool ask_trust;
    const char *trust_path; /* the project root to trust */

    bool history_enabled;   /* history.persistence != "none" */
    const char *config_profile; /* for /status */

    /* tui.status_line and tui.terminal_title (item ids; unset: defaults)
     * and tui.status_line_use_colors = false. */
    const char *const *status_line;
    int n_status_line;
    bool status_line_set;
    const char *const *terminal_title;
    int n_terminal_title;
    bool terminal_title_set;
    bool status_line_plain;
    const char *theme; /* tui.theme: the syntax colours */
};

/* Run the session; prints the exit text after the terminal is restored.
 * Returns the process exit status. */
int tui_run(const struct tui_options *o);

#endif
