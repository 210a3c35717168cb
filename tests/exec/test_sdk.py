"""The TypeScript SDK (@openai/codex-sdk) drives our binary unchanged: a
thread with two turns against the mock.  Skipped when node or the SDK is
not available (set CODEX_SDK_DIR to the package directory, e.g.
node_modules/@openai/codex-sdk after `npm install @openai/codex-sdk`)."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest


CANDIDATES = [os.environ.get("CODEX_SDK_DIR", ""),
              "/var/tmp/codex-sdk/node_modules/@openai/codex-sdk"]
SDK = next((pathlib.Path(c) for c in CANDIDATES if c and (pathlib.Path(c) / "dist/index.js").exists()),
           None)

pytestmark = pytest.mark.skipif(shutil.which("node") is None or SDK is None,
                                reason="node or @openai/codex-sdk not available")

DRIVER = """
import { Codex } from "%(sdk)s";
const codex = new Codex({ codexPathOverride: %(bin)s, apiKey: "sdk-key", baseUrl: %(base)s,
                          env: %(env)s });
const thread = codex.startThread({ workingDirectory: %(repo)s, skipGitRepoCheck: true,
                                   sandboxMode: "danger-full-access" });
const first = await thread.run("first turn");
const second = await thread.run("second turn");
console.log(JSON.stringify({ id: thread.id, first: first.finalResponse,
                             second: second.finalResponse, items: first.items,
                             usage: second.usage }));
"""


def test_sdk_runs_a_two_turn_thread(tmp_path, codex_home, repo, mock_server):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "echo from-sdk", "login": False}}],
              [{"type": "message", "text": "first done"}],
              [{"type": "message", "text": "second done"}]]
    server = mock_server(script)
    bin_path = os.environ.get("CODEX_BIN")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "CODEX_HOME": str(codex_home), "ASAN_OPTIONS": "detect_leaks=1"}
    driver = tmp_path / "driver.mjs"
    driver.write_text(DRIVER % {"sdk": (SDK / "dist/index.js").as_posix(),
                                "bin": json.dumps(bin_path),
                                "base": json.dumps(f"http://127.0.0.1:{server.port}/v1"),
                                "env": json.dumps(env), "repo": json.dumps(str(repo))})
    r = subprocess.run(["node", str(driver)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["first"] == "first done" and out["second"] == "second done"
    cmd = [i for i in out["items"] if i["type"] == "command_execution"][0]
    assert cmd["aggregated_output"] == "from-sdk\n" and cmd["status"] == "completed"
    reqs = server.requests()
    assert len(reqs) == 3
    h = {k.lower(): v for k, v in reqs[0]["headers"].items()}
    assert h["originator"] == "codex_sdk_ts" and h["authorization"] == "Bearer sdk-key"
    # The second turn resumed the thread: same id, earlier history included.
    assert reqs[2]["body"]["prompt_cache_key"] == out["id"]
    texts = [c.get("text") for i in reqs[2]["body"]["input"] if i["type"] == "message"
             for c in i["content"]]
    assert "first turn" in texts and texts[-1] == "second turn"
