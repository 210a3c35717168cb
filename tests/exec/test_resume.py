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
    torn = '{"timestamp":"2026-01-01T00:00:00.000Z","ordinal":99,"type":"resp'
    with open(f, "a") as fh:
        fh.write(torn)
    before = f.read_bytes()
    r = run_codex("exec", "--skip-git-repo-check", "-s", "danger-full-access", "--json",
                  "resume", thread, input="follow-up via stdin", env={"MOCK_API_KEY": "k"},
                  cwd=repo)
    assert r.returncode == 0, r.stderr
    assert "last line is incomplete" in r.stderr
    assert texts(server.requests()[1]["body"])[-1] == ("user", "follow-up via stdin")
    # Resuming only appends: the file as it was is a prefix of the file now,
    # and the new lines start on a line of their own.
    after = f.read_bytes()
    assert after.startswith(before + b"\n")
    lines = after.decode().splitlines()
    assert lines.count(torn) == 1
    assert all(json.loads(l) for l in lines if l != torn)


def test_a_file_that_is_not_a_session_is_refused_with_its_place(run_codex, codex_home, repo):
    day = codex_home / "sessions" / "2026" / "01" / "01"
    day.mkdir(parents=True)
    f = day / "rollout-2026-01-01T00-00-00-0190b2c4-0000-7000-8000-000000000001.jsonl"
    f.write_text("this is not json\n")
    r = run_codex("exec", "--skip-git-repo-check", "resume",
                  "0190b2c4-0000-7000-8000-000000000001", "x", input="", cwd=repo)
    assert r.returncode == 1
    assert f"{f}:1: not a Codex session file" in r.stderr
    assert f.read_text() == "this is not json\n"


def test_resume_unknown_id_fails_clearly(run_codex, codex_home, repo):
    r = run_codex("exec", "--skip-git-repo-check", "resume", "0000-nope", "x", input="", cwd=repo)
    assert r.returncode == 1
    assert "No saved session found with ID 0000-nope" in r.stderr


def test_resume_with_a_prompt_leaves_stdin_alone(exec_run, run_codex, codex_home, repo):
    r, server, _ = exec_run(TWO, "--json", "first question")
    r = run_codex("exec", "--skip-git-repo-check", "resume", "--last", "second question",
                  input="piped text", env={"MOCK_API_KEY": "k"}, cwd=repo)
    assert r.returncode == 0, r.stderr
    assert texts(server.requests()[1]["body"])[-1] == ("user", "second question")
    assert "Reading additional input from stdin" not in r.stderr
