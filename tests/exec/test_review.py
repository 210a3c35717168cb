"""codex review / codex exec review: a read-only reviewer thread looks at
the change and its JSON answer is rendered as the reference renders it."""
import json
import subprocess

from exec_helpers import MockServer, write_config

F1 = {"title": "[P1] First", "body": "Body one\nsecond line.", "confidence_score": 0.8,
      "priority": 1, "code_location": {"absolute_file_path": "/r/f.txt",
                                       "line_range": {"start": 2, "end": 3}}}
F2 = {"title": "[P3] Second", "body": "Body two.", "confidence_score": 0.5, "priority": 3,
      "code_location": {"absolute_file_path": "/r/new.txt", "line_range": {"start": 1, "end": 1}}}


def answer(findings, explanation):
    return [[{"type": "message", "text": json.dumps(
        {"findings": findings, "overall_correctness": "patch is incorrect",
         "overall_explanation": explanation, "overall_confidence_score": 0.7})}]]


def review(run_codex, codex_home, repo, tmp_path, script, *args, model="gpt-5.5", top="",
           input="", cmd=("review",)):
    server = MockServer(tmp_path, script)
    try:
        write_config(codex_home, server.port, extra_top=top, model=model)
        r = run_codex(*cmd, *args, input=input, env={"MOCK_API_KEY": "k"}, cwd=repo)
        return r, server.requests()
    finally:
        server.stop()


def metadata(req):
    return json.loads(req["headers"]["x-codex-turn-metadata"])


def last_user_text(body):
    return [c["text"] for i in body["input"] if i.get("role") == "user" for c in i["content"]][-1]


def test_two_findings_render_as_the_reference_does(run_codex, codex_home, repo, tmp_path):
    (repo / "README.md").write_text("changed\n")
    r, reqs = review(run_codex, codex_home, repo, tmp_path, answer([F1, F2], "Two bugs."),
                     "--uncommitted")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("Two bugs.\n\nFull review comments:\n\n"
                        "- [P1] First \u2014 /r/f.txt:2-3\n  Body one\n  second line.\n\n"
                        "- [P3] Second \u2014 /r/new.txt:1-1\n  Body two.\n")
    assert "user\ncurrent changes\n" in r.stderr
    assert len(reqs) == 1
    body = reqs[0]["body"]
    # The reviewer works read-only under its own instructions, in a thread
    # whose parent is the review's thread.
    assert body["input"][0]["role"] == "developer"
    assert "You review a code change" in body["input"][0]["content"][0]["text"]
    assert metadata(reqs[0])["sandbox_mode"] == "read-only"
    assert "staged" in last_user_text(body) and "untracked" in last_user_text(body)
    rollouts = sorted((codex_home / "sessions").rglob("rollout-*.jsonl"))
    assert len(rollouts) == 2
    metas = [json.loads(p.read_text().splitlines()[0])["payload"] for p in rollouts]
    parent = next(m for m in metas if "parent_thread_id" not in m)
    child = next(m for m in metas if "parent_thread_id" in m)
    assert child["parent_thread_id"] == parent["id"] and child["thread_source"] == "subagent"


def test_one_finding_and_none(run_codex, codex_home, repo, tmp_path):
    r, _ = review(run_codex, codex_home, repo, tmp_path, answer([F1], "One bug."), "--uncommitted")
    assert r.stdout.startswith("One bug.\n\nReview comment:\n\n- [P1] First")
    r, _ = review(run_codex, codex_home, repo, tmp_path, answer([], "Looks fine."), "--uncommitted")
    assert r.stdout == "Looks fine.\n"


def test_answers_that_are_not_plain_json(run_codex, codex_home, repo, tmp_path):
    fenced = "```json\n" + answer([F2], "Fenced.")[0][0]["text"] + "\n```"
    r, _ = review(run_codex, codex_home, repo, tmp_path, [[{"type": "message", "text": fenced}]],
                  "--uncommitted")
    assert r.stdout.startswith("Fenced.\n\nReview comment:\n\n- [P3] Second")
    r, _ = review(run_codex, codex_home, repo, tmp_path,
                  [[{"type": "message", "text": "just prose"}]], "--uncommitted")
    assert r.stdout == "just prose\n"
    r, _ = review(run_codex, codex_home, repo, tmp_path, answer([], ""), "--uncommitted")
    assert r.stdout == "Reviewer failed to output a response.\n"


def test_targets_reach_the_reviewer(run_codex, codex_home, repo, tmp_path):
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                         text=True).stdout.strip()
    r, reqs = review(run_codex, codex_home, repo, tmp_path, answer([], "ok"),
                     "--commit", sha, "--title", "Fix it", cmd=("exec", "review"))
    assert r.returncode == 0, r.stderr
    assert f"user\ncommit {sha[:7]}: Fix it\n" in r.stderr
    assert sha in last_user_text(reqs[0]["body"]) and "Fix it" in last_user_text(reqs[0]["body"])
    r, reqs = review(run_codex, codex_home, repo, tmp_path, answer([], "ok"), "--base", "main")
    assert "user\nchanges against 'main'\n" in r.stderr
    assert "'main'" in last_user_text(reqs[0]["body"])
    r, reqs = review(run_codex, codex_home, repo, tmp_path, answer([], "ok"),
                     "Check the naming please")
    assert "user\nCheck the naming please\n" in r.stderr
    assert last_user_text(reqs[0]["body"]) == "Check the naming please"
    r, reqs = review(run_codex, codex_home, repo, tmp_path, answer([], "ok"), "-",
                     input="from stdin")
    assert last_user_text(reqs[0]["body"]) == "from stdin"


def test_review_model_is_the_reviewers(run_codex, codex_home, repo, tmp_path):
    r, reqs = review(run_codex, codex_home, repo, tmp_path, answer([], "ok"), "--uncommitted",
                     top='review_model = "gpt-5.4-mini"')
    assert r.returncode == 0, r.stderr
    assert reqs[0]["body"]["model"] == "gpt-5.4-mini"


def test_json_output_is_one_agent_message(run_codex, codex_home, repo, tmp_path):
    r, _ = review(run_codex, codex_home, repo, tmp_path, answer([F1], "One bug."), "--json",
                  "--uncommitted", cmd=("exec", "review"))
    events = [json.loads(l) for l in r.stdout.splitlines()]
    items = [e["item"] for e in events if e["type"] == "item.completed"]
    assert [i["type"] for i in items] == ["agent_message"]
    assert items[0]["text"].startswith("One bug.\n\nReview comment:")
    assert events[-1]["type"] == "turn.completed"


def test_a_later_turn_sees_the_review(run_codex, codex_home, repo, tmp_path):
    script = answer([F1], "One bug.") + [[{"type": "message", "text": "fixed"}]]
    server = MockServer(tmp_path, script)
    try:
        write_config(codex_home, server.port)
        r = run_codex("review", "--uncommitted", input="", env={"MOCK_API_KEY": "k"}, cwd=repo)
        assert r.returncode == 0, r.stderr
        r = run_codex("exec", "--skip-git-repo-check", "resume", "--last", "fix the first one",
                      input="", env={"MOCK_API_KEY": "k"}, cwd=repo)
        assert r.returncode == 0, r.stderr
        body = server.requests()[1]["body"]
    finally:
        server.stop()
    texts = [c["text"] for i in body["input"] if i.get("type") == "message" for c in i["content"]]
    assert any("[P1] First" in t and t.startswith("<user_action>") for t in texts)
    assert any(t.startswith("One bug.\n\nReview comment:") for t in texts)
    # The user's request is the last thing they said (a developer note
    # announcing the subagent tools may follow it: the review thread's model
    # had not been told about them yet).
    said = [c["text"] for i in body["input"] if i.get("role") == "user" for c in i["content"]]
    assert said[-1] == "fix the first one"


def test_bad_arguments_get_the_references_errors(run_codex, codex_home, repo):
    cases = [
        (["--uncommitted", "extra"], "error: the argument '--uncommitted' cannot be used with "
                                     "'[PROMPT]'\n\nUsage: codex exec review --uncommitted [PROMPT]"),
        (["--base", "main", "--commit", "abc"], "error: the argument '--base <BRANCH>' cannot be "
                                                "used with '--commit <SHA>'"),
        (["--title", "x"], "error: the following required arguments were not provided:\n"
                           "  --commit <SHA>\n\nUsage: codex exec review --commit <SHA> --title"),
    ]
    for args, want in cases:
        r = run_codex("exec", "review", *args, input="", cwd=repo)
        assert r.returncode == 2, (args, r.stderr)
        assert want in r.stderr, (args, r.stderr)
    r = run_codex("review", "--uncommitted", "x", input="", cwd=repo)
    assert "Usage: codex review --uncommitted [PROMPT]" in r.stderr
    r = run_codex("exec", "review", input="", cwd=repo)
    assert r.returncode == 1
    assert "Specify --uncommitted, --base, --commit, or provide custom review instructions" in r.stderr
