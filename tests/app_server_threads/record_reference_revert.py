#!/usr/bin/env python3
"""Usage: record_reference_revert.py REFERENCE_CODEX SCRATCH_DIR (CODEX_HOME outside /tmp).
Record a reverted thread with 0.169: one two three; revert before three; four; five;
revert before five; six.  Then read it back with a fresh server and exec resume."""
import os, sys, json, pathlib, shutil, subprocess, time
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app_server")); sys.path.insert(0, str(HERE.parent / "exec"))
from appserver import AppServer
from exec_helpers import MockServer, write_config
binary, base = sys.argv[1], pathlib.Path(sys.argv[2])
shutil.rmtree(base, ignore_errors=True); base.mkdir(parents=True)
ch = base/"ch"; ch.mkdir(); repo = base/"repo"; repo.mkdir(); home = base/"home"; home.mkdir()
mock = MockServer(base, [[{"type": "message", "text": f"answer {w}"}] for w in ["one","two","three","four","five","six","seven","eight"]])
write_config(ch, mock.port)
env = {"PATH": os.environ["PATH"], "HOME": str(home), "CODEX_HOME": str(ch), "MOCK_API_KEY": "k"}
s = AppServer(binary, env, cwd=repo)
s.initialize()
def until(method):
    for n in s.notifications(method): return n
    while True:
        m = s.read(60)
        if m.get("method") == method: return m
tid = s.call("thread/start", {"cwd": str(repo)})["result"]["thread"]["id"]
turns = {}
def run(w):
    s.notifications()
    r = s.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": w}]})
    turns[w] = r["result"]["turn"]["id"]; until("turn/completed")
for w in ["one", "two", "three"]: run(w)
print("REVERT1", json.dumps(s.call("thread/revert", {"threadId": tid, "beforeTurnId": turns["three"]}))[:300], flush=True)
run("four"); run("five")
print("REVERT2", json.dumps(s.call("thread/revert", {"threadId": tid, "beforeTurnId": turns["five"]}))[:300], flush=True)
run("six")
s.close()
expected = {"thread_id": tid, "turn_ids": turns}
s = AppServer(binary, env, cwd=repo); s.initialize()
lst = s.call("thread/list", {})["result"]["data"]
expected["list"] = [{k: t[k] for k in ("id", "path", "preview", "createdAt")} for t in lst]
th = s.call("thread/read", {"threadId": tid, "includeTurns": True})["result"]["thread"]
expected["read"] = {"path": th["path"], "preview": th["preview"], "createdAt": th["createdAt"],
                    "turns": [{"id": t["id"], "items": [[i["type"], i.get("text") or i["content"][0]["text"]] for i in t["items"]]} for t in th["turns"]]}
expected["turns_list"] = [t["id"] for t in s.call("thread/turns/list", {"threadId": tid})["result"]["data"]]
th = s.call("thread/resume", {"threadId": tid})["result"]["thread"]
expected["resume_turns"] = [t["id"] for t in th["turns"]]
s.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "seven"}]}); until("turn/completed")
s.close()
def words(req):
    out = []
    for it in req["body"]["input"]:
        if it.get("type") == "message" and it.get("role") in ("user", "assistant"):
            for p in it["content"]:
                if not p.get("text", "").startswith("<"): out.append(p["text"])
    return out
expected["resume_request"] = words(mock.requests()[-1])
n = len(mock.requests())
out = subprocess.run([binary, "exec", "--skip-git-repo-check", "resume", tid, "eight"], cwd=repo, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
expected["exec_rc"] = out.returncode
expected["exec_request"] = words(mock.requests()[n]) if len(mock.requests()) > n else None
print(json.dumps(expected, indent=1))
(base/"expected.json").write_text(json.dumps(expected, indent=1))
mock.stop()
for p in sorted(ch.rglob("*.jsonl")): print(p.relative_to(ch), p.stat().st_size, open(p).readline()[:0])
