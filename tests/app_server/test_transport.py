"""The stdio transport: framing, malformed input, oversize messages."""
import json
import subprocess

from appserver import CODEX_BIN


def test_malformed_lines_are_logged_and_skipped(server, tmp_path):
    server.send_raw(b"this is not json\n")
    server.send_raw(b"[1, 2]\n")
    server.send_raw(b'{"id": 1.5, "method": "fs/readFile"}\n')
    server.send_raw(b'{"id": 3, "method": "fs/readFile", "params": {}\n')  # truncated
    server.send_raw(b"\n\n")
    (tmp_path / "f").write_text("ok")
    r = server.call("fs/readFile", {"path": str(tmp_path / "f")})
    assert r["result"] == {"dataBase64": "b2s="}
    assert server.close() == 0
    assert server.pending == []
    assert server.stderr.count("ignoring malformed message") == 4, server.stderr


def test_crlf_and_split_writes(server, tmp_path):
    (tmp_path / "f").write_text("ok")
    line = json.dumps({"id": 5, "method": "fs/readFile", "params": {"path": str(tmp_path / "f")}})
    server.method_of_id["5"] = "fs/readFile"
    half = len(line) // 2
    server.send_raw(line[:half])
    server.send_raw(line[half:] + "\r\n")
    assert server.response(5)["result"] == {"dataBase64": "b2s="}


def test_oversize_message_drops_the_connection(start_server):
    s = start_server()
    s.initialize()
    # 64 MiB without a newline: the server must give up on the connection
    # rather than buffer without bound.
    chunk = b"x" * (1 << 20)
    try:
        for _ in range(65):
            s.send_raw(chunk)
    except BrokenPipeError:
        pass
    assert s.proc.wait(timeout=60) == 0
    assert "message exceeds the 64 MiB limit" in s.stderr


def test_last_line_without_newline_is_answered(tmp_path, server_env):
    (tmp_path / "f").write_text("ok")
    text = "\n".join([
        json.dumps({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "a", "version": "1"}}}),
        json.dumps({"id": 2, "method": "fs/readFile", "params": {"path": str(tmp_path / "f")}}),
    ])
    p = subprocess.run([str(CODEX_BIN), "app-server"], input=text, capture_output=True, text=True,
                       env=server_env, timeout=60)
    assert p.returncode == 0, p.stderr
    answers = [json.loads(l) for l in p.stdout.splitlines()]
    assert [a["id"] for a in answers] == [1, 2]
    assert answers[1]["result"] == {"dataBase64": "b2s="}


def test_stdin_from_a_file(tmp_path, server_env):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(
        json.dumps({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "a", "version": "1"}}}) + "\n"
        + json.dumps({"id": 2, "method": "fs/getMetadata", "params": {"path": str(tmp_path)}}) + "\n")
    with open(requests) as stdin, open(tmp_path / "out.jsonl", "w") as stdout:
        p = subprocess.run([str(CODEX_BIN), "app-server"], stdin=stdin, stdout=stdout,
                           stderr=subprocess.PIPE, env=server_env, timeout=60)
    assert p.returncode == 0, p.stderr
    answers = [json.loads(l) for l in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [a["id"] for a in answers] == [1, 2]
    assert answers[1]["result"]["isDirectory"] is True


def test_listen_websocket_is_not_supported_yet(run_codex):
    p = run_codex("app-server", "--listen", "ws://127.0.0.1:0")
    assert p.returncode == 2
    assert "not supported yet" in p.stderr


def test_listen_bad_url(run_codex):
    p = run_codex("app-server", "--listen", "foo://x")
    assert p.returncode == 2
    assert "unsupported --listen URL `foo://x`" in p.stderr
