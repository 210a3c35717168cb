"""MCP questions in the TUI: a tool call that needs approval is asked with
the reference's choices (Allow, for this session, always, Cancel), and an
MCP server's elicitation form is filled field by field, the answer going
back to the server and, through the tool's result, to the model."""
import json
import pathlib

ELICIT = pathlib.Path(__file__).resolve().parents[1] / "mcp" / "servers" / "elicit_server.py"


def config(log):
    return ('approval_policy = "on-request"\n'
            f'[mcp_servers.el]\ncommand = "python3"\nargs = [{json.dumps(str(ELICIT))}, "--log", '
            f'{json.dumps(str(log))}]\n')


def outputs(mock):
    return {it["call_id"]: it["output"] for r in mock.requests()
            for it in r["body"].get("input", []) if it.get("type") == "function_call_output"}


def test_an_mcp_tool_call_is_approved_for_good(tui, work, mock):
    log = work / "el.log"
    t = tui(config_extra=config(log))
    t.wait_for(r"Ask Codex")
    t.submit("MCPWRITE: write through the server")
    s = t.wait_for(r"Press enter to confirm or esc to cancel", timeout=60)
    assert 'Allow the el MCP server to run tool "write"?' in s
    assert "  Server: el" in s
    assert "  Writes something somewhere" in s
    assert "  - text: from tui" in s
    assert "› 1. Allow (y)" in s
    assert "2. Allow for this session (a)" in s
    assert "3. Allow and don't ask me again (p)" in s
    assert "4. Cancel (esc)" in s
    t.keys("p")
    s = t.wait_for(r"MCPWRITE-FINAL", timeout=60)
    assert "✔ You allowed el to run write from now on" in s
    assert outputs(mock)["c_w"][1]["text"] == "wrote: from tui"
    # "Always" is kept in config.toml for the next sessions.
    assert '[mcp_servers.el.tools.write]\napproval_mode = "approve"' in \
        (work / "home" / "config.toml").read_text()


def test_an_mcp_tool_call_cancelled(tui, work, mock):
    t = tui(config_extra=config(work / "el.log"))
    t.wait_for(r"Ask Codex")
    t.submit("MCPWRITE: write through the server")
    t.wait_for(r"Press enter to confirm or esc to cancel", timeout=60)
    t.keys("Escape")
    s = t.wait_for(r"You canceled the request to run write")
    assert "✗ You canceled the request to run write" in s
    calls = [json.loads(l)["msg"] for l in (work / "el.log").read_text().splitlines()]
    assert not any(m.get("method") == "tools/call" for m in calls)


def test_an_elicitation_form_is_filled_field_by_field(tui, work, mock):
    log = work / "el.log"
    t = tui(config_extra=config(log))
    t.wait_for(r"Ask Codex")
    t.submit("MCPASK: ask me something")
    s = t.wait_for(r"Press enter to confirm or esc to cancel", timeout=60)
    assert "  el asks:" in s and "  Which colour?" in s
    assert "  Answer" in s and "Type the answer and press Enter (t)" in s
    t.keys("t")
    t.wait_for(r"el asks for Answer: type it and press Enter")
    t.submit("blue")
    s = t.wait_for(r"Sure\?")
    assert "1. Yes (y)" in s and "2. No (n)" in s
    t.keys("y")
    s = t.wait_for(r"MCPASK-FINAL", timeout=60)
    assert "✔ You answered el's question" in s
    answers = [json.loads(l)["msg"] for l in log.read_text().splitlines()]
    answers = [m["result"] for m in answers if "method" not in m and m.get("id", 0) > 1000]
    assert answers == [{"action": "accept", "content": {"answer": "blue", "sure": True}}]
    assert json.loads(outputs(mock)["c_a"][1]["text"]) == answers[0]


def test_a_url_elicitation_shows_the_address(tui, work, mock):
    log = work / "el.log"
    t = tui(config_extra=config(log))
    t.wait_for(r"Ask Codex")
    t.submit("MCPLINK: send me somewhere")
    s = t.wait_for(r"Press enter to confirm or esc to cancel", timeout=60)
    assert "  el asks:" in s and "  Sign in, please" in s
    assert "  Open: https://example.com/auth?x=1" in s
    assert "1. Done (y)" in s and "2. Decline (d)" in s and "3. Cancel (esc)" in s
    t.keys("y")
    t.wait_for(r"MCPLINK-FINAL", timeout=60)
    answers = [json.loads(l)["msg"] for l in log.read_text().splitlines()]
    answers = [m["result"] for m in answers if "method" not in m and m.get("id", 0) > 1000]
    assert answers == [{"action": "accept", "content": {}}]
