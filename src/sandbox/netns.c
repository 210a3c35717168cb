/* Proxy-only egress: a network namespace for one command, holding nothing
 * but an up loopback interface and the listening sockets of the proxy's
 * entry points.  The sockets are bound inside the namespace and handed to
 * the caller, who passes them to the proxy process over its control
 * channel; the proxy accepts on them from its own namespace.  The command
 * then joins the namespace (sandbox_child_setup), where connect() can reach
 * only those listeners: every other address is unreachable, and nothing
 * runs in there that could forward a byte elsewhere.
 *
 * The namespace is made by a short-lived child (unshare needs a single-
 * threaded process) that sends back the listeners and a descriptor of the
 * namespace.  With CAP_SYS_ADMIN it is a plain network namespace;
 * otherwise a user namespace mapping our own uid owns it, which the
 * command joins first. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "util/error.h"

#define FD_NETNS 0
#define FD_USERNS 1
#define FD_HTTP 2
#define FD_SOCKS 3
#define FD_UDP 4
#define FD_COUNT 5

/* Each step of the child, for the error message. */
static const char *const steps[] = {
    "ok",
    "unshare(CLONE_NEWNET)",
    "writing the user namespace's id maps",
    "bringing the loopback interface up",
    "binding a listener on 127.0.0.1",
    "opening the namespace",
    "sending the listeners",
};

static int bring_lo_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
    return rc;
}

static int bound_socket(int type)
{
    int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct sockaddr_in in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&in, sizeof in) != 0 || (type == SOCK_STREAM && listen(s, 128) != 0)) {
        close(s);
        return -1;
    }
    return s;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* In the child: only async-signal-safe calls (the strings were made before
 * fork).  Returns the index of the failed step, or 0. */
static int child_make(int sock, bool userns, const char *uid_map, const char *gid_map, bool socks, bool udp)
{
    if (unshare(CLONE_NEWNET | (userns ? CLONE_NEWUSER : 0)) != 0)
        return 1;
    if (userns && (write_file("/proc/self/setgroups", "deny") != 0 || write_file("/proc/self/uid_map", uid_map) != 0 ||
                   write_file("/proc/self/gid_map", gid_map) != 0))
        return 2;
    if (bring_lo_up() != 0)
        return 3;
    int fds[FD_COUNT];
    for (int i = 0; i < FD_COUNT; i++)
        fds[i] = -1;
    fds[FD_HTTP] = bound_socket(SOCK_STREAM);
    if (socks)
        fds[FD_SOCKS] = bound_socket(SOCK_STREAM);
    if (udp)
        fds[FD_UDP] = bound_socket(SOCK_DGRAM);
    if (fds[FD_HTTP] < 0 || (socks && fds[FD_SOCKS] < 0) || (udp && fds[FD_UDP] < 0))
        return 4;
    fds[FD_NETNS] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (userns)
        fds[FD_USERNS] = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (fds[FD_NETNS] < 0 || (userns && fds[FD_USERNS] < 0))
        return 5;
    /* Which slots are filled: one byte each. */
    char present[FD_COUNT];
    int send_fds[FD_COUNT], n = 0;
    for (int i = 0; i < FD_COUNT; i++) {
        present[i] = fds[i] >= 0;
        if (fds[i] >= 0)
            send_fds[n++] = fds[i];
    }
    struct iovec iov = {present, sizeof present};
    union {
        char buf[CMSG_SPACE(sizeof(int) * FD_COUNT)];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.buf;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
    memcpy(CMSG_DATA(cm), send_fds, sizeof(int) * (size_t)n);
    if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof present)
        return 6;
    return 0;
}

static bool have_sys_admin(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) != 0)
        return false;
    return (data[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
}

static uint16_t port_of(int fd)
{
    struct sockaddr_in in;
    socklen_t len = sizeof in;
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&in, &len) != 0)
        return 0;
    return ntohs(in.sin_port);
}

int sandbox_netns_create(bool socks, bool udp, struct sandbox_netns *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    out->netns_fd = out->userns_fd = out->http_fd = out->socks_fd = out->udp_fd = -1;
    /* A plain network namespace needs CAP_SYS_ADMIN; without it (not root,
     * or root with the capability dropped) a user namespace of our own owns
     * the new one. */
    bool userns = !have_sys_admin();
    char uid_map[64], gid_map[64];
    snprintf(uid_map, sizeof uid_map, "%u %u 1\n", (unsigned)getuid(), (unsigned)getuid());
    snprintf(gid_map, sizeof gid_map, "%u %u 1\n", (unsigned)getgid(), (unsigned)getgid());
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        codex_error_set_os(err, errno, "cannot create the command's network namespace: socketpair");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        codex_error_set_os(err, errno, "cannot create the command's network namespace: fork");
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        int step = child_make(sv[1], userns, uid_map, gid_map, socks, udp);
        if (step != 0) {
            int e = errno;
            char msg[2] = {(char)step, (char)(e > 127 ? 127 : e)};
            if (write(sv[1], msg, 2) < 0) {
            }
        }
        _exit(step);
    }
    close(sv[1]);
    char present[FD_COUNT];
    struct iovec iov = {present, sizeof present};
    union {
        char buf[CMSG_SPACE(sizeof(int) * FD_COUNT)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.buf;
    mh.msg_controllen = sizeof ctl.buf;
    ssize_t got;
    do
        got = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
    while (got < 0 && errno == EINTR);
    int saved = errno;
    close(sv[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int fds[FD_COUNT], n = 0;
    struct cmsghdr *cm = got > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
        n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        memcpy(fds, CMSG_DATA(cm), sizeof(int) * (size_t)n);
    }
    if (got != (ssize_t)sizeof present) {
        for (int i = 0; i < n; i++)
            close(fds[i]);
        int step = got == 2 ? present[0] : 0;
        int e = got == 2 ? present[1] : saved;
        if (step > 0 && step < (int)(sizeof steps / sizeof steps[0]))
            codex_error_set(err,
                            "cannot create the command's network namespace (%s: %s); proxy-only network needs "
                            "network namespaces%s, so the command was not run",
                            steps[step], strerror(e), userns ? " and unprivileged user namespaces" : "");
        else
            codex_error_set(err, "cannot create the command's network namespace (the helper %s); the command was "
                                 "not run",
                            WIFSIGNALED(status) ? "was killed" : "failed");
        return -1;
    }
    int *slots[FD_COUNT] = {&out->netns_fd, &out->userns_fd, &out->http_fd, &out->socks_fd, &out->udp_fd};
    int k = 0;
    for (int i = 0; i < FD_COUNT; i++)
        if (present[i] && k < n)
            *slots[i] = fds[k++];
    out->http_port = port_of(out->http_fd);
    out->socks_port = port_of(out->socks_fd);
    out->udp_port = port_of(out->udp_fd);
    if (out->netns_fd < 0 || out->http_fd < 0 || (userns && out->userns_fd < 0)) {
        sandbox_netns_free(out);
        codex_error_set(err, "cannot create the command's network namespace (descriptors missing)");
        return -1;
    }
    return 0;
}

void sandbox_netns_close_listeners(struct sandbox_netns *n)
{
    int *fds[] = {&n->http_fd, &n->socks_fd, &n->udp_fd};
    for (size_t i = 0; i < 3; i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
}

void sandbox_netns_free(struct sandbox_netns *n)
{
    sandbox_netns_close_listeners(n);
    if (n->netns_fd >= 0)
        close(n->netns_fd);
    if (n->userns_fd >= 0)
        close(n->userns_fd);
    n->netns_fd = n->userns_fd = -1;
}
