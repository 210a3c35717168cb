/* One sampling request to a Responses API provider, with the reference's
 * retry policy:
 *   - a failed request (connect error, 429, 5xx) is retried silently up to
 *     request_max_retries times with exponential backoff and jitter, or
 *     after Retry-After when the server says so;
 *   - when that is exhausted, or when an accepted stream breaks (closed
 *     before response.completed, idle timeout, response.failed), the whole
 *     request is re-sent up to stream_max_retries times, each announced
 *     through on_retry ("Reconnecting... i/N (why)");
 *   - a 401 asks the credentials for a recovery step (re-read the stored
 *     tokens, then refresh them) and is sent again while they have one;
 *   - other 4xx, context-window overflow and response.incomplete fail at
 *     once. */
#ifndef CODEX_MODEL_CLIENT_H
#define CODEX_MODEL_CLIENT_H

#include <stdbool.h>

#include <uv.h>

#include "model/credentials.h"
#include "model/http.h"
#include "model/stream.h"
#include "util/error.h"

struct provider_settings {
    char *url;                  /* full POST URL (base_url + /responses + query) */
    struct strvec headers;      /* "Name: value"; auth too unless credentials is set */
    /* Credentials that can change during the run (ChatGPT tokens are
     * refreshed; a 401 gets a recovery step) or NULL when headers hold a
     * fixed key.  Borrowed. */
    struct model_credentials *credentials;
    bool zstd_body;             /* send the body zstd-compressed (ChatGPT backend) */
    const char *ca_file;        /* extra HTTPS roots, or NULL; borrowed */
    int request_max_retries;
    int stream_max_retries;
    long stream_idle_timeout_ms;
    long backoff_base_ms;       /* 200 unless a test shortens it */
    /* The provider's key variable is unset: each request fails with this
     * message, as a turn error (the reference starts the thread anyway). */
    char *missing_key;
    size_t n_base_headers;      /* headers[0..n) are the provider's; a thread adds its own after */
};

struct sample_result {
    bool ok;
    const char *response_id;
    struct token_usage usage;
    const char *error; /* the message shown to the user when !ok */
};

struct sample_callbacks {
    /* A new attempt starts: anything collected from a previous, broken
     * attempt is stale. */
    void (*on_attempt)(void *ud);
    void (*on_event)(void *ud, const struct stream_event *ev);
    void (*on_retry)(void *ud, const char *notice);
    void (*on_done)(void *ud, const struct sample_result *res);
    void *ud;
};

struct model_client;

struct model_client *model_client_new(uv_loop_t *loop, const struct provider_settings *ps,
                                      struct codex_error *err);
/* Send body (a serialized request, malloc'd; the client takes it and
 * frees it, so a long history is not held twice).  One sampling at a time
 * per client. */
/* The same with the body in pieces: head and tail (malloc'd) are the
 * client's, input (the serialized history) stays the caller's and must not
 * change until the sampling is over; it is sent from where it is. */
void model_client_sample_parts(struct model_client *mc, char *head, size_t head_len,
                               const char *input, size_t input_len, char *tail, size_t tail_len,
                               const struct sample_callbacks *cbs);
void model_client_sample(struct model_client *mc, char *body, size_t len,
                         const struct sample_callbacks *cbs);
void model_client_cancel(struct model_client *mc);
void model_client_free(struct model_client *mc);

#define MODEL_HIGH_DEMAND_MESSAGE                                                                 \
    "We\xe2\x80\x99re currently experiencing high demand, which may cause temporary errors."
#define MODEL_CONTEXT_WINDOW_MESSAGE                                                              \
    "Codex ran out of room in the model's context window. Start a new thread or clear earlier "  \
    "history before retrying."

#endif
