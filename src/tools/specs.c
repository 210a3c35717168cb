#include "tools/specs.h"

#include <string.h>

#include "config/config.h"
#include "tools/registry.h"

static const char exec_command_spec[] =
    "{\"type\":\"function\",\"name\":\"exec_command\","
    "\"description\":\"Run a shell command in a fresh process and return its combined stdout and "
    "stderr. A command still running after yield_time_ms keeps going in the background as a "
    "session you can poll or feed with write_stdin.\",\"strict\":false,"
    "\"parameters\":{\"type\":\"object\",\"properties\":{"
    "\"cmd\":{\"type\":\"string\",\"description\":\"The shell command line to run.\"},"
    "\"justification\":{\"type\":\"string\",\"description\":\"Why the command needs more "
    "permissions than the sandbox gives, when sandbox_permissions asks for them.\"},"
    "\"login\":{\"type\":\"boolean\",\"description\":\"Run the shell as a login shell (-l). "
    "Defaults to true.\"},"
    "\"max_output_tokens\":{\"type\":\"number\",\"description\":\"Upper bound on the output "
    "returned, in tokens; longer output keeps its head and tail.\"},"
    "\"prefix_rule\":{\"type\":\"array\",\"description\":\"A command prefix the user could allow "
    "for the rest of the session.\",\"items\":{\"type\":\"string\"}},"
    "\"sandbox_permissions\":{\"type\":\"string\",\"description\":\"use_default to stay in the "
    "sandbox, require_escalated to ask to run outside it.\","
    "\"enum\":[\"use_default\",\"require_escalated\"]},"
    "\"shell\":{\"type\":\"string\",\"description\":\"Shell binary to use; defaults to the "
    "user's shell.\"},"
    "\"tty\":{\"type\":\"boolean\",\"description\":\"Give the command a pseudo-terminal (for "
    "interactive programs). Defaults to false.\"},"
    "\"workdir\":{\"type\":\"string\",\"description\":\"Directory to run in; defaults to the "
    "session's working directory.\"},"
    "\"yield_time_ms\":{\"type\":\"number\",\"description\":\"How long to wait for the command "
    "to finish before returning with a session id.\"}},"
    "\"required\":[\"cmd\"],\"additionalProperties\":false}}";

static const char write_stdin_spec[] =
    "{\"type\":\"function\",\"name\":\"write_stdin\","
    "\"description\":\"Send characters to a running exec_command session and return its new "
    "output. Send empty chars to just wait for more output.\",\"strict\":false,"
    "\"parameters\":{\"type\":\"object\",\"properties\":{"
    "\"chars\":{\"type\":\"string\",\"description\":\"Bytes to write to the session's stdin; may "
    "be empty.\"},"
    "\"max_output_tokens\":{\"type\":\"number\",\"description\":\"Upper bound on the output "
    "returned, in tokens.\"},"
    "\"session_id\":{\"type\":\"number\",\"description\":\"The session id exec_command "
    "returned.\"},"
    "\"yield_time_ms\":{\"type\":\"number\",\"description\":\"How long to wait for output "
    "before returning.\"}},"
    "\"required\":[\"session_id\"],\"additionalProperties\":false}}";

static const char update_plan_spec[] =
    "{\"type\":\"function\",\"name\":\"update_plan\","
    "\"description\":\"Record the task plan as a short list of steps with their status; at "
    "most one step is in_progress at a time.\",\"strict\":false,"
    "\"parameters\":{\"type\":\"object\",\"properties\":{"
    "\"explanation\":{\"type\":\"string\",\"description\":\"Optional note on what changed.\"},"
    "\"plan\":{\"type\":\"array\",\"description\":\"The steps, in order.\","
    "\"items\":{\"type\":\"object\",\"properties\":{"
    "\"status\":{\"type\":\"string\",\"description\":\"Where the step stands.\","
    "\"enum\":[\"pending\",\"in_progress\",\"completed\"]},"
    "\"step\":{\"type\":\"string\",\"description\":\"What the step does.\"}},"
    "\"required\":[\"step\",\"status\"],\"additionalProperties\":false}}},"
    "\"required\":[\"plan\"],\"additionalProperties\":false}}";

/* Our own grammar for the patch envelope the apply_patch tool accepts. */
static const char apply_patch_grammar[] =
    "start: begin_patch hunk+ end_patch\n"
    "begin_patch: \"*** Begin Patch\" LF\n"
    "end_patch: \"*** End Patch\" LF?\n"
    "hunk: add_hunk | delete_hunk | update_hunk\n"
    "add_hunk: \"*** Add File: \" filename LF add_line+\n"
    "delete_hunk: \"*** Delete File: \" filename LF\n"
    "update_hunk: \"*** Update File: \" filename LF move_to? change?\n"
    "filename: /(.+)/\n"
    "add_line: \"+\" /(.*)/ LF -> line\n"
    "move_to: \"*** Move to: \" filename LF\n"
    "change: (change_context | change_line)+ eof_line?\n"
    "change_context: (\"@@\" | \"@@ \" /(.+)/) LF\n"
    "change_line: (\"+\" | \"-\" | \" \") /(.*)/ LF\n"
    "eof_line: \"*** End of File\" LF\n"
    "%import common.LF\n";

static const char apply_patch_description[] =
    "Edit files with a patch: '*** Begin Patch', then for each file '*** Add File: PATH' with "
    "'+' lines, '*** Delete File: PATH', or '*** Update File: PATH' (optionally '*** Move to: "
    "NEW') with '@@' hunks of ' ' context, '-' removed and '+' added lines, then '*** End "
    "Patch'. Paths are relative to the working directory.";

static const char view_image_spec[] =
    "{\"type\":\"function\",\"name\":\"view_image\","
    "\"description\":\"Attach a local image (png, jpeg, gif or webp) to the conversation so you "
    "can look at it.\",\"strict\":false,"
    "\"parameters\":{\"type\":\"object\",\"properties\":{"
    "\"path\":{\"type\":\"string\",\"description\":\"Path of the image file.\"}},"
    "\"required\":[\"path\"],\"additionalProperties\":false}}";

static void push_spec(json_t *arr, const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    if (v)
        json_array_append_new(arr, v);
}

static json_t *apply_patch_spec(bool freeform)
{
    if (freeform)
        return json_pack("{s:s s:s s:s s:{s:s s:s s:s}}", "type", "custom", "name", "apply_patch",
                         "description", apply_patch_description, "format", "type", "grammar",
                         "syntax", "lark", "definition", apply_patch_grammar);
    return json_pack("{s:s s:s s:s s:b s:{s:s s:{s:{s:s s:s}} s:[s] s:b}}", "type", "function",
                     "name", "apply_patch", "description", apply_patch_description, "strict", 0,
                     "parameters", "type", "object", "properties", "input", "type", "string",
                     "description", "The whole patch text.", "required", "input",
                     "additionalProperties", 0);
}

/* The hosted search tool, always last, in the reference's key order; NULL
 * when search is off. */
static json_t *web_search_spec(const char *mode, const struct web_search_tool_config *w)
{
    if (!mode)
        return NULL;
    bool live = strcmp(mode, "live") == 0, indexed = strcmp(mode, "indexed") == 0;
    if (!live && !indexed && strcmp(mode, "cached") != 0)
        return NULL;
    json_t *t = json_pack("{s:s s:b}", "type", "web_search", "external_web_access", live || indexed);
    if (indexed)
        json_object_set_new(t, "indexed_web_access", json_true());
    if (w && w->allowed_domains.n) {
        json_t *domains = json_array();
        for (size_t i = 0; i < w->allowed_domains.n; i++)
            json_array_append_new(domains, json_string(w->allowed_domains.v[i]));
        json_object_set_new(t, "filters", json_pack("{s:o}", "allowed_domains", domains));
    }
    if (w && (w->country || w->region || w->city || w->timezone)) {
        json_t *loc = json_pack("{s:s}", "type", "approximate");
        const char *keys[] = {"country", "region", "city", "timezone"};
        const char *vals[] = {w->country, w->region, w->city, w->timezone};
        for (size_t i = 0; i < 4; i++)
            if (vals[i])
                json_object_set_new(loc, keys[i], json_string(vals[i]));
        json_object_set_new(t, "user_location", loc);
    }
    if (w && w->context_size)
        json_object_set_new(t, "search_context_size", json_string(w->context_size));
    json_object_set_new(t, "search_content_types", json_pack("[s s]", "text", "image"));
    return t;
}

json_t *tool_specs_build(const struct tool_spec_opts *o)
{
    json_t *arr = json_array();
    if (o->no_shell) {
        /* no way to run commands */
    } else if (o->local_shell) {
        json_array_append_new(arr, json_pack("{s:s}", "type", "local_shell"));
    } else {
        push_spec(arr, exec_command_spec);
        push_spec(arr, write_stdin_spec);
    }
    if (o->update_plan)
        push_spec(arr, update_plan_spec);
    if (o->registry)
        tool_registry_plain_specs(o->registry, arr);
    if (o->apply_patch)
        json_array_append_new(arr, apply_patch_spec(o->apply_patch_freeform));
    if (o->view_image)
        push_spec(arr, view_image_spec);
    if (o->registry) {
        tool_registry_namespace_specs(o->registry, o->tool_search, arr);
        if (tool_registry_has_deferred(o->registry, o->tool_search))
            json_array_append_new(arr, tool_search_spec());
    }
    json_t *search = web_search_spec(o->web_search, o->web_search_tool);
    if (search)
        json_array_append_new(arr, search);
    return arr;
}
