/* A NULL-terminated, growable vector of owned strings (usable as argv). */
#ifndef CODEX_UTIL_STRVEC_H
#define CODEX_UTIL_STRVEC_H

#include <stddef.h>

struct strvec {
    char **v; /* NULL-terminated once anything was pushed */
    size_t n;
    size_t cap;
};

#define STRVEC_INIT {NULL, 0, 0}

void strvec_push(struct strvec *sv, const char *s);
void strvec_push_owned(struct strvec *sv, char *s);
void strvec_free(struct strvec *sv);

#endif
