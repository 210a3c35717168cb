"""Requests whose answers must match the reference's word for word.

Each case is (name, method, params); params may contain "{W}", replaced by
a scratch directory prepared by setup_tree().  A params value of OMIT sends
the request without "params".  The reference's answers are recorded by
record_reference.py into reference_answers.json."""
import json
import os

OMIT = object()
DANGER = {"type": "dangerFullAccess"}

# Answered before `initialize`.
PRE_INIT_CASES = [
    ("request before initialize", "fs/readFile", {"path": "/etc/hostname"}),
    ("initialize without clientInfo", "initialize", {}),
    ("initialize with clientInfo a string", "initialize", {"clientInfo": "x"}),
    ("initialize with clientInfo missing version", "initialize", {"clientInfo": {"name": "x"}}),
]

CASES = [
    ("second initialize", "initialize", {"clientInfo": {"name": "t", "version": "1"}}),
    ("unknown method", "foo/bar", {}),
    ("unknown method without params", "nope", OMIT),
    ("readFile relative path", "fs/readFile", {"path": "rel/x"}),
    ("readFile integer path", "fs/readFile", {"path": 5}),
    ("readFile boolean path", "fs/readFile", {"path": True}),
    ("readFile without params", "fs/readFile", OMIT),
    ("readFile without path", "fs/readFile", {}),
    ("readFile params not an object", "fs/readFile", 7),
    ("readFile missing file", "fs/readFile", {"path": "{W}/nope"}),
    ("readFile directory", "fs/readFile", {"path": "{W}/dir"}),
    ("readFile", "fs/readFile", {"path": "{W}/f.txt"}),
    ("readFile dotdot", "fs/readFile", {"path": "{W}/dir/../f.txt"}),
    ("writeFile", "fs/writeFile", {"path": "{W}/new.txt", "dataBase64": "aGVsbG8="}),
    ("readFile written", "fs/readFile", {"path": "{W}/new.txt"}),
    ("writeFile bad symbol", "fs/writeFile", {"path": "{W}/z.txt", "dataBase64": "!!!"}),
    ("writeFile bad symbol later", "fs/writeFile", {"path": "{W}/z.txt", "dataBase64": "aGV$"}),
    ("writeFile missing parent", "fs/writeFile", {"path": "{W}/no/dir/y.txt", "dataBase64": ""}),
    ("writeFile without data", "fs/writeFile", {"path": "{W}/z.txt"}),
    ("createDirectory recursive", "fs/createDirectory", {"path": "{W}/a/b/c"}),
    ("createDirectory existing", "fs/createDirectory", {"path": "{W}/a/b"}),
    ("createDirectory flat missing parent", "fs/createDirectory",
     {"path": "{W}/m/n", "recursive": False}),
    ("createDirectory flat existing", "fs/createDirectory", {"path": "{W}/a", "recursive": False}),
    ("createDirectory recursive string", "fs/createDirectory",
     {"path": "{W}/q", "recursive": "yes"}),
    ("getMetadata missing", "fs/getMetadata", {"path": "{W}/nope"}),
    ("readDirectory file", "fs/readDirectory", {"path": "{W}/f.txt"}),
    ("readDirectory missing", "fs/readDirectory", {"path": "{W}/nope"}),
    ("readDirectory", "fs/readDirectory", {"path": "{W}/a"}),
    ("remove missing", "fs/remove", {"path": "{W}/nope"}),
    ("remove missing not forced", "fs/remove", {"path": "{W}/nope", "force": False}),
    ("remove non-empty flat", "fs/remove", {"path": "{W}/a", "recursive": False}),
    ("copy directory flat", "fs/copy", {"sourcePath": "{W}/a", "destinationPath": "{W}/a2"}),
    ("copy directory", "fs/copy",
     {"sourcePath": "{W}/a", "destinationPath": "{W}/a2", "recursive": True}),
    ("readDirectory copied", "fs/readDirectory", {"path": "{W}/a2/b"}),
    ("copy file", "fs/copy", {"sourcePath": "{W}/f.txt", "destinationPath": "{W}/f2.txt"}),
    ("readFile copied", "fs/readFile", {"path": "{W}/f2.txt"}),
    ("copy missing", "fs/copy", {"sourcePath": "{W}/nope", "destinationPath": "{W}/f3.txt"}),
    ("copy without destination", "fs/copy", {"sourcePath": "{W}/f.txt"}),
    ("remove directory", "fs/remove", {"path": "{W}/a2"}),
    ("readDirectory removed", "fs/readDirectory", {"path": "{W}/a2"}),
    ("command/exec empty", "command/exec", {"command": []}),
    ("command/exec command not array", "command/exec", {"command": "ls"}),
    ("command/exec streaming without processId", "command/exec",
     {"command": ["true"], "streamStdoutStderr": True, "sandboxPolicy": DANGER}),
    ("command/exec tty without processId", "command/exec",
     {"command": ["true"], "tty": True, "sandboxPolicy": DANGER}),
    ("command/exec timeout and disableTimeout", "command/exec",
     {"command": ["true"], "timeoutMs": 5, "disableTimeout": True, "sandboxPolicy": DANGER}),
    ("command/exec missing program", "command/exec",
     {"command": ["nonexistent-program-xyz"], "sandboxPolicy": DANGER}),
    ("command/exec missing cwd", "command/exec",
     {"command": ["true"], "cwd": "{W}/nope", "sandboxPolicy": DANGER}),
    ("command/exec buffered", "command/exec",
     {"command": ["sh", "-c", "echo hi; echo err >&2; exit 3"], "sandboxPolicy": DANGER}),
    ("command/exec output cap", "command/exec",
     {"command": ["sh", "-c", "printf abcdef"], "outputBytesCap": 3, "sandboxPolicy": DANGER}),
    ("command/exec timeout", "command/exec",
     {"command": ["sleep", "5"], "timeoutMs": 200, "sandboxPolicy": DANGER}),
    ("command/exec signal", "command/exec",
     {"command": ["sh", "-c", "kill -9 $$"], "sandboxPolicy": DANGER}),
    ("command/exec env", "command/exec",
     {"command": ["sh", "-c", "echo $CODEX_C_T1 ${HOME:-unset}"],
      "env": {"CODEX_C_T1": "bar", "HOME": None}, "sandboxPolicy": DANGER}),
    ("command/exec cwd", "command/exec",
     {"command": ["pwd"], "cwd": "{W}/dir", "sandboxPolicy": DANGER}),
    ("command/exec/write unknown process", "command/exec/write",
     {"processId": "zz", "deltaBase64": "aGkK"}),
    ("command/exec/terminate unknown process", "command/exec/terminate", {"processId": "zz"}),
    ("command/exec/resize unknown process", "command/exec/resize",
     {"processId": "zz", "size": {"rows": 1, "cols": 1}}),
]


def setup_tree(w):
    os.makedirs(os.path.join(w, "dir"), exist_ok=True)
    with open(os.path.join(w, "f.txt"), "w") as f:
        f.write("hi\n")


def substitute(value, w):
    return json.loads(json.dumps(value).replace("{W}", w))


def build_request(id, method, params, w):
    msg = {"id": id, "method": method}
    if params is not OMIT:
        msg["params"] = substitute(params, w)
    return msg


def normalize(answer, w):
    """Make an answer comparable across runs: scratch paths become {W}."""
    return json.loads(json.dumps(answer).replace(w, "{W}"))
