/* The commit and branch checked out in the repository around a directory,
 * read from .git's files (no git process), for session_meta's `git`. */
#ifndef CODEX_STORE_GIT_HEAD_H
#define CODEX_STORE_GIT_HEAD_H

/* 0 with *commit (40 hex digits) and *branch (NULL when detached) set, or
 * -1 when dir is not in a repository or HEAD names no commit yet.  Caller
 * frees both. */
int git_head(const char *dir, char **commit, char **branch);

#endif
