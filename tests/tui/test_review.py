"""/review in the TUI: the presets, the branch and commit lists git gives,
and a review turn on this thread whose findings are drawn in the
transcript."""
import json
import subprocess
import time

import pytest

from tuihelp import Mock, Tui, write_config

FINDING = {"title": "[P1] Greeting lost its newline", "body": "The new printf drops the newline.",
           "confidence_score": 0.8, "priority": 1,
           "code_location": {"absolute_file_path": "/repo/src/main.c",
                             "line_range": {"start": 4, "end": 4}}}
ANSWER = [[{"type": "message", "text": json.dumps(
    {"findings": [FINDING], "overall_correctness": "patch is incorrect",
     "overall_explanation": "One regression.", "overall_confidence_score": 0.7})}]]


@pytest.fixture
def review_tui(work):
    started = []

    def start():
        m = Mock(work, ANSWER)
        write_config(work / "home", m.port, trusted_repo=str(work / "repo"))
        t = Tui(work)
        started.append((m, t))
        return m, t

    yield start
    for m, t in started:
        t.keys("C-c")
        t.wait_exit(timeout=10)
        t.close()
        m.stop()


def reviewer_prompt(mock):
    bodies = [r["body"] for r in mock.requests()]
    return bodies, [c["text"] for b in bodies for i in b["input"] if i.get("role") == "user"
                    for c in i["content"]]


def test_review_uncommitted_changes(review_tui, work):
    (work / "repo" / "README.md").write_text("changed\n")
    mock, t = review_tui()
    t.wait_for(r"Ask Codex to do anything")
    t.text("/review")
    time.sleep(0.3)
    t.keys("Enter")
    t.wait_for(r"Select a review preset")
    t.keys("Down")
    t.keys("Enter")
    s = t.wait_for(r"<< Code review finished >>", timeout=60)
    assert ">> Code review started:" in s
    t.wait_for(r"Greeting lost its newline", timeout=30)
    t.wait_for(r"Worked for", timeout=30)
    history = t.screen(history=True)
    # The findings are drawn once, after the end of the review.
    assert history.count("Greeting lost its newline") == 1
    assert history.index("<< Code review finished >>") < history.index("Greeting lost its newline")
    _, texts = reviewer_prompt(mock)
    assert any("uncommitted" in x.lower() or "staged" in x.lower() for x in texts), texts


def test_review_against_a_branch_lists_the_branches(review_tui, work):
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "branch", "feature-x"], cwd=work / "repo", check=True, env=env)
    mock, t = review_tui()
    t.wait_for(r"Ask Codex to do anything")
    t.text("/review")
    time.sleep(0.3)
    t.keys("Enter")
    t.wait_for(r"Select a review preset")
    t.keys("Enter")
    s = t.wait_for(r"Select a base branch")
    assert "feature-x" in s
    t.wait_for(r"feature-x")
    # The branches come sorted; pick feature-x by moving to it.
    rows = [r for r in t.rows() if "feature-x" in r or "master" in r or "main" in r]
    if rows and "feature-x" not in rows[0]:
        t.keys("Down")
    t.keys("Enter")
    t.wait_for(r"<< Code review finished >>", timeout=60)
    _, texts = reviewer_prompt(mock)
    assert any("feature-x" in x for x in texts), texts


def test_review_with_instructions(review_tui, work):
    mock, t = review_tui()
    t.wait_for(r"Ask Codex to do anything")
    t.submit("/review look only at the error handling")
    t.wait_for(r"<< Code review finished >>", timeout=60)
    _, texts = reviewer_prompt(mock)
    assert any("look only at the error handling" in x for x in texts), texts
