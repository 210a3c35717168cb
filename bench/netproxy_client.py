"""The client side of bench/netproxy.sh, run inside a sandboxed command (or
directly, for the baseline).  Standard library only.

    netproxy_client.py latency N HOST PORT   median microseconds of N plain
                                              requests and of N CONNECT
                                              exchanges ("direct": no proxy)
    netproxy_client.py hold N HOST PORT FILE  open N CONNECT tunnels, make a
                                              request on each, keep them open
                                              until FILE exists
"""
import os
import socket
import statistics
import sys
import time


def proxy_addr():
    url = os.environ.get("HTTP_PROXY")
    if not url:
        return None
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    return host, int(port)


def read_response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head


def plain(proxy, host, port):
    t = time.perf_counter()
    s = socket.create_connection(proxy or (host, port))
    target = f"http://{host}:{port}/x" if proxy else "/x"
    s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
    head = read_response(s)
    s.close()
    assert head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"), head[:80]
    return (time.perf_counter() - t) * 1e6


def tunnel(proxy, host, port):
    s = socket.create_connection(proxy or (host, port))
    if proxy:
        s.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            assert chunk, "proxy closed"
            head += chunk
        assert head.startswith(b"HTTP/1.1 200"), head[:80]
    return s


def connect_exchange(proxy, host, port):
    t = time.perf_counter()
    s = tunnel(proxy, host, port)
    s.sendall(f"GET /y HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
    head = read_response(s)
    s.close()
    assert b" 200 " in head.split(b"\r\n")[0], head[:80]
    return (time.perf_counter() - t) * 1e6


def main():
    mode, n, host, port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    proxy = proxy_addr()
    if mode == "latency":
        for _ in range(20):  # warm up
            plain(proxy, host, port)
        a = [plain(proxy, host, port) for _ in range(n)]
        b = [connect_exchange(proxy, host, port) for _ in range(n)]
        print(f"{statistics.median(a):.0f} {statistics.median(b):.0f}")
    elif mode == "hold":
        socks = []
        for _ in range(n):
            s = tunnel(proxy, host, port)
            s.sendall(f"GET /z HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            read_response(s)
            socks.append(s)
        print("held", len(socks), flush=True)
        while not os.path.exists(sys.argv[5]):
            time.sleep(0.05)


if __name__ == "__main__":
    main()
