"""exec's human output (stderr) has the reference's shape: the settings
block, reasoning without a heading, commands with their outcome, patches
with their paths and the turn's diff as git prints it."""
import re
import subprocess

PATCH = ("*** Begin Patch\n*** Add File: b.txt\n+new\n*** Update File: README.md\n@@\n-hi\n"
         "+hello\n*** End Patch\n")
SCRIPT = [
    [{"type": "reasoning", "summary": ["Looking around"]},
     {"type": "function_call", "name": "exec_command", "call_id": "c1",
      "arguments": {"cmd": "ls", "login": False}}],
    [{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1", "input": PATCH}],
    [{"type": "function_call", "name": "exec_command", "call_id": "c2",
      "arguments": {"cmd": "false", "login": False}}],
    [{"type": "message", "text": "All done."}],
]


def blob(repo, text):
    return subprocess.run(["git", "hash-object", "--stdin"], input=text, capture_output=True,
                          text=True, cwd=repo).stdout.strip()


def test_the_whole_turn_reads_as_the_reference(exec_run, repo):
    r, _, _ = exec_run(SCRIPT, "do it", sandbox="workspace-write")
    assert r.returncode == 0, r.stderr
    err = re.sub(r"in \d+ms:", "in Nms:", r.stderr)
    err = re.sub(r"session id: [0-9a-f-]+", "session id: ID", err)
    err = re.sub(r"tokens used\n[\d,]+\n", "tokens used\nN\n", err)
    hi, hello, new = blob(repo, "hi\n"), blob(repo, "hello\n"), blob(repo, "new\n")
    expected = (
        "--------\n"
        f"workdir: {repo}\nmodel: gpt-5.5\nprovider: mock\napproval: never\n"
        "sandbox: workspace-write [workdir, /tmp, $TMPDIR]\n"
        "reasoning effort: none\nreasoning summaries: none\nsession id: ID\n--------\n"
        "user\ndo it\n"
        "Looking around\n"
        f"exec\n/bin/bash -c ls in {repo}\n succeeded in Nms:\nREADME.md\n\n"
        "apply patch\npatch: completed\n"
        f"{repo}/README.md\n{repo}/b.txt\n"
        "diff --git a/README.md b/README.md\n"
        f"index {hi}..{hello}\n"
        "--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-hi\n+hello\n"
        "diff --git a/b.txt b/b.txt\nnew file mode 100644\n"
        f"index 0000000000000000000000000000000000000000..{new}\n"
        "--- /dev/null\n+++ b/b.txt\n@@ -0,0 +1 @@\n+new\n\n"
        f"exec\n/bin/bash -c false in {repo}\n exited 1 in Nms:\n"
        "codex\nAll done.\ntokens used\nN\n")
    assert err.endswith(expected), err
    assert re.search(r"^OpenAI Codex v\S+", err, re.M)
    assert r.stdout == "All done.\n"


def test_the_turn_diff_is_from_before_the_first_patch(exec_run, repo):
    first = "*** Begin Patch\n*** Update File: README.md\n@@\n-hi\n+one\n*** End Patch\n"
    second = "*** Begin Patch\n*** Update File: README.md\n@@\n-one\n+two\n*** End Patch\n"
    script = [[{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1", "input": first}],
              [{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p2", "input": second}],
              [{"type": "message", "text": "ok"}]]
    r, _, _ = exec_run(script, "edit", sandbox="workspace-write")
    assert r.returncode == 0, r.stderr
    diffs = r.stderr.split("diff --git ")[1:]
    assert len(diffs) == 2
    assert "-hi\n+one\n" in diffs[0]
    assert "-hi\n+two\n" in diffs[1], "the second diff still starts from the turn's baseline"


def test_tokens_used_is_grouped_by_thousands(exec_run):
    usage = {"input_tokens": 1234560, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": 7, "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": 1234567}
    r, _, _ = exec_run([{"items": [{"type": "message", "text": "hi"}], "usage": usage}], "x")
    assert "tokens used\n1,234,567\n" in r.stderr


def test_file_changes_are_listed_by_path(exec_run, repo):
    names = ["z.txt", "m.txt", "c.txt", "x.txt", "d.txt"]
    patch = "*** Begin Patch\n" + "".join(f"*** Add File: {n}\n+{n}\n" for n in names) + "*** End Patch\n"
    script = [[{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1", "input": patch}],
              [{"type": "message", "text": "ok"}]]
    r, _, events = exec_run(script, "--json", "go", sandbox="workspace-write")
    change = next(e["item"] for e in events if e["type"] == "item.completed"
                  and e["item"]["type"] == "file_change")
    assert [c["path"] for c in change["changes"]] == [str(repo / n) for n in sorted(names)]
