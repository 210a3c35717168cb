"""A session written by the reference CLI (captures/exec_demo/rollout.jsonl)
resumes under ours: the next request carries the stored history, without the
reference's internal bookkeeping fields, and the file keeps growing."""
import json
import pathlib
import shutil

import pytest

from exec_helpers import write_config

CAPTURE = pathlib.Path("/work/shared/reference/captures/exec_demo/rollout.jsonl")
THREAD = "01a202a5-7aeb-76e3-88fe-e59a297f2a84"


@pytest.mark.skipif(not CAPTURE.exists(), reason="reference capture not available")
def test_resume_a_reference_rollout(run_codex, codex_home, repo, mock_server):
    day = codex_home / "sessions" / "2026" / "11" / "22"
    day.mkdir(parents=True)
    stored = day / f"rollout-2026-11-22T09-45-29-{THREAD}.jsonl"
    shutil.copy(CAPTURE, stored)
    before = len(stored.read_text().splitlines())
    server = mock_server([[{"type": "message", "text": "continued"}]])
    write_config(codex_home, server.port)
    r = run_codex("exec", "--skip-git-repo-check", "-s", "danger-full-access", "--json",
                  "resume", THREAD, "one more thing", input="",
                  env={"MOCK_API_KEY": "k"}, cwd=repo)
    assert r.returncode == 0, r.stderr
    events = [json.loads(l) for l in r.stdout.splitlines()]
    assert events[0] == {"type": "thread.started", "thread_id": THREAD}
    body = server.requests()[0]["body"]
    items = body["input"]
    calls = [i["call_id"] for i in items if i["type"] in ("function_call", "custom_tool_call")]
    assert "call_plan_1" in calls and "call_patch_1" in calls
    outputs = {i["call_id"] for i in items if i["type"].endswith("_call_output")}
    assert set(calls) <= outputs
    said = [c["text"] for i in items if i["type"] == "message" and i["role"] == "assistant"
            for c in i["content"]]
    assert any(t.startswith("All done") for t in said)
    last = items[-1]
    assert last["role"] == "user" and last["content"][0]["text"] == "one more thing"
    assert not any("internal_chat_message_metadata_passthrough" in i for i in items)
    lines = [json.loads(l) for l in stored.read_text().splitlines()]
    assert len(lines) > before
    assert [l["ordinal"] for l in lines] == list(range(len(lines)))
