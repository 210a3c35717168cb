/* Reading rollouts a line at a time (lines across and longer than the read
 * chunk, a torn last line, a file that grows while read) and telling a
 * line's type without parsing it, the way the parser would read it. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/rollout.h"
#include "store/rollout_scan.h"
#include "util/buf.h"
#include "util/xalloc.h"

static char *write_temp(const char *text, size_t len)
{
    char *path = xstrdup("/tmp/codex-rollout-scan-test.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* Every line rollout_lines returns for the file, joined by '|'. */
static char *lines_of(const char *path, bool *torn, long *count)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    struct rollout_lines r;
    rollout_lines_init(&r, fd, st.st_size);
    struct buf out = BUF_INIT;
    const char *text;
    size_t len;
    int got;
    *count = 0;
    while ((got = rollout_lines_next(&r, &text, &len)) > 0) {
        if (*count)
            buf_putc(&out, '|');
        buf_append(&out, text, len);
        (*count)++;
        assert_int_equal(r.line_no, *count);
    }
    assert_int_equal(got, 0);
    *torn = r.torn;
    rollout_lines_free(&r);
    close(fd);
    return buf_detach(&out, NULL);
}

static void lines_come_back_whole_and_a_torn_tail_is_left_out(void **state)
{
    (void)state;
    const char *text = "one\n\ntwo\nthree-without-newline";
    char *path = write_temp(text, strlen(text));
    bool torn;
    long n;
    char *got = lines_of(path, &torn, &n);
    assert_string_equal(got, "one||two");
    assert_int_equal(n, 3);
    assert_true(torn);
    free(got);
    unlink(path);
    free(path);
}

static void a_line_longer_than_a_chunk_and_lines_across_chunks(void **state)
{
    (void)state;
    /* 3 MB of lines of varying length, one of them 2.5 MB. */
    struct buf b = BUF_INIT;
    buf_puts(&b, "first\n");
    for (size_t i = 0; i < (size_t)5 << 19; i++)
        buf_putc(&b, (char)('a' + i % 26));
    buf_putc(&b, '\n');
    for (int i = 0; i < 20000; i++)
        buf_printf(&b, "line %d %.*s\n", i, i % 50, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    char *path = write_temp(b.data, b.len);
    bool torn;
    long n;
    char *got = lines_of(path, &torn, &n);
    assert_false(torn);
    assert_int_equal(n, 2 + 20000);
    /* Every byte back, the newlines as separators. */
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] == '\n')
            b.data[i] = '|';
    b.data[b.len - 1] = '\0';
    assert_string_equal(got, b.data);
    free(got);
    buf_free(&b);
    unlink(path);
    free(path);
}

static void only_the_bytes_there_when_opened_are_read(void **state)
{
    (void)state;
    const char *text = "a\nb\n";
    char *path = write_temp(text, strlen(text));
    int fd = open(path, O_RDWR | O_APPEND);
    struct rollout_lines r;
    rollout_lines_init(&r, fd, 2); /* as if "b\n" came after the look */
    const char *line;
    size_t len;
    assert_int_equal(rollout_lines_next(&r, &line, &len), 1);
    assert_int_equal(len, 1);
    assert_int_equal(rollout_lines_next(&r, &line, &len), 0);
    assert_false(r.torn);
    rollout_lines_free(&r);
    close(fd);
    unlink(path);
    free(path);
}

static void the_type_is_read_as_the_parser_would(void **state)
{
    (void)state;
    char type[24], ptype[24];
    const char *plain = "{\"timestamp\":\"t\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\","
                        "\"x\":\"a \\\"quoted\\\" \\\\ \\u00e9 string\"}}";
    assert_true(rollout_line_type(plain, strlen(plain), type, ptype));
    assert_string_equal(type, "event_msg");
    assert_string_equal(ptype, "token_count");
    /* A later duplicate key wins, as in the parser; a type in a skipped
     * string does not count. */
    const char *dup = "{\"type\":\"event_msg\",\"note\":\"\\\"type\\\":\\\"compacted\\\"\","
                      "\"type\":\"response_item\",\"payload\":{}}";
    assert_true(rollout_line_type(dup, strlen(dup), type, ptype));
    assert_string_equal(type, "response_item");
    assert_string_equal(ptype, "");
    /* Escaped names are decoded. */
    const char *escaped = "{\"\\u0074ype\":\"compacted\"}";
    assert_true(rollout_line_type(escaped, strlen(escaped), type, NULL));
    assert_string_equal(type, "compacted");
    /* Not objects, unterminated strings, bad escapes: no type. */
    const char *bad[] = {"[1,2]", "{\"type\":\"x", "{\"a\":\"\\q\",\"type\":\"x\"}",
                         "{\"a\":\"\\u00zz\",\"type\":\"x\"}", "", "{\"type\":1}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(rollout_line_type(bad[i], strlen(bad[i]), type, NULL));
}

/* Resume parses only the lines it needs, but what it gets is what a full
 * parse gave: items after the last compaction, the last token count, the
 * event lines (even a broken one) ignored. */
static void resume_reads_only_what_it_needs(void **state)
{
    (void)state;
    const char *text =
        "{\"timestamp\":\"t\",\"type\":\"session_meta\",\"payload\":{\"id\":\"th-9\"}}\n"
        "{\"timestamp\":\"t\",\"type\":\"response_item\",\"payload\":{\"type\":\"message\",\"role\":"
        "\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"before\"}]}}\n"
        "{\"timestamp\":\"t\",\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"item\":"
        "{\"type\":\"AgentMessage\",\"id\":\"m\"}}}\n"
        "{\"timestamp\":\"t\",\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",broken}\n"
        "{\"timestamp\":\"t\",\"type\":\"compacted\",\"payload\":{\"message\":\"\",\"replacement_history\":"
        "[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"kept\"}]}]}}\n"
        "{\"timestamp\":\"t\",\"type\":\"response_item\",\"payload\":{\"type\":\"function_call_output\","
        "\"call_id\":\"c1\",\"output\":\"ok\",\"internal_chat_message_metadata_passthrough\":{\"a\":1}}}\n"
        "{\"timestamp\":\"t\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":"
        "{\"last_token_usage\":{\"total_tokens\":1234}}}}\n";
    char *path = write_temp(text, strlen(text));
    struct rollout_session rs;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(rollout_load(path, &rs, &err), 0);
    assert_string_equal(rs.thread_id, "th-9");
    assert_int_equal(rs.n_lines, 7);
    assert_false(rs.torn_tail);
    assert_int_equal(rs.last_total_tokens, 1234);
    assert_int_equal(json_items_count(&rs.history), 2);
    json_t *array = json_items_to_array(&rs.history);
    char *dump = json_dumps(array, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(array);
    assert_string_equal(dump, "[{\"content\":[{\"text\":\"kept\",\"type\":\"input_text\"}],\"role\":\"user\","
                              "\"type\":\"message\"},{\"call_id\":\"c1\",\"output\":\"ok\",\"type\":"
                              "\"function_call_output\"}]");
    free(dump);
    rollout_session_free(&rs);
    unlink(path);
    free(path);
}

#define LINE(type, payload) "{\"timestamp\":\"t\",\"type\":\"" type "\",\"payload\":" payload "}\n"
#define SAY(text)                                                                                 \
    LINE("response_item", "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":"   \
                          "\"input_text\",\"text\":\"" text "\"}]}")
#define REPLACED_BY(text)                                                                         \
    LINE("compacted", "{\"message\":\"\",\"replacement_history\":[{\"type\":\"message\",\"role\":" \
                      "\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"" text "\"}]}]}")

static char *history_texts(const char *text)
{
    char *path = write_temp(text, strlen(text));
    struct rollout_session rs;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(rollout_load(path, &rs, &err), 0);
    struct buf b = BUF_INIT;
    size_t i;
    json_t *item;
    json_t *array = json_items_to_array(&rs.history);
    json_array_foreach(array, i, item) {
        json_t *part = json_array_get(json_object_get(item, "content"), 0);
        buf_printf(&b, "%s%s", i ? "," : "", json_string_value(json_object_get(part, "text")));
    }
    json_decref(array);
    rollout_session_free(&rs);
    unlink(path);
    free(path);
    return buf_detach(&b, NULL);
}

/* Items wait as bytes until the next compaction: one that replaces the
 * history drops them, one without a usable replacement keeps them. */
static void only_the_last_replacement_and_what_follows_it_count(void **state)
{
    (void)state;
    char *got = history_texts(LINE("session_meta", "{\"id\":\"th\"}") SAY("a") SAY("b")
                                  REPLACED_BY("r1") SAY("c") REPLACED_BY("r2") SAY("d") SAY("e"));
    assert_string_equal(got, "r2,d,e");
    free(got);
    /* A compacted line whose payload is not an object replaces nothing. */
    got = history_texts(LINE("session_meta", "{\"id\":\"th\"}") SAY("a") REPLACED_BY("r1")
                            SAY("b") LINE("compacted", "[1]") SAY("c"));
    assert_string_equal(got, "r1,b,c");
    free(got);
    /* An empty replacement keeps the user's messages before it. */
    got = history_texts(LINE("session_meta", "{\"id\":\"th\"}") SAY("a") SAY("b")
                            LINE("compacted", "{\"message\":\"sum\",\"replacement_history\":[]}")
                                SAY("c"));
    assert_string_equal(got, "a,b,sum,c");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_come_back_whole_and_a_torn_tail_is_left_out),
        cmocka_unit_test(a_line_longer_than_a_chunk_and_lines_across_chunks),
        cmocka_unit_test(only_the_bytes_there_when_opened_are_read),
        cmocka_unit_test(the_type_is_read_as_the_parser_would),
        cmocka_unit_test(resume_reads_only_what_it_needs),
        cmocka_unit_test(only_the_last_replacement_and_what_follows_it_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
