/* Finding the git repository that contains a directory, without running git. */
#ifndef CODEX_STORE_GIT_ROOT_H
#define CODEX_STORE_GIT_ROOT_H

/* The work tree root above (or at) dir, or NULL when dir is not inside a
 * repository.  Only a real .git counts: a directory with a HEAD file, or a
 * "gitdir: ..." file (worktrees, submodules); an empty .git directory (such
 * as a sandbox placeholder) does not.  Caller frees. */
char *git_repo_root(const char *dir);

#endif
