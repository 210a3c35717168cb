#include "store/keyring.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsecret/secret.h>

struct secret_api {
    gboolean (*store_sync)(const SecretSchema *, const gchar *, const gchar *, const gchar *,
                           GCancellable *, GError **, ...);
    gchar *(*lookup_sync)(const SecretSchema *, GCancellable *, GError **, ...);
    gboolean (*clear_sync)(const SecretSchema *, GCancellable *, GError **, ...);
    void (*password_free)(gchar *);
    void (*error_free)(GError *);
};

static struct secret_api api;
static int loaded; /* 0 not tried, 1 ok, -1 failed */
static char load_error[256];

/* Generic secrets: an entry written by another Secret Service client with
 * the same service and username attributes is found too. */
static const SecretSchema schema = {
    "org.freedesktop.Secret.Generic",
    SECRET_SCHEMA_DONT_MATCH_NAME,
    {
        {"service", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {"username", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {NULL, 0},
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static int load(void)
{
    void *h = dlopen("libsecret-1.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(load_error, sizeof load_error,
                 "the keyring needs libsecret-1.so.0 (apt-get install libsecret-1-0)");
        return -1;
    }
    *(void **)&api.store_sync = dlsym(h, "secret_password_store_sync");
    *(void **)&api.lookup_sync = dlsym(h, "secret_password_lookup_sync");
    *(void **)&api.clear_sync = dlsym(h, "secret_password_clear_sync");
    *(void **)&api.password_free = dlsym(h, "secret_password_free");
    *(void **)&api.error_free = dlsym(h, "g_error_free");
    if (!api.store_sync || !api.lookup_sync || !api.clear_sync || !api.password_free ||
        !api.error_free) {
        snprintf(load_error, sizeof load_error, "libsecret-1.so.0 lacks the password API");
        return -1;
    }
    return 0;
}

static bool ready(struct codex_error *err)
{
    if (loaded == 0)
        loaded = load() == 0 ? 1 : -1;
    if (loaded < 0) {
        codex_error_set(err, "%s", load_error);
        return false;
    }
    return true;
}

static void report(GError *gerr, const char *what, struct codex_error *err)
{
    codex_error_set(err, "keyring: cannot %s: %s", what,
                    gerr && gerr->message ? gerr->message : "unknown error");
    if (gerr)
        api.error_free(gerr);
}

int keyring_lookup(const char *service, const char *account, char **secret,
                   struct codex_error *err)
{
    *secret = NULL;
    if (!ready(err))
        return -1;
    GError *gerr = NULL;
    gchar *s = api.lookup_sync(&schema, NULL, &gerr, "service", service, "username", account,
                               NULL);
    if (gerr) {
        report(gerr, "read the credentials", err);
        return -1;
    }
    if (!s)
        return 0;
    *secret = s;
    return 1;
}

int keyring_store(const char *service, const char *account, const char *label, const char *secret,
                  struct codex_error *err)
{
    if (!ready(err))
        return -1;
    GError *gerr = NULL;
    gboolean ok = api.store_sync(&schema, SECRET_COLLECTION_DEFAULT, label, secret, NULL, &gerr,
                                 "service", service, "username", account, NULL);
    if (!ok || gerr) {
        report(gerr, "store the credentials", err);
        return -1;
    }
    return 0;
}

int keyring_clear(const char *service, const char *account, struct codex_error *err)
{
    if (!ready(err))
        return -1;
    GError *gerr = NULL;
    gboolean removed = api.clear_sync(&schema, NULL, &gerr, "service", service, "username",
                                      account, NULL);
    if (gerr) {
        report(gerr, "remove the credentials", err);
        return -1;
    }
    return removed ? 1 : 0;
}

void keyring_free_secret(char *secret)
{
    if (secret && loaded > 0)
        api.password_free(secret);
}
