"""thread/read and thread/resume on a rollout written by the reference CLI
(captures/exec_demo/rollout.jsonl): its internal item shapes come back as v2
ThreadItems, valid against the protocol schema, and a resumed turn sends the
stored history to the model."""
import json
import pathlib
import shutil

import jsonschema
import pytest

from test_threads import run_turn, turn_completed

CAPTURE = pathlib.Path("/work/shared/reference/captures/exec_demo/rollout.jsonl")
THREAD = "01a202a5-7aeb-76e3-88fe-e59a297f2a84"


def install(codex_home):
    day = codex_home / "sessions" / "2026" / "11" / "22"
    day.mkdir(parents=True)
    shutil.copy(CAPTURE, day / f"rollout-2026-11-22T09-45-29-{THREAD}.jsonl")


@pytest.mark.skipif(not CAPTURE.exists(), reason="reference capture not available")
def test_read_and_resume_a_reference_rollout(threads_server, codex_home, protocol_schema):
    install(codex_home)
    server, mock = threads_server([[{"type": "message", "text": "resumed"}]])
    r = server.call("thread/read", {"threadId": THREAD, "includeTurns": True})
    thread = r["result"]["thread"]
    assert thread["preview"].startswith("Run a shell command, create hello.txt")
    [turn] = thread["turns"]
    assert turn["status"] == "completed"
    items = turn["items"]
    kinds = [i["type"] for i in items]
    assert kinds[0] == "userMessage" and kinds[-1] == "agentMessage"
    assert kinds.count("commandExecution") == 2 and kinds.count("fileChange") == 2
    assert "reasoning" in kinds
    defs = protocol_schema.get("definitions") or protocol_schema["$defs"]
    for item in items:
        jsonschema.validate(item, {"$ref": "#/definitions/ThreadItem", "definitions": defs})
    cmds = {i["command"]: i for i in items if i["type"] == "commandExecution"}
    first = cmds["/bin/bash -lc 'echo shell-was-here > shell_marker.txt && ls -1 && cat README.md'"]
    assert first["exitCode"] == 0 and first["aggregatedOutput"] == "README.md\nshell_marker.txt\nhi\n"
    assert first["cwd"] == "/tmp/peerwork/demo/repo"
    patch = [i for i in items if i["type"] == "fileChange"][1]
    assert patch["changes"][0]["kind"]["type"] == "update"
    assert "+line 2 (edited)" in patch["changes"][0]["diff"]
    assert items[-1]["text"].startswith("All done")

    r = server.call("thread/resume", {"threadId": THREAD})
    assert r["result"]["thread"]["id"] == THREAD
    run_turn(server, THREAD, "and now?")
    turn_completed(server, THREAD)
    sent = mock.requests()[-1]["body"]["input"]
    calls = {i["call_id"] for i in sent if i["type"] in ("function_call", "custom_tool_call")}
    assert {"call_plan_1", "call_shell_1", "call_patch_2"} <= calls
    assert not any("internal_chat_message_metadata_passthrough" in i for i in sent)
    assert "and now?" in json.dumps(sent[-1])
