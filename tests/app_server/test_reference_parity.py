"""Our answers to reference_cases.py must equal the recorded reference's."""
import json
import pathlib

import pytest

import reference_cases as rc

ANSWERS = json.loads((pathlib.Path(__file__).parent / "reference_answers.json").read_text())


def run_cases(server, cases, w):
    got = {}
    for name, method, params in cases:
        msg = rc.build_request(server.next_id, method, params, w)
        server.next_id += 1
        server.send(msg)
        answer = server.response(msg["id"])
        got[name] = rc.normalize({k: v for k, v in answer.items() if k != "id"}, w)
    return got


@pytest.fixture
def scratch(tmp_path):
    w = tmp_path / "w"
    w.mkdir()
    rc.setup_tree(str(w))
    return str(w)


def test_pre_initialize_answers_match_reference(start_server, scratch):
    s = start_server()
    got = run_cases(s, rc.PRE_INIT_CASES, scratch)
    assert s.close() == 0
    for name, *_ in rc.PRE_INIT_CASES:
        assert got[name] == ANSWERS[name], name


def test_answers_match_reference(server, scratch):
    got = run_cases(server, rc.CASES, scratch)
    mismatches = [(name, got[name], ANSWERS[name]) for name, *_ in rc.CASES
                  if got[name] != ANSWERS[name]]
    assert not mismatches, "\n".join(f"{n}:\n  ours: {o}\n  ref:  {r}" for n, o, r in mismatches)
