"""A line-oriented MCP client for driving `codex mcp-server` (ours or the
reference) in tests: requests, the notifications that arrive meanwhile,
and answers to the server's own requests."""
import json
import os
import queue
import subprocess
import threading


class McpServerProcess:
    def __init__(self, argv, env, cwd):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, cwd=cwd, text=True)
        self.lines = queue.Queue()
        self.pending = []  # messages read but not yet taken
        self._stderr = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()

    @staticmethod
    def _read(stream, q):
        for line in stream:
            q.put(line)
        q.put(None)

    def _drain(self):
        for line in self.proc.stderr:
            self._stderr.append(line)

    def stderr(self):
        return "".join(self._stderr)

    def send(self, msg):
        text = msg if isinstance(msg, str) else json.dumps(msg)
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def next(self, timeout=60):
        """The next message from the server; None at end of output."""
        if self.pending:
            return self.pending.pop(0)
        line = self.lines.get(timeout=timeout)
        return None if line is None else json.loads(line)

    def request(self, id, method, params=None, answer=None, timeout=60):
        """Send a request; returns (response, messages before it).  answer(msg)
        replies to the server's requests (elicitations) as they come."""
        msg = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.wait_for(id, answer, timeout)

    def wait_for(self, id, answer=None, timeout=60):
        seen = []
        while True:
            m = self.next(timeout)
            assert m is not None, f"the server ended before answering {id}: {self.stderr()}"
            if m.get("id") == id and "method" not in m:
                return m, seen
            seen.append(m)
            if "method" in m and "id" in m and answer:
                result = answer(m)
                if result is not None:
                    self.send({"jsonrpc": "2.0", "id": m["id"], "result": result})

    def close(self, timeout=30):
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def initialize(server, version="2025-06-18", name="pytest", client_version="1"):
    resp, _ = server.request(1, "initialize", {"protocolVersion": version, "capabilities": {},
                                               "clientInfo": {"name": name,
                                                              "version": client_version}})
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return resp


def events(messages):
    """The msg objects of codex/event notifications, in order."""
    return [m["params"]["msg"] for m in messages if m.get("method") == "codex/event"]


def without_descriptions(value):
    if isinstance(value, dict):
        return {k: without_descriptions(v) for k, v in value.items() if k != "description"}
    if isinstance(value, list):
        return [without_descriptions(v) for v in value]
    return value


def base_env(home, user_home):
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(user_home),
            "CODEX_HOME": str(home), "MOCK_API_KEY": "test-key", "LANG": "C.UTF-8", "TZ": "UTC",
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
