"""Pieces the approval tests share (a uniquely named module, so that it
cannot clash with other directories' conftest modules in one pytest run)."""
import json


def exec_call(cmd, **extra):
    return {"type": "function_call", "name": "exec_command",
            "arguments": json.dumps({"cmd": cmd, **extra})}


def patch_call(patch):
    return {"type": "custom_tool_call", "name": "apply_patch", "input": patch}


class Turn:
    def __init__(self, proc, server):
        self.proc = proc
        self.server = server

    def outputs(self):
        """What the model was told, per call, in order."""
        reqs = self.server.requests()
        assert len(reqs) >= 2, (self.proc.returncode, self.proc.stderr)
        return [it["output"] for it in reqs[1]["body"]["input"]
                if it.get("type", "").endswith("call_output")]

    def events(self):
        return [json.loads(l) for l in self.proc.stdout.splitlines() if l.strip()]
