/* Ctrl-G: edit the prompt in $VISUAL / $EDITOR.  The terminal is handed to
 * the editor (a child on the loop, so running turns go on) and the file's
 * text comes back into the composer when it exits. */
#include "tui/app.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

struct editor_run {
    struct app *a;
    uv_process_t proc;
    char *path;
};

static void on_editor_closed(uv_handle_t *h)
{
    struct editor_run *r = h->data;
    unlink(r->path);
    free(r->path);
    free(r);
}

static void on_editor_exit(uv_process_t *p, int64_t status, int signal)
{
    struct editor_run *r = p->data;
    struct app *a = r->a;
    a->editing = false;
    tterm_unpause(&a->term);
    if (status == 0 && signal == 0) {
        size_t len;
        char *text = fs_read_file(r->path, 64u << 20, &len);
        if (text) {
            /* Editors end files with a newline the prompt does not want. */
            while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
                text[--len] = '\0';
            composer_clear(&a->comp);
            composer_insert(&a->comp, text, len);
            free(text);
        }
    } else {
        app_error_cell(a, "The editor failed; the prompt is unchanged");
    }
    trender_invalidate(&a->render);
    app_redraw(a);
    uv_close((uv_handle_t *)p, on_editor_closed);
}

void app_open_editor(struct app *a)
{
    if (a->editing)
        return;
    if (!a->opt->editor || !*a->opt->editor) {
        app_error_cell(a, "Set $VISUAL or $EDITOR to edit the prompt in an editor");
        return;
    }
    char *path = xasprintf("%s/codex-prompt-XXXXXX.md", a->opt->tmpdir ? a->opt->tmpdir : "/tmp");
    int fd = mkstemps(path, 3);
    if (fd < 0) {
        char *m = xasprintf("Cannot create a draft file in %s: %s",
                            a->opt->tmpdir ? a->opt->tmpdir : "/tmp", strerror(errno));
        app_error_cell(a, m);
        free(m);
        free(path);
        return;
    }
    const char *text = composer_text(&a->comp);
    int wr = fs_write_all(fd, text, strlen(text));
    close(fd);
    if (wr != 0) {
        app_error_cell(a, "Cannot write the draft file");
        unlink(path);
        free(path);
        return;
    }
    struct editor_run *r = xcalloc(1, sizeof *r);
    r->a = a;
    r->path = path;
    r->proc.data = r;
    /* Through the shell, so an editor given with arguments ("code -w")
     * works; the file name is an argument, never part of the script. */
    char *argv[] = {"/bin/sh", "-c", "exec $0 \"$1\"", (char *)a->opt->editor, path, NULL};
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_INHERIT_FD, .data.fd = a->opt->in_fd},
        {.flags = UV_INHERIT_FD, .data.fd = a->opt->out_fd},
        {.flags = UV_INHERIT_FD, .data.fd = 2},
    };
    uv_process_options_t po = {
        .exit_cb = on_editor_exit,
        .file = "/bin/sh",
        .args = argv,
        .env = (char **)a->opt->envp,
        .stdio_count = 3,
        .stdio = stdio,
    };
    tterm_pause(&a->term);
    int rc = uv_spawn(a->loop, &r->proc, &po);
    if (rc != 0) {
        tterm_unpause(&a->term);
        char *m = xasprintf("Cannot start the editor: %s", uv_strerror(rc));
        app_error_cell(a, m);
        free(m);
        unlink(path);
        free(path);
        free(r);
        trender_invalidate(&a->render);
        app_redraw(a);
        return;
    }
    a->editing = true;
}
