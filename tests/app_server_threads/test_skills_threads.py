"""Skills in app-server threads: the list in the model's context, a $name in
turn/start loading the SKILL.md, extra roots from skills/extraRoots/set, and
a broken SKILL.md reported as a `warning` notification after thread/started."""
from test_threads import run_turn, start_thread, turn_completed, wait_for

ONE = [[{"type": "message", "text": "ok"}]]


def skill(root, dirname, name, description):
    d = root / dirname
    d.mkdir(parents=True, exist_ok=True)
    (d / "SKILL.md").write_text(f"---\nname: {name}\ndescription: {description}\n---\n\nBody of {name}.\n")
    return (d / "SKILL.md").resolve()


def test_thread_lists_skills_and_loads_a_mentioned_one(threads_server, repo, tmp_path):
    repo_skill = skill(repo / ".agents" / "skills", "r", "repo-skill", "In the repo.")
    extra = tmp_path / "extra"
    extra_skill = skill(extra, "e", "extra-skill", "From an extra root.")
    (repo / ".agents" / "skills" / "bad").mkdir()
    (repo / ".agents" / "skills" / "bad" / "SKILL.md").write_text("---\nname: bad\n")
    server, mock = threads_server(ONE)
    assert "result" in server.call("skills/extraRoots/set", {"extraRoots": [str(extra)]})
    thread = start_thread(server, cwd=str(repo))
    warning = wait_for(server, "warning")
    bad = (repo / ".agents" / "skills" / "bad" / "SKILL.md").resolve()
    assert warning["params"]["threadId"] == thread["id"]
    assert f"{bad}:1:1:" in warning["params"]["message"]
    prompt = "use $extra-skill and $repo-skill"
    run_turn(server, thread["id"], prompt)
    assert turn_completed(server, thread["id"])["status"] == "completed"
    body = mock.requests()[0]["body"]
    dev = [i for i in body["input"] if i.get("role") == "developer"][1]["content"]
    block = dev[0]["text"]
    assert block.startswith("<skills_instructions>")
    assert "- repo-skill: In the repo. (file: r" in block
    assert "- extra-skill: From an extra root. (file: r" in block
    texts = [c["text"] for i in body["input"] if i.get("role") == "user" for c in i["content"]]
    after = texts[texts.index(prompt) + 1:]
    assert [t.split("\n")[1] for t in after] == ["<name>repo-skill</name>", "<name>extra-skill</name>"]
    assert after[0] == f"<skill>\n<name>repo-skill</name>\n<path>{repo_skill}</path>\n" \
                       f"{repo_skill.read_text()}\n</skill>"
    assert f"<path>{extra_skill}</path>" in after[1]


def test_a_skill_input_item_loads_that_skill(threads_server, repo):
    chosen = skill(repo / ".agents" / "skills", "c", "chosen-skill", "Picked in the UI.")
    skill(repo / ".agents" / "skills", "o", "other-skill", "Not picked.")
    server, mock = threads_server(ONE)
    thread = start_thread(server, cwd=str(repo))
    r = server.call("turn/start", {"threadId": thread["id"], "input": [
        {"type": "text", "text": "do it"},
        {"type": "skill", "name": "chosen-skill", "path": str(chosen)}]})
    assert "result" in r, r
    assert turn_completed(server, thread["id"])["status"] == "completed"
    body = mock.requests()[0]["body"]
    texts = [c["text"] for i in body["input"] if i.get("role") == "user" for c in i["content"]]
    after = texts[texts.index("do it") + 1:]
    assert len(after) == 1 and after[0].startswith(f"<skill>\n<name>chosen-skill</name>\n<path>{chosen}</path>\n")


def permissions_text(body):
    for i in body["input"]:
        if i.get("type") == "message" and i.get("role") == "developer":
            for c in i["content"]:
                if c["text"].startswith("<permissions instructions>"):
                    return c["text"]
    return ""


def test_skill_approval_is_named_in_granular_permissions(threads_server, repo):
    """0.169 has no skill-script gate of its own (shell_zsh_fork is removed):
    skill_approval acts by telling the model, with the other granular
    categories, whether such a prompt would reach the user."""
    server, mock = threads_server(ONE, repeat_last=True)
    texts = {}
    for value in (True, False):
        policy = {"granular": {"sandbox_approval": True, "rules": False, "mcp_elicitations": True,
                               "request_permissions": False, "skill_approval": value}}
        thread = start_thread(server, cwd=str(repo), approvalPolicy=policy)
        run_turn(server, thread["id"], "hi")
        turn_completed(server, thread["id"])
        texts[value] = permissions_text(mock.requests()[-1]["body"])
    reach = "These approvals reach the user: "
    refused = "refused without asking the user"
    asked_on = texts[True].split(reach)[1].split(".")[0]
    assert "`skill_approval`" in asked_on and "`sandbox_approval`" in asked_on
    assert "`skill_approval`" not in texts[True].split(refused)[1]
    assert "`rules`" in texts[True].split(refused)[1]
    assert "`skill_approval`" not in texts[False].split(reach)[1].split(".")[0]
    assert "`skill_approval`" in texts[False].split(refused)[1]
    # Other policies carry no category list.
    thread = start_thread(server, cwd=str(repo), approvalPolicy="on-request")
    run_turn(server, thread["id"], "hi")
    turn_completed(server, thread["id"])
    assert "skill_approval" not in permissions_text(mock.requests()[-1]["body"])
