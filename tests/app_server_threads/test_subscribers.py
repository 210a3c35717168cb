"""Several connections on one thread (WebSocket transport): every
connection that resumed the loaded thread or started a turn on it hears the
turn's notifications; one that unsubscribed or left hears nothing more, and
the thread keeps working for the others."""
import os
import re
import signal
import subprocess
import sys
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app_server"))

from appserver import CODEX_BIN  # noqa: E402
from exec_helpers import MockServer, write_config  # noqa: E402
from wsclient import WsClient  # noqa: E402


class Client(WsClient):
    """A WsClient that keeps the notifications it reads past."""

    def __init__(self, port):
        super().__init__(port)
        self.seen = []

    def call(self, method, params=None):
        id = self.next_id
        self.next_id += 1
        self.send({"id": id, "method": method, "params": {} if params is None else params})
        while True:
            m = self.read()
            if m.get("id") == id and "method" not in m:
                return m
            self.seen.append(m)

    def wait_turn_completed(self, thread_id):
        for i, m in enumerate(self.seen):
            if m.get("method") == "turn/completed" and m["params"]["threadId"] == thread_id:
                return self.seen.pop(i)["params"]["turn"]
        while True:
            m = self.read()
            if m.get("method") == "turn/completed" and m["params"]["threadId"] == thread_id:
                return m["params"]["turn"]
            self.seen.append(m)


def test_every_subscriber_hears_the_turn(tmp_path, codex_home, repo):
    mock = MockServer(tmp_path, [[{"type": "message", "text": "hello"}]], True)
    write_config(codex_home, mock.port)
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "k",
           "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}
    proc = subprocess.Popen([str(CODEX_BIN), "app-server", "--listen", "ws://127.0.0.1:0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, text=True, cwd=repo)
    try:
        banner = ""
        while "note:" not in banner:
            line = proc.stderr.readline()
            assert line, banner
            banner += line
        port = int(re.search(r"ws://127\.0\.0\.1:(\d+)", banner).group(1))
        owner, follower, starter = Client(port), Client(port), Client(port)
        for c in (owner, follower, starter):
            c.initialize()
        r = owner.call("thread/start", {"cwd": str(repo), "approvalPolicy": "never",
                                        "sandbox": "danger-full-access"})
        tid = r["result"]["thread"]["id"]
        r = follower.call("thread/resume", {"threadId": tid})
        assert r["result"]["thread"]["id"] == tid

        def turn(client, text):
            r = client.call("turn/start", {"threadId": tid,
                                           "input": [{"type": "text", "text": text}]})
            assert "result" in r, r
            return r["result"]["turn"]["id"]

        first = turn(owner, "one")
        assert owner.wait_turn_completed(tid)["id"] == first
        assert follower.wait_turn_completed(tid)["id"] == first

        # A third connection starting a turn follows the thread from then on.
        second = turn(starter, "two")
        for c in (starter, owner, follower):
            assert c.wait_turn_completed(tid)["id"] == second

        r = follower.call("thread/unsubscribe", {"threadId": tid})
        assert r["result"] == {"status": "unsubscribed"}
        starter.close()
        third = turn(owner, "three")
        assert owner.wait_turn_completed(tid)["id"] == third
        # Messages to one connection keep their order: anything about the
        # third turn would have come before this answer.
        follower.call("thread/loaded/list", {})
        assert not [m for m in follower.seen
                    if m.get("params", {}).get("turn", {}).get("id") == third]
        assert follower.call("thread/unsubscribe", {"threadId": tid})["result"] == {
            "status": "notSubscribed"}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        stderr = proc.stderr.read()
        mock.stop()
    assert "Sanitizer" not in stderr and "runtime error" not in stderr, stderr
