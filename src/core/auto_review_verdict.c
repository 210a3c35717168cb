/* The reviewer's answer read as a verdict (auto_review.c). */
#include "core/auto_review_verdict.h"

#include <string.h>

#include <jansson.h>

#include "util/xalloc.h"

/* The member of set equal to s (a string that outlives the answer), or
 * NULL. */
static const char *member(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return *set;
    return NULL;
}

bool review_verdict_parse(const char *text, struct review_verdict *v, char **why)
{
    static const char *const risks[] = {"low", "medium", "high", "critical", NULL};
    static const char *const auths[] = {"unknown", "low", "medium", "high", NULL};
    json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (!json_is_object(j) && text) {
        json_decref(j);
        j = NULL;
        const char *open = strchr(text, '{'), *close = strrchr(text, '}');
        if (open && close && close > open)
            j = json_loadb(open, (size_t)(close - open + 1), 0, NULL);
    }
    const char *outcome = json_string_value(json_object_get(j, "outcome"));
    if (!json_is_object(j) || !outcome || (strcmp(outcome, "allow") != 0 && strcmp(outcome, "deny") != 0)) {
        /* Unparsable text gets the reference's words. */
        *why = xstrdup(!text                 ? "the reviewer gave no answer"
                       : !json_is_object(j) ? "guardian assessment was not valid JSON"
                                            : "the reviewer's answer was not a JSON verdict");
        json_decref(j);
        return false;
    }
    v->allow = strcmp(outcome, "allow") == 0;
    /* Left out, the risk follows the outcome, as the reference reads it. */
    v->risk = member(json_string_value(json_object_get(j, "risk_level")), risks);
    if (!v->risk)
        v->risk = v->allow ? "low" : "high";
    v->authorization = member(json_string_value(json_object_get(j, "user_authorization")), auths);
    if (!v->authorization)
        v->authorization = "unknown";
    const char *r = json_string_value(json_object_get(j, "rationale"));
    if (r && *r)
        v->rationale = xstrdup(r);
    else
        v->rationale = xstrdup(v->allow ? "The reviewer allowed the action."
                                        : "The reviewer denied the action without a reason.");
    json_decref(j);
    return true;
}

