#include "util/zipfile.h"

#include <string.h>
#include <time.h>

#include "util/fs.h"

void zipfile_init(struct zipfile *z)
{
    memset(z, 0, sizeof *z);
}

void zipfile_free(struct zipfile *z)
{
    buf_free(&z->data);
    buf_free(&z->central);
}

uint32_t zipfile_crc32(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static void u16(struct buf *b, uint32_t v)
{
    unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    buf_append(b, x, 2);
}

static void u32(struct buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    buf_append(b, x, 4);
}

/* MS-DOS date and time, as ZIP stores them. */
static void dos_time(uint16_t *date, uint16_t *tim)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int year = tm.tm_year + 1900 < 1980 ? 1980 : tm.tm_year + 1900;
    *date = (uint16_t)(((year - 1980) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
    *tim = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
}

void zipfile_add(struct zipfile *z, const char *name, const void *content, size_t len)
{
    uint32_t crc = zipfile_crc32(content, len);
    uint32_t offset = (uint32_t)z->data.len;
    size_t nlen = strlen(name);
    uint16_t date, tim;
    dos_time(&date, &tim);
    /* local file header */
    u32(&z->data, 0x04034b50);
    u16(&z->data, 20);      /* version needed */
    u16(&z->data, 0x0800);  /* UTF-8 names */
    u16(&z->data, 0);       /* stored */
    u16(&z->data, tim);
    u16(&z->data, date);
    u32(&z->data, crc);
    u32(&z->data, (uint32_t)len);
    u32(&z->data, (uint32_t)len);
    u16(&z->data, (uint32_t)nlen);
    u16(&z->data, 0);
    buf_append(&z->data, name, nlen);
    buf_append(&z->data, content, len);
    /* central directory entry */
    u32(&z->central, 0x02014b50);
    u16(&z->central, 0x031e); /* made by: Unix, 3.0 */
    u16(&z->central, 20);
    u16(&z->central, 0x0800);
    u16(&z->central, 0);
    u16(&z->central, tim);
    u16(&z->central, date);
    u32(&z->central, crc);
    u32(&z->central, (uint32_t)len);
    u32(&z->central, (uint32_t)len);
    u16(&z->central, (uint32_t)nlen);
    u16(&z->central, 0); /* extra */
    u16(&z->central, 0); /* comment */
    u16(&z->central, 0); /* disk */
    u16(&z->central, 0); /* internal attributes */
    u32(&z->central, 0100644u << 16); /* a regular file, rw-r--r-- */
    u32(&z->central, offset);
    buf_append(&z->central, name, nlen);
    z->count++;
}

int zipfile_write(struct zipfile *z, const char *path)
{
    struct buf out = BUF_INIT;
    buf_append(&out, z->data.data ? z->data.data : "", z->data.len);
    uint32_t cd_offset = (uint32_t)out.len;
    buf_append(&out, z->central.data ? z->central.data : "", z->central.len);
    u32(&out, 0x06054b50);
    u16(&out, 0);
    u16(&out, 0);
    u16(&out, z->count);
    u16(&out, z->count);
    u32(&out, (uint32_t)z->central.len);
    u32(&out, cd_offset);
    u16(&out, 0);
    int rc = fs_write_atomic(path, out.data, out.len, 0600);
    buf_free(&out);
    return rc;
}
