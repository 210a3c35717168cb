#include "cli/exec_human.h"

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

static void on_completed(struct exec_human *h, const json_t *item)
{
    const char *type = str(item, "type");
    if (strcmp(type, "agentMessage") == 0) {
        heading(h, "codex", "35;1");
        fprintf(h->out, "%s\n", str(item, "text"));
    } else if (strcmp(type, "reasoning") == 0) {
        if (h->hide_reasoning)
            return;
        heading(h, "thinking", "35;3");
        size_t i;
        const json_t *s;
        json_array_foreach(json_object_get(item, "summary"), i, s)
            fprintf(h->out, "%s\n", json_string_value(s));
    } else if (strcmp(type, "commandExecution") == 0) {
        json_int_t code = json_integer_value(json_object_get(item, "exitCode"));
        fprintf(h->out, "%s with exit code %lld in %lldms:\n", code == 0 ? "succeeded" : "failed",
                (long long)code, (long long)json_integer_value(json_object_get(item, "durationMs")));
        print_tail(h->out, str(item, "aggregatedOutput"));
    } else if (strcmp(type, "fileChange") == 0) {
        heading(h, strcmp(str(item, "status"), "completed") == 0 ? "file update" : "file update failed",
                "35;1");
        size_t i;
        const json_t *c;
        json_array_foreach(json_object_get(item, "changes"), i, c)
            fprintf(h->out, "%s %s\n", str(json_object_get(c, "kind"), "type"), str(c, "path"));
    }
}

void exec_human_handle(struct exec_human *h, const struct agent_event *ev)
{
    switch (ev->kind) {
    case AGENT_EV_ITEM_STARTED:
        if (strcmp(str(ev->item, "type"), "commandExecution") == 0) {
            heading(h, "exec", "35;1");
            fprintf(h->out, "%s in %s\n", str(ev->item, "command"), str(ev->item, "cwd"));
        } else if (strcmp(str(ev->item, "type"), "userMessage") == 0) {
            heading(h, "user", "36;1");
            const json_t *c = json_array_get(json_object_get(ev->item, "content"), 0);
            fprintf(h->out, "%s\n", str(c, "text"));
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
    case AGENT_EV_ERROR:
        fprintf(h->out, "ERROR: %s\n", ev->message ? ev->message : "");
        break;
    case AGENT_EV_TURN_COMPLETED:
        heading(h, "tokens used", "35;1");
        fprintf(h->out, "%lld\n", (long long)(ev->usage.input_tokens + ev->usage.output_tokens));
        break;
    default:
        break;
    }
    fflush(h->out);
}
