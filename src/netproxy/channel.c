/* Framing for the control channel (see channel.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netproxy/channel.h"

int np_channel_send(int sock, json_t *msg, const int *fds, size_t nfds)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    size_t len = strlen(text);
    if (len > NP_CHANNEL_MAX_MSG || nfds > NP_CHANNEL_MAX_FDS) {
        free(text);
        errno = EMSGSIZE;
        return -1;
    }
    struct iovec iov = {text, len};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    union {
        char buf[CMSG_SPACE(sizeof(int) * NP_CHANNEL_MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    if (nfds > 0) {
        memset(&ctl, 0, sizeof ctl);
        mh.msg_control = ctl.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    free(text);
    errno = saved;
    return n == (ssize_t)len ? 0 : -1;
}

json_t *np_channel_recv(int sock, bool wait, int *fds, size_t maxfds, size_t *nfds, bool *eof)
{
    *nfds = 0;
    *eof = false;
    char *buf = malloc(NP_CHANNEL_MAX_MSG + 1);
    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    struct iovec iov = {buf, NP_CHANNEL_MAX_MSG};
    union {
        char buf[CMSG_SPACE(sizeof(int) * NP_CHANNEL_MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.buf;
    mh.msg_controllen = sizeof ctl.buf;
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        int saved = errno;
        free(buf);
        if (n == 0)
            *eof = true;
        errno = saved;
        return NULL;
    }
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int got[NP_CHANNEL_MAX_FDS];
        memcpy(got, CMSG_DATA(cm), count * sizeof(int));
        for (size_t i = 0; i < count; i++) {
            if (*nfds < maxfds)
                fds[(*nfds)++] = got[i];
            else
                close(got[i]);
        }
    }
    json_error_t jerr;
    json_t *msg = (mh.msg_flags & MSG_TRUNC) ? NULL : json_loadb(buf, (size_t)n, 0, &jerr);
    free(buf);
    if (!json_is_object(msg)) {
        json_decref(msg);
        for (size_t i = 0; i < *nfds; i++)
            close(fds[i]);
        *nfds = 0;
        errno = EBADMSG;
        return NULL;
    }
    return msg;
}
