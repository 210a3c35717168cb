/* libFuzzer harness for reading a reverted thread (rollout_segments_open):
 * any bytes as the newest segment of a thread whose plain file and one
 * older segment exist.  It reads or refuses with an error naming the
 * segment; what it reads always ends with the segment's own bytes, after
 * at most the bases' bytes; a base named by itself or in a loop ends. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/rollout_segments.h"

#define TID "01a24903-dc67-7a52-9250-a34f6c21f6a2"
#define SEG1 "01a24903-defc-7e71-8b54-baed45566607"
#define SEG2 "01a24903-dfec-74b3-8f58-b5c59f2b1023"

static char root[] = "/tmp/fuzz_rollout_segments.XXXXXX";
static char head[512];
static off_t bases_size;

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
    bases_size += (off_t)strlen(text);
}

static void setup(void)
{
    if (!mkdtemp(root))
        abort();
    char dir[256], path[512];
    snprintf(dir, sizeof dir, "%s/sessions/2026/12/06", root);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0)
        abort();
    snprintf(path, sizeof path, "%s/rollout-2026-12-06T01-41-59-" TID ".jsonl", dir);
    put(path, "{\"ordinal\":0,\"type\":\"session_meta\",\"payload\":{\"id\":\"" TID "\"}}\n"
              "{\"ordinal\":1,\"type\":\"event_msg\",\"payload\":{\"type\":\"x\"}}\n");
    snprintf(path, sizeof path, "%s/rollout-2026-12-06T01-42-00-" TID "_" SEG1 ".jsonl", dir);
    put(path, "{\"ordinal\":1,\"type\":\"session_meta\",\"payload\":{\"id\":\"" TID "\",\"history_base\":"
              "{\"thread_id\":\"" TID "\",\"end_ordinal_exclusive\":1,\"end_byte_offset\":64}}}\n");
    snprintf(head, sizeof head, "%s/rollout-2026-12-06T01-42-01-" TID "_" SEG2 ".jsonl", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!head[0])
        setup();
    FILE *f = fopen(head, "w");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct stat st;
    struct codex_error err = CODEX_ERROR_INIT;
    int fd = rollout_segments_open(head, &st, &err);
    if (fd < 0) {
        if (!err.message || !strstr(err.message, "rollout-"))
            abort();
        codex_error_clear(&err);
        return 0;
    }
    /* A chain can name each base many times over (up to the depth cap). */
    if (st.st_size < (off_t)size || st.st_size > (off_t)size + 65 * (bases_size + (off_t)size))
        abort();
    uint8_t *tail = malloc(size ? size : 1);
    if (pread(fd, tail, size, st.st_size - (off_t)size) != (ssize_t)size || memcmp(tail, data, size) != 0)
        abort();
    free(tail);
    close(fd);
    return 0;
}
