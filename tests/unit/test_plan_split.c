/* Unit tests for Plan mode's <proposed_plan> splitter (core/collab_mode.c):
 * the reference's example, tags split across deltas, lines that only look
 * like tags, and an unclosed plan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/collab_mode.h"
#include "util/buf.h"

static void split(const char *message, const char *text, const char *plan)
{
    char *t, *p;
    plan_split_text(message, &t, &p);
    assert_string_equal(t, text);
    if (plan)
        assert_non_null(p), assert_string_equal(p, plan);
    else
        assert_null(p);
    free(t);
    free(p);
}

static void the_reference_example_splits_as_it_does(void **state)
{
    (void)state;
    split("Here is my plan.\n<proposed_plan>\n# Plan\n- step one\n- step two\n</proposed_plan>\nDone.",
          "Here is my plan.\nDone.", "# Plan\n- step one\n- step two\n");
}

static void tags_only_count_on_their_own_line(void **state)
{
    (void)state;
    split("say <proposed_plan> inline\nno plan", "say <proposed_plan> inline\nno plan", NULL);
    split("<proposed_plan>x\nmore", "<proposed_plan>x\nmore", NULL);
    split("  <proposed_plan>  \nP\n  </proposed_plan>\t\nT", "T", "P\n");
    split("<proposed_plan>\nunclosed\n", "", "unclosed\n");
    split("", "", NULL);
}

static void deltas_cut_anywhere_give_the_same_result(void **state)
{
    (void)state;
    const char *msg = "A\n<proposed_plan>\n1\n<proposed_pla\n</proposed_plan>\nB <\n";
    char *whole_t, *whole_p;
    plan_split_text(msg, &whole_t, &whole_p);
    assert_string_equal(whole_t, "A\nB <\n");
    assert_string_equal(whole_p, "1\n<proposed_pla\n");
    for (size_t step = 1; step < 8; step++) {
        struct plan_splitter s;
        plan_splitter_init(&s);
        struct buf t = BUF_INIT, p = BUF_INIT;
        for (size_t at = 0; at < strlen(msg); at += step) {
            char piece[16] = {0};
            strncpy(piece, msg + at, step);
            plan_splitter_feed(&s, piece, &t, &p);
        }
        plan_splitter_finish(&s, &t, &p);
        assert_string_equal(buf_cstr(&t), whole_t);
        assert_string_equal(buf_cstr(&p), whole_p);
        plan_splitter_free(&s);
        buf_free(&t);
        buf_free(&p);
    }
    free(whole_t);
    free(whole_p);
}

static void modes_parse_and_list(void **state)
{
    (void)state;
    enum collab_mode m;
    assert_true(collab_mode_parse("plan", &m) && m == COLLAB_PLAN);
    assert_true(collab_mode_parse("default", &m) && m == COLLAB_DEFAULT);
    assert_false(collab_mode_parse("Plan", &m));
    assert_false(collab_mode_parse(NULL, &m));
    json_t *presets = collab_mode_presets();
    char *s = json_dumps(presets, JSON_COMPACT);
    assert_string_equal(s, "[{\"name\":\"Plan\",\"mode\":\"plan\",\"model\":null,"
                           "\"reasoning_effort\":\"medium\"},{\"name\":\"Default\",\"mode\":"
                           "\"default\",\"model\":null,\"reasoning_effort\":null}]");
    free(s);
    json_decref(presets);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_reference_example_splits_as_it_does),
        cmocka_unit_test(tags_only_count_on_their_own_line),
        cmocka_unit_test(deltas_cut_anywhere_give_the_same_result),
        cmocka_unit_test(modes_parse_and_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
