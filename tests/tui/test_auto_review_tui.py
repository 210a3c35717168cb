"""--approve-for-me in the TUI: the escalation that would prompt goes to the
reviewer request instead, and its verdict decides without a prompt."""
import json

from tuihelp import Mock, write_config


def reviewer_mock(work, outcome):
    verdict = json.dumps({"outcome": outcome, "risk_level": "low", "rationale": f"reviewer: {outcome}"})
    # The reviewer's request is told apart by its metadata; the scenario
    # (ESCDEMO) answers the agent's own requests.
    return Mock(work, script={"keyed": [{"match": "x-openai-subagent",
                                         "items": [{"type": "message", "text": verdict}]}]})


def start(tui, work, mock):
    write_config(work / "home", mock.port, trusted_repo=str(work / "repo"))
    t = tui("--approve-for-me", write=False)
    t.wait_for(r"Ask Codex")
    t.submit("ESCDEMO: list the repo and write a marker file")
    return t


def test_an_allowed_escalation_runs_without_a_prompt(tui, work):
    mock = reviewer_mock(work, "allow")
    try:
        t = start(tui, work, mock)
        s = t.wait_for(r"Worked for")
        assert "Would you like to run the following command?" not in s
        assert (work / "escalated_marker.txt").read_text() == "escalated-run\n"
        assert any(r["body"].get("client_metadata", {}).get("x-openai-subagent") == "guardian"
                   for r in mock.requests())
    finally:
        mock.stop()


def test_a_denied_escalation_does_not_run(tui, work):
    mock = reviewer_mock(work, "deny")
    try:
        t = start(tui, work, mock)
        s = t.wait_for(r"Worked for")
        assert "Would you like to run the following command?" not in s
        assert not (work / "escalated_marker.txt").exists()
    finally:
        mock.stop()
