#include "tui/history.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "util/fs.h"
#include "util/xalloc.h"

void history_init(struct history *h)
{
    memset(h, 0, sizeof *h);
}

void history_free(struct history *h)
{
    strvec_free(&h->entries);
}

void history_add(struct history *h, const char *text)
{
    if (!text || !*text)
        return;
    if (h->entries.n && strcmp(h->entries.v[h->entries.n - 1], text) == 0)
        return;
    strvec_push(&h->entries, text);
}

void history_load(struct history *h, const char *codex_home)
{
    char *path = fs_join(codex_home, "history.jsonl");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    off_t start = st.st_size > HISTORY_READ_BYTES ? st.st_size - HISTORY_READ_BYTES : 0;
    size_t len = (size_t)(st.st_size - start);
    char *data = xmalloc(len + 1);
    ssize_t got = pread(fd, data, len, start);
    close(fd);
    if (got <= 0) {
        free(data);
        return;
    }
    data[got] = '\0';
    char *p = data;
    /* A tail read starts inside a line: skip to the next one. */
    if (start > 0) {
        char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : data + got;
    }
    while (*p) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        json_t *entry = json_loadb(p, n, 0, NULL);
        const char *text = json_string_value(json_object_get(entry, "text"));
        if (text)
            history_add(h, text);
        json_decref(entry);
        if (!nl)
            break;
        p = nl + 1;
    }
    free(data);
}

long history_search(const struct history *h, const char *needle, long before)
{
    if (before > (long)h->entries.n)
        before = (long)h->entries.n;
    for (long i = before - 1; i >= 0; i--)
        if (!*needle || strstr(h->entries.v[i], needle))
            return i;
    return -1;
}
