"""hooks/list: every hook a directory's configuration defines, with the key
and hash a client records in [hooks.state] to trust it."""
import hashlib
import json


def canonical_hash(snake, command, matcher=None):
    canon = {"event_name": snake, "hooks": [{"type": "command", "command": command,
                                             "timeout": 600, "async": False}]}
    if matcher is not None:
        canon["matcher"] = matcher
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def hooks_doc():
    return {"hooks": {
        "SessionStart": [{"hooks": [{"type": "command", "command": "echo start"}]}],
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo pre"}]}],
        "Notification": [{"hooks": [{"type": "command", "command": "ignored"}]}],
    }}


def test_hooks_list_reports_keys_hashes_and_trust(start_server, codex_home, tmp_path):
    path = codex_home / "hooks.json"
    path.write_text(json.dumps(hooks_doc()))
    repo = tmp_path / "repo"
    repo.mkdir()
    s = start_server()
    s.initialize()
    r = s.call("hooks/list", {"cwds": [str(repo)]})["result"]
    [entry] = r["data"]
    assert entry["cwd"] == str(repo) and entry["errors"] == [] and entry["warnings"] == []
    pre, start = entry["hooks"]  # the reference's event order: PreToolUse first
    assert pre == {
        "key": f"{path}:pre_tool_use:0:0", "eventName": "preToolUse", "handlerType": "command",
        "command": "echo pre", "async": False, "matcher": "Bash", "timeoutSec": 600,
        "statusMessage": None, "additionalContextLimit": None, "sourcePath": str(path),
        "source": "user", "pluginId": None, "environmentId": None, "displayOrder": 0,
        "enabled": True, "isManaged": False,
        "currentHash": canonical_hash("pre_tool_use", "echo pre", "Bash"),
        "trustStatus": "untrusted"}
    assert start["key"] == f"{path}:session_start:0:0" and start["displayOrder"] == 1
    assert start["matcher"] is None
    assert start["currentHash"] == canonical_hash("session_start", "echo start")
    assert s.close() == 0

    # Trusting one, recording a stale hash for the other and disabling it.
    (codex_home / "config.toml").write_text(
        f'[hooks.state."{pre["key"]}"]\ntrusted_hash = "{pre["currentHash"]}"\n'
        f'[hooks.state."{start["key"]}"]\ntrusted_hash = "sha256:00"\nenabled = false\n')
    s = start_server()
    s.initialize()
    [entry] = s.call("hooks/list", {"cwds": [str(repo)]})["result"]["data"]
    pre, start = entry["hooks"]
    assert pre["trustStatus"] == "trusted" and pre["enabled"] is True
    assert start["trustStatus"] == "modified" and start["enabled"] is False
    assert s.close() == 0


def test_hooks_list_names_a_broken_file_and_refuses_relative_cwds(start_server, codex_home,
                                                                   tmp_path):
    (codex_home / "hooks.json").write_text('{"hooks": {"Stop": 5}}')
    s = start_server()
    s.initialize()
    [entry] = s.call("hooks/list", {})["result"]["data"]
    assert entry["hooks"] == []
    assert len(entry["warnings"]) == 1 and "hooks.Stop must be an array" in entry["warnings"][0]
    err = s.call("hooks/list", {"cwds": ["relative/dir"]})["error"]
    assert "relative/dir" in err["message"]
    assert s.close() == 0
