#include "util/uuid.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static void fill_random(unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, 0);
        if (r <= 0) {
            /* getrandom cannot fail for small requests after boot; keep going
             * with a clock-derived value rather than leaving zeros. */
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            p[got] = (unsigned char)(ts.tv_nsec ^ (long)got);
            got++;
            continue;
        }
        got += (size_t)r;
    }
}

void random_bytes(void *out, size_t n)
{
    fill_random(out, n);
}

void uuid_v7_at(char out[UUID_STR_LEN], uint64_t ms)
{
    unsigned char b[16];
    fill_random(b, sizeof b);
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ms >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
    snprintf(out, UUID_STR_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

void uuid_v4(char out[UUID_STR_LEN])
{
    unsigned char b[16];
    fill_random(b, sizeof b);
    b[6] = (unsigned char)(0x40 | (b[6] & 0x0f));
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
    snprintf(out, UUID_STR_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

void uuid_v7(char out[UUID_STR_LEN])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uuid_v7_at(out, (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000));
}

void random_hex(char *out, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char tmp[64];
    size_t done = 0;
    while (done < n) {
        size_t k = n - done < sizeof tmp ? n - done : sizeof tmp;
        fill_random(tmp, k);
        for (size_t i = 0; i < k; i++) {
            out[2 * (done + i)] = digits[tmp[i] >> 4];
            out[2 * (done + i) + 1] = digits[tmp[i] & 15];
        }
        done += k;
    }
    out[2 * n] = '\0';
}

bool uuid_is_valid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}
