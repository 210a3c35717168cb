/* Serialization cost of a Responses request as history grows: builds a
 * history of about N bytes (tool calls and outputs, as a long session has)
 * and times request_body() over several runs.  Prints the median in ms.
 *
 *   build/tests/bench_request [HISTORY_BYTES] [RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model/request.h"
#include "util/buf.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t target = argc > 1 ? strtoul(argv[1], NULL, 10) : 1u << 20;
    int runs = argc > 2 ? atoi(argv[2]) : 21;
    if (runs < 1 || runs > 1000)
        runs = 21;
    json_t *history = json_array();
    size_t bytes = 0;
    char out[900];
    for (int i = 0; i < (int)sizeof out - 1; i++)
        out[i] = (char)('a' + i % 26);
    out[sizeof out - 1] = '\0';
    for (int turn = 0; bytes < target; turn++) {
        json_array_append_new(history, json_pack("{s:s s:s s:s s:s}", "type", "function_call",
                                                 "name", "exec_command", "call_id", "call_x",
                                                 "arguments", "{\"cmd\":\"ls -la src\"}"));
        json_array_append_new(history, json_pack("{s:s s:s s:s}", "type", "function_call_output",
                                                 "call_id", "call_x", "output", out));
        bytes += sizeof out + 120;
    }
    /* What the agent does: each item is serialized once, when it arrives. */
    struct buf input = BUF_INIT;
    double s0 = now_ms();
    for (size_t i = 0; i < json_array_size(history); i++)
        request_append_item(&input, json_array_get(history, i));
    double encode_all = now_ms() - s0;
    json_t *tools = json_array();
    struct request_parts rp = {.model = "gpt-5.5", .input_json = input.data,
                               .input_json_len = input.len, .tools = tools,
                               .reasoning_effort = "medium", .verbosity = "low",
                               .prompt_cache_key = "t", .parallel_tool_calls = 1};
    double *t = calloc((size_t)runs, sizeof *t);
    size_t len = 0;
    for (int i = 0; i < runs; i++) {
        double start = now_ms();
        char *body = request_body(&rp, &len);
        t[i] = now_ms() - start;
        free(body);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    printf("request_body: %zu bytes of history -> %zu byte body, median %.2f ms over %d runs "
           "(encoding the whole history once: %.2f ms)\n",
           bytes, len, t[runs / 2], runs, encode_all);
    buf_free(&input);
    free(t);
    json_decref(history);
    json_decref(tools);
    return 0;
}
