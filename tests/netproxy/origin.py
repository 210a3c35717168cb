"""Origin servers for the network proxy tests: plain HTTP, HTTPS (with a
certificate from the test CA) and HTTP on a Unix socket, all answering every
method with a JSON echo of the request.  Prints "ready" once listening.

    origin.py --http ADDR:PORT --https ADDR:PORT --cert C --key K --unix PATH
"""
import argparse
import http.server
import json
import os
import socket
import socketserver
import ssl
import sys
import threading


class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        out = json.dumps({
            "method": self.command,
            "path": self.path,
            "host": self.headers.get("host"),
            "body": body.decode("utf-8", "replace"),
            "tls": isinstance(self.connection, ssl.SSLSocket),
            "via": self.server.name,
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = answer


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        sock, _ = super().get_request()
        return sock, ("unix", 0)


def split(addr):
    host, port = addr.rsplit(":", 1)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--http")
    ap.add_argument("--https")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--unix")
    a = ap.parse_args()
    servers = []
    if a.http:
        s = Server(split(a.http), Echo)
        s.name = "http"
        servers.append(s)
    if a.https:
        s = Server(split(a.https), Echo)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        s.socket = ctx.wrap_socket(s.socket, server_side=True)
        s.name = "https"
        servers.append(s)
    if a.unix:
        if os.path.exists(a.unix):
            os.unlink(a.unix)
        s = UnixServer(a.unix, Echo)
        s.name = "unix"
        servers.append(s)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        for s in servers:
            s.shutdown()


if __name__ == "__main__":
    main()
