"""Our rollout for the reference's exec demo against the reference's own
(captures/exec_demo/rollout.jsonl): line types, payload types and key sets
match, values ignored, apart from the differences listed below on purpose."""
import json
import pathlib
import subprocess

import pytest

from exec_helpers import DATA

CAPTURE = pathlib.Path("/work/shared/reference/captures/exec_demo/rollout.jsonl")
PROMPT = "Run a shell command, create hello.txt, edit it, and keep a plan."

# Lines the reference writes that we do not: its hashed world-state snapshot
# and thread-settings echo are inputs of features we do not have (context
# diffing, settings sync); nothing reads them back on resume.
NOT_WRITTEN = {("world_state", None), ("event_msg", "thread_settings_applied")}
# Keys we leave out, per (line type, payload type).
KEYS_NOT_WRITTEN = {
    # account/login scoping and paginated history loading are not modelled:
    # we read the whole file back.
    ("session_meta", None): {"account_scoped", "history_mode"},
    # Per-item bookkeeping the model never sees (stripped again on resume).
    ("response_item", "*"): {"internal_chat_message_metadata_passthrough", "id"},
    # Collaboration modes, plugins, realtime, multi-agent, permission
    # profiles: features we do not have.
    ("turn_context", None): {"approvals_reviewer", "collaboration_mode", "comp_hash",
                             "disabled_plugin_ids", "file_system_sandbox_policy",
                             "multi_agent_version", "permission_profile", "realtime_active",
                             "root_turn_id", "summary"},
}
# Keys we add that the reference does not write.
KEYS_ADDED = {("turn_context", None): {"effort"}}
# item_completed items keep the app-server v2 shape (camelCase types such as
# agentMessage/commandExecution) rather than the reference's internal one;
# thread/read reads both.  Their inner keys are therefore not compared.


def line_kind(line):
    p = line.get("payload") or {}
    return (line["type"], p.get("type") if line["type"] in ("event_msg", "response_item") else None)


def skeleton(lines):
    out = {}
    for line in lines:
        kind = line_kind(line)
        if kind in NOT_WRITTEN:
            continue
        keys = set(line["payload"].keys())
        keys -= KEYS_NOT_WRITTEN.get(kind, set())
        keys -= KEYS_ADDED.get(kind, set())
        if kind[0] == "response_item":
            keys -= KEYS_NOT_WRITTEN[("response_item", "*")]
            if kind[1] == "message":  # assistant messages add phase/status
                kind = (kind[0], kind[1], line["payload"].get("role"))
        top = frozenset(line.keys())
        out.setdefault(kind, set()).add((top, frozenset(keys)))
    return out


@pytest.mark.skipif(not CAPTURE.exists(), reason="reference capture not available")
def test_demo_rollout_skeleton_matches_reference(exec_run, codex_home, repo):
    r, server, events = exec_run(DATA / "exec_demo.json", "--json", PROMPT,
                                 sandbox="workspace-write")
    assert r.returncode == 0, r.stderr
    files = sorted((codex_home / "sessions").rglob("rollout-*.jsonl"))
    assert len(files) == 1
    ours = [json.loads(l) for l in files[0].read_text().splitlines()]
    theirs = [json.loads(l) for l in CAPTURE.read_text().splitlines()]
    assert [l["ordinal"] for l in ours] == list(range(len(ours)))
    # Same order of first appearance of each line kind.
    def first_seen(lines):
        seen = []
        for l in lines:
            k = line_kind(l)
            if k not in NOT_WRITTEN and k not in seen:
                seen.append(k)
        return seen
    assert first_seen(ours) == first_seen(theirs)
    a, b = skeleton(ours), skeleton(theirs)
    assert a.keys() == b.keys()
    for kind in a:
        assert a[kind] == b[kind], kind
    # Metadata sequences count the history the way the reference does.
    seqs = [l["metadata"]["history_sequence"] for l in ours if l["type"] == "response_item"]
    assert seqs == list(range(1, len(seqs) + 1))
    assert ours[-1]["payload"]["type"] == "task_complete"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                          text=True).stdout.strip()
    branch = subprocess.run(["git", "branch", "--show-current"], cwd=repo,
                            capture_output=True, text=True).stdout.strip()
    assert ours[0]["payload"]["git"] == {"commit_hash": head, "branch": branch}
