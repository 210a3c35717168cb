/* libFuzzer harness for the app server's rollout summary reader (thread/read,
 * thread/list): any bytes as a rollout file, read both as a summary and with
 * its turns; a summary must come out as a Thread object with an id. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rpc/thread.h"

static char path[] = "/tmp/fuzz_thread_rollout.XXXXXX";
static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0 && (fd = mkstemp(path)) < 0)
        abort();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    for (int turns = 0; turns < 2; turns++) {
        json_t *t = rpc_thread_from_rollout(path, turns);
        if (t && !json_is_string(json_object_get(t, "id")))
            abort();
        if (t && !json_is_array(json_object_get(t, "turns")))
            abort();
        json_decref(t);
    }
    return 0;
}
