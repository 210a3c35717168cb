"""codex exec resume --last | ID: the stored history is sent again and the
same rollout file grows, even after a writer was killed mid-line."""
import json


TWO = [[{"type": "message", "text": "first answer"}],
       [{"type": "message", "text": "second answer"}]]


def texts(body):
    return [(i.get("role"), c.get("text")) for i in body["input"] if i["type"] == "message"
            for c in i["content"]]


def rollouts(codex_home):
    return sorted((codex_home / "sessions").rglob("rollout-*.jsonl"))


def test_resume_last_continues_the_thread(exec_run, run_codex, codex_home, repo, mock_server):
    r, server, events = exec_run(TWO, "--json", "first question")
    assert r.returncode == 0
    thread = events[0]["thread_id"]
    r = run_codex("exec", "--skip-git-repo-check", "-s", "danger-full-access", "--json",
                  "resume", "--last", "second question", input="",
                  env={"MOCK_API_KEY": "k"}, cwd=repo)
    assert r.returncode == 0, r.stderr
    evs = [json.loads(l) for l in r.stdout.splitlines()]
    assert evs[0] == {"type": "thread.started", "thread_id": thread}
    assert evs[-2]["item"]["text"] == "second answer"
    body = server.requests()[1]["body"]
    t = texts(body)
    assert ("user", "first question") in t and ("assistant", "first answer") in t
    assert t[-1] == ("user", "second question")
    assert body["prompt_cache_key"] == thread
    files = rollouts(codex_home)
    assert len(files) == 1
    ordinals = [json.loads(l)["ordinal"] for l in files[0].read_text().splitlines()]
    assert ordinals == list(range(len(ordinals)))


def test_resume_by_id_after_a_torn_write(exec_run, run_codex, codex_home, repo):
    r, server, events = exec_run(TWO, "--json", "first question")
    thread = events[0]["thread_id"]
    f = rollouts(codex_home)[0]
    with open(f, "a") as fh:
        fh.write('{"timestamp":"2026-01-01T00:00:00.000Z","ordinal":99,"type":"resp')
    r = run_codex("exec", "--skip-git-repo-check", "-s", "danger-full-access", "--json",
                  "resume", thread, input="follow-up via stdin", env={"MOCK_API_KEY": "k"},
                  cwd=repo)
    assert r.returncode == 0, r.stderr
    assert texts(server.requests()[1]["body"])[-1] == ("user", "follow-up via stdin")
    lines = f.read_text().splitlines()
    assert all(json.loads(l) for l in lines)  # the torn fragment is gone


def test_resume_unknown_id_fails_clearly(run_codex, codex_home, repo):
    r = run_codex("exec", "--skip-git-repo-check", "resume", "0000-nope", "x", input="", cwd=repo)
    assert r.returncode == 1
    assert "No saved session found with ID 0000-nope" in r.stderr
