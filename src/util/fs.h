/* File helpers.  Every file codex owns is replaced atomically through
 * fs_write_atomic (temp file in the same directory, fsync, rename, fsync of
 * the directory), so a crash leaves either the old or the new content. */
#ifndef CODEX_UTIL_FS_H
#define CODEX_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read a whole file.  Returns a NUL-terminated buffer (caller frees) or NULL
 * with errno set; files larger than max_bytes fail with EFBIG. */
char *fs_read_file(const char *path, size_t max_bytes, size_t *len_out);

/* Atomically replace path with data.  mode applies to a newly created file;
 * an existing file keeps its mode.  Returns 0, or -1 with errno set. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* fs_write_atomic, but the file ends up with exactly mode even when it
 * existed with another (credentials: a looser seed file is tightened). */
int fs_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode);
/* write(2) all of p, retrying on EINTR and short writes; 0 or -1 (errno). */
int fs_write_all(int fd, const void *p, size_t n);

/* mkdir -p; returns 0 or -1 with errno set. */
int fs_mkdir_p(const char *path, mode_t mode);

bool fs_is_dir(const char *path);
bool fs_exists(const char *path);

/* Find a program the way execvp would, on the given PATH (NULL: a
 * default path); a name with a slash is taken relative to cwd.  Caller
 * frees; NULL when there is no executable regular file. */
char *fs_which(const char *prog, const char *path, const char *cwd);

/* Join two path pieces with exactly one '/' between them (caller frees). */
char *fs_join(const char *a, const char *b);

#endif
