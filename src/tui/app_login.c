/* The sign-in screen: shown at start when the server reports that the
 * provider needs an OpenAI sign-in and none is stored, as the reference's
 * first run does.  The flows themselves run in the server
 * (account/login/start); the TUI shows where to go and how it ended. */
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "util/xalloc.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void on_account(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (error || !result)
        return;
    json_t *account = json_object_get(result, "account");
    if ((account && !json_is_null(account)) ||
        !json_is_true(json_object_get(result, "requiresOpenaiAuth")))
        return;
    /* The trust question comes first; the sign-in screen follows it. */
    if (a->pane == PANE_TRUST) {
        a->login_pending = true;
        return;
    }
    app_picker_open(a, PICK_LOGIN);
}

void app_login_check(struct app *a)
{
    app_request(a, "account/read", json_object(), on_account);
}

static void on_login_started(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (error) {
        app_error_cell(a, error);
        app_redraw(a);
        return;
    }
    free(a->login_id);
    a->login_id = str(result, "loginId") ? xstrdup(str(result, "loginId")) : NULL;
    const char *type = str(result, "type");
    char *text;
    if (type && strcmp(type, "chatgptDeviceCode") == 0) {
        text = xasprintf("To sign in, open %s on any device and enter the one-time code %s "
                         "(it expires in 15 minutes).",
                         str(result, "verificationUrl") ? str(result, "verificationUrl") : "",
                         str(result, "userCode") ? str(result, "userCode") : "");
    } else {
        text = xasprintf("Finish signing in in your browser. If it did not open, go to %s",
                         str(result, "authUrl") ? str(result, "authUrl") : "");
    }
    app_notice(a, text);
    free(text);
    app_redraw(a);
}

void app_login_start(struct app *a, const char *how)
{
    if (!how)
        return;
    if (strcmp(how, "other") == 0) {
        app_notice(a, "To use an API key, quit and run `codex login --with-api-key` (it reads the "
                      "key from stdin), or set OPENAI_API_KEY. To use another provider, set "
                      "model_provider in config.toml.");
        return;
    }
    app_request(a, "account/login/start", json_pack("{s:s}", "type", how), on_login_started);
}

void app_login_completed(struct app *a, json_t *params)
{
    const char *id = str(params, "loginId");
    /* Only the sign-in this screen started; one that failed to start was
     * already reported by its answer. */
    if (!a->login_id || (id && strcmp(id, a->login_id) != 0))
        return;
    free(a->login_id);
    a->login_id = NULL;
    if (json_is_true(json_object_get(params, "success"))) {
        app_notice(a, "Signed in with ChatGPT");
    } else {
        const char *err = str(params, "error");
        char *text = xasprintf("Sign-in failed: %s", err ? err : "unknown error");
        app_error_cell(a, text);
        free(text);
    }
    app_redraw(a);
}
