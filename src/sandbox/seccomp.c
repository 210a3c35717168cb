/* The seccomp program every sandboxed command runs under.  It is compiled
 * once in the parent with libseccomp and exported as raw BPF: bubblewrap
 * loads it from an fd (--seccomp), the Landlock pipeline installs it with
 * one prctl in the child, so neither path re-executes a helper. */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "util/xalloc.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static int deny(scmp_filter_ctx ctx, const char *name)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return 0; /* not on this architecture */
    return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
}

/* Denied in every restricted mode: reaching into other processes (or
 * taking their descriptors), io_uring (it performs socket and file
 * operations without the syscalls below), changing the mount table, and
 * entering other namespaces. */
static const char *const always_denied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "mount", "umount2", "pivot_root", "open_tree", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "setns",
    NULL,
};

/* Denied with the network off, for every socket family: a Unix stream
 * socket may still be created (socketpair plumbing keeps working) but can
 * neither connect nor bind, so docker.sock and abstract sockets are out of
 * reach.  recvfrom and sendmsg stay allowed for socketpair traffic; Unix
 * datagram sockets are refused because sendmsg with an address would reach
 * named sockets such as /dev/log. */
static const char *const network_denied[] = {
    "connect", "bind", "listen", "accept", "accept4", "getpeername", "getsockname",
    "shutdown", "sendto", "sendmmsg", "recvmmsg", "getsockopt", "setsockopt",
    NULL,
};

#ifndef AF_MAX_KNOWN
#define AF_MAX_KNOWN 64
#endif

/* Proxy-only egress: the command's namespace holds nothing but loopback
 * and the proxy's listeners, so TCP and UDP sockets may be used freely
 * there.  Unix sockets may not (a named one lives in the filesystem, not
 * the namespace: /var/run/docker.sock would be one connect() away);
 * socketpair() still works.  Netlink is limited to NETLINK_ROUTE (getaddrinfo
 * asks it about interfaces), and every other family is refused. */
static int build_proxy(scmp_filter_ctx ctx)
{
    int nr = seccomp_syscall_resolve_name("socket");
    int rc = 0;
    for (int family = 0; family < AF_MAX_KNOWN && rc == 0; family++) {
        if (family == AF_INET || family == AF_INET6 || family == AF_NETLINK)
            continue;
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)family));
    }
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_A0(SCMP_CMP_GE, AF_MAX_KNOWN));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 2, SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
                              SCMP_A2(SCMP_CMP_NE, 0 /* NETLINK_ROUTE */));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), seccomp_syscall_resolve_name("socketpair"), 1,
                              SCMP_A0(SCMP_CMP_NE, AF_UNIX));
    return rc;
}

static int build(scmp_filter_ctx ctx, const struct sandbox_policy *p)
{
    int rc = 0;
    for (const char *const *n = always_denied; *n && rc == 0; n++)
        rc = deny(ctx, *n);
    if (rc)
        return rc;
    if (p->netns)
        return build_proxy(ctx);
    if (!p->network_access) {
        for (const char *const *n = network_denied; *n && rc == 0; n++)
            rc = deny(ctx, *n);
        if (rc)
            return rc;
        const char *sock_calls[] = {"socket", "socketpair"};
        for (int i = 0; i < 2; i++) {
            int nr = seccomp_syscall_resolve_name(sock_calls[i]);
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
            if (rc == 0)
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
                                      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM));
            if (rc)
                return rc;
        }
    } else {
        /* VM sockets reach the host (and WSL's interop) around any namespace. */
        const char *sock_calls[] = {"socket", "socketpair"};
        for (int i = 0; i < 2; i++) {
            int nr = seccomp_syscall_resolve_name(sock_calls[i]);
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_A0(SCMP_CMP_EQ, AF_VSOCK));
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int compile_uncached(const struct sandbox_policy *p, void **bpf, size_t *len, char *err,
                            size_t errlen)
{
    *bpf = NULL;
    *len = 0;
    /* Syscalls of a foreign ABI (i386 via int 0x80) kill the process: the
     * rules are written for the native one only. */
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        snprintf(err, errlen, "seccomp: cannot initialise a filter");
        return -1;
    }
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc == 0)
        rc = build(ctx, p);
    int fd = -1;
    if (rc == 0) {
        fd = memfd_create("codex-seccomp", MFD_CLOEXEC);
        if (fd < 0)
            rc = -errno;
    }
    if (rc == 0)
        rc = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    if (rc != 0) {
        if (fd >= 0)
            close(fd);
        snprintf(err, errlen, "seccomp: cannot build the filter: %s", strerror(-rc));
        return -1;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % 8 != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        snprintf(err, errlen, "seccomp: exported filter has an unexpected size");
        return -1;
    }
    char *data = xmalloc((size_t)size);
    ssize_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, data + got, (size_t)(size - got));
        if (r <= 0) {
            close(fd);
            free(data);
            snprintf(err, errlen, "seccomp: cannot read the exported filter");
            return -1;
        }
        got += r;
    }
    close(fd);
    *bpf = data;
    *len = (size_t)size / 8;
    return 0;
}

/* A sealed, read-only memfd holding the program, for bwrap --seccomp. */
int sandbox_seccomp_memfd(const void *bpf, size_t len)
{
    int fd = memfd_create("codex-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    const char *p = bpf;
    size_t left = len * 8;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The program depends only on the network: none, full, or proxy-only.
 * Compile each variant once per process. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static void *cached_bpf[3];
static size_t cached_len[3];

int sandbox_seccomp_compile(const struct sandbox_policy *p, void **bpf, size_t *len, char *err,
                            size_t errlen)
{
    int slot = p->netns ? 2 : p->network_access ? 1 : 0;
    pthread_mutex_lock(&cache_lock);
    if (!cached_bpf[slot] && compile_uncached(p, &cached_bpf[slot], &cached_len[slot], err, errlen) != 0) {
        pthread_mutex_unlock(&cache_lock);
        return -1;
    }
    *len = cached_len[slot];
    *bpf = xmalloc(*len * 8);
    memcpy(*bpf, cached_bpf[slot], *len * 8);
    pthread_mutex_unlock(&cache_lock);
    return 0;
}
