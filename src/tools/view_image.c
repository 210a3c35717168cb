/* view_image: the model asks to look at a local picture.  The picture goes
 * into the history as a user input_image right after the call's output. */
#include <stdlib.h>
#include <string.h>

#include "util/image.h"
#include "tools/tool.h"
#include "util/fs.h"
#include "util/xalloc.h"

void tool_view_image(struct tool_call *call, json_t *args)
{
    const char *path = json_string_value(json_object_get(args, "path"));
    if (!path) {
        tool_call_finish(call, xstrdup("failed to parse function arguments: missing field `path`"));
        return;
    }
    char *abs = path[0] == '/' ? xstrdup(path) : fs_join(call->host->cwd, path);
    char *err = NULL;
    char *url = fs_exists(abs) ? image_data_url(abs, &err)
                               : (err = xasprintf("unable to locate image at `%s`", abs), NULL);
    if (!url) {
        tool_call_finish(call, err);
        free(abs);
        return;
    }
    call->extra_input = json_pack("[{s:s s:s s:[{s:s s:s}]}]", "type", "message", "role", "user",
                                  "content", "type", "input_image", "image_url", url);
    free(url);
    tool_call_finish(call, xasprintf("attached local image path: %s", abs));
    free(abs);
}
