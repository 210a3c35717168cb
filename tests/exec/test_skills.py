"""Skills and AGENTS.md as codex exec sends them to the model.

What is checked comes from the reference's captured requests
(../shared/reference/features/captures/skills_*): the <skills_instructions>
block is the first part of the developer context message, a $name in the
prompt adds the whole SKILL.md as a user message right after the prompt (in
catalog order), and AGENTS.md of every level is joined into one part of the
user context message, next to <environment_context>."""
import re

ONE = [[{"type": "message", "text": "ok"}]]


def skill(root, dirname, name, description, body=None, extra=""):
    d = root / dirname
    d.mkdir(parents=True, exist_ok=True)
    text = f"---\nname: {name}\ndescription: {description}\n{extra}---\n\n" \
           f"{body or f'Body of {name}. SKILLBODY-{name}'}\n"
    (d / "SKILL.md").write_text(text)
    return d / "SKILL.md"


def context_parts(body, role, index=0):
    msgs = [i for i in body["input"] if i.get("type") == "message" and i.get("role") == role]
    return [c["text"] for c in msgs[index]["content"]]


def skills_block(body):
    parts = context_parts(body, "developer", 1)
    assert parts[0].startswith("<skills_instructions>"), parts[0][:80]
    assert parts[0].endswith("</skills_instructions>")
    assert parts[1].startswith("<permissions instructions>")
    return parts[0]


def listed(block):
    """{name: (description, absolute SKILL.md)} from the block's lines."""
    roots = dict(re.findall(r"^- `(r\d+)` = `([^`]+)`$", block, re.M))
    out = {}
    for name, desc, alias, rel in re.findall(r"^- ([^:\n]+): (.*) \(file: (r\d+)/(.+)\)$", block, re.M):
        out[name] = (desc, f"{roots[alias]}/{rel}")
    return out


def user_texts_after_prompt(body, prompt):
    texts = [c["text"] for i in body["input"] if i.get("role") == "user" for c in i["content"]]
    return texts[texts.index(prompt) + 1:]


def test_skills_from_every_root_reach_the_model(exec_run, repo, codex_home, tmp_path):
    user_home = tmp_path / "home"
    cwd = repo / "sub"
    cwd.mkdir()
    home_skill = skill(codex_home / "skills", "home-skill", "home-skill", "Skill in CODEX_HOME/skills.")
    user_skill = skill(user_home / ".agents" / "skills", "user-skill", "user-skill", "In HOME/.agents.")
    repo_skill = skill(repo / ".agents" / "skills", "repo-skill", "repo-skill", "Skill in repo .agents/skills.")
    codexdir = skill(repo / ".codex" / "skills", "codexdir-skill", "codexdir-skill", "In repo .codex/skills.")
    nested = skill(cwd / ".agents" / "skills", "nested-skill", "nested-skill", "Between root and cwd.")
    renamed = skill(repo / ".agents" / "skills", "dirname-differs", "other-name", "Name from front matter.")
    # not read: above the repository root, and below cwd
    skill(tmp_path / ".agents" / "skills", "above", "above-root", "Not listed.")
    skill(cwd / "deeper" / ".agents" / "skills", "below", "below-cwd", "Not listed.")
    r, server, _ = exec_run(ONE, "hi", cwd=cwd)
    assert r.returncode == 0, r.stderr
    block = skills_block(server.requests()[0]["body"])
    got = listed(block)
    want = {"home-skill": home_skill, "user-skill": user_skill, "repo-skill": repo_skill,
            "codexdir-skill": codexdir, "nested-skill": nested, "other-name": renamed}
    for name, path in want.items():
        assert name in got, (name, block)
        assert got[name][1] == str(path.resolve())
    assert got["repo-skill"][0] == "Skill in repo .agents/skills."
    assert "above-root" not in block and "below-cwd" not in block
    # the reference's listing order: the repository (closest first), CODEX_HOME, then HOME
    order = list(got)
    assert order.index("nested-skill") < order.index("codexdir-skill") < order.index("repo-skill")
    assert order.index("repo-skill") < order.index("home-skill") < order.index("user-skill")


def test_mentions_load_the_whole_skill_after_the_prompt(exec_run, repo, codex_home):
    repo_skill = skill(repo / ".agents" / "skills", "repo-skill", "repo-skill", "Repo.")
    hidden = skill(repo / ".agents" / "skills", "hidden-skill", "hidden-skill", "Not implicit.")
    (hidden.parent / "agents").mkdir()
    (hidden.parent / "agents" / "openai.yaml").write_text("policy:\n  allow_implicit_invocation: false\n")
    home_skill = skill(codex_home / "skills", "home-skill", "home-skill", "Home.")
    skill(codex_home / "skills", "disabled-skill", "disabled-skill", "Off.")
    prompt = "please use $repo-skill and $hidden-skill and $home-skill and $disabled-skill and $nosuch-skill"
    top = f'[[skills.config]]\npath = "{codex_home}/skills/disabled-skill/SKILL.md"\nenabled = false\n'
    r, server, _ = exec_run(ONE, prompt, top=top)
    assert r.returncode == 0, r.stderr
    body = server.requests()[0]["body"]
    block = skills_block(body)
    assert "hidden-skill" not in block and "disabled-skill" not in block
    assert "repo-skill" in block and "home-skill" in block
    injected = user_texts_after_prompt(body, prompt)
    # catalog order (hidden before repo in one root, the repository before CODEX_HOME)
    expect = [hidden, repo_skill, home_skill]
    assert len(injected) == len(expect)
    for text, path in zip(injected, expect):
        real = path.resolve()
        name = path.parent.name
        assert text == f"<skill>\n<name>{name}</name>\n<path>{real}</path>\n{path.read_text()}\n</skill>"
    # nothing of the injection shows in the human output or as an item
    assert "SKILLBODY" not in r.stdout


def test_skills_config_disables_a_skill_by_name(exec_run, repo):
    skill(repo / ".agents" / "skills", "a", "alpha", "First.")
    skill(repo / ".agents" / "skills", "b", "beta", "Second.")
    top = '[[skills.config]]\nname = "beta"\nenabled = false\n'
    r, server, _ = exec_run(ONE, "use $beta and $alpha", top=top)
    assert r.returncode == 0, r.stderr
    body = server.requests()[0]["body"]
    block = skills_block(body)
    assert "alpha" in listed(block) and "beta" not in listed(block)
    injected = user_texts_after_prompt(body, "use $beta and $alpha")
    assert len(injected) == 1 and "<name>alpha</name>" in injected[0]


def test_a_broken_skill_is_named_and_skipped(exec_run, repo):
    root = repo / ".agents" / "skills"
    skill(root, "good", "good", "Works.")
    (root / "nofm").mkdir(parents=True)
    (root / "nofm" / "SKILL.md").write_text("no front matter here\n")
    (root / "broken").mkdir()
    (root / "broken" / "SKILL.md").write_text("---\nname: broken\ndescription: [unclosed\n---\nbody\n")
    r, server, _ = exec_run(ONE, "use $broken", "--json")
    assert r.returncode == 0, r.stderr
    block = skills_block(server.requests()[0]["body"])
    assert [n for n, (_, path) in listed(block).items() if "/.system/" not in path] == ["good"]
    broken = (root / "broken" / "SKILL.md").resolve()
    nofm = (root / "nofm" / "SKILL.md").resolve()
    assert re.search(re.escape(str(broken)) + r":3:\d+: ", r.stderr), r.stderr
    assert f"{nofm}:1:1: " in r.stderr
    assert user_texts_after_prompt(server.requests()[0]["body"], "use $broken") == []


def test_no_skills_no_block(exec_run):
    # the bundled skills are always there unless turned off
    r, server, _ = exec_run(ONE, "hi", top="[skills.bundled]\nenabled = false\n")
    assert r.returncode == 0, r.stderr
    parts = context_parts(server.requests()[0]["body"], "developer", 1)
    assert not any(p.startswith("<skills_instructions>") for p in parts)
    assert parts[0].startswith("<permissions instructions>")


def test_agents_md_levels_are_all_joined(exec_run, repo, codex_home):
    """The reference's skills_nested_agents_md capture, byte for byte."""
    deeper = repo / "sub" / "deeper"
    deeper.mkdir(parents=True)
    (codex_home / "AGENTS.md").write_text("GLOBAL-AGENTS-RULE\n")
    (repo / "AGENTS.md").write_text("ROOT-AGENTS-RULE\n")
    (repo / "sub" / "AGENTS.md").write_text("SUB-AGENTS-RULE\n")
    (deeper / "AGENTS.md").write_text("DEEPER-PLAIN-RULE\n")
    (deeper / "AGENTS.override.md").write_text("DEEPER-OVERRIDE-RULE\n")
    r, server, _ = exec_run(ONE, "-C", deeper, "hi", cwd=deeper)
    assert r.returncode == 0, r.stderr
    parts = context_parts(server.requests()[0]["body"], "user", 0)
    assert len(parts) == 2
    assert parts[0] == (f"# AGENTS.md instructions for {deeper}\n\n<INSTRUCTIONS>\n"
                        "GLOBAL-AGENTS-RULE\n\n--- project-doc ---\n\n"
                        "ROOT-AGENTS-RULE\n\n\nSUB-AGENTS-RULE\n\n\nDEEPER-OVERRIDE-RULE\n\n"
                        "</INSTRUCTIONS>")
    assert parts[1].startswith("<environment_context>")


def test_agents_md_without_a_global_file(exec_run, repo):
    (repo / "AGENTS.md").write_text("ROOT-ONLY\n")
    r, server, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    parts = context_parts(server.requests()[0]["body"], "user", 0)
    assert parts[0] == f"# AGENTS.md instructions for {repo}\n\n<INSTRUCTIONS>\nROOT-ONLY\n\n</INSTRUCTIONS>"


def test_global_agents_md_alone_and_override(exec_run, codex_home, repo):
    (codex_home / "AGENTS.md").write_text("plain global\n")
    (codex_home / "AGENTS.override.md").write_text("\n  override global  \n\n")
    r, server, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    parts = context_parts(server.requests()[0]["body"], "user", 0)
    assert parts[0] == f"# AGENTS.md instructions for {repo}\n\n<INSTRUCTIONS>\noverride global\n</INSTRUCTIONS>"

