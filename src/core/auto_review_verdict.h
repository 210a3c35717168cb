/* The reviewer's answer read as a verdict: strict JSON, or the JSON object
 * inside prose (formats drift); anything else is no verdict. */
#ifndef CODEX_CORE_AUTO_REVIEW_VERDICT_H
#define CODEX_CORE_AUTO_REVIEW_VERDICT_H

#include <stdbool.h>

struct review_verdict {
    bool allow;
    const char *risk;          /* "low" .. "critical"; defaults by outcome */
    const char *authorization; /* "unknown" .. "high" */
    char *rationale;           /* never NULL after a verdict (caller frees) */
};

/* True with *v filled in; false with *why (caller frees) when text (may be
 * NULL) holds no verdict. */
bool review_verdict_parse(const char *text, struct review_verdict *v, char **why);

#endif
