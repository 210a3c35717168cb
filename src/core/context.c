#include "core/context.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Written for codex-c: what the agent is, how it works, how it reports. */
static const char base_instructions[] =
    "You are Codex, a coding agent running in the user's terminal. You work in the user's "
    "workspace through the tools you are given, and you keep going until the task is done or "
    "you truly cannot go further.\n\n"
    "## How to work\n"
    "- Read before you change: look at the relevant files and the project's conventions first.\n"
    "- Make the smallest change that solves the problem at its root; keep the surrounding style; "
    "do not reformat or rename what you were not asked to touch.\n"
    "- Edit files with apply_patch. Use exec_command for reading, searching (prefer rg), "
    "building and testing.\n"
    "- Check your work: run the tests or the program when you can, and fix what you broke.\n"
    "- For work with several steps, keep a short plan with update_plan and update it as steps "
    "finish.\n"
    "- Never discard the user's changes, rewrite history or run destructive commands unless the "
    "user asked for it.\n"
    "- If something needed is missing or ambiguous, make a reasonable assumption and say which.\n\n"
    "## Reporting\n"
    "- Be brief and concrete. While working, give one-line updates before larger steps.\n"
    "- End with a short summary: what you changed (with file paths), how you checked it, and "
    "anything left for the user to do.\n"
    "- Use plain Markdown; wrap commands, paths and identifiers in backticks.\n";

/* How the agent comes across; `personality = "none"` leaves it out.  The
 * friendly and pragmatic personalities share it, as in the reference. */
static const char personality_section[] =
    "\n## Personality\n"
    "- Direct and calm: say what you found and what you did, without filler or flattery.\n"
    "- Candid about uncertainty and mistakes, including your own.\n"
    "- Collaborative: treat the user as a colleague who knows their code better than you do.\n";

char *context_base_instructions(const struct codex_config *cfg)
{
    if (cfg && cfg->model_instructions)
        return xstrdup(cfg->model_instructions);
    if (cfg && cfg->personality && strcmp(cfg->personality, "none") == 0)
        return xstrdup(base_instructions);
    return xasprintf("%s%s", base_instructions, personality_section);
}

static const char *approval_text(enum approval_policy p)
{
    switch (p) {
    case APPROVAL_NEVER:
        return "Approvals are off: never ask the user; work within the sandbox and report what "
               "could not be done.";
    case APPROVAL_UNTRUSTED:
        return "Commands outside a small trusted set need the user's approval.";
    default:
        return "You may ask the user to approve a command that needs to leave the sandbox.";
    }
}

/* Under a granular policy the model learns, as the reference tells it,
 * which kinds of approval reach the user and which are refused without
 * asking (skill_approval: a skill's scripts asking for more than the
 * sandbox gives). */
static void granular_categories(struct buf *b, const struct granular_approval *g)
{
    const struct {
        bool on;
        const char *name;
    } cats[] = {
        {g->sandbox_approval, "sandbox_approval"},
        {g->rules, "rules"},
        {g->skill_approval, "skill_approval"},
        {g->request_permissions, "request_permissions"},
        {g->mcp_elicitations, "mcp_elicitations"},
    };
    for (int asked = 1; asked >= 0; asked--) {
        bool any = false;
        for (size_t i = 0; i < sizeof cats / sizeof *cats; i++) {
            if (cats[i].on != (asked == 1))
                continue;
            buf_printf(b, "%s`%s`", any ? ", " : asked ? "\nThese approvals reach the user: "
                                                     : "\nThese are refused without asking the user, "
                                                       "so do not rely on them: ",
                       cats[i].name);
            any = true;
        }
        if (any)
            buf_puts(b, ".");
    }
}

char *context_permissions(const struct codex_config *cfg)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "<permissions instructions>\n");
    switch (cfg->sandbox_mode) {
    case SANDBOX_READ_ONLY:
        buf_puts(&b, "Filesystem sandbox: read-only. You can read files but not write them. ");
        break;
    case SANDBOX_WORKSPACE_WRITE:
        buf_printf(&b, "Filesystem sandbox: workspace-write. You can write inside %s", cfg->cwd);
        for (size_t i = 0; i < cfg->workspace_write.writable_roots.n; i++)
            buf_printf(&b, ", %s", cfg->workspace_write.writable_roots.v[i]);
        for (size_t i = 0; i < cfg->add_dirs.n; i++)
            buf_printf(&b, ", %s", cfg->add_dirs.v[i]);
        buf_printf(&b, "; network access is %s. ",
                   cfg->workspace_write.network_access ? "enabled" : "restricted");
        break;
    case SANDBOX_DANGER_FULL_ACCESS:
        buf_puts(&b, "Filesystem sandbox: none (danger-full-access). Commands run with the user's "
                     "full permissions and network access. ");
        break;
    }
    buf_printf(&b, "Approval policy: %s. %s", approval_policy_name(cfg->approval_policy),
               approval_text(cfg->approval_policy));
    if (cfg->approval_policy == APPROVAL_GRANULAR)
        granular_categories(&b, &cfg->granular);
    buf_puts(&b, "\n</permissions instructions>");
    return buf_detach(&b, NULL);
}

char *context_timezone(const char *const *envp)
{
    const char *tz = envp_get(envp, "TZ");
    if (tz && *tz && strchr(tz, '/'))
        return xstrdup(tz[0] == ':' ? tz + 1 : tz);
    char link[PATH_MAX];
    ssize_t n = readlink("/etc/localtime", link, sizeof link - 1);
    if (n > 0) {
        link[n] = '\0';
        const char *z = strstr(link, "zoneinfo/");
        if (z)
            return xstrdup(z + 9);
    }
    char *etc = fs_read_file("/etc/timezone", 256, NULL);
    if (etc) {
        etc[strcspn(etc, "\n")] = '\0';
        if (*etc)
            return etc;
        free(etc);
    }
    return xstrdup("Etc/UTC");
}

static const char *shell_name(const char *const *envp)
{
    const char *sh = envp_get(envp, "SHELL");
    const char *slash = sh ? strrchr(sh, '/') : NULL;
    return slash && slash[1] ? slash + 1 : "bash";
}

char *context_environment(const char *cwd, const char *const *envp)
{
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    char *tz = context_timezone(envp);
    char *s = xasprintf("<environment_context>\n  <cwd>%s</cwd>\n  <shell>%s</shell>\n"
                        "  <current_date>%s</current_date>\n  <timezone>%s</timezone>\n"
                        "</environment_context>",
                        cwd, shell_name(envp), date, tz);
    free(tz);
    return s;
}

json_t *context_message(const char *role, const char *const *texts, int n)
{
    json_t *content = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(content, json_pack("{s:s s:s}", "type", "input_text", "text", texts[i]));
    return json_pack("{s:s s:s s:o}", "type", "message", "role", role, "content", content);
}
