"""Every SSE shape and failure the reference was probed with
(tests/exec/data/sse_variants/*.json, the reference harness's scripts)
behaves as the reference did: same exit status, number of requests, event
skeleton, failure message and tool outputs.  The expectations in
sse_variants_reference.json were recorded from the reference binary."""
import json
import re

import pytest

from exec_helpers import DATA
from exec_skeleton import exec_skeleton

REFERENCE = json.loads((DATA / "sse_variants_reference.json").read_text())
REPEATED = {"no_completed", "response_failed", "context_length", "http_500", "http_400",
            "incomplete", "deltas_only"}
RETRIES = "request_max_retries = 2\nstream_max_retries = 2\n"


def normalise_output(text):
    text = re.sub(r"Chunk ID: [0-9a-f]{6}", "Chunk ID: X", text)
    text = re.sub(r"Wall time: [0-9.]+ seconds", "Wall time: T seconds", text)
    return re.sub(r"update /\S+/repo/", "update REPO/", text)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_variant_matches_reference(exec_run, name):
    ref = REFERENCE[name]
    r, server, events = exec_run(DATA / "sse_variants" / f"{name}.json", "--json",
                                 f"variant {name}", repeat_last=name in REPEATED,
                                 provider=RETRIES, timeout=120)
    assert r.returncode == ref["rc"], r.stderr
    assert len(server.requests()) == ref["requests"]
    assert exec_skeleton(events) == ref["skeleton"]
    if ref["failure"] is not None:
        assert events[-1] == {"type": "turn.failed", "error": {"message": ref["failure"]}}
    assert [e["message"] for e in events if e["type"] == "error"] == ref["errors"]
    if ref["tool_outputs"]:
        last = server.requests()[-1]["body"]["input"]
        outputs = [i["output"] for i in last
                   if i["type"] in ("function_call_output", "custom_tool_call_output")]
        assert [normalise_output(o) for o in outputs] == \
            [normalise_output(o) for o in ref["tool_outputs"]]
