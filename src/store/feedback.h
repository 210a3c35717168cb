/* A feedback report kept on this machine (the app server's feedback/save):
 * a ZIP holding report.json (what the user said, with tags), manifest.json
 * (the attachments) and, when logs are included, the session's rollout and
 * the extra files named.  Nothing is sent anywhere. */
#ifndef CODEX_STORE_FEEDBACK_H
#define CODEX_STORE_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/error.h"

struct feedback_report {
    const char *classification; /* "bug", "bad_result", "good_result", ... */
    const char *reason;         /* the user's words, or NULL */
    const char *thread_id;      /* the session the report is about */
    const char *cli_version;
    const json_t *tags;         /* {name: string} the client adds, or NULL */
    const char *rollout_path;   /* the session's file, or NULL */
    bool include_logs;
    const char *const *extra_files; /* absolute paths attached with the logs */
    size_t n_extra;
};

/* Write the report to path, which must not exist yet.  0, or -1 with err
 * ("feedback save path already exists", or what failed where). */
int feedback_save(const struct feedback_report *r, const char *path, struct codex_error *err);

/* The SHA-256 (hex) of the base instructions a session was started with,
 * read from its rollout; NULL when the file has none. */
char *feedback_prompt_hash(const char *rollout_path);

#endif
