"""The app server's structure (issue 18): the files of src/rpc and src/store
use each other without a cycle, so each can be read and changed from the
bottom up, and no feature module keeps state in struct rpc_server.  Uses
the objects of the sanitized build (nm)."""
import functools
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
OBJ = pathlib.Path(os.environ.get("CODEX_BUILD", ROOT / "build")) / "asan" / "obj" / "src"


@functools.lru_cache(maxsize=None)
def file_graph(folder):
    """file -> the files of the same folder whose symbols it uses."""
    objs = sorted(o for o in (OBJ / folder).glob("*.o")
                  if (ROOT / "src" / folder / (o.stem + ".c")).exists())
    if not objs:
        pytest.skip(f"no objects under {OBJ / folder}; build with `make asan` first")
    out = subprocess.run(["nm", "-A", *map(str, objs)], capture_output=True, text=True,
                         check=True).stdout
    owner, used = {}, {o.stem: set() for o in objs}
    for line in out.splitlines():
        where, _, rest = line.partition(": ")
        if not rest:
            where, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) < 2:
            continue
        kind, sym, stem = parts[-2], parts[-1], pathlib.Path(where).stem
        if kind == "U":
            used[stem].add(sym)
        elif kind.isupper():
            owner[sym] = stem
    return {f: {owner[s] for s in syms if s in owner} - {f} for f, syms in used.items()}


def cycles(graph):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.mark.parametrize("folder", ["rpc", "store"])
def test_no_file_uses_another_in_a_cycle(folder):
    assert cycles(file_graph(folder)) == []


def test_the_server_core_knows_modules_only_through_the_table():
    graph = file_graph("rpc")
    core = {"jsonrpc", "conn", "request", "server", "protocol", "stdio_transport", "ws_transport",
            "inproc_transport",
            "websocket", "ws_auth"}
    modules = set(graph) - core - {"modules"}
    # The core reaches a module only through modules.c's table ...
    for f in core:
        assert not graph[f] & modules, (f, graph[f] & modules)
    # ... and no module calls back into the server's dispatch.
    for f in modules:
        assert "server" not in graph[f], f


def test_rpc_server_keeps_no_feature_state():
    text = (ROOT / "src" / "rpc" / "server.h").read_text()
    body = re.search(r"struct rpc_server \{(.*?)\};", text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    members = [(re.search(r"\(\*(\w+)\)", d) or re.search(r"(\w+)\s*(?:\[[^\]]*\])?\s*$", d)).group(1)
               for d in body.split(";") if d.strip()]
    assert set(members) == {"loop", "codex_home", "cwd", "envp", "config_overrides",
                            "n_config_overrides", "n_conns", "on_all_closed", "ws",
                            "module_state",
                            # the process's proxy resolver overrides, handed to
                            # every thread like envp
                            "netproxy_hosts", "n_netproxy_hosts"}, members
