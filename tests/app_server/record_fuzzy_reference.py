"""Record the reference's fuzzyFileSearch answers over fuzzy_tree's tree.

Usage: python3 record_fuzzy_reference.py /path/to/reference/codex
Writes fuzzy_reference.json beside this file.  CODEX_HOME is a fresh
directory outside /tmp (the reference refuses a CODEX_HOME under /tmp)."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import fuzzy_tree

HERE = pathlib.Path(__file__).parent


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="fuzzy-ref-", dir=os.path.expanduser("~"))
    try:
        root = os.path.join(work, "tree")
        home = os.path.join(work, "home")
        os.makedirs(home)
        fuzzy_tree.build(root)
        env = dict(os.environ, CODEX_HOME=home)
        p = subprocess.Popen([binary, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env, text=True)

        def call(i, method, params):
            p.stdin.write(json.dumps({"id": i, "method": method, "params": params}) + "\n")
            p.stdin.flush()
            while True:
                m = json.loads(p.stdout.readline())
                if m.get("id") == i:
                    return m

        call(0, "initialize", {"clientInfo": {"name": "recorder", "version": "1"}})
        p.stdin.write(json.dumps({"method": "initialized"}) + "\n")
        answers = {}
        for i, q in enumerate(fuzzy_tree.QUERIES, 1):
            r = call(i, "fuzzyFileSearch", {"query": q, "roots": [root]})
            answers[q] = fuzzy_tree.normalize(r["result"]["files"], root)
        p.stdin.close()
        p.wait()
        (HERE / "fuzzy_reference.json").write_text(
            json.dumps(answers, indent=1, ensure_ascii=False) + "\n")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
