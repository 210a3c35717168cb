"""command/exec: buffered and streamed output, PTY, stdin, timeouts, kill."""
import os
import time

from appserver import b64, unb64

DANGER = {"type": "dangerFullAccess"}


def exec_params(command, **kw):
    return {"command": command, "sandboxPolicy": DANGER, **kw}


def streamed(server, process_id):
    out = {"stdout": b"", "stderr": b""}
    for n in server.notifications("command/exec/outputDelta"):
        assert n["params"]["processId"] == process_id
        out[n["params"]["stream"]] += unb64(n["params"]["deltaBase64"])
    return out


def test_streaming_output_comes_before_the_result(server):
    id = server.request("command/exec", exec_params(
        ["sh", "-c", "echo one; echo two >&2; sleep 0.1; echo three"],
        processId="p1", streamStdoutStderr=True))
    r = server.response(id)
    assert r["result"] == {"exitCode": 0, "stdout": "", "stderr": ""}
    out = streamed(server, "p1")
    assert out == {"stdout": b"one\nthree\n", "stderr": b"two\n"}


def test_streaming_cap_marks_the_last_chunk(server):
    r = server.call("command/exec", exec_params(["sh", "-c", "printf abcdef"], processId="c",
                                                 streamStdoutStderr=True, outputBytesCap=3))
    assert r["result"]["exitCode"] == 0
    deltas = server.notifications("command/exec/outputDelta")
    assert b"".join(unb64(d["params"]["deltaBase64"]) for d in deltas) == b"abc"
    assert deltas[-1]["params"]["capReached"] is True


def test_tty_with_size_and_stdin(server):
    id = server.request("command/exec", exec_params(
        ["sh", "-c", "tty >/dev/null && echo is-a-tty; stty size; read line; echo got:$line"],
        processId="t", tty=True, size={"rows": 30, "cols": 100}))
    w = server.call("command/exec/write", {"processId": "t", "deltaBase64": b64(b"hello\n")})
    assert w["result"] == {}
    r = server.response(id)
    assert r["result"]["exitCode"] == 0
    text = streamed(server, "t")["stdout"].replace(b"\r\n", b"\n")
    assert b"is-a-tty\n" in text and b"30 100\n" in text and b"got:hello\n" in text


def test_resize_a_pty(server):
    id = server.request("command/exec", exec_params(
        ["sh", "-c", "read x; stty size"], processId="r", tty=True))
    assert server.call("command/exec/resize",
                       {"processId": "r", "size": {"rows": 7, "cols": 33}})["result"] == {}
    server.call("command/exec/write", {"processId": "r", "deltaBase64": b64(b"go\n")})
    assert server.response(id)["result"]["exitCode"] == 0
    assert b"7 33" in streamed(server, "r")["stdout"]


def test_resize_without_pty(server):
    id = server.request("command/exec", exec_params(["sleep", "5"], processId="np"))
    r = server.call("command/exec/resize", {"processId": "np", "size": {"rows": 1, "cols": 1}})
    assert r["error"] == {"code": -32600,
                          "message": "failed to resize PTY: process is not attached to a PTY"}
    server.call("command/exec/terminate", {"processId": "np"})
    assert server.response(id)["result"]["exitCode"] == 137


def test_stdin_pipe_and_close(server):
    id = server.request("command/exec", exec_params(["cat"], processId="k", streamStdin=True))
    server.call("command/exec/write", {"processId": "k", "deltaBase64": b64(b"line\n")})
    server.call("command/exec/write", {"processId": "k", "closeStdin": True})
    assert server.response(id)["result"] == {"exitCode": 0, "stdout": "line\n", "stderr": ""}


def test_terminate_kills_the_whole_group(server, tmp_path):
    marker = tmp_path / "bg.pid"
    id = server.request("command/exec", exec_params(
        ["sh", "-c", f"sleep 60 & echo $! > {marker}; wait"], processId="g"))
    for _ in range(200):
        if marker.exists() and marker.read_text().strip():
            break
        time.sleep(0.02)
    bg = int(marker.read_text())
    assert server.call("command/exec/terminate", {"processId": "g"})["result"] == {}
    assert server.response(id)["result"]["exitCode"] == 137
    for _ in range(200):
        if not os.path.exists(f"/proc/{bg}") or "Z" in open(f"/proc/{bg}/stat").read().split()[2]:
            break
        time.sleep(0.02)
    else:
        raise AssertionError("background child survived terminate")


def test_duplicate_process_id_and_reused_request_id(server):
    id = server.request("command/exec", exec_params(["sleep", "5"], processId="d"), id=500)
    r = server.call("command/exec", exec_params(["true"], processId="d"))
    assert r["error"] == {"code": -32600, "message": 'duplicate active command/exec process id: "d"'}
    # Request id 500 is still in flight: a second request with it is refused.
    r = server.call("fs/getMetadata", {"path": "/"}, id=500)
    assert r["error"]["code"] == -32600 and "already in use" in r["error"]["message"]
    server.method_of_id["500"] = "command/exec"  # what the pending answer to 500 is for
    server.call("command/exec/terminate", {"processId": "d"})
    assert server.response(id)["result"]["exitCode"] == 137
    # Once answered, the id may be used again.
    assert "result" in server.call("fs/getMetadata", {"path": "/"}, id=500)


def test_sandboxed_policies_fail_closed(server, tmp_path):
    target = tmp_path / "must-not-exist"
    for policy in [None, {"type": "readOnly"}, {"type": "workspaceWrite"},
                   {"type": "externalSandbox"}]:
        params = {"command": ["touch", str(target)]}
        if policy:
            params["sandboxPolicy"] = policy
        r = server.call("command/exec", params)
        assert r["error"]["code"] == -32600, r
        assert "not supported yet" in r["error"]["message"]
    assert not target.exists()
    r = server.call("command/exec", {"command": ["true"], "sandboxPolicy": {"type": "bogus"}})
    assert "unknown variant `bogus`" in r["error"]["message"]


def test_closing_the_connection_kills_running_commands(start_server, tmp_path):
    s = start_server()
    s.initialize()
    marker = tmp_path / "pid"
    s.request("command/exec", exec_params(["sh", "-c", f"echo $$ > {marker}; exec sleep 60"],
                                          processId="x", disableTimeout=True))
    for _ in range(200):
        if marker.exists() and marker.read_text().strip():
            break
        time.sleep(0.02)
    pid = int(marker.read_text())
    assert s.close() == 0
    assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]


def test_opt_out_suppresses_exactly_the_named_notifications(start_server):
    s = start_server()
    s.initialize(capabilities={"optOutNotificationMethods": ["command/exec/outputDelta"]})
    r = s.call("command/exec", exec_params(["echo", "hi"], processId="o", streamStdoutStderr=True))
    assert r["result"]["exitCode"] == 0
    assert s.close() == 0
    assert s.notifications() == []

    s = start_server()
    s.initialize(capabilities={"optOutNotificationMethods": ["command/exec"]})
    s.call("command/exec", exec_params(["echo", "hi"], processId="o", streamStdoutStderr=True))
    assert s.close() == 0
    assert len(s.notifications("command/exec/outputDelta")) == 1
