#include "store/rollout_turn_index.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/rollout_scan.h"
#include "store/rollout_summary_parts.h"
#include "util/buf.h"
#include "util/json_hollow.h"
#include "util/xalloc.h"

#define MAX_ROLLOUT_BYTES ((off_t)1 << 31)
/* Turn ids are UUIDs; a longer one is read by parsing its line. */
#define TURN_ID_CAP 80

enum turn_status { TURN_IN_PROGRESS, TURN_COMPLETED, TURN_INTERRUPTED };

/* An item_completed line of a turn. */
struct item_line {
    off_t off;
    size_t len;
};

struct turn_entry {
    char *id;
    int64_t started_at;
    enum turn_status status;
    struct item_line *items;
    size_t n_items, cap_items;
};

struct rollout_turn_index {
    int fd;
    char *path;
    bool still_written;
    struct turn_entry *turns;
    size_t n, cap;
    struct buf line; /* a line read back */
};

/* From the newest: an event almost always belongs to the latest turn, so
 * a session of thousands of turns is indexed in linear time. */
static struct turn_entry *find_turn(struct rollout_turn_index *ix, const char *id)
{
    for (size_t i = ix->n; i-- > 0;)
        if (strcmp(ix->turns[i].id, id) == 0)
            return &ix->turns[i];
    return NULL;
}

static struct turn_entry *add_turn(struct rollout_turn_index *ix, const char *id, int64_t started)
{
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 64;
        ix->turns = xrealloc(ix->turns, ix->cap * sizeof *ix->turns);
    }
    struct turn_entry *t = &ix->turns[ix->n++];
    memset(t, 0, sizeof *t);
    t->id = xstrdup(id);
    t->started_at = started;
    return t;
}

static void add_item_line(struct turn_entry *t, off_t off, size_t len)
{
    if (t->n_items == t->cap_items) {
        t->cap_items = t->cap_items ? t->cap_items * 2 : 8;
        t->items = xrealloc(t->items, t->cap_items * sizeof *t->items);
    }
    t->items[t->n_items++] = (struct item_line){off, len};
}

/* The lines whose content makes the turns or the summary. */
static bool wanted_for_turns(const char *type, const char *ptype)
{
    if (strcmp(type, "session_meta") == 0 || strcmp(type, "turn_context") == 0)
        return true;
    return strcmp(type, "event_msg") == 0 &&
           (strcmp(ptype, "item_completed") == 0 || strcmp(ptype, "task_started") == 0 ||
            strcmp(ptype, "task_complete") == 0 || strcmp(ptype, "turn_aborted") == 0);
}

/* A parsed event line: what it says about the turns. */
static void turn_event(struct rollout_turn_index *ix, const json_t *p, off_t off, size_t len,
                       struct rollout_summary *s)
{
    const char *ev = json_string_value(json_object_get(p, "type"));
    const char *turn_id = json_string_value(json_object_get(p, "turn_id"));
    if (!ev)
        return;
    if (strcmp(ev, "item_completed") == 0) {
        json_t *item = rollout_completed_item(p);
        bool shown = json_is_string(json_object_get(item, "type"));
        rollout_summary_take_preview(s, item);
        json_decref(item);
        if (!turn_id || !shown)
            return;
        struct turn_entry *t = find_turn(ix, turn_id);
        if (!t)
            t = add_turn(ix, turn_id, 0);
        add_item_line(t, off, len);
    } else if (turn_id && strcmp(ev, "task_started") == 0) {
        if (!find_turn(ix, turn_id))
            add_turn(ix, turn_id, json_integer_value(json_object_get(p, "started_at")));
    } else if (turn_id && (strcmp(ev, "task_complete") == 0 || strcmp(ev, "turn_aborted") == 0)) {
        struct turn_entry *t = find_turn(ix, turn_id);
        if (t)
            t->status = strcmp(ev, "task_complete") == 0 ? TURN_COMPLETED : TURN_INTERRUPTED;
    }
}

/* An item_completed line of a turn already known, once the preview is
 * found, is only noted: it is parsed when its turn is built.  True when
 * it was; the scanned turn id must be plain (no escapes outside ASCII,
 * not cut) to be trusted. */
static bool note_item_unparsed(struct rollout_turn_index *ix, const struct rollout_summary *s,
                               const char *ptype, const char *turn_id, off_t off, size_t len)
{
    if (!s->preview || strcmp(ptype, "item_completed") != 0 || !*turn_id ||
        strlen(turn_id) + 1 >= TURN_ID_CAP || strchr(turn_id, '\1'))
        return false;
    struct turn_entry *t = find_turn(ix, turn_id);
    if (!t)
        return false; /* whether it starts a turn depends on its item */
    add_item_line(t, off, len);
    return true;
}

static void index_free(struct rollout_turn_index *ix)
{
    for (size_t i = 0; i < ix->n; i++) {
        free(ix->turns[i].id);
        free(ix->turns[i].items);
    }
    free(ix->turns);
    free(ix->path);
    buf_free(&ix->line);
    if (ix->fd >= 0)
        close(ix->fd);
    free(ix);
}

struct rollout_turn_index *rollout_turn_index_open(const char *path, bool still_written,
                                                   struct rollout_summary *sum,
                                                   struct codex_error *err)
{
    struct rollout_summary local;
    struct rollout_summary *s = sum ? sum : &local;
    memset(s, 0, sizeof *s);
    struct stat st;
    int fd = rollout_open_stat(path, &st, err);
    if (fd < 0)
        return NULL;
    if (st.st_size > MAX_ROLLOUT_BYTES) {
        close(fd);
        codex_error_set_os(err, EFBIG, "cannot read %s", path);
        return NULL;
    }
    struct rollout_turn_index *ix = xcalloc(1, sizeof *ix);
    ix->fd = fd;
    ix->path = xstrdup(path);
    ix->still_written = still_written;
    /* What was there when we looked: a writer may append meanwhile.  The
     * response items (half of a long file) are passed over by their type,
     * and most items by their turn. */
    struct rollout_lines lines;
    rollout_lines_init(&lines, fd, st.st_size);
    const char *text;
    size_t len;
    int got;
    while ((got = rollout_lines_next(&lines, &text, &len)) > 0) {
        char type[24], ptype[24], turn_id[TURN_ID_CAP];
        if (!rollout_line_turn(text, len, type, ptype, turn_id, sizeof turn_id) ||
            !wanted_for_turns(type, ptype) ||
            note_item_unparsed(ix, s, ptype, turn_id, lines.line_off, len))
            continue;
        json_t *j = json_loadb(text, len, 0, NULL);
        const char *jtype;
        const json_t *p;
        if (rollout_split_line(j, &jtype, &p)) {
            if (strcmp(jtype, "session_meta") == 0)
                rollout_summary_take_meta(s, p);
            else if (strcmp(jtype, "turn_context") == 0)
                rollout_summary_take_context(s, p);
            else if (strcmp(jtype, "event_msg") == 0)
                turn_event(ix, p, lines.line_off, len, s);
        }
        json_decref(j);
    }
    int saved = errno;
    rollout_lines_free(&lines);
    if (got < 0) {
        codex_error_set_os(err, saved, "cannot read %s", path);
    } else if (!s->id) {
        codex_error_set_at(err, path, "no session_meta line; not a rollout file");
    } else {
        rollout_summary_finish(s, path, &st);
        if (!sum)
            rollout_summary_free(s);
        return ix;
    }
    rollout_summary_free(s);
    index_free(ix);
    return NULL;
}

size_t rollout_turn_index_count(const struct rollout_turn_index *ix)
{
    return ix->n;
}

const char *rollout_turn_index_id(const struct rollout_turn_index *ix, size_t i)
{
    return i < ix->n ? ix->turns[i].id : NULL;
}

long rollout_turn_index_find(const struct rollout_turn_index *ix, const char *id)
{
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->turns[i].id, id) == 0)
            return (long)i;
    return -1;
}

/* The bytes of one noted line into ix->line; false when they cannot be
 * read (errno says why). */
static bool read_line_back(struct rollout_turn_index *ix, const struct item_line *at)
{
    ix->line.len = 0;
    buf_reserve(&ix->line, at->len);
    size_t got = 0;
    while (got < at->len) {
        ssize_t r = pread(ix->fd, ix->line.data + got, at->len - got, at->off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO; /* cut since it was indexed */
            return false;
        }
        got += (size_t)r;
    }
    ix->line.len = got;
    return true;
}

/* Command outputs shorter than this are parsed as they are. */
#define HOLLOW_MIN 512

static json_t *build_turn(struct rollout_turn_index *ix, size_t i, struct json_hollow *h,
                          struct codex_error *err)
{
    if (i >= ix->n)
        return NULL;
    const struct turn_entry *t = &ix->turns[i];
    const char *status = t->status == TURN_COMPLETED     ? "completed"
                         : t->status == TURN_INTERRUPTED ? "interrupted"
                         : ix->still_written             ? "inProgress"
                                                         : "interrupted";
    json_t *turn = json_pack("{s:s s:[] s:s s:I s:n}", "id", t->id, "items", "status", status,
                             "startedAt", (json_int_t)t->started_at, "error");
    json_t *items = json_object_get(turn, "items");
    for (size_t k = 0; k < t->n_items; k++) {
        if (!read_line_back(ix, &t->items[k])) {
            codex_error_set_os(err, errno, "cannot read %s", ix->path);
            json_decref(turn);
            return NULL;
        }
        const char *text = ix->line.data;
        size_t len = ix->line.len;
        if (h && json_hollow_take(h, text, len, "aggregated_output", HOLLOW_MIN)) {
            text = h->text.data;
            len = h->text.len;
        }
        json_t *j = json_loadb(text, len, 0, NULL);
        const char *type;
        const json_t *p;
        json_t *item = rollout_split_line(j, &type, &p) ? rollout_completed_item(p) : NULL;
        if (json_is_string(json_object_get(item, "type")))
            json_array_append(items, item);
        json_decref(item);
        json_decref(j);
    }
    return turn;
}

json_t *rollout_turn_index_turn(struct rollout_turn_index *ix, size_t i, struct codex_error *err)
{
    return build_turn(ix, i, NULL, err);
}

json_t *rollout_turn_index_turn_hollow(struct rollout_turn_index *ix, size_t i,
                                       struct json_hollow *h, struct codex_error *err)
{
    json_hollow_clear(h);
    if (i < ix->n && memchr(ix->turns[i].id, '\1', strlen(ix->turns[i].id)))
        h->poisoned = true; /* the id would read as a placeholder */
    return build_turn(ix, i, h, err);
}

void rollout_turn_index_close(struct rollout_turn_index *ix)
{
    if (ix)
        index_free(ix);
}

json_t *rollout_read_turns(const char *path, bool still_written, struct rollout_summary *sum,
                           struct codex_error *err)
{
    struct rollout_turn_index *ix = rollout_turn_index_open(path, still_written, sum, err);
    if (!ix)
        return NULL;
    json_t *turns = json_array();
    for (size_t i = 0; i < ix->n; i++) {
        json_t *turn = rollout_turn_index_turn(ix, i, err);
        if (!turn) {
            json_decref(turns);
            turns = NULL;
            if (sum)
                rollout_summary_free(sum);
            break;
        }
        json_array_append_new(turns, turn);
    }
    rollout_turn_index_close(ix);
    return turns;
}
