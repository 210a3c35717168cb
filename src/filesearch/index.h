/* The layout of a walked index, shared by walk.c (which fills it) and
 * search.c (which reads it).  Not for use outside src/filesearch. */
#ifndef CODEX_FILESEARCH_INDEX_H
#define CODEX_FILESEARCH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct index_entry {
    uint32_t path;     /* offset of the NUL-terminated relative path in the arena */
    uint32_t path_len; /* bytes */
    uint32_t name;     /* byte offset of the last component within the path */
    uint32_t name_chars; /* character offset of the same */
    uint16_t root;
    bool is_dir;
};

struct file_index {
    char *arena;
    size_t arena_len, arena_cap;
    struct index_entry *v;
    size_t n, cap;
    char **roots; /* as given */
    size_t nroots;
};

static inline const char *index_path(const struct file_index *ix, const struct index_entry *e)
{
    return ix->arena + e->path;
}

#endif
