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


def start_server(tmp_path, codex_home, repo, script, repeat_last=False):
    mock = MockServer(tmp_path, script, repeat_last)
    write_config(codex_home, mock.port)
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "k",
           "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}
    proc = subprocess.Popen([str(CODEX_BIN), "app-server", "--listen", "ws://127.0.0.1:0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, text=True, cwd=repo)
    banner = ""
    while "note:" not in banner:
        line = proc.stderr.readline()
        assert line, banner
        banner += line
    return proc, mock, int(re.search(r"ws://127\.0\.0\.1:(\d+)", banner).group(1))


def stop_server(proc, mock):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    stderr = proc.stderr.read()
    mock.stop()
    assert "Sanitizer" not in stderr and "runtime error" not in stderr, stderr


def test_every_subscriber_hears_the_turn(tmp_path, codex_home, repo):
    proc, mock, port = start_server(tmp_path, codex_home, repo,
                                    [[{"type": "message", "text": "hello"}]], True)
    try:
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
        stop_server(proc, mock)


def exec_turn(cmd):
    return [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
              "arguments": {"cmd": cmd, "login": False}}], [{"type": "message", "text": "done"}]]


def next_request(client, method):
    for i, m in enumerate(client.seen):
        if m.get("method") == method and "id" in m:
            return client.seen.pop(i)
    while True:
        m = client.read()
        if m.get("method") == method and "id" in m:
            return m
        client.seen.append(m)


def test_every_subscriber_is_asked_and_any_of_them_answers(tmp_path, codex_home, repo):
    # As 0.169: the approval request goes to every connection on the
    # thread with one id; one that resumes the thread while it is pending
    # gets it again after its answer; whichever answers settles it, and
    # all of them hear it resolved.
    script = [[{"type": "message", "text": "hello"}]] + exec_turn("touch first.txt") + \
        exec_turn("touch second.txt")
    proc, mock, port = start_server(tmp_path, codex_home, repo, script)
    try:
        owner, follower, late = Client(port), Client(port), Client(port)
        for c in (owner, follower, late):
            c.initialize()
        tid = owner.call("thread/start", {"cwd": str(repo), "approvalPolicy": "untrusted",
                                          "sandbox": "danger-full-access"})["result"]["thread"]["id"]
        owner.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "hi"}]})
        owner.wait_turn_completed(tid)
        assert "result" in follower.call("thread/resume", {"threadId": tid})

        owner.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "one"}]})
        asked = next_request(owner, "item/commandExecution/requestApproval")
        assert next_request(follower, "item/commandExecution/requestApproval") == asked
        follower.send({"id": asked["id"], "result": {"decision": "accept"}})
        for c in (owner, follower):
            assert c.wait_turn_completed(tid)["status"] == "completed"
            assert {"threadId": tid, "requestId": asked["id"]} in [
                m["params"] for m in c.seen if m.get("method") == "serverRequest/resolved"]
        assert (repo / "first.txt").exists()

        owner.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "two"}]})
        asked = next_request(owner, "item/commandExecution/requestApproval")
        r = late.call("thread/resume", {"threadId": tid})
        assert "result" in r, r
        assert next_request(late, "item/commandExecution/requestApproval") == asked
        assert not (repo / "second.txt").exists()
        late.send({"id": asked["id"], "result": {"decision": "accept"}})
        assert owner.wait_turn_completed(tid)["status"] == "completed"
        assert (repo / "second.txt").exists()
    finally:
        stop_server(proc, mock)
