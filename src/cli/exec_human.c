#include "cli/exec_human.h"

#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void heading(struct exec_human *h, const char *word, const char *ansi)
{
    if (h->color)
        fprintf(h->out, "\033[%sm%s\033[0m\n", ansi, word);
    else
        fprintf(h->out, "%s\n", word);
}

/* At most a few lines of command output: enough to follow along. */
static void print_tail(FILE *out, const char *text)
{
    int lines = 0;
    for (const char *p = text; *p && lines < 20; lines++) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "%.*s\n", (int)n, p);
        p = nl ? nl + 1 : p + n;
    }
}

static int by_string(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Every path a patch touched (a move names both ends), sorted. */
static void print_paths(FILE *out, const json_t *changes)
{
    size_t n = 0, i;
    const char *paths[2 * 64];
    const json_t *c;
    json_array_foreach(changes, i, c) {
        const char *move = json_string_value(json_object_get(json_object_get(c, "kind"), "move_path"));
        if (n < 2 * 64 - 1) {
            paths[n++] = str(c, "path");
            if (move)
                paths[n++] = move;
        }
    }
    qsort(paths, n, sizeof *paths, by_string);
    for (i = 0; i < n; i++)
        if (i == 0 || strcmp(paths[i], paths[i - 1]) != 0)
            fprintf(out, "%s\n", paths[i]);
}

/* Text from a server, without the control characters that would let it
 * drive the terminal. */
static void print_clean(FILE *out, const char *s, size_t max)
{
    size_t n = 0;
    for (; *s && n < max; s++, n++) {
        unsigned char c = (unsigned char)*s;
        fputc(c == '\n' ? '\n' : c < 0x20 || c == 0x7f ? ' ' : c, out);
    }
    if (*s)
        fputs("...", out);
}

/* server.tool({"a":1}) */
static void mcp_invocation(struct exec_human *h, const json_t *item)
{
    print_clean(h->out, str(item, "server"), 200);
    fputc('.', h->out);
    print_clean(h->out, str(item, "tool"), 200);
    char *args = json_dumps(json_object_get(item, "arguments"), JSON_COMPACT | JSON_ENCODE_ANY);
    fputc('(', h->out);
    print_clean(h->out, args && strcmp(args, "null") != 0 ? args : "", 400);
    fputc(')', h->out);
    free(args);
}

static void on_mcp_completed(struct exec_human *h, const json_t *item)
{
    mcp_invocation(h, item);
    bool ok = strcmp(str(item, "status"), "completed") == 0;
    fprintf(h->out, " %s in %lldms:\n", ok ? "success" : "failed",
            (long long)json_integer_value(json_object_get(item, "durationMs")));
    const json_t *error = json_object_get(item, "error");
    if (json_is_object(error)) {
        print_clean(h->out, str(error, "message"), 2000);
        fputc('\n', h->out);
        return;
    }
    size_t i;
    const json_t *block;
    json_array_foreach(json_object_get(json_object_get(item, "result"), "content"), i, block) {
        if (strcmp(str(block, "type"), "text") != 0)
            continue;
        print_clean(h->out, str(block, "text"), 2000);
        fputc('\n', h->out);
    }
}

/* A subagent tool call: what was done to which agents, and their states. */
static void on_collab_completed(struct exec_human *h, const json_t *item)
{
    heading(h, "collab", "35;1");
    fprintf(h->out, "%s %s", str(item, "tool"), str(item, "status"));
    size_t i;
    const json_t *id;
    json_array_foreach(json_object_get(item, "receiverThreadIds"), i, id)
        fprintf(h->out, "%s%s", i ? ", " : " for ", json_string_value(id));
    fputc('\n', h->out);
    const char *key;
    const json_t *st;
    json_object_foreach((json_t *)json_object_get(item, "agentsStates"), key, st) {
        fprintf(h->out, "  %s: %s", key, str(st, "status"));
        const char *msg = json_string_value(json_object_get(st, "message"));
        if (msg) {
            fputs(": ", h->out);
            print_clean(h->out, msg, 400);
        }
        fputc('\n', h->out);
    }
}

static void on_completed(struct exec_human *h, const json_t *item)
{
    const char *type = str(item, "type");
    if (strcmp(type, "agentMessage") == 0) {
        heading(h, "codex", "35;1");
        fprintf(h->out, "%s\n", str(item, "text"));
    } else if (strcmp(type, "reasoning") == 0) {
        if (h->hide_reasoning)
            return;
        /* The summary itself, without a heading, as the reference shows it. */
        size_t i;
        const json_t *s;
        json_array_foreach(json_object_get(item, "summary"), i, s) {
            if (h->color)
                fprintf(h->out, "\033[3m%s\033[0m\n", json_string_value(s));
            else
                fprintf(h->out, "%s\n", json_string_value(s));
        }
    } else if (strcmp(type, "commandExecution") == 0) {
        json_int_t code = json_integer_value(json_object_get(item, "exitCode"));
        long long ms = (long long)json_integer_value(json_object_get(item, "durationMs"));
        if (code == 0)
            fprintf(h->out, " succeeded in %lldms:\n", ms);
        else
            fprintf(h->out, " exited %lld in %lldms:\n", (long long)code, ms);
        const char *output = str(item, "aggregatedOutput");
        if (*output) {
            print_tail(h->out, output);
            fputc('\n', h->out);
        }
    } else if (strcmp(type, "webSearch") == 0) {
        fprintf(h->out, "web search: %s\n", str(item, "query"));
    } else if (strcmp(type, "contextCompaction") == 0) {
        fputs("context compacted\n", h->out);
    } else if (strcmp(type, "mcpToolCall") == 0) {
        on_mcp_completed(h, item);
    } else if (strcmp(type, "collabAgentToolCall") == 0) {
        on_collab_completed(h, item);
    } else if (strcmp(type, "fileChange") == 0) {
        fprintf(h->out, "patch: %s\n", strcmp(str(item, "status"), "completed") == 0 ? "completed" : "failed");
        print_paths(h->out, json_object_get(item, "changes"));
    }
}

void exec_human_handle(struct exec_human *h, const struct agent_event *ev)
{
    switch (ev->kind) {
    case AGENT_EV_ITEM_STARTED:
        if (strcmp(str(ev->item, "type"), "commandExecution") == 0) {
            heading(h, "exec", "35;1");
            fprintf(h->out, "%s in %s\n", str(ev->item, "command"), str(ev->item, "cwd"));
        } else if (strcmp(str(ev->item, "type"), "fileChange") == 0) {
            heading(h, "apply patch", "35;1");
        } else if (strcmp(str(ev->item, "type"), "mcpToolCall") == 0) {
            heading(h, "tool", "35;1");
            mcp_invocation(h, ev->item);
            fputc('\n', h->out);
        } else if (strcmp(str(ev->item, "type"), "userMessage") == 0) {
            heading(h, "user", "36;1");
            const json_t *c = json_array_get(json_object_get(ev->item, "content"), 0);
            fprintf(h->out, "%s\n", str(c, "text"));
        } else if (strcmp(str(ev->item, "type"), "webSearch") == 0) {
            /* Said when it starts and again when it completes, as the
             * reference does. */
            fprintf(h->out, "web search: %s\n", str(ev->item, "query"));
        } else if (strcmp(str(ev->item, "type"), "enteredReviewMode") == 0) {
            /* What is reviewed reads as the user's request. */
            heading(h, "user", "36;1");
            fprintf(h->out, "%s\n", str(ev->item, "review"));
        }
        break;
    case AGENT_EV_ITEM_COMPLETED:
        on_completed(h, ev->item);
        break;
    case AGENT_EV_PLAN_UPDATED: {
        heading(h, "plan", "35;1");
        size_t i;
        const json_t *s;
        json_array_foreach(json_object_get(ev->plan, "plan"), i, s) {
            const char *st = str(s, "status");
            fprintf(h->out, "  %s %s\n",
                    strcmp(st, "completed") == 0 ? "[x]" : strcmp(st, "in_progress") == 0 ? "[>]" : "[ ]",
                    str(s, "step"));
        }
        break;
    }
    case AGENT_EV_WARNING:
        fprintf(h->out, "warning: %s\n", ev->message ? ev->message : "");
        break;
    case AGENT_EV_DEPRECATION:
        fprintf(h->out, "deprecated: %s\n", ev->message ? ev->message : "");
        if (ev->details)
            fprintf(h->out, "%s\n", ev->details);
        break;
    case AGENT_EV_ERROR:
        if (ev->message && strncmp(ev->message, "Reconnecting... ", 16) == 0) {
            /* The notice alone; its reason is for the JSON output. */
            const char *why = strstr(ev->message, " (");
            fprintf(h->out, "ERROR: %.*s\n", why ? (int)(why - ev->message) : (int)strlen(ev->message),
                    ev->message);
            break;
        }
        /* fall through */
    case AGENT_EV_TURN_FAILED:
        /* A failed turn is said twice, as the reference does: the error,
         * then the turn's end. */
        fprintf(h->out, "ERROR: %s\n", ev->message ? ev->message : "");
        break;
    case AGENT_EV_TURN_ABORTED:
        fprintf(h->out, "turn interrupted\n");
        break;
    case AGENT_EV_THREAD_STARTED:
        if (h->settings)
            fprintf(h->out, "OpenAI Codex v%s (codex-c)\n--------\n%ssession id: %s\n--------\n",
                    CODEX_VERSION, h->settings, ev->thread_id);
        break;
    case AGENT_EV_TURN_DIFF:
        if (ev->message && *ev->message)
            fprintf(h->out, "%s\n", ev->message);
        break;
    case AGENT_EV_TURN_COMPLETED: {
        /* As the reference: grouped by thousands, and left out when the
         * turn asked the model nothing itself (a review). */
        long long used = (long long)(ev->usage.input_tokens + ev->usage.output_tokens);
        if (used <= 0)
            break;
        char digits[32], grouped[48];
        int n = snprintf(digits, sizeof digits, "%lld", used), o = 0;
        for (int i = 0; i < n; i++) {
            if (i && (n - i) % 3 == 0)
                grouped[o++] = ',';
            grouped[o++] = digits[i];
        }
        grouped[o] = '\0';
        heading(h, "tokens used", "35;1");
        fprintf(h->out, "%s\n", grouped);
        break;
    }
    default:
        break;
    }
    fflush(h->out);
}
