#include "patch/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

#define MAP_THRESHOLD ((size_t)256 << 10)

/* Every buffer starts with this header so that free knows how it was made. */
struct header {
    size_t total; /* bytes mapped, or 0 for malloc */
    size_t pad;   /* keeps the payload 16-byte aligned */
};

void *patch_mem_alloc(size_t n)
{
    size_t total = n + sizeof(struct header);
    struct header *h;
    if (total >= MAP_THRESHOLD) {
        void *m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (m != MAP_FAILED) {
            h = m;
            h->total = total;
            return h + 1;
        }
    }
    h = xmalloc(total);
    h->total = 0;
    return h + 1;
}

void patch_mem_free(void *p)
{
    if (!p)
        return;
    struct header *h = (struct header *)p - 1;
    if (h->total)
        munmap(h, h->total);
    else
        free(h);
}

char *patch_mem_dup(const char *s, size_t n)
{
    char *d = patch_mem_alloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *patch_mem_read_file(const char *path, size_t max_bytes, size_t *len, unsigned *mode)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    struct stat st;
    int failed = fstat(fd, &st) < 0 ? errno : 0;
    if (failed || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = failed;
        return NULL;
    }
    if (mode)
        *mode = st.st_mode & 07777;
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    if (cap > max_bytes + 1)
        cap = max_bytes + 1;
    char *data = patch_mem_alloc(cap + 1);
    size_t have = 0;
    for (;;) {
        if (have == cap) {
            /* The file grew while we read it. */
            if (cap > max_bytes) {
                patch_mem_free(data);
                close(fd);
                errno = EFBIG;
                return NULL;
            }
            size_t bigger = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
            char *more = patch_mem_alloc(bigger + 1);
            memcpy(more, data, have);
            patch_mem_free(data);
            data = more;
            cap = bigger;
        }
        ssize_t r = read(fd, data + have, cap - have);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            patch_mem_free(data);
            close(fd);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        have += (size_t)r;
    }
    close(fd);
    if (have > max_bytes) {
        patch_mem_free(data);
        errno = EFBIG;
        return NULL;
    }
    data[have] = '\0';
    *len = have;
    return data;
}
