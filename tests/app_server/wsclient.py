"""A minimal RFC 6455 client for the tests (masked client frames)."""
import base64
import hashlib
import json
import os
import socket
import struct

from appserver import validate_message

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def http_request(port, head, timeout=30):
    """Send a raw request head; return (status line, headers text, leftover socket).
    port is a TCP port on 127.0.0.1, or the path of a Unix socket."""
    if isinstance(port, str):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        # A path longer than sun_path is a symlink to the real socket.
        s.connect(port if len(port.encode()) < 108 else os.path.realpath(port))
    else:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(head.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    head_text, _, rest = data.partition(b"\r\n\r\n")
    return head_text.decode(), rest, s


class WsClient:
    def __init__(self, port, token=None, extra_headers=""):
        key = base64.b64encode(os.urandom(16)).decode()
        head = (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        head += extra_headers + "\r\n"
        status, rest, self.sock = http_request(port, head)
        self.status = status.split("\r\n")[0]
        self.buf = rest
        self.method_of_id = {}
        self.next_id = 1
        if self.status.startswith("HTTP/1.1 101"):
            expected = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
            assert f"Sec-WebSocket-Accept: {expected}" in status, status

    def send_frame(self, opcode, payload, fin=True):
        if isinstance(payload, str):
            payload = payload.encode()
        header = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk

    def recv_frame(self):
        self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        assert not b1 & 0x80, "server frames must not be masked"
        n, pos = b1 & 0x7F, 2
        if n == 126:
            self._need(4)
            n, pos = struct.unpack(">H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10)
            n, pos = struct.unpack(">Q", self.buf[2:10])[0], 10
        self._need(pos + n)
        payload, self.buf = self.buf[pos:pos + n], self.buf[pos + n:]
        return b0 & 0x0F, payload

    def send(self, msg):
        if "id" in msg and "method" in msg:
            self.method_of_id[json.dumps(msg["id"])] = msg["method"]
        self.send_frame(1, json.dumps(msg))

    def read(self):
        while True:
            op, payload = self.recv_frame()
            if op == 1:
                msg = json.loads(payload)
                validate_message(msg, self.method_of_id)
                return msg
            if op == 8:
                raise EOFError(f"close frame {payload!r}")

    def call(self, method, params=None):
        id = self.next_id
        self.next_id += 1
        self.send({"id": id, "method": method, "params": {} if params is None else params})
        while True:
            m = self.read()
            if m.get("id") == id and "method" not in m:
                return m

    def initialize(self):
        r = self.call("initialize", {"clientInfo": {"name": "ws-test", "version": "1"}})
        assert "result" in r, r
        self.send({"method": "initialized"})
        m = self.read()
        assert m.get("method") == "remoteControl/status/changed", m
        return r["result"]

    def close(self):
        self.sock.close()
