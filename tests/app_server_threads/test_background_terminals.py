"""thread/backgroundTerminals/clean (the TUI's /stop): the processes
exec_command left running after their turn are killed; the method is
experimental, as the reference's is."""
import pathlib
import time

from test_threads import run_turn, start_thread, turn_completed

MARKER = "3000.9137"  # `sleep MARKER` finds the process: the sandbox hides its pid


def sleepers():
    found = []
    for d in pathlib.Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            argv = (d / "cmdline").read_bytes().split(b"\0")
            state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if argv[:2] == [b"sleep", MARKER.encode()] and state != "Z":
            found.append(int(d.name))
    return found


def wait_until(pred, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


SCRIPT = [
    [{"type": "function_call", "name": "exec_command", "call_id": "bg",
      "arguments": {"cmd": f"exec sleep {MARKER}", "login": False, "yield_time_ms": 300}}],
    [{"type": "message", "text": "left it running"}],
]


def test_clean_kills_what_the_turn_left_running(threads_server, repo):
    server, _ = threads_server(SCRIPT, capabilities={"experimentalApi": True})
    thread = start_thread(server, cwd=str(repo))
    run_turn(server, thread["id"], "start a server")
    assert turn_completed(server, thread["id"])["status"] == "completed"
    try:
        assert wait_until(lambda: sleepers()), "the background terminal should outlive its turn"
        r = server.call("thread/backgroundTerminals/clean", {"threadId": thread["id"]})
        assert r["result"] == {}
        assert wait_until(lambda: not sleepers())
        # Nothing left: cleaning again is fine.
        assert server.call("thread/backgroundTerminals/clean",
                           {"threadId": thread["id"]})["result"] == {}
    finally:
        import os
        import signal
        for pid in sleepers():
            os.kill(pid, signal.SIGKILL)


def test_clean_needs_the_experimental_capability_and_a_thread(threads_server, repo):
    server, _ = threads_server([[{"type": "message", "text": "hi"}]])
    thread = start_thread(server, cwd=str(repo))
    r = server.call("thread/backgroundTerminals/clean", {"threadId": thread["id"]})
    assert r["error"]["message"] == \
        "thread/backgroundTerminals/clean requires experimentalApi capability"


def test_clean_of_an_unknown_thread(threads_server):
    server, _ = threads_server([], capabilities={"experimentalApi": True})
    r = server.call("thread/backgroundTerminals/clean",
                    {"threadId": "00000000-0000-0000-0000-000000000000"})
    assert "error" in r
    r = server.call("thread/backgroundTerminals/clean", {})
    assert "error" in r and "threadId" in r["error"]["message"]
