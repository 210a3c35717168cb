/* The bundled system skills: a small tree of skills (assets/system-skills)
 * compiled into the binary and written into $CODEX_HOME/skills/.system,
 * where discovery finds them with the "system" scope, as the reference
 * ships its own.
 *
 * A marker file in that folder holds the bundle's fingerprint.  When it
 * matches, nothing is written: a user who deletes or edits a bundled file
 * keeps that change until the bundle changes or the marker goes away (the
 * reference's rule).  Otherwise the whole folder is replaced at once: the
 * new tree is built beside it and swapped in by rename, with the marker
 * written last inside it, so a process killed midway never leaves a marker
 * over a partial tree. */
#ifndef CODEX_SKILLS_SYSTEM_H
#define CODEX_SKILLS_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

struct skills_bundle_file {
    const char *path; /* relative to the bundle root, e.g. "skill-creator/SKILL.md" */
    const unsigned char *data;
    size_t len;
    mode_t mode;
};

/* Generated at build time (scripts/gen-system-skills). */
extern const struct skills_bundle_file skills_bundle_files[];
extern const size_t skills_bundle_n;
extern const char skills_bundle_fingerprint[]; /* 16 hex digits */

#define SKILLS_SYSTEM_MARKER ".codex-system-skills.marker"

/* The fingerprint of files[0..n) as the generator computes it (the unit
 * test checks the two agree).  out gets 16 hex digits and a NUL. */
void skills_bundle_digest(const struct skills_bundle_file *files, size_t n, char out[17]);

enum skills_install_result { SKILLS_INSTALL_UP_TO_DATE, SKILLS_INSTALL_WRITTEN };

/* Make $codex_home/skills/.system hold the bundle: nothing to do when its
 * marker matches, otherwise replace the folder.  0 with *result set, or -1
 * with err set (the caller warns and goes on: skills are not essential). */
int skills_system_install(const char *codex_home, enum skills_install_result *result,
                          struct codex_error *err);

/* skills_system_install at most once per process and home: a long-lived
 * app server checks at its first use, as the reference does at start-up,
 * and every later thread costs nothing.  A failure is reported to warn
 * (once) and not retried. */
void skills_system_ensure(const char *codex_home, void (*warn)(void *ud, const char *msg),
                          void *warn_ud);

#endif
