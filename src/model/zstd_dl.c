#include "model/zstd_dl.h"

#include <dlfcn.h>
#include <stdlib.h>

#include "util/xalloc.h"

#define ZSTD_LEVEL 3

static size_t (*compress_bound)(size_t);
static size_t (*compress)(void *, size_t, const void *, size_t, int);
static unsigned (*is_error)(size_t);
static int loaded; /* 0 not tried, 1 ok, -1 failed */

static int load(void)
{
    void *h = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return -1;
    *(void **)&compress_bound = dlsym(h, "ZSTD_compressBound");
    *(void **)&compress = dlsym(h, "ZSTD_compress");
    *(void **)&is_error = dlsym(h, "ZSTD_isError");
    return compress_bound && compress && is_error ? 0 : -1;
}

char *zstd_compress_body(const char *data, size_t len, size_t *out_len)
{
    if (loaded == 0)
        loaded = load() == 0 ? 1 : -1;
    if (loaded < 0)
        return NULL;
    size_t cap = compress_bound(len);
    char *out = xmalloc(cap ? cap : 1);
    size_t n = compress(out, cap, data, len, ZSTD_LEVEL);
    if (is_error(n)) {
        free(out);
        return NULL;
    }
    *out_len = n;
    return out;
}
