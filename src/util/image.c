#include "util/image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define MAX_IMAGE_BYTES (20u << 20)

static const char *sniff_mime(const unsigned char *p, size_t n)
{
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return "image/gif";
    if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return "image/webp";
    return NULL;
}

static void base64(struct buf *b, const unsigned char *p, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {tbl[(v >> 18) & 63], tbl[(v >> 12) & 63],
                     i + 1 < n ? tbl[(v >> 6) & 63] : '=', i + 2 < n ? tbl[v & 63] : '='};
        buf_append(b, q, 4);
    }
}

char *image_data_url(const char *path, char **err)
{
    size_t n;
    unsigned char *data = (unsigned char *)fs_read_file(path, MAX_IMAGE_BYTES, &n);
    if (!data) {
        *err = xasprintf("cannot read image %s: %s", path, strerror(errno));
        return NULL;
    }
    const char *mime = sniff_mime(data, n);
    if (!mime) {
        free(data);
        *err = xasprintf("%s is not a png, jpeg, gif or webp image", path);
        return NULL;
    }
    struct buf b = BUF_INIT;
    buf_printf(&b, "data:%s;base64,", mime);
    base64(&b, data, n);
    free(data);
    return buf_detach(&b, NULL);
}
