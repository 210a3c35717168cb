/* A minimal ZIP writer for feedback reports (the TUI's /feedback, the app
 * server's feedback/save): stored (uncompressed) entries with
 * their CRC-32, a central directory, written atomically.  Enough for any
 * unzip tool to read; nothing here reads archives. */
#ifndef CODEX_UTIL_ZIPFILE_H
#define CODEX_UTIL_ZIPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct zipfile {
    struct buf data;    /* local headers and file data */
    struct buf central; /* the central directory */
    uint16_t count;
};

void zipfile_init(struct zipfile *z);
void zipfile_free(struct zipfile *z);
/* Add one file (name: a relative path with '/' separators). */
void zipfile_add(struct zipfile *z, const char *name, const void *content, size_t len);
/* Write the archive to path (atomically).  Returns 0 or -1 with errno. */
int zipfile_write(struct zipfile *z, const char *path);

uint32_t zipfile_crc32(const void *data, size_t len);

#endif
