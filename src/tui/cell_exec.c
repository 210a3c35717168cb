/* Command cells: "Ran" / "Exited" runs with their output cut to three
 * lines, "Explored" groups of read-only commands, the user's own `!cmd`
 * runs, and the details view ($ cmd, full output, ✓/✗ with the time). */
#include "tui/cells.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/shell_split.h"
#include "tui/highlight.h"
#include "tui/width.h"
#include "util/buf.h"
#include "util/strvec.h"
#include "util/xalloc.h"

#define OUTPUT_LINES 3

/* ---- the command as shown -------------------------------------------------- */

/* Split a command line into words (POSIX quoting; enough to find a shell
 * wrapper's script).  False when the quoting does not close. */
static bool split_words(const char *s, struct strvec *out)
{
    struct buf w = BUF_INIT;
    bool in_word = false;
    while (*s) {
        char c = *s;
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) {
                strvec_push(out, buf_cstr(&w));
                buf_truncate(&w, 0);
                in_word = false;
            }
            s++;
            continue;
        }
        in_word = true;
        if (c == '\'') {
            const char *e = strchr(s + 1, '\'');
            if (!e)
                goto bad;
            buf_append(&w, s + 1, (size_t)(e - s - 1));
            s = e + 1;
        } else if (c == '"') {
            s++;
            while (*s && *s != '"') {
                if (*s == '\\' && s[1] && strchr("\\\"$`\n", s[1]))
                    s++;
                buf_putc(&w, *s++);
            }
            if (*s != '"')
                goto bad;
            s++;
        } else if (c == '\\' && s[1]) {
            buf_putc(&w, s[1]);
            s += 2;
        } else {
            buf_putc(&w, c);
            s++;
        }
    }
    if (in_word)
        strvec_push(out, buf_cstr(&w));
    buf_free(&w);
    return true;
bad:
    buf_free(&w);
    return false;
}

char *cell_display_command(const char *command)
{
    if (!command)
        return xstrdup("");
    struct strvec argv = STRVEC_INIT;
    char *shown = NULL;
    if (split_words(command, &argv) && argv.n > 0) {
        const char *script = shell_wrapper_script((const char *const *)argv.v, argv.n);
        if (script)
            shown = xstrdup(script);
    }
    strvec_free(&argv);
    if (!shown)
        shown = xstrdup(command);
    char *safe = tw_sanitize(shown, strlen(shown), true, NULL);
    free(shown);
    return safe;
}

/* The command on one line for titles (newlines become spaces). */
static void add_command(struct tline *l, const char *cmd)
{
    char *one = tw_sanitize(cmd, strlen(cmd), false, NULL);
    hl_shell(one, strlen(one), l);
    free(one);
}

/* ---- output ------------------------------------------------------------------ */

static void split_output(const char *text, struct strvec *out)
{
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '\n')
        len--;
    if (len == 0)
        return;
    size_t i = 0;
    while (i <= len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        strvec_push_owned(out, xstrndup(text + i, e - i));
        i = e + 1;
    }
}

/* "  └ line" / "    line" rows, the output cut to OUTPUT_LINES (the last
 * ones in fullscreen, the first ones inline) with a count of the rest. */
static void add_output_rows(struct tlines *rows, const char *output, const struct cell_ctx *ctx,
                            bool all)
{
    struct strvec lines = STRVEC_INIT;
    split_output(output, &lines);
    struct tstyle dim = tstyle_attr(TA_DIM);
    struct tline first, rest;
    tline_init(&first);
    tline_init(&rest);
    tline_adds(&first, "  └ ", dim);
    tline_adds(&rest, "    ", dim);
    if (lines.n == 0) {
        struct tline *l = tlines_push(rows);
        tline_adds(l, "  └ (no output)", dim);
    }
    size_t from = 0, to = lines.n;
    size_t hidden = 0;
    if (!all && lines.n > OUTPUT_LINES) {
        hidden = lines.n - OUTPUT_LINES;
        if (ctx->fullscreen)
            from = hidden;
        else
            to = OUTPUT_LINES;
    }
    for (size_t i = from; i < to; i++) {
        struct tline body;
        tline_init(&body);
        tline_adds(&body, lines.v[i], dim);
        struct tline *l = tlines_push(rows);
        tline_append(l, i == from ? &first : &rest);
        tline_append(l, &body);
        /* Long lines are cut, not wrapped: the output stays 3 rows. */
        tline_truncate(l, ctx->width);
        tline_free(&body);
    }
    if (hidden) {
        struct tline *l = tlines_push(rows);
        char note[96];
        if (ctx->fullscreen)
            snprintf(note, sizeof note, "    + %zu lines (^t to expand)", hidden);
        else
            snprintf(note, sizeof note, "    +%zu lines (^t to view transcript)", hidden);
        tline_adds(l, note, dim);
    }
    tline_free(&first);
    tline_free(&rest);
    strvec_free(&lines);
}

static void format_duration(int64_t ms, char *out, size_t outlen)
{
    if (ms < 1000)
        snprintf(out, outlen, "%lldms", (long long)ms);
    else if (ms < 60000)
        snprintf(out, outlen, "%.2fs", (double)ms / 1000.0);
    else
        cell_format_elapsed(ms, out, outlen);
}

/* The details view of one run: "$ cmd", every output line, "✓ • 77ms". */
static void add_details(struct tlines *rows, const char *cmd, const char *output, int exit_code,
                        bool done, int64_t duration_ms, int width)
{
    struct tline l, first, rest;
    tline_init(&l);
    tline_init(&first);
    tline_init(&rest);
    tline_adds(&first, "$ ", tstyle_fg(COL_MAGENTA));
    tline_adds(&rest, "  ", TSTYLE_PLAIN);
    add_command(&l, cmd);
    tline_wrap(&l, width, &first, &rest, rows);
    struct strvec lines = STRVEC_INIT;
    split_output(output, &lines);
    for (size_t i = 0; i < lines.n; i++) {
        tline_reset(&l);
        tline_adds(&l, lines.v[i], TSTYLE_PLAIN);
        tline_wrap(&l, width, NULL, NULL, rows);
    }
    strvec_free(&lines);
    if (done) {
        struct tline *end = tlines_push(rows);
        char d[48];
        format_duration(duration_ms, d, sizeof d);
        if (exit_code == 0) {
            tline_adds(end, "✓", tstyle_fga(COL_GREEN, TA_BOLD));
        } else {
            char code[32];
            tline_adds(end, "✗", tstyle_fga(COL_RED, TA_BOLD));
            snprintf(code, sizeof code, " (%d)", exit_code);
            tline_adds(end, code, TSTYLE_PLAIN);
        }
        tline_adds(end, " • ", tstyle_attr(TA_DIM));
        tline_adds(end, d, tstyle_attr(TA_DIM));
    }
    tline_free(&l);
    tline_free(&first);
    tline_free(&rest);
}

/* ---- a command run ------------------------------------------------------------ */

struct exec_cell {
    struct cell base;
    char *command; /* as shown */
    struct buf output;
    char *status;
    int exit_code;
    bool has_exit;
    int64_t duration_ms;
    bool awaiting; /* approval pending */
    bool user_shell; /* `!cmd` */
};

static bool exec_done(const struct exec_cell *e)
{
    return e->status && strcmp(e->status, "inProgress") != 0;
}

static int exec_status_code(const struct exec_cell *e)
{
    if (e->has_exit)
        return e->exit_code;
    return e->status && strcmp(e->status, "completed") == 0 ? 0 : 1;
}

static void exec_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct exec_cell *e = (struct exec_cell *)c;
    (void)full;
    tlines_clear(&c->rows);
    int code = exec_status_code(e);
    if (ctx->details && exec_done(e)) {
        add_details(&c->rows, e->command, buf_cstr(&e->output), code, true, e->duration_ms,
                    ctx->width);
        c->stable = c->finished ? c->rows.n : 0;
        return;
    }
    struct tline title, rest;
    tline_init(&title);
    tline_init(&rest);
    tline_adds(&rest, "    ", TSTYLE_PLAIN);
    if (!exec_done(e)) {
        tline_adds(&title, "• ", tstyle_attr(TA_DIM));
        tline_adds(&title, "Running ", tstyle_attr(TA_BOLD));
    } else if (code == 0 || !ctx->fullscreen) {
        tcolor bullet = code == 0 ? COL_GREEN : COL_RED;
        tline_adds(&title, "•", tstyle_fga(bullet, TA_BOLD));
        tline_adds(&title, " ", TSTYLE_PLAIN);
        tline_adds(&title, e->user_shell ? "You ran " : "Ran ", tstyle_attr(TA_BOLD));
    } else {
        char what[48];
        tline_adds(&title, "•", tstyle_attr(TA_BOLD));
        tline_adds(&title, " ", TSTYLE_PLAIN);
        snprintf(what, sizeof what, "Exited (status %d) ", code);
        tline_adds(&title, what, tstyle_attr(TA_BOLD));
    }
    add_command(&title, e->command);
    tline_wrap(&title, ctx->width, NULL, &rest, &c->rows);
    if (exec_done(e))
        add_output_rows(&c->rows, buf_cstr(&e->output), ctx, false);
    tline_free(&title);
    tline_free(&rest);
    c->stable = c->finished ? c->rows.n : 0;
}

static bool exec_visible(const struct cell *c, const struct cell_ctx *ctx)
{
    (void)ctx;
    const struct exec_cell *e = (const struct exec_cell *)c;
    /* A running command has no cell until it ends, unless it waits for the
     * user's approval. */
    return exec_done(e) || e->awaiting;
}

static void exec_free(struct cell *c)
{
    struct exec_cell *e = (struct exec_cell *)c;
    free(e->command);
    buf_free(&e->output);
    free(e->status);
}

static const struct cell_ops exec_ops = {
    .layout = exec_layout, .free = exec_free, .visible = exec_visible};

void cell_exec_update(struct cell *c, const json_t *item)
{
    struct exec_cell *e = (struct exec_cell *)c;
    const char *cmd = json_string_value(json_object_get(item, "command"));
    if (cmd) {
        free(e->command);
        e->command = cell_display_command(cmd);
    }
    const char *status = json_string_value(json_object_get(item, "status"));
    if (status) {
        free(e->status);
        e->status = xstrdup(status);
    }
    const char *out = json_string_value(json_object_get(item, "aggregatedOutput"));
    if (out && (exec_done(e) || strlen(out) >= e->output.len)) {
        size_t n;
        char *safe = tw_sanitize(out, strlen(out), true, &n);
        buf_truncate(&e->output, 0);
        buf_append(&e->output, safe, n);
        free(safe);
    }
    json_t *code = json_object_get(item, "exitCode");
    if (json_is_integer(code)) {
        e->exit_code = (int)json_integer_value(code);
        e->has_exit = true;
    }
    json_t *d = json_object_get(item, "durationMs");
    if (json_is_integer(d))
        e->duration_ms = json_integer_value(d);
    if (exec_done(e)) {
        e->awaiting = false;
        c->finished = true;
    }
    cell_touch(c);
}

struct cell *cell_exec_new(const json_t *item)
{
    struct exec_cell *e = xcalloc(1, sizeof *e);
    cell_base_init(&e->base, &exec_ops, CT_EXEC, json_string_value(json_object_get(item, "id")));
    e->command = xstrdup("");
    e->status = xstrdup("inProgress");
    cell_exec_update(&e->base, item);
    return &e->base;
}

void cell_exec_output(struct cell *c, const char *delta, size_t len)
{
    struct exec_cell *e = (struct exec_cell *)c;
    size_t n;
    char *safe = tw_sanitize(delta, len, true, &n);
    buf_append(&e->output, safe, n);
    free(safe);
    cell_touch(c);
}

void cell_exec_set_awaiting(struct cell *c, bool awaiting)
{
    ((struct exec_cell *)c)->awaiting = awaiting;
    cell_touch(c);
}

struct cell *cell_shell_new(const char *command)
{
    json_t *item = json_pack("{s:s s:s}", "command", command, "status", "inProgress");
    struct cell *c = cell_exec_new(item);
    json_decref(item);
    struct exec_cell *e = (struct exec_cell *)c;
    free(e->command);
    e->command = tw_sanitize(command, strlen(command), true, NULL);
    e->user_shell = true;
    e->awaiting = true; /* shown as "Running" until it ends */
    return c;
}

void cell_shell_finish(struct cell *c, int exit_code, const char *output, int64_t duration_ms)
{
    json_t *item = json_pack("{s:s s:s s:i s:I}", "status", exit_code == 0 ? "completed" : "failed",
                             "aggregatedOutput", output ? output : "", "exitCode", exit_code,
                             "durationMs", (json_int_t)duration_ms);
    cell_exec_update(c, item);
    json_decref(item);
}

/* ---- exploration -------------------------------------------------------------------- */

bool cell_exec_is_exploration(const json_t *item)
{
    json_t *actions = json_object_get(item, "commandActions");
    if (!json_is_array(actions) || json_array_size(actions) == 0)
        return false;
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a) {
        const char *t = json_string_value(json_object_get(a, "type"));
        if (!t || (strcmp(t, "read") != 0 && strcmp(t, "listFiles") != 0 &&
                   strcmp(t, "search") != 0))
            return false;
    }
    return true;
}

struct explored_run {
    char *command;
    json_t *actions;
    struct buf output;
    int exit_code;
    int64_t duration_ms;
};

struct explored_cell {
    struct cell base;
    struct explored_run *runs;
    size_t n;
};

static char *safe_str(const json_t *v)
{
    const char *s = json_string_value(v);
    return s ? tw_sanitize(s, strlen(s), false, NULL) : NULL;
}

/* The rows of one run: "Read a, b", "List path", "Search q in p". */
static void add_action_rows(struct tlines *rows, const struct explored_run *r, bool *first_row,
                            int width)
{
    struct tstyle verb = tstyle_fg(COL_ACCENT);
    size_t i, n = json_array_size(r->actions);
    for (i = 0; i < n;) {
        json_t *a = json_array_get(r->actions, i);
        const char *type = json_string_value(json_object_get(a, "type"));
        struct tline l;
        tline_init(&l);
        tline_adds(&l, *first_row ? "  └ " : "    ", tstyle_attr(TA_DIM));
        *first_row = false;
        if (strcmp(type, "read") == 0) {
            tline_adds(&l, "Read ", verb);
            /* Consecutive reads share one row. */
            bool sep = false;
            for (; i < n; i++) {
                json_t *b = json_array_get(r->actions, i);
                const char *bt = json_string_value(json_object_get(b, "type"));
                if (!bt || strcmp(bt, "read") != 0)
                    break;
                char *name = safe_str(json_object_get(b, "name"));
                if (!name)
                    name = safe_str(json_object_get(b, "command"));
                if (sep)
                    tline_adds(&l, ", ", TSTYLE_PLAIN);
                tline_adds(&l, name ? name : "", TSTYLE_PLAIN);
                free(name);
                sep = true;
            }
        } else {
            char *path = safe_str(json_object_get(a, "path"));
            char *cmd = safe_str(json_object_get(a, "command"));
            if (strcmp(type, "listFiles") == 0) {
                tline_adds(&l, "List ", verb);
                tline_adds(&l, path ? path : cmd ? cmd : "", TSTYLE_PLAIN);
            } else {
                char *q = safe_str(json_object_get(a, "query"));
                tline_adds(&l, "Search ", verb);
                if (q) {
                    tline_adds(&l, q, TSTYLE_PLAIN);
                    if (path) {
                        tline_adds(&l, " in ", verb);
                        tline_adds(&l, path, TSTYLE_PLAIN);
                    }
                } else {
                    tline_adds(&l, cmd ? cmd : "", TSTYLE_PLAIN);
                }
                free(q);
            }
            free(path);
            free(cmd);
            i++;
        }
        if (r->exit_code != 0 && i >= n) {
            char code[32];
            snprintf(code, sizeof code, " (exit %d)", r->exit_code);
            tline_adds(&l, code, tstyle_fg(COL_RED));
        }
        tline_truncate(&l, width);
        tlines_push_copy(rows, &l);
        tline_free(&l);
    }
}

static void explored_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct explored_cell *x = (struct explored_cell *)c;
    (void)full;
    tlines_clear(&c->rows);
    if (ctx->details) {
        for (size_t i = 0; i < x->n; i++) {
            if (i > 0)
                tlines_push(&c->rows);
            add_details(&c->rows, x->runs[i].command, buf_cstr(&x->runs[i].output),
                        x->runs[i].exit_code, true, x->runs[i].duration_ms, ctx->width);
        }
        c->stable = c->rows.n;
        return;
    }
    int failed = 0;
    for (size_t i = 0; i < x->n; i++)
        failed += x->runs[i].exit_code != 0;
    struct tline *t = tlines_push(&c->rows);
    tline_adds(t, "• ", tstyle_attr(TA_DIM));
    tline_adds(t, "Explored", tstyle_attr(TA_BOLD));
    if (failed) {
        char note[64];
        snprintf(note, sizeof note, " · %d nonzero exit%s", failed, failed == 1 ? "" : "s");
        tline_adds(t, note, tstyle_attr(TA_DIM));
    }
    bool first = true;
    for (size_t i = 0; i < x->n; i++)
        add_action_rows(&c->rows, &x->runs[i], &first, ctx->width);
    if (ctx->fullscreen) {
        struct tline *more = tlines_push(&c->rows);
        tline_adds(more, "    + Show details", tstyle_attr(TA_DIM));
    }
    c->stable = c->rows.n;
}

static void explored_free(struct cell *c)
{
    struct explored_cell *x = (struct explored_cell *)c;
    for (size_t i = 0; i < x->n; i++) {
        free(x->runs[i].command);
        json_decref(x->runs[i].actions);
        buf_free(&x->runs[i].output);
    }
    free(x->runs);
}

static const struct cell_ops explored_ops = {.layout = explored_layout, .free = explored_free};

struct cell *cell_explored_new(void)
{
    struct explored_cell *x = xcalloc(1, sizeof *x);
    cell_base_init(&x->base, &explored_ops, CT_EXPLORED, NULL);
    x->base.finished = true;
    return &x->base;
}

void cell_explored_add(struct cell *c, const json_t *item)
{
    struct explored_cell *x = (struct explored_cell *)c;
    x->runs = xrealloc(x->runs, (x->n + 1) * sizeof *x->runs);
    struct explored_run *r = &x->runs[x->n++];
    memset(r, 0, sizeof *r);
    r->command = cell_display_command(json_string_value(json_object_get(item, "command")));
    r->actions = json_deep_copy(json_object_get(item, "commandActions"));
    const char *out = json_string_value(json_object_get(item, "aggregatedOutput"));
    if (out) {
        size_t n;
        char *safe = tw_sanitize(out, strlen(out), true, &n);
        buf_append(&r->output, safe, n);
        free(safe);
    }
    json_t *code = json_object_get(item, "exitCode");
    const char *status = json_string_value(json_object_get(item, "status"));
    r->exit_code = json_is_integer(code) ? (int)json_integer_value(code)
                   : status && strcmp(status, "completed") == 0 ? 0 : 1;
    json_t *d = json_object_get(item, "durationMs");
    r->duration_ms = json_is_integer(d) ? json_integer_value(d) : 0;
    cell_touch(c);
}
