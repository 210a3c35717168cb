"""`codex exec` with a permission profile behind the proxy: the agent's
commands run in their own namespaces through one proxy per session."""
import json
import pathlib
import subprocess
import sys

from np_support import CODEX_BIN, HTTP_PORT, curl_code, needs_netns, profile, test_ca, world  # noqa: F401

pytestmark = needs_netns

MOCK = pathlib.Path(__file__).resolve().parent.parent / "mock" / "responses_mock.py"


def run_exec(world, script, config):
    path = world.base / "script.json"
    path.write_text(json.dumps(script))
    log = world.base / "requests.jsonl"
    mock = subprocess.Popen(["ip", "netns", "exec", world.ns, sys.executable, str(MOCK), str(path), str(log)],
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(mock.stdout.readline().split()[1])
        world.config(f'model = "gpt-5.5"\nmodel_provider = "mock"\napproval_policy = "never"\n' + config +
                     f'\n[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
                     'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n')
        r = world.in_ns([str(CODEX_BIN), "exec", "--json", "--skip-git-repo-check", "go"],
                        env={"MOCK_API_KEY": "x"}, timeout=120)
        requests = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        return r, requests
    finally:
        mock.kill()
        mock.wait()


def outputs(requests):
    found = []
    for req in requests:
        for item in req["body"].get("input", []):
            if item.get("type") == "function_call_output":
                found.append(item["output"])
    return found


def test_exec_commands_go_through_the_proxy(world):
    cmd = "; ".join([curl_code(f"http://allowed.test:{HTTP_PORT}/"), curl_code(f"http://other.test:{HTTP_PORT}/"),
                     "echo proxy=$CODEX_NETWORK_PROXY_ACTIVE"])
    script = [
        [{"type": "function_call", "name": "exec_command", "call_id": "c1",
          "arguments": json.dumps({"cmd": f"({cmd}) > out.txt", "yield_time_ms": 10000})}],
        [{"type": "message", "text": "done"}],
    ]
    # The profile text without its first line: the mock's config sets the model first.
    r, requests = run_exec(world, script, profile({"allowed.test": "allow"}))
    assert r.returncode == 0, r.stderr
    out = outputs(requests)
    assert len(out) == 1
    # A refused request fails the command: the model gets the reference's
    # error instead of the output (FINDINGS.md §4).
    assert out[0] == ('exec_command failed: ProcessFailed { message: "Network access to \\"other.test\\" was '
                      'blocked: domain is not on the allowlist for the current sandbox mode." }'), out[0]
    done = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    item = [e["item"] for e in done if e.get("type") == "item.completed"
            and e["item"].get("type") == "command_execution"][0]
    # As the reference's item: failed, -1, the refusal in place of the output.
    assert item["status"] == "failed" and item["exit_code"] == -1, item
    assert item["aggregated_output"] == ('Network access to "other.test" was blocked: domain is not on the '
                                         'allowlist for the current sandbox mode.'), item
    lines = (world.ws / "out.txt").read_text()
    assert "200\n403" in lines, lines
    assert "proxy=1" in lines
    # One proxy for the session, gone with it.
    assert any(e.get("host") == "other.test" and e["decision"] == "deny" for e in world.log())
    left = subprocess.run(["pgrep", "-f", "codex-network-proxy --control-fd"], capture_output=True, text=True)
    for pid in left.stdout.split():
        try:
            assert str(world.home).encode() not in open(f"/proc/{pid}/environ", "rb").read()
        except OSError:
            pass


def test_exec_without_a_proxied_profile_starts_no_proxy(world):
    script = [
        [{"type": "function_call", "name": "exec_command", "call_id": "c1",
          "arguments": json.dumps({"cmd": "echo proxy=${CODEX_NETWORK_PROXY_ACTIVE:-none}"})}],
        [{"type": "message", "text": "done"}],
    ]
    r, requests = run_exec(world, script, 'sandbox_mode = "workspace-write"\n')
    assert r.returncode == 0, r.stderr
    assert "proxy=none" in outputs(requests)[0]
    assert not (world.home / "log" / "network-proxy.log").exists()
