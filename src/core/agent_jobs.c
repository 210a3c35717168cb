/* spawn_agents_on_csv and report_agent_job_result: one job per call, kept
 * in memory for the life of the call (the call blocks until every row has
 * finished).  Rows wait as pending, run as workers (children of the
 * calling agent on the same loop), and end completed (a result was
 * reported) or failed (with the reason).  A tick every TICK_MS fails the
 * workers past their runtime and starts waiting rows when a thread of the
 * tree frees up; a worker's end is handled on the next loop turn, never
 * inside the worker's own callback. */
#include "core/agent_jobs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/agent_internal.h"
#include "tools/registry.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/fs.h"
#include "util/uuid.h"
#include "util/xalloc.h"

#define DEFAULT_CONCURRENCY 16
#define MAX_CONCURRENCY 64
#define MAX_REPORTED_FAILURES 5
#define TICK_MS 250
#define MAX_RUNTIME_S ((json_int_t)1000000000000)
#define MAX_CSV_BYTES (64u << 20)

enum item_status { ITEM_PENDING, ITEM_RUNNING, ITEM_COMPLETED, ITEM_FAILED };

static const char *const item_status_names[] = {"pending", "running", "completed", "failed"};

struct job_item {
    struct agent_job *job;
    char *item_id;
    char *source_id;        /* the id_column value, or NULL */
    size_t row_index;       /* 0-based among the data rows */
    json_t *row;            /* {header: value} */
    enum item_status status;
    int attempts;
    char *last_error;
    json_t *result;         /* what the worker reported, or NULL */
    char reported_at[40];
    char completed_at[40];
    struct child *worker;   /* while it runs, and until it is closed */
    bool ended;             /* the worker's turn ended: close it */
    uint64_t started_ms;
};

struct agent_job {
    struct agent_job *next;
    struct subagents *s;
    struct tool_call *call;
    char id[UUID_STR_LEN];
    char source[UUID_STR_LEN + 16]; /* "agent_job:<id>" */
    char *instruction;
    json_t *output_schema;
    struct strvec headers;
    char *output_path;
    uint64_t max_runtime_s;
    size_t concurrency;
    struct job_item *items;
    size_t n_items;
    size_t running;
    bool cancelled;
    uv_timer_t *tick;
    uv_timer_t *kick;
};

/* ---- small helpers ------------------------------------------------------ */

static void now_rfc3339(char out[40])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%.19s.%06u+00:00", base, (unsigned)(ts.tv_nsec / 1000) % 1000000u);
}

static char *abs_path(const char *cwd, const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    return xasprintf("%s/%s", cwd, path);
}

/* <dir>/<stem>.agent-job-<first 8 of the id>.csv beside the input. */
static char *default_output_path(const char *input, const char *job_id)
{
    const char *slash = strrchr(input, '/');
    const char *name = slash ? slash + 1 : input;
    const char *dot = strrchr(name, '.');
    size_t stem_len = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    if (!stem_len)
        return xasprintf("%.*sagent_job_output.agent-job-%.8s.csv", (int)(name - input), input, job_id);
    return xasprintf("%.*s%.*s.agent-job-%.8s.csv", (int)(name - input), input, (int)stem_len, name,
                     job_id);
}

/* {column} placeholders filled from the row; {{ and }} are literal braces.
 * A value is inserted as is, never expanded again. */
static char *render_instruction(const char *tmpl, const json_t *row)
{
    struct buf b = BUF_INIT;
    for (const char *p = tmpl; *p;) {
        if (p[0] == '{' && p[1] == '{') {
            buf_puts(&b, "{");
            p += 2;
            continue;
        }
        if (p[0] == '}' && p[1] == '}') {
            buf_puts(&b, "}");
            p += 2;
            continue;
        }
        if (*p == '{') {
            const char *close = strchr(p + 1, '}');
            if (close) {
                char *key = xstrndup(p + 1, (size_t)(close - p - 1));
                const json_t *v = json_object_get(row, key);
                free(key);
                if (json_is_string(v)) {
                    buf_append(&b, json_string_value(v), json_string_length(v));
                    p = close + 1;
                    continue;
                }
            }
        }
        buf_append(&b, p, 1);
        p++;
    }
    char *out = buf_detach(&b, NULL);
    return out ? out : xstrdup("");
}

static char *pretty(const json_t *v)
{
    return json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

/* What a worker is told.  It starts with the rendered instruction: the
 * row's task is the first thing the worker reads. */
static char *worker_prompt(const struct agent_job *job, const struct job_item *it)
{
    char *instruction = render_instruction(job->instruction, it->row);
    char *row = pretty(it->row);
    char *schema = job->output_schema ? pretty(job->output_schema) : xstrdup("{}");
    char *text = xasprintf(
        "%s\n\n"
        "This task is one row of a batch job that other agents work on in parallel.\n"
        "Job ID: %s\n"
        "Item ID: %s\n\n"
        "The row, as JSON:\n%s\n\n"
        "Shape your result to this JSON Schema ({} means any object):\n%s\n\n"
        "When the work is done, call `report_agent_job_result` once, with job_id \"%s\", "
        "item_id \"%s\" and result set to a JSON object holding what you found for this row. "
        "Set stop to true only if the whole job should end early. Finish right after that call; "
        "a row without a reported result counts as failed.",
        instruction, job->id, it->item_id, row, schema, job->id, it->item_id);
    free(instruction);
    free(row);
    free(schema);
    return text;
}

/* ---- the job's life ----------------------------------------------------- */

static void job_kick(struct agent_job *job);

static void item_fail(struct job_item *it, const char *why)
{
    it->status = ITEM_FAILED;
    free(it->last_error);
    it->last_error = xstrdup(why);
}

static void item_close_worker(struct job_item *it)
{
    if (!it->worker)
        return;
    subagent_worker_close(it->worker);
    it->worker = NULL;
    it->job->running--;
}

static void worker_ended(void *ud, struct child *w, bool ok)
{
    (void)w;
    (void)ok;
    struct job_item *it = ud;
    it->ended = true;
    job_kick(it->job);
}

/* A worker's turn ended: what it reported decides the row. */
static void item_finalize(struct job_item *it)
{
    if (it->status == ITEM_RUNNING) {
        if (it->result) {
            it->status = ITEM_COMPLETED;
            now_rfc3339(it->completed_at);
        } else {
            item_fail(it, "worker finished without calling report_agent_job_result");
        }
    }
    it->ended = false;
    item_close_worker(it);
}

static void start_pending(struct agent_job *job)
{
    struct agent *a = subagents_agent(job->s);
    for (size_t i = 0; i < job->n_items && !job->cancelled && job->running < job->concurrency; i++) {
        struct job_item *it = &job->items[i];
        if (it->status != ITEM_PENDING)
            continue;
        char *prompt = worker_prompt(job, it);
        char *why = NULL;
        struct child *w = NULL;
        enum worker_spawn r = subagents_spawn_worker(job->s, prompt, job->source, job, worker_ended,
                                                     it, &w, &why);
        free(prompt);
        if (r == WORKER_LIMIT)
            break; /* another agent of the tree holds the threads: the tick retries */
        if (r == WORKER_FAILED) {
            char *msg = xasprintf("failed to spawn worker: %s", why ? why : "unknown error");
            item_fail(it, msg);
            free(msg);
            free(why);
            continue;
        }
        it->worker = w;
        it->status = ITEM_RUNNING;
        it->attempts++;
        it->started_ms = uv_now(a->loop);
        job->running++;
    }
}

static void reap_stale(struct agent_job *job)
{
    uint64_t now = uv_now(subagents_agent(job->s)->loop);
    for (size_t i = 0; i < job->n_items; i++) {
        struct job_item *it = &job->items[i];
        if (it->status != ITEM_RUNNING || !it->worker || it->ended)
            continue;
        if (now - it->started_ms < job->max_runtime_s * 1000)
            continue;
        /* As Rust prints a whole number of seconds (Duration's Debug). */
        char *why = xasprintf("worker exceeded max runtime of %llus",
                              (unsigned long long)job->max_runtime_s);
        item_fail(it, why);
        free(why);
        item_close_worker(it);
    }
}

static json_t *value_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The output CSV: the input columns, then the job's own. */
static char *render_csv(const struct agent_job *job, size_t *len)
{
    static const char *const extra[] = {"job_id",     "item_id",      "row_index",  "source_id",
                                        "status",     "attempt_count", "last_error", "result_json",
                                        "reported_at", "completed_at"};
    struct buf b = BUF_INIT;
    size_t ncols = job->headers.n + sizeof extra / sizeof *extra;
    for (size_t c = 0; c < ncols; c++) {
        const char *h = c < job->headers.n ? job->headers.v[c] : extra[c - job->headers.n];
        char *e = csv_escape(h);
        buf_puts(&b, c ? "," : "");
        buf_puts(&b, e);
        free(e);
    }
    buf_puts(&b, "\n");
    for (size_t i = 0; i < job->n_items; i++) {
        const struct job_item *it = &job->items[i];
        char idx[24], attempts[24];
        snprintf(idx, sizeof idx, "%zu", it->row_index);
        snprintf(attempts, sizeof attempts, "%d", it->attempts);
        char *result = it->result ? json_dumps(it->result, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        const char *tail[] = {job->id,          it->item_id,        idx,
                              it->source_id ? it->source_id : "",   item_status_names[it->status],
                              attempts,         it->last_error ? it->last_error : "",
                              result ? result : "", it->reported_at, it->completed_at};
        for (size_t c = 0; c < ncols; c++) {
            const char *v;
            if (c < job->headers.n)
                v = json_string_value(json_object_get(it->row, job->headers.v[c]));
            else
                v = tail[c - job->headers.n];
            char *e = csv_escape(v ? v : "");
            buf_puts(&b, c ? "," : "");
            buf_puts(&b, e);
            free(e);
        }
        buf_puts(&b, "\n");
        free(result);
    }
    return buf_detach(&b, len);
}

static int mkdir_parents(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; *p; p++) {
            if (*p != '/')
                continue;
            *p = '\0';
            if (mkdir(dir, 0755) != 0 && errno != EEXIST)
                rc = -1;
            *p = '/';
        }
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            rc = -1;
    }
    free(dir);
    return rc;
}

static void job_free(struct agent_job *job)
{
    for (size_t i = 0; i < job->n_items; i++) {
        struct job_item *it = &job->items[i];
        item_close_worker(it);
        free(it->item_id);
        free(it->source_id);
        json_decref(it->row);
        free(it->last_error);
        json_decref(it->result);
    }
    free(job->items);
    free(job->instruction);
    json_decref(job->output_schema);
    strvec_free(&job->headers);
    free(job->output_path);
    if (job->tick)
        uv_close((uv_handle_t *)job->tick, (uv_close_cb)free);
    if (job->kick)
        uv_close((uv_handle_t *)job->kick, (uv_close_cb)free);
    free(job);
}

static void job_unlink(struct agent_job *job)
{
    for (struct agent_job **p = subagents_jobs(job->s); *p; p = &(*p)->next)
        if (*p == job) {
            *p = job->next;
            return;
        }
}

/* Every row has finished: write the output and answer the model. */
static void job_finish(struct agent_job *job)
{
    const char *status = job->cancelled ? "cancelled" : "completed";
    char *job_error = NULL;
    size_t len;
    char *csv = render_csv(job, &len);
    if (mkdir_parents(job->output_path) != 0 || fs_write_atomic(job->output_path, csv, len, 0644) != 0) {
        job_error = xasprintf("auto-export failed: %s (os error %d)", strerror(errno), errno);
        status = "failed";
    }
    free(csv);
    size_t completed = 0, failed = 0;
    json_t *failures = json_array();
    for (size_t i = 0; i < job->n_items; i++) {
        const struct job_item *it = &job->items[i];
        if (it->status == ITEM_COMPLETED)
            completed++;
        if (it->status != ITEM_FAILED)
            continue;
        failed++;
        if (json_array_size(failures) < MAX_REPORTED_FAILURES && it->last_error && *it->last_error)
            json_array_append_new(failures,
                                  json_pack("{s:s s:o s:s}", "item_id", it->item_id, "source_id",
                                            value_or_null(it->source_id), "last_error",
                                            it->last_error));
    }
    if (failed && !json_array_size(failures) && !job_error)
        job_error = xstrdup("agent job has failed items but no error details were recorded");
    json_t *out = json_pack("{s:s s:s s:s s:I s:I s:I s:o s:o}", "job_id", job->id, "status", status,
                            "output_csv_path", job->output_path, "total_items",
                            (json_int_t)job->n_items, "completed_items", (json_int_t)completed,
                            "failed_items", (json_int_t)failed, "job_error",
                            value_or_null(job_error), "failed_item_errors",
                            json_array_size(failures) ? json_incref(failures) : json_null());
    json_decref(failures);
    free(job_error);
    char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(out);
    struct tool_call *call = job->call;
    call->on_drop = NULL;
    job_unlink(job);
    job_free(job);
    tool_call_finish(call, text);
}

static void job_step(struct agent_job *job)
{
    for (size_t i = 0; i < job->n_items; i++)
        if (job->items[i].ended)
            item_finalize(&job->items[i]);
    reap_stale(job);
    start_pending(job);
    bool pending = false;
    for (size_t i = 0; i < job->n_items && !job->cancelled; i++)
        pending |= job->items[i].status == ITEM_PENDING;
    if (!pending && job->running == 0)
        job_finish(job);
}

static void on_kick(uv_timer_t *t)
{
    job_step(t->data);
}

static void job_kick(struct agent_job *job)
{
    uv_timer_start(job->kick, on_kick, 0, 0);
}

static void on_tick(uv_timer_t *t)
{
    job_step(t->data);
}

/* The turn was interrupted: the workers stop with it. */
static void on_call_dropped(void *ud)
{
    struct agent_job *job = ud;
    job_unlink(job);
    job_free(job);
}

void agent_jobs_cancel_all(struct subagents *s)
{
    struct agent_job **head = subagents_jobs(s);
    while (*head) {
        struct agent_job *job = *head;
        *head = job->next;
        job->call->on_drop = NULL;
        job_free(job);
    }
}

/* ---- spawn_agents_on_csv ------------------------------------------------ */

/* A whole non-negative number argument: 0 absent, 1 set, -1 wrong type. */
static int arg_count(const json_t *args, const char *key, json_int_t *out)
{
    const json_t *v = json_object_get(args, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = json_integer_value(v);
    return 1;
}

static const char *arg_string(const json_t *args, const char *key, bool *bad)
{
    const json_t *v = json_object_get(args, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v))
        *bad = true;
    return json_string_value(v);
}

static void fail(struct tool_call *call, char *msg)
{
    tool_call_finish(call, msg);
}

/* Read the CSV as text; NULL with *why on failure (as the reference words
 * it: std's io::Error, or its UTF-8 complaint). */
static char *read_csv(const char *path, size_t *len, char **why)
{
    errno = 0;
    char *data = fs_read_file(path, MAX_CSV_BYTES, len);
    if (!data) {
        int e = errno ? errno : EIO;
        *why = xasprintf("failed to read csv input %s: %s (os error %d)", path, strerror(e), e);
        return NULL;
    }
    json_t *check = json_stringn(data, *len);
    if (!check) {
        *why = xasprintf("failed to read csv input %s: stream did not contain valid UTF-8", path);
        free(data);
        return NULL;
    }
    json_decref(check);
    return data;
}

static json_t *row_object(const struct strvec *headers, const struct csv_record *rec)
{
    json_t *row = json_object();
    for (size_t c = 0; c < headers->n; c++)
        json_object_set_new(row, headers->v[c],
                            json_stringn(c < rec->n ? rec->fields[c] : "", c < rec->n ? rec->lens[c] : 0));
    return row;
}

static bool all_empty(const struct csv_record *rec)
{
    for (size_t f = 0; f < rec->n; f++)
        if (rec->lens[f])
            return false;
    return true;
}

/* Item ids: the id_column value when it has one, else row-<n>; a repeated
 * id gets -2, -3 ...  taken holds every id given so far and next_suffix the
 * suffix to try next for a repeated base, so that a large CSV whose rows
 * share one id costs a lookup per row, not a scan of every earlier row per
 * suffix tried (which blocked the loop for hours at 20000 rows).  Suffixes
 * below next_suffix are all taken: ids are only ever added. */
static char *unique_item_id(json_t *taken, json_t *next_suffix, const char *base)
{
    char *id = xstrdup(base);
    json_int_t suffix = json_integer_value(json_object_get(next_suffix, base));
    if (suffix < 2)
        suffix = 2;
    while (json_object_get(taken, id)) {
        free(id);
        id = xasprintf("%s-%lld", base, (long long)suffix++);
    }
    if (strcmp(id, base) != 0)
        json_object_set_new(next_suffix, base, json_integer(suffix));
    json_object_set_new(taken, id, json_true());
    return id;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static void spawn_agents_on_csv(struct subagents *s, struct tool_call *call, json_t *args)
{
    struct agent *a = subagents_agent(s);
    bool bad = false;
    const char *csv_path = arg_string(args, "csv_path", &bad);
    const char *instruction = arg_string(args, "instruction", &bad);
    const char *id_column = arg_string(args, "id_column", &bad);
    const char *output_csv = arg_string(args, "output_csv_path", &bad);
    json_int_t conc = 0, workers = 0, runtime = 0;
    int has_conc = arg_count(args, "max_concurrency", &conc);
    int has_workers = arg_count(args, "max_workers", &workers);
    int has_runtime = arg_count(args, "max_runtime_seconds", &runtime);
    const json_t *schema = json_object_get(args, "output_schema");
    if (bad || has_conc < 0 || has_workers < 0 || has_runtime < 0) {
        fail(call, xstrdup("failed to parse function arguments: csv_path, instruction, id_column "
                           "and output_csv_path are strings; max_concurrency, max_workers and "
                           "max_runtime_seconds are whole numbers"));
        return;
    }
    if (!csv_path || !instruction) {
        fail(call, xasprintf("failed to parse function arguments: missing field `%s`",
                             csv_path ? "instruction" : "csv_path"));
        return;
    }
    if (blank(instruction)) {
        fail(call, xstrdup("instruction must be non-empty"));
        return;
    }
    char *input = abs_path(a->p.cfg->cwd, csv_path);
    char *why = NULL;
    size_t len;
    char *text = read_csv(input, &len, &why);
    if (!text) {
        fail(call, why);
        free(input);
        return;
    }
    struct csv_table t;
    csv_parse(text, len, &t);
    free(text);
    if (!t.n) {
        csv_table_free(&t);
        free(input);
        fail(call, xstrdup("csv input must include a header row"));
        return;
    }
    struct agent_job *job = xcalloc(1, sizeof *job);
    job->s = s;
    job->call = call;
    for (size_t c = 0; c < t.records[0].n; c++) {
        const char *h = t.records[0].fields[c];
        for (size_t d = 0; d < job->headers.n; d++)
            if (strcmp(job->headers.v[d], h) == 0 && !why)
                why = xasprintf("csv header %s is duplicated", h);
        strvec_push(&job->headers, h);
    }
    ssize_t id_index = -1;
    if (!why && id_column) {
        for (size_t c = 0; c < job->headers.n && id_index < 0; c++)
            if (strcmp(job->headers.v[c], id_column) == 0)
                id_index = (ssize_t)c;
        if (id_index < 0)
            why = xasprintf("id_column %s was not found in csv headers", id_column);
    }
    json_int_t max_runtime = has_runtime ? runtime : subagents_job_max_runtime(s);
    if (!why && (has_runtime && runtime == 0))
        why = xstrdup("max_runtime_seconds must be >= 1");
    if (!why && !subagents_may_spawn(s))
        why = xstrdup("agent depth limit reached; this session cannot spawn more subagents");
    if (why) {
        csv_table_free(&t);
        free(input);
        job_free(job);
        fail(call, why);
        return;
    }

    uuid_v4(job->id);
    snprintf(job->source, sizeof job->source, "agent_job:%s", job->id);
    job->instruction = xstrdup(instruction);
    job->output_schema = schema && !json_is_null(schema) ? json_deep_copy(schema) : NULL;
    job->output_path = output_csv ? abs_path(a->p.cfg->cwd, output_csv)
                                  : default_output_path(input, job->id);
    /* Past about 30000 years the limit is no limit (and ms stay in range). */
    job->max_runtime_s = (uint64_t)(max_runtime < MAX_RUNTIME_S ? max_runtime : MAX_RUNTIME_S);
    json_int_t requested = has_conc ? conc : has_workers ? workers : DEFAULT_CONCURRENCY;
    if (requested < 1)
        requested = 1;
    if (requested > MAX_CONCURRENCY)
        requested = MAX_CONCURRENCY;
    int64_t max_threads = subagents_max_threads(s);
    job->concurrency = (size_t)(requested < max_threads ? requested : max_threads);
    free(input);

    job->items = xcalloc(t.n, sizeof *job->items);
    json_t *taken_ids = json_object(), *next_suffix = json_object();
    size_t data_rows = 0;
    for (size_t r = 1; r < t.n; r++) {
        const struct csv_record *rec = &t.records[r];
        if (all_empty(rec))
            continue;
        size_t idx = data_rows++;
        struct job_item *it = &job->items[job->n_items];
        it->job = job;
        it->row_index = idx;
        if (id_index >= 0 && (size_t)id_index < rec->n && !blank(rec->fields[id_index]))
            it->source_id = xstrdup(rec->fields[id_index]);
        char *base = it->source_id ? xstrdup(it->source_id) : xasprintf("row-%zu", idx + 1);
        it->item_id = unique_item_id(taken_ids, next_suffix, base);
        free(base);
        it->row = row_object(&job->headers, rec);
        job->n_items++;
        /* A row that does not fit the header is reported and skipped; the
         * other rows still run. */
        if (rec->n != job->headers.n) {
            char *msg = xasprintf("csv row %zu has %zu fields but header has %zu", idx + 2, rec->n,
                                  job->headers.n);
            item_fail(it, msg);
            free(msg);
        }
    }
    json_decref(taken_ids);
    json_decref(next_suffix);
    csv_table_free(&t);

    job->tick = xcalloc(1, sizeof *job->tick);
    job->kick = xcalloc(1, sizeof *job->kick);
    uv_timer_init(a->loop, job->tick);
    uv_timer_init(a->loop, job->kick);
    job->tick->data = job->kick->data = job;
    uv_timer_start(job->tick, on_tick, TICK_MS, TICK_MS);
    job->next = *subagents_jobs(s);
    *subagents_jobs(s) = job;
    call->on_drop = on_call_dropped;
    call->drop_ud = job;
    job_kick(job);
}

/* ---- report_agent_job_result -------------------------------------------- */

static bool report(struct agent_job *job, const char *thread_id, const char *job_id,
                   const char *item_id, const json_t *result, bool stop)
{
    if (strcmp(job->id, job_id) != 0)
        return false;
    for (size_t i = 0; i < job->n_items; i++) {
        struct job_item *it = &job->items[i];
        if (strcmp(it->item_id, item_id) != 0)
            continue;
        /* Only the worker running the row may report it, and only while it runs. */
        if (it->status != ITEM_RUNNING || !it->worker ||
            strcmp(subagent_worker_id(it->worker), thread_id) != 0)
            return false;
        json_decref(it->result);
        it->result = json_deep_copy(result);
        now_rfc3339(it->reported_at);
        if (stop)
            job->cancelled = true;
        return true;
    }
    return false;
}

static void dispatch_report(void *ud, struct tool_call *call)
{
    struct subagents *s = ud;
    struct agent *a = subagents_agent(s);
    json_error_t jerr;
    json_t *args = json_loads(call->input && *call->input ? call->input : "{}", 0, &jerr);
    if (!json_is_object(args)) {
        json_decref(args);
        fail(call, xasprintf("failed to parse function arguments: %s", jerr.text));
        return;
    }
    const char *job_id = json_string_value(json_object_get(args, "job_id"));
    const char *item_id = json_string_value(json_object_get(args, "item_id"));
    const json_t *result = json_object_get(args, "result");
    const char *missing = !job_id ? "job_id" : !item_id ? "item_id" : !result ? "result" : NULL;
    if (missing) {
        fail(call, xasprintf("failed to parse function arguments: missing field `%s`", missing));
    } else if (!json_is_object(result)) {
        fail(call, xstrdup("result must be a JSON object"));
    } else {
        bool accepted = report(a->p.subagent->job, a->thread_id, job_id, item_id, result,
                               json_is_true(json_object_get(args, "stop")));
        fail(call, xstrdup(accepted ? "{\"accepted\":true}" : "{\"accepted\":false}"));
    }
    json_decref(args);
}

static void dispatch_spawn(void *ud, struct tool_call *call)
{
    json_error_t jerr;
    json_t *args = json_loads(call->input && *call->input ? call->input : "{}", 0, &jerr);
    if (!json_is_object(args)) {
        json_decref(args);
        fail(call, xasprintf("failed to parse function arguments: %s", jerr.text));
        return;
    }
    spawn_agents_on_csv(ud, call, args);
    json_decref(args);
}

/* ---- the tools as the model sees them ----------------------------------- */

static json_t *prop(const char *type, const char *description)
{
    return json_pack("{s:s s:s}", "type", type, "description", description);
}

void agent_jobs_register_tool(struct subagents *s)
{
    json_t *props = json_object();
    json_object_set_new(props, "csv_path", prop("string", "The CSV file to read, relative to the working directory; its first line names the columns."));
    json_object_set_new(props, "instruction", prop("string", "What each worker does with its row. Write {column} where a column's value belongs; {{ and }} stand for literal braces."));
    json_object_set_new(props, "id_column", prop("string", "A column whose values identify the rows. Without it rows are named row-1, row-2, ..."));
    json_object_set_new(props, "output_csv_path", prop("string", "Where to write the rows with their status and results. Without it the file goes beside the input."));
    json_object_set_new(props, "max_concurrency", prop("number", "How many workers may run at once (16 unless given; never more than agents.max_threads)."));
    json_object_set_new(props, "max_workers", prop("number", "Another name for max_concurrency."));
    json_object_set_new(props, "max_runtime_seconds", prop("number", "How long one worker may run before its row fails (agents.job_max_runtime_seconds, else 1800)."));
    json_object_set_new(props, "output_schema", json_pack("{s:s s:{} s:s}", "type", "object", "properties",
                                                          "description", "A JSON Schema each worker's result should follow. Leave it out to take any object."));
    json_t *tool = json_pack(
        "{s:s s:s s:s s:b s:{s:s s:o s:[s s] s:b}}", "type", "function", "name", "spawn_agents_on_csv",
        "description",
        "Run one worker sub-agent per row of a CSV file. Each worker gets the instruction with the "
        "row's values filled into its {column} placeholders and reports a JSON object through "
        "report_agent_job_result (a worker that reports nothing fails its row). The call returns "
        "once every row has finished, with a summary, and writes every row with its status and "
        "result to output_csv_path.",
        "strict", false, "parameters", "type", "object", "properties", props, "required", "csv_path",
        "instruction", "additionalProperties", false);
    json_t *tools = json_pack("[o]", tool);
    struct tool_group g = {.tools = tools, .dispatch = dispatch_spawn, .ud = s};
    tool_registry_put(subagents_agent(s)->registry, &g);
    json_decref(tools);
}

void agent_jobs_register_worker_tool(struct subagents *s, struct agent_job *job)
{
    json_t *props = json_object();
    json_object_set_new(props, "job_id", prop("string", "The job's id, from your instructions."));
    json_object_set_new(props, "item_id", prop("string", "Your row's item id, from your instructions."));
    json_object_set_new(props, "result", json_pack("{s:s s:{} s:s}", "type", "object", "properties",
                                                   "description", "What you found for the row."));
    json_object_set_new(props, "stop", prop("boolean", "true ends the whole job once this result is kept: no further rows start."));
    json_t *tool = json_pack(
        "{s:s s:s s:s s:b s:{s:s s:o s:[s s s] s:b}}", "type", "function", "name",
        "report_agent_job_result", "description",
        "For workers of an agent job only: hand in the result for your row. The main agent never "
        "calls this.",
        "strict", false, "parameters", "type", "object", "properties", props, "required", "job_id",
        "item_id", "result", "additionalProperties", false);
    json_t *tools = json_pack("[o]", tool);
    /* The job is the worker's link's (it outlives the worker). */
    (void)job;
    struct tool_group g = {.tools = tools, .dispatch = dispatch_report, .ud = s};
    tool_registry_put(subagents_agent(s)->registry, &g);
    json_decref(tools);
}
