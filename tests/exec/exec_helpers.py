"""Shared pieces of the codex exec end-to-end tests (imported by conftest.py
and the test modules; named uniquely so it cannot clash with other test
directories' modules)."""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data"
MOCK = HERE.parent / "mock" / "responses_mock.py"


class MockServer:
    def __init__(self, tmp_path, script, repeat_last=False, strict_calls=False,
                 max_request_bytes=0, scenarios=None, raw_bodies=None):
        if not isinstance(script, (str, pathlib.Path)):
            path = tmp_path / "script.json"
            path.write_text(json.dumps(script))
            script = path
        self.log = tmp_path / "requests.jsonl"
        args = [sys.executable, str(MOCK), str(script), str(self.log)]
        if repeat_last:
            args.append("--repeat-last")
        if strict_calls:
            args.append("--strict-calls")
        if max_request_bytes:
            args += ["--max-request-bytes", str(max_request_bytes)]
        if raw_bodies is not None:
            args += ["--raw-bodies", str(raw_bodies)]
        if scenarios is not None:
            spath = tmp_path / "scenarios.json"
            spath.write_text(json.dumps(scenarios))
            args += ["--scenarios", str(spath)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])

    def requests(self):
        return [json.loads(l) for l in self.log.read_text().splitlines() if l.strip()]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def write_config(codex_home, port, extra_provider="", extra_top="", model="gpt-5.5"):
    (codex_home / "config.toml").write_text(
        f'model = "{model}"\nmodel_provider = "mock"\n{extra_top}\n'
        f'[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
        f'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n{extra_provider}\n'
        '[tools.update_plan]\nenabled = true\n')
