"""A resumed thread sends the model the history it sent before, byte for
byte: the stored items are reused as the rollout holds them when that text
is exactly what the serializer writes, and parsed and written anew when not
(spaces, \\u escapes, the reference's bookkeeping).  The mock keeps every
request body as it arrived (--raw-bodies), so the bytes are compared.  Also
the rollouts resume must survive: a torn last line, a 10 MB line, lines of
types it does not know."""
import json

from exec_helpers import MockServer, write_config

# Output with what a serializer has choices about: quotes, backslashes, a
# tab, an escape character, non-ASCII text, a slash; long enough (> 2 KB)
# to be kept as text only.
COMMAND = ("printf 'q\"uote back\\\\slash\\ttab \\033[1m caf\\303\\251 \\342\\202\\254 a/b\\n'; "
           "seq 1 600")


def script():
    return [[{"type": "function_call", "name": "exec_command", "call_id": "call_out",
              "arguments": {"cmd": COMMAND}}],
            [{"type": "message", "text": "first answer"}],
            [{"type": "message", "text": "second answer"}]]


def start(tmp_path, codex_home):
    raw = tmp_path / "raw"
    raw.mkdir()
    server = MockServer(tmp_path, script(), raw_bodies=raw)
    write_config(codex_home, server.port)
    return server, raw


def input_text(body):
    """The bytes of the request's input array, between its brackets."""
    start = body.index(b'"input":[') + len(b'"input":[')
    end = body.rindex(b'],"tools":')
    return body[start:end]


def rollout(codex_home):
    files = sorted((codex_home / "sessions").rglob("rollout-*.jsonl"))
    assert len(files) == 1
    return files[0]


def exec_args(*args):
    return ["exec", "--skip-git-repo-check", "-s", "danger-full-access", *args]


def first_session(run_codex, repo, raw):
    r = run_codex(*exec_args("first question"), input="", env={"MOCK_API_KEY": "k"}, cwd=repo)
    assert r.returncode == 0, r.stderr
    body = (raw / "1.json").read_bytes()
    json.loads(body)
    return input_text(body)


def resume(run_codex, repo, raw):
    r = run_codex(*exec_args("resume", "--last", "second question"), input="",
                  env={"MOCK_API_KEY": "k"}, cwd=repo)
    assert r.returncode == 0, r.stderr
    body = (raw / "2.json").read_bytes()
    parsed = json.loads(body)
    return r, input_text(body), parsed


def test_a_resumed_thread_sends_its_history_byte_for_byte(run_codex, codex_home, repo, tmp_path):
    server, raw = start(tmp_path, codex_home)
    try:
        before = first_session(run_codex, repo, raw)
        assert b"caf\xc3\xa9" in before and b"\\u001B[1m" in before and len(before) > 2048
        r, after, parsed = resume(run_codex, repo, raw)
    finally:
        server.stop()
    # Everything the last request of the first run carried comes first, as
    # the same bytes; then the answer it got and the new question.
    assert after.startswith(before + b","), (before[:200], after[:200])
    rest = json.loads(b"[" + after[len(before) + 1:] + b"]")
    assert rest[0]["role"] == "assistant" and rest[0]["content"][0]["text"] == "first answer"
    assert rest[-1]["content"][-1]["text"] == "second question"
    assert parsed["input"][-1]["role"] == "user"


def test_lines_written_another_way_are_sent_as_the_serializer_writes_them(
        run_codex, codex_home, repo, tmp_path):
    server, raw = start(tmp_path, codex_home)
    try:
        before = first_session(run_codex, repo, raw)
        # Rewrite every response item with spaces and \u escapes (as another
        # writer might), and give one the reference's internal bookkeeping:
        # the text cannot be reused, and what is sent must not change.
        f = rollout(codex_home)
        lines = []
        for line in f.read_text().splitlines():
            obj = json.loads(line)
            if obj["type"] == "response_item":
                if obj["payload"].get("type") == "function_call":
                    obj["payload"]["internal_chat_message_metadata_passthrough"] = {"x": 1}
                line = json.dumps(obj, ensure_ascii=True)
            lines.append(line)
        f.write_text("\n".join(lines) + "\n")
        r, after, _ = resume(run_codex, repo, raw)
    finally:
        server.stop()
    assert after.startswith(before + b","), (before[:200], after[:200])


def test_bad_lines_in_a_resumed_rollout(run_codex, codex_home, repo, tmp_path):
    server, raw = start(tmp_path, codex_home)
    try:
        before = first_session(run_codex, repo, raw)
        f = rollout(codex_home)
        big = "z" * (10 * 1024 * 1024)
        extra = [
            # a line type and a response item type nobody knows
            {"timestamp": "t", "type": "from_the_future", "payload": {"x": 1}},
            {"timestamp": "t", "type": "response_item",
             "payload": {"type": "future_item", "data": [1, 2, {"k": "v"}]}},
            # one 10 MB line, an item the model gets back whole
            {"timestamp": "t", "type": "response_item",
             "payload": {"type": "message", "role": "user",
                         "content": [{"type": "input_text", "text": big}]}},
        ]
        with open(f, "a") as fh:
            for e in extra:
                fh.write(json.dumps(e, separators=(",", ":")) + "\n")
            fh.write('{"timestamp":"t","type":"response_item","payload":{"type":"mess')  # torn
        size = f.stat().st_size
        r, after, parsed = resume(run_codex, repo, raw)
    finally:
        server.stop()
    assert "last line is incomplete" in r.stderr
    assert after.startswith(before + b",")
    kinds = [i.get("type") for i in parsed["input"]]
    assert "future_item" in kinds
    texts = [c.get("text") for i in parsed["input"] if i.get("type") == "message"
             for c in i["content"]]
    assert big in texts
    assert texts[-1] == "second question"
    # Resuming only appended.
    assert f.stat().st_size > size
