/* The control channel between codex and its proxy process: a
 * SOCK_SEQPACKET socket pair, one JSON object per message, descriptors
 * (the listeners of a command's namespace) passed alongside with
 * SCM_RIGHTS.
 *
 *   codex -> proxy  {"type":"config","config":{...}}       first, once
 *                   {"type":"attach","id":N,"http":b,"socks":b,"udp":b} + fds
 *                   {"type":"detach","id":N}
 *                   {"type":"answer","question":N,"answer":"allow_once",...,"reason":"..."}
 *   proxy -> codex  {"type":"ready","admin":"127.0.0.1:P","ca_cert":...,"ca_bundle":...}
 *                   {"type":"error","message":"..."}        instead of ready
 *                   {"type":"ask","question":N,"attachment":A,"host":H,"port":P,"protocol":...}
 *                   {"type":"withdrawn","question":N}
 *                   {"type":"blocked","attachment":A,"host":H,"port":P,"protocol":...,"reason":...}
 * The proxy exits when codex's end closes. */
#ifndef CODEX_NETPROXY_CHANNEL_H
#define CODEX_NETPROXY_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define NP_CHANNEL_MAX_MSG (256 * 1024)
#define NP_CHANNEL_MAX_FDS 8

/* Send msg (not consumed) with fds.  Returns 0, or -1 with errno. */
int np_channel_send(int sock, json_t *msg, const int *fds, size_t nfds);
/* Receive one message, waiting for it when wait is set.  Returns the
 * object (caller decrefs) with up to maxfds descriptors in fds
 * (close-on-exec; *nfds set), or NULL with *eof true when the peer closed,
 * or NULL with errno on failure (EAGAIN when nothing is waiting and wait is
 * false, EBADMSG for a message that is not a JSON object). */
json_t *np_channel_recv(int sock, bool wait, int *fds, size_t maxfds, size_t *nfds, bool *eof);

#endif
