/* What the user keeps about threads beside their rollouts: sections (the
 * built-in "Pinned" and their own) and which thread sits in which, and
 * Git facts a client corrected (thread/metadata/update), and what clients
 * attach to a thread (thread/attachment/...: opaque payloads under a type
 * and a key).  The reference
 * keeps these in its SQLite state; codex-c keeps one small JSON file,
 * $CODEX_HOME/thread_meta.json, written atomically:
 *
 *   {"sections": [{"id", "name", "appearance"}],
 *    "threads": {ID: {"section", "sectionEnteredAt", "gitInfo": {sha, branch, originUrl},
 *                     "attachments": [{"id", "attachmentType", "identityKey", "payload",
 *                                      "createdAt"}]}}}
 *
 * Functions taking a doc work on the loaded document; the caller saves it. */
#ifndef CODEX_STORE_THREAD_META_H
#define CODEX_STORE_THREAD_META_H

#include <stdbool.h>

#include <jansson.h>

#include "util/error.h"

/* The id of the built-in section every list starts with. */
#define THREAD_META_PINNED_ID "01984de2-8f74-7c91-a3b2-5c5e937cf318"

/* The document (a new reference; empty when the file does not exist yet);
 * NULL with err when the file is not one of ours. */
json_t *thread_meta_load(const char *codex_home, struct codex_error *err);
int thread_meta_save(const char *codex_home, const json_t *doc, struct codex_error *err);

/* Every section, Pinned first (borrowed from doc). */
const json_t *thread_meta_sections(json_t *doc);
/* The section with that id (borrowed), or NULL. */
json_t *thread_meta_section(json_t *doc, const char *id);
/* A new section (borrowed from doc); appearance may be NULL. */
json_t *thread_meta_section_create(json_t *doc, const char *name, const json_t *appearance);
/* Remove a section; its threads leave it.  False when there is none. */
bool thread_meta_section_delete(json_t *doc, const char *id);
/* Put a thread in a section (NULL: out of any), entered at now (Unix s). */
void thread_meta_move(json_t *doc, const char *thread_id, const char *section_id, long long now);
/* Patch the thread's Git facts: members of patch set (a string) or clear
 * (null) the stored value. */
void thread_meta_git_update(json_t *doc, const char *thread_id, const json_t *patch);
/* The thread's attachments, oldest first (borrowed; NULL when none). */
const json_t *thread_meta_attachments(json_t *doc, const char *thread_id);
/* Attach payload under (type, key), unless something is attached there
 * already: that one is returned and *created is false (borrowed). */
const json_t *thread_meta_attachment_add(json_t *doc, const char *thread_id, const char *type,
                                         const char *key, const json_t *payload, long long now,
                                         bool *created);
/* Remove what is attached under (type, key); false when nothing was. */
bool thread_meta_attachment_remove(json_t *doc, const char *thread_id, const char *type,
                                   const char *key);
/* The ids of the threads with something under (type, key), in the
 * document's order (a new array of strings). */
json_t *thread_meta_attachment_owners(json_t *doc, const char *type, const char *key);
/* Forget everything kept about a thread (it was deleted); false when
 * nothing was kept. */
bool thread_meta_forget(json_t *doc, const char *thread_id);
/* Overlay what doc keeps about thread_json's thread onto it (a v2 Thread:
 * section, sectionEnteredAt, gitInfo). */
void thread_meta_apply(json_t *doc, json_t *thread_json);

#endif
