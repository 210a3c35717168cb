#!/usr/bin/env python3
"""Generate the apply_patch differential corpus and record the reference's
outcome for every case.

Each case is one JSON file under corpus/: the files before, the patch, how
apply_patch is invoked, and what the reference printed, returned and left on
disk.  Where codex-c deliberately differs from the reference the expectation
holds our behaviour and the case's "why" says so:
  * atomicity: a failing patch changes nothing (the reference keeps the hunks
    it applied before the failure);
  * "*** Move to:" onto the file's own path keeps the file (the reference
    deletes it while reporting success).

Usage: gen_corpus.py [--ref PATH_TO_REFERENCE_CODEX] [--only NAME_SUBSTRING]
Running it needs the reference binary; the test (test_corpus.py) does not.
"""
import argparse
import json
import os
import pathlib
import random
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from casefmt import populate, snapshot, with_token  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
DEFAULT_REF = ("/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/"
               "x86_64-unknown-linux-musl/bin/codex")
# The reference warns about helper binaries when its home is under /tmp.
SCRATCH = pathlib.Path("/var/tmp/codex-c-apply-patch-corpus")

ATOMIC_WHY = ("deliberate difference: a failing patch changes nothing here; "
              "the reference keeps the hunks it applied before the failure")
MOVE_SELF_WHY = ("deliberate difference: a move onto the file's own path keeps "
                 "the file; the reference deletes it while reporting success")


def T(text):
    return {"text": text}


def run_reference(ref, case):
    work = SCRATCH / "work"
    home = SCRATCH / "home"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    home.mkdir(parents=True, exist_ok=True)
    populate(work, case["files"])
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "CODEX_HOME": str(home),
           "TMPDIR": str(SCRATCH)}
    invoke = case.get("invoke", "flag")
    stdin = None
    if invoke == "flag":
        argv, exe = [ref, "--codex-run-as-apply-patch", case["patch"]], ref
    elif invoke == "flag-noarg":
        argv, exe = [ref, "--codex-run-as-apply-patch"], ref
    elif invoke == "argv0":
        argv, exe = ["apply_patch", case["patch"]], ref
    elif invoke == "argv0-two":
        argv, exe = ["apply_patch", case["patch"], "extra"], ref
    elif invoke == "stdin":
        argv, exe, stdin = ["apply_patch"], ref, case["patch"].encode()
    elif invoke == "applypatch-stdin":
        argv, exe, stdin = ["applypatch"], ref, case["patch"].encode()
    else:
        raise ValueError(invoke)
    proc = subprocess.run(argv, executable=exe, cwd=work, env=env, input=stdin or b"",
                          capture_output=True, timeout=60)
    cwd = str(work)
    return {
        "exit": proc.returncode,
        "stdout": with_token(proc.stdout.decode("utf-8", "replace"), cwd),
        "stderr": with_token(proc.stderr.decode("utf-8", "replace"), cwd),
        "files": snapshot(work),
    }


# ---------------------------------------------------------------- hand cases

def hand_cases():
    c = []

    def add(name, files, patch, **kw):
        c.append(dict(name=name, files=files, patch=patch, **kw))

    B, E = "*** Begin Patch\n", "*** End Patch\n"
    abc = {"f.txt": T("a\nb\nc\n")}
    # --- structure and markers
    add("add-simple", {}, B + "*** Add File: new.txt\n+hello\n+world\n" + E)
    add("add-empty-file", {}, B + "*** Add File: empty.txt\n" + E)
    add("add-nested-dirs", {}, B + "*** Add File: a/b/c/d.txt\n+x\n" + E)
    add("add-overwrites-existing", abc, B + "*** Add File: f.txt\n+new\n" + E)
    add("add-line-without-plus-ends-hunk", {}, B + "*** Add File: n.txt\n+one\ntwo\n" + E)
    add("add-plus-only-line", {}, B + "*** Add File: n.txt\n+\n+\n" + E)
    add("add-under-regular-file", abc, B + "*** Add File: f.txt/x\n+1\n" + E)
    add("add-onto-directory", {"d": {"dir": True}}, B + "*** Add File: d\n+1\n" + E)
    add("add-absolute-outside-is-relative-here", {}, B + "*** Add File: sub/../z.txt\n+z\n" + E)
    add("delete-simple", abc, B + "*** Delete File: f.txt\n" + E)
    add("delete-missing", abc, B + "*** Delete File: nope.txt\n" + E)
    add("delete-directory", {"d": {"dir": True}}, B + "*** Delete File: d\n" + E)
    add("delete-then-add", abc, B + "*** Delete File: f.txt\n*** Add File: f.txt\n+again\n" + E)
    add("add-then-delete", {}, B + "*** Add File: t.txt\n+x\n*** Delete File: t.txt\n" + E)
    add("add-then-update", {}, B + "*** Add File: t.txt\n+x\n+y\n*** Update File: t.txt\n@@\n-x\n+X\n" + E)
    add("delete-twice", abc, B + "*** Delete File: f.txt\n*** Delete File: f.txt\n" + E)
    add("update-after-delete", abc, B + "*** Delete File: f.txt\n*** Update File: f.txt\n@@\n-a\n+A\n" + E)
    add("update-simple", abc, B + "*** Update File: f.txt\n@@\n a\n-b\n+B\n c\n" + E)
    add("update-no-at-at-first-chunk", abc, B + "*** Update File: f.txt\n a\n-b\n+B\n" + E)
    add("update-second-chunk-needs-at-at", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n\tx\n-c\n+C\n" + E)
    add("update-missing-file", {}, B + "*** Update File: nope.txt\n@@\n-a\n+b\n" + E)
    add("update-directory", {"d": {"dir": True}}, B + "*** Update File: d\n@@\n-a\n+b\n" + E)
    add("update-lines-not-found", abc, B + "*** Update File: f.txt\n@@\n-zz\n-yy\n+b\n" + E)
    add("update-context-not-found", abc, B + "*** Update File: f.txt\n@@ nothing here\n-a\n+b\n" + E)
    add("update-context-header", {"f.txt": T("def f():\n    pass\ndef g():\n    pass\n")},
        B + "*** Update File: f.txt\n@@ def g():\n-    pass\n+    return 1\n" + E)
    add("update-two-context-headers", {"f.txt": T("class A:\n  def f():\n    pass\nclass B:\n  def f():\n    pass\n")},
        B + "*** Update File: f.txt\n@@ class B:\n@@   def f():\n-    pass\n+    return 2\n" + E)
    add("update-context-header-only-line", abc, B + "*** Update File: f.txt\n@@ b\n+inserted\n" + E)
    add("update-empty-hunk", abc, B + "*** Update File: f.txt\n" + E)
    add("update-at-at-then-end", abc, B + "*** Update File: f.txt\n@@\n" + E)
    add("update-at-at-then-eof-marker", abc, B + "*** Update File: f.txt\n@@\n*** End of File\n" + E)
    add("update-bad-line", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\nxx\n" + E)
    add("update-bad-first-line", abc, B + "*** Update File: f.txt\n@@\nxx\n" + E)
    add("update-bad-first-line-no-at-at", abc, B + "*** Update File: f.txt\nxx\n" + E)
    add("update-at-at-nospace", abc, B + "*** Update File: f.txt\n@@x\n-a\n" + E)
    add("update-end-of-file", abc, B + "*** Update File: f.txt\n@@\n b\n-c\n+C\n*** End of File\n" + E)
    add("update-end-of-file-not-at-end", {"f.txt": T("x\ny\nx\nz\n")},
        B + "*** Update File: f.txt\n@@\n-x\n+X\n*** End of File\n" + E)
    add("update-end-of-file-prefers-last", {"f.txt": T("x\ny\nx\n")},
        B + "*** Update File: f.txt\n@@\n-x\n+X\n*** End of File\n" + E)
    add("update-append-at-end", abc, B + "*** Update File: f.txt\n@@\n+d\n+e\n" + E)
    add("update-append-before-final-blank", {"f.txt": T("a\nb\n\n")}, B + "*** Update File: f.txt\n@@\n+z\n" + E)
    add("update-append-to-empty-file", {"f.txt": T("")}, B + "*** Update File: f.txt\n@@\n+first\n" + E)
    add("update-empty-file-needs-lines", {"f.txt": T("")}, B + "*** Update File: f.txt\n@@\n-a\n+b\n" + E)
    add("update-delete-everything", abc, B + "*** Update File: f.txt\n@@\n-a\n-b\n-c\n" + E)
    add("update-trailing-empty-line-retry", abc, B + "*** Update File: f.txt\n@@\n-c\n-\n+C\n+\n" + E)
    add("update-blank-context-line", {"f.txt": T("a\n\nb\n")}, B + "*** Update File: f.txt\n@@\n a\n\n-b\n+B\n" + E)
    add("update-blank-lines-between-chunks", {"f.txt": T("a\nb\nc\nd\n")},
        B + "*** Update File: f.txt\n@@\n-a\n+A\n\n\n@@\n-d\n+D\n" + E)
    add("update-chunks-out-of-order", abc, B + "*** Update File: f.txt\n@@\n-c\n+C\n@@\n-a\n+A\n" + E)
    add("update-insert-then-earlier-edit", abc, B + "*** Update File: f.txt\n@@\n+END\n@@\n-a\n+A\n" + E)
    add("update-overlapping-eof", {"f.txt": T("a\nb\n")},
        B + "*** Update File: f.txt\n@@\n-b\n+B\n@@\n-b\n+C\n*** End of File\n" + E)
    add("update-twice-same-file", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n*** Update File: f.txt\n@@\n-A\n+AA\n" + E)
    add("update-ambiguous-takes-first", {"f.txt": T("x\n1\nx\n2\nx\n")}, B + "*** Update File: f.txt\n@@\n-x\n+X\n" + E)
    add("update-ambiguous-after-context", {"f.txt": T("x\nmark\nx\n")}, B + "*** Update File: f.txt\n@@ mark\n-x\n+X\n" + E)
    add("update-sequential-search", {"f.txt": T("x\nx\nx\n")},
        B + "*** Update File: f.txt\n@@\n-x\n+1\n@@\n-x\n+2\n@@\n-x\n+3\n" + E)
    add("update-sequential-exhausted", {"f.txt": T("x\nx\n")},
        B + "*** Update File: f.txt\n@@\n-x\n+1\n@@\n-x\n+2\n@@\n-x\n+3\n" + E)
    # --- whitespace and punctuation matching
    add("match-trailing-whitespace", {"f.txt": T("a  \nb\t\nc\n")}, B + "*** Update File: f.txt\n@@\n-a\n-b\n+X\n" + E)
    add("match-leading-whitespace", {"f.txt": T("    a\n\tb\nc\n")}, B + "*** Update File: f.txt\n@@\n-a\n-b\n+X\n" + E)
    add("match-patch-has-extra-ws", abc, B + "*** Update File: f.txt\n@@\n-  a  \n+A\n" + E)
    add("match-unicode-dash", {"f.txt": T("x \u2013 y\nz\u2011w\n")}, B + "*** Update File: f.txt\n@@\n-x - y\n-z-w\n+ok\n" + E)
    add("match-unicode-quotes", {"f.txt": T("say \u201chi\u201d and \u2018yo\u2019\n")},
        B + "*** Update File: f.txt\n@@\n-say \"hi\" and 'yo'\n+said\n" + E)
    add("match-nbsp", {"f.txt": T("a\u00a0b\n")}, B + "*** Update File: f.txt\n@@\n-a b\n+ab\n" + E)
    add("match-unicode-in-patch-ascii-in-file", {"f.txt": T("a - b\n")}, B + "*** Update File: f.txt\n@@\n-a \u2014 b\n+c\n" + E)
    add("match-ideographic-space-trim", {"f.txt": T("\u3000a\u3000\n")}, B + "*** Update File: f.txt\n@@\n-a\n+b\n" + E)
    add("match-context-header-trim", {"f.txt": T("  def f():\n    pass\n")},
        B + "*** Update File: f.txt\n@@ def f():\n-pass\n+return\n" + E)
    add("match-exact-preferred-over-fuzzy", {"f.txt": T("a \nq\na\n")}, B + "*** Update File: f.txt\n@@\n-a\n+X\n" + E)
    # --- line endings
    add("crlf-update", {"f.txt": T("a\r\nb\r\nc\r\n")}, B + "*** Update File: f.txt\n@@\n a\n-b\n+B\n+B2\n" + E)
    add("crlf-mixed-first-line-wins", {"f.txt": T("a\r\nb\nc")}, B + "*** Update File: f.txt\n@@\n b\n+x\n c\n+y\n" + E)
    add("lf-first-line-crlf-rest", {"f.txt": T("a\nb\r\nc\r\n")}, B + "*** Update File: f.txt\n@@\n-b\n+B\n" + E)
    add("no-trailing-newline-gets-one", {"f.txt": T("a\nb")}, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E)
    add("no-newline-at-all", {"f.txt": T("only")}, B + "*** Update File: f.txt\n@@\n-only\n+changed\n" + E)
    add("crlf-patch-text", abc, (B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E).replace("\n", "\r\n"))
    add("crlf-patch-add", {}, (B + "*** Add File: n.txt\n+x\n+y\n" + E).replace("\n", "\r\n"))
    add("cr-in-last-line", {"f.txt": T("a\nb\r")}, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E)
    add("non-utf8-file", {"f.txt": {"base64": "//4K"}}, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E)
    add("non-utf8-incomplete", {"f.txt": {"base64": "YQrj"}}, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E)
    add("non-utf8-three-byte", {"f.txt": {"base64": "YQrigEEK"}}, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E)
    add("delete-non-utf8", {"f.bin": {"base64": "AAEC//4="}}, B + "*** Delete File: f.bin\n" + E)
    # --- moves
    add("move-simple", abc, B + "*** Update File: f.txt\n*** Move to: g.txt\n@@\n-a\n+A\n" + E)
    add("move-into-new-dir", abc, B + "*** Update File: f.txt\n*** Move to: d/e/g.txt\n@@\n-a\n+A\n" + E)
    add("move-overwrites", {"f.txt": T("a\n"), "g.txt": T("old\n")}, B + "*** Update File: f.txt\n*** Move to: g.txt\n@@\n-a\n+A\n" + E)
    add("move-under-file", abc, B + "*** Update File: f.txt\n*** Move to: f.txt/x\n@@\n-a\n+A\n" + E)
    add("move-missing-source", {}, B + "*** Update File: f.txt\n*** Move to: g.txt\n@@\n-a\n+A\n" + E)
    add("move-then-update-new", abc, B + "*** Update File: f.txt\n*** Move to: g.txt\n@@\n-a\n+A\n*** Update File: g.txt\n@@\n-b\n+B\n" + E)
    add("move-then-update-old", abc, B + "*** Update File: f.txt\n*** Move to: g.txt\n@@\n-a\n+A\n*** Update File: f.txt\n@@\n-b\n+B\n" + E)
    add("move-without-chunks", abc, B + "*** Update File: f.txt\n*** Move to: g.txt\n" + E)
    add("move-line-indented-is-not-move", abc, B + "*** Update File: f.txt\n *** Move to: g.txt\n-a\n" + E)
    add("move-to-self", abc, B + "*** Update File: f.txt\n*** Move to: f.txt\n@@\n-a\n+A\n" + E,
        move_self={"f.txt": T("A\nb\nc\n")})
    add("move-to-self-dotted", abc, B + "*** Update File: f.txt\n*** Move to: ./f.txt\n@@\n-a\n+A\n" + E,
        move_self={"f.txt": T("A\nb\nc\n")})
    # --- symlinks
    add("symlink-update-writes-through", {"f.txt": T("a\n"), "l": {"symlink": "f.txt"}},
        B + "*** Update File: l\n@@\n-a\n+b\n" + E)
    add("symlink-add-writes-through", {"f.txt": T("a\n"), "l": {"symlink": "f.txt"}},
        B + "*** Add File: l\n+zz\n" + E)
    add("symlink-delete-removes-link", {"f.txt": T("a\n"), "l": {"symlink": "f.txt"}},
        B + "*** Delete File: l\n" + E)
    add("symlink-dangling-delete", {"l": {"symlink": "missing"}}, B + "*** Delete File: l\n" + E)
    add("symlink-dangling-update", {"l": {"symlink": "missing"}}, B + "*** Update File: l\n@@\n-a\n+b\n" + E)
    add("symlink-dangling-add", {"l": {"symlink": "missing"}}, B + "*** Add File: l\n+new\n" + E)
    add("symlink-to-dir-delete", {"d": {"dir": True}, "l": {"symlink": "d"}}, B + "*** Delete File: l\n" + E)
    add("symlink-in-subdir", {"sub/f.txt": T("a\n"), "sub/l": {"symlink": "f.txt"}},
        B + "*** Update File: sub/l\n@@\n-a\n+b\n" + E)
    add("symlink-move-source", {"f.txt": T("a\n"), "l": {"symlink": "f.txt"}},
        B + "*** Update File: l\n*** Move to: m.txt\n@@\n-a\n+b\n" + E)
    # --- summary order and paths
    add("summary-grouped", {"f.txt": T("a\n"), "g.txt": T("q\n")},
        B + "*** Delete File: g.txt\n*** Update File: f.txt\n*** Move to: h/i.txt\n@@\n-a\n+A\n*** Add File: z\n+1\n" + E)
    add("summary-paths-as-written", abc, B + "*** Update File: ./f.txt\n@@\n-a\n+A\n*** Add File: x/../y.txt\n+1\n" + E)
    add("path-with-spaces", {"my file.txt": T("a\n")}, B + "*** Update File: my file.txt\n@@\n-a\n+b\n" + E)
    add("path-leading-space", {}, B + "*** Add File:  spaced.txt\n+x\n" + E)
    add("path-unicode", {}, B + "*** Add File: d\u00e9j\u00e0.txt\n+x\n" + E)
    add("dotdot-missing", abc, B + "*** Update File: ./x/../nofile\n@@\n-a\n+A\n" + E)
    # --- failure part way (atomicity)
    add("atomic-add-then-missing-update", {}, B + "*** Add File: new.txt\n+x\n*** Update File: nofile\n@@\n-a\n+A\n" + E)
    add("atomic-update-then-bad-context", {"f.txt": T("a\n"), "g.txt": T("q\n")},
        B + "*** Update File: f.txt\n@@\n-a\n+A\n*** Update File: g.txt\n@@\n-zz\n+y\n" + E)
    add("atomic-delete-then-missing-delete", {"f.txt": T("a\n")}, B + "*** Delete File: f.txt\n*** Delete File: nope\n" + E)
    add("atomic-move-then-fail", abc, B + "*** Update File: f.txt\n*** Move to: g/h.txt\n@@\n-a\n+A\n*** Delete File: nope\n" + E)
    # --- whole-patch errors
    add("empty-patch-body", abc, B + E)
    add("empty-string", abc, "")
    add("whitespace-only", abc, "  \n\t\n")
    add("garbage", abc, "hello world\n")
    add("missing-end", abc, B + "*** Add File: x\n+1\n")
    add("missing-begin", abc, "*** Add File: x\n+1\n" + E)
    add("begin-only", abc, B)
    add("end-only", abc, E)
    add("markers-with-spaces", {}, "  *** Begin Patch  \n*** Add File: x\n+1\n   *** End Patch   \n")
    add("leading-blank-lines", {}, "\n\n" + B + "*** Add File: x\n+1\n" + E + "\n\n")
    add("text-after-end", {}, B + "*** Add File: x\n+1\n" + E + "trailing\n")
    add("bad-hunk-header", abc, B + "*** Frob File: f.txt\n" + E)
    add("bad-hunk-header-second", {}, B + "*** Add File: a\n+1\n*** Frob File: f.txt\n" + E)
    add("bad-hunk-header-line-number", {}, B + "*** Add File: a\n+1\n+2\n+3\n*** Delete File: q\nnonsense\n" + E)
    add("header-case-mismatch", abc, B + "*** update file: f.txt\n@@\n-a\n" + E)
    add("header-no-space-after-colon", abc, B + "*** Add File:x\n+1\n" + E)
    add("add-empty-path", {}, B + "*** Add File: \n+x\n" + E)
    add("header-indented", {}, B + "   *** Add File: ind.txt\n+x\n" + E)
    add("heredoc-wrapper", abc, "<<EOF\n" + B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E + "EOF\n")
    add("heredoc-wrapper-quoted", abc, "<<'EOF'\n" + B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E + "EOF\n")
    add("heredoc-wrapper-dquoted", abc, "<<\"EOF\"\n" + B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E + "EOF\n")
    add("heredoc-wrapper-empty", abc, "<<'EOF'\n" + B + E + "EOF\n")
    add("heredoc-wrapper-bad-inner", abc, "<<'EOF'\n" + B + "*** Add File: q\n+1\nEOF\n")
    add("heredoc-wrapper-other-delim", abc, "<<'PATCH'\n" + B + "*** Add File: q\n+1\n" + E + "PATCH\n")
    add("heredoc-wrapper-bad-hunk-line", abc, "<<EOF\n" + B + "*** Nope\n" + E + "EOF\n")
    add("unexpected-line-after-eof-marker", abc, B + "*** Update File: f.txt\n@@\n-c\n+C\n*** End of File\n-x\n" + E)
    add("eof-marker-then-next-chunk", {"f.txt": T("a\nb\nc\n")},
        B + "*** Update File: f.txt\n@@\n-a\n+A\n*** End of File\n@@\n-c\n+C\n" + E)
    add("star-line-ends-update", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n*** Bogus\n" + E)
    add("tab-line-ends-chunk", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n\t\n-b\n" + E)
    add("tab-line-then-at-at", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n\t\n@@\n-b\n+B\n" + E)
    add("space-only-line-is-context", {"f.txt": T("a\n \nb\n")}, B + "*** Update File: f.txt\n@@\n a\n  \n-b\n+B\n" + E)
    add("long-line", {"f.txt": T("x" * 5000 + "\n")}, B + "*** Update File: f.txt\n@@\n-" + "x" * 5000 + "\n+y\n" + E)
    add("error-lists-all-old-lines", abc, B + "*** Update File: f.txt\n@@\n a\n-nope\n b\n" + E)
    add("unicode-context-error", abc, B + "*** Update File: f.txt\n@@ caf\u00e9 \u2014 x\n-a\n" + E)
    add("nul-free-binary-looking", {}, B + "*** Add File: b.txt\n+\u0001\u0002\u007f\n" + E)
    # --- lone CR endings, end markers, kept edge lines (found by probing)
    add("x-cr-endings-update-last", {"f.txt": T("a\rb\nc\n")}, B + "*** Update File: f.txt\n@@\n-c\n+C\n" + E)
    add("x-cr-endings-update-first", {"f.txt": T("a\rb\nc\n")}, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E)
    add("x-cr-last-line-append", {"f.txt": T("a\nb\r")}, B + "*** Update File: f.txt\n@@\n+z\n" + E)
    add("x-cr-cr-lf", {"f.txt": T("a\r\r\nc\n")}, B + "*** Update File: f.txt\n@@\n-c\n+C\n" + E)
    add("x-cr-only-file", {"f.txt": T("a\rb\rc\r")}, B + "*** Update File: f.txt\n@@\n b\n+x\n c\n" + E)
    add("x-end-patch-inside", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E + "*** Add File: x\n+1\n" + E)
    add("x-end-patch-twice", {}, B + "*** Add File: x\n+1\n" + E + E)
    add("x-end-patch-indented-inside-chunk", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n  " + E + "*** Add File: x\n+1\n" + E)
    add("x-begin-patch-inside", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + B + E)
    add("x-move-after-chunk", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n*** Move to: g\n" + E)
    add("x-double-eof-marker", abc, B + "*** Update File: f.txt\n@@\n-c\n+C\n*** End of File\n*** End of File\n" + E)
    add("x-update-after-chunk", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n*** Update File: f.txt\n@@\n-b\n+B\n" + E)
    add("x-delete-after-chunk", {"f.txt": T("a\n"), "g": T("g\n")}, B + "*** Update File: f.txt\n@@\n-a\n+A\n*** Delete File: g\n" + E)
    add("x-blank-between-hunks", {}, B + "*** Add File: x\n+1\n\n*** Add File: y\n+2\n" + E)
    add("x-blank-before-first-chunk", abc, B + "*** Update File: f.txt\n\n@@\n-a\n+A\n" + E)
    add("x-tab-before-first-chunk", abc, B + "*** Update File: f.txt\n\t\n@@\n-a\n+A\n" + E)
    add("x-spaces-before-first-chunk", abc, B + "*** Update File: f.txt\n   \n@@\n-a\n+A\n" + E)
    add("x-remove-and-readd-same-text", {"f.txt": T("x  \ny\n")}, B + "*** Update File: f.txt\n@@\n-x\n+x\n y\n" + E)
    add("x-context-after-insert-uses-patch-text", {"f.txt": T("x  \ny\n")}, B + "*** Update File: f.txt\n@@\n+new\n x\n-y\n+Y\n" + E)
    add("x-inner-context-uses-patch-text", {"f.txt": T("a\nb  \nc\n")}, B + "*** Update File: f.txt\n@@\n-a\n+A\n b\n-c\n+C\n" + E)
    add("x-edge-context-keeps-file-text", {"f.txt": T("a \u2013 b\nc\nd  \n")}, B + "*** Update File: f.txt\n@@\n a - b\n-c\n+C\n d\n" + E)
    add("x-context-only-chunk", {"f.txt": T("a  \r\nb\n")}, B + "*** Update File: f.txt\n@@\n a\n b\n" + E)
    add("x-retry-trailing-blank-with-context", {"f.txt": T("a\nb\n")}, B + "*** Update File: f.txt\n@@\n a\n-b\n+B\n \n" + E)
    add("x-retry-trailing-blank-removed", {"f.txt": T("a\nb\n")}, B + "*** Update File: f.txt\n@@\n a\n-b\n-\n+B\n" + E)
    add("x-crlf-edge-context-keeps-endings", {"f.txt": T("a\nb\r\nc\n")}, B + "*** Update File: f.txt\n@@\n a\n-b\n+B\n c\n" + E)
    add("x-eof-after-previous-chunk", {"f.txt": T("a\nb\nc\n")}, B + "*** Update File: f.txt\n@@\n-c\n+C\n@@\n+d\n*** End of File\n" + E)
    add("x-eof-context-line", {"f.txt": T("a\nb\nc\n")}, B + "*** Update File: f.txt\n@@ a\n-c\n+C\n*** End of File\n" + E)
    add("x-insert-only-with-header", {"f.txt": T("a\nb\nc\n")}, B + "*** Update File: f.txt\n@@ a\n+after a?\n" + E)
    add("x-move-to-self-fails-later", abc, B + "*** Update File: f.txt\n*** Move to: f.txt\n@@\n-zz\n+A\n" + E)
    add("x-move-chain", {"a.txt": T("1\n")}, B + "*** Update File: a.txt\n*** Move to: b.txt\n@@\n-1\n+2\n*** Update File: b.txt\n*** Move to: c.txt\n@@\n-2\n+3\n" + E)
    add("x-move-and-delete-source-again", {"a.txt": T("1\n")}, B + "*** Update File: a.txt\n*** Move to: b.txt\n@@\n-1\n+2\n*** Delete File: a.txt\n" + E)
    add("x-add-in-deleted-file-place", {"d": T("file\n")}, B + "*** Delete File: d\n*** Add File: d\n+x\n" + E)
    add("x-unicode-ws-trim-in-header", {}, B + "*** Add File: u.txt\u00a0\n+x\n" + E)
    add("x-nbsp-around-begin", {}, "\u00a0" + B + "*** Add File: n.txt\n+x\n" + E + "\u3000")
    add("x-end-then-whitespace-line-then-end", {}, B + "*** Add File: x\n+1\n" + E + " \t \n" + E)
    add("x-end-then-junk-then-end", {}, B + "*** Add File: x\n+1\n" + E + "foo\n" + E)
    add("x-end-three-times", {}, B + "*** Add File: x\n+1\n" + E + E + E)
    add("x-blank-line-before-end", {}, B + "*** Add File: x\n+1\n\n" + E)
    add("x-indented-first-end", {}, B + "*** Add File: x\n+1\n  *** End Patch  \n" + E)
    add("x-eof-marker-first-line-of-first-chunk", abc, B + "*** Update File: f.txt\n*** End of File\n" + E)
    add("x-context-header-blank", {"f.txt": T("a\nb\n\nc\n")}, B + "*** Update File: f.txt\n@@ \n-b\n+B\n" + E)
    add("x-context-header-spaces", {"f.txt": T("a\nb\n\nc\n")}, B + "*** Update File: f.txt\n@@  \t\n-b\n+B\n" + E)
    add("x-context-header-padded-missing", {"f.txt": T("a\nb\n")}, B + "*** Update File: f.txt\n@@  zz  \n-b\n+B\n" + E)
    add("x-context-header-padded-found", {"f.txt": T("a\n zz\nb\n")}, B + "*** Update File: f.txt\n@@  zz  \n-b\n+B\n" + E)
    add("x-context-header-indented", {"f.txt": T("a\nb\n")}, B + "*** Update File: f.txt\n  @@ a\n-b\n+B\n" + E)
    add("x-bogus-star-line-first", abc, B + "*** Update File: f.txt\n*** Bogus\n@@\n-a\n+A\n" + E)
    add("x-second-move-line", abc, B + "*** Update File: f.txt\n*** Move to: g\n*** Move to: h\n@@\n-a\n+A\n" + E)
    add("x-indented-end-inside-update", abc, B + "*** Update File: f.txt\n  *** End Patch\n-a\n" + E)
    add("x-end-marker-right-after-at-at", abc, B + "*** Update File: f.txt\n@@\n" + E + E)
    add("x-tab-indented-header-after-chunk", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n\t*** Add File: x\n+1\n" + E)
    add("x-header-trailing-space-after-chunk", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n*** Add File: x  \n+1\n" + E)
    add("x-hunk-error-before-early-end", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n@@\n" + E + " b\n" + E)
    add("x-begin-twice-before-early-end", abc, B + B + "*** Update File: f.txt\n@@\n" + E + " b\n" + E)
    add("x-eof-marker-before-first-chunk", abc, B + "*** Update File: f.txt\n*** End of File\n@@\n-b\n+B\n" + E)
    # --- divergences found by held-out checks (issue 12)
    add("y-eof-marker-trailing-spaces", abc, B + "*** Update File: f.txt\n@@\n-c\n+C\n*** End of File   \n" + E)
    add("y-eof-marker-trailing-tab", abc, B + "*** Update File: f.txt\n@@\n-c\n+C\n*** End of File\t\n" + E)
    add("y-eof-marker-leading-space", abc, B + "*** Update File: f.txt\n@@\n-c\n+C\n  *** End of File\n" + E)
    add("y-two-pure-insertions", abc, B + "*** Update File: f.txt\n@@\n+x\n@@\n+y\n" + E)
    add("y-three-pure-insertions", abc, B + "*** Update File: f.txt\n@@\n+x\n@@\n+y\n@@\n+z\n" + E)
    add("y-pure-insertions-with-headers", abc, B + "*** Update File: f.txt\n@@ a\n+x\n@@ b\n+y\n" + E)
    add("y-pure-insertions-headers-reversed", abc, B + "*** Update File: f.txt\n@@ b\n+x\n@@ a\n+y\n" + E)
    add("y-insertion-after-replacement", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n@@\n+tail\n" + E)
    add("y-insertion-before-replacement", abc, B + "*** Update File: f.txt\n@@\n+head\n@@\n-c\n+C\n" + E)
    add("y-pure-insertion-and-eof", abc, B + "*** Update File: f.txt\n@@\n+x\n@@\n-c\n+C\n*** End of File\n" + E)
    # --- invocation forms
    add("invoke-argv0", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E, invoke="argv0")
    add("invoke-stdin", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E, invoke="stdin")
    add("invoke-applypatch-stdin", abc, B + "*** Update File: f.txt\n@@\n-a\n+A\n" + E, invoke="applypatch-stdin")
    add("invoke-stdin-empty", abc, "", invoke="stdin")
    add("invoke-stdin-whitespace", abc, " \n", invoke="stdin")
    add("invoke-argv0-two-args", abc, B + E, invoke="argv0-two")
    add("invoke-flag-noarg", abc, "", invoke="flag-noarg")
    add("invoke-stdin-error", abc, B + "*** Update File: f.txt\n@@\n-zz\n+A\n" + E, invoke="stdin")
    add("invoke-argv0-invalid", abc, "nope", invoke="argv0")
    return c


# ------------------------------------------------------------ generated cases

WORDS = ("alpha beta gamma delta return if else for while int char void static const struct "
         "printf x y z i j k foo bar baz qux value result error self None True False def class "
         "import from let mut fn pub use match Some Ok Err").split()


def rand_line(rng):
    indent = rng.choice(["", "", "  ", "    ", "\t", "        "])
    n = rng.randint(0, 7)
    body = " ".join(rng.choice(WORDS) for _ in range(n))
    if rng.random() < 0.2:
        body += rng.choice([";", ":", " {", "}", "(", ")", ","])
    return indent + body


def rand_file_lines(rng, n):
    return [rand_line(rng) for _ in range(n)]


def join_lines(lines, eol="\n", final=True):
    if not lines:
        return ""
    return eol.join(lines) + (eol if final else "")


def drift(rng, line, kind):
    """How the model's copy of a line may differ from the file."""
    if kind == "trailing":
        return line + rng.choice([" ", "  ", "\t"])
    if kind == "leading":
        return rng.choice([" ", "  ", "\t"]) + line.lstrip()
    if kind == "strip":
        return line.strip()
    return line


UNI = [("-", "\u2013"), ("-", "\u2014"), ("-", "\u2011"), ("'", "\u2019"), ('"', "\u201c"),
       ('"', "\u201d"), (" ", "\u00a0")]


def make_update(rng, lines, n_chunks, drift_kind=None, with_headers=False, eof=False):
    """Pick n_chunks non-overlapping regions and build update chunks for them."""
    n = len(lines)
    if n == 0:
        return ["@@", "+" + rand_line(rng)], None
    cuts = sorted(rng.sample(range(n), min(n_chunks, n)))
    out = []
    prev_end = 0
    for idx, pos in enumerate(cuts):
        if pos < prev_end:
            continue
        before = rng.randint(0, 3)
        start = max(prev_end, pos - before)
        n_del = rng.randint(0, 3)
        end_del = min(n, pos + n_del)
        after = rng.randint(0, 3)
        end = min(n, end_del + after)
        if eof and idx == len(cuts) - 1:
            end = n
        if start == end:
            end = min(n, start + 1)
            end_del = max(end_del, start)
        header = None
        if with_headers and start > 0 and rng.random() < 0.7:
            header = lines[rng.randint(max(0, prev_end), start - 1)] if start - 1 >= prev_end else None
        out.append("@@ " + header if header is not None else "@@")
        for i in range(start, end):
            text = lines[i]
            if drift_kind and rng.random() < 0.5:
                text = drift(rng, text, drift_kind)
            if pos <= i < end_del:
                out.append("-" + text)
            else:
                if i == pos and rng.random() < 0.8:
                    for _ in range(rng.randint(1, 3)):
                        out.append("+" + rand_line(rng))
                out.append(" " + text)
        if end_del >= end and rng.random() < 0.9:
            for _ in range(rng.randint(0, 3)):
                out.append("+" + rand_line(rng))
        if eof and idx == len(cuts) - 1:
            out.append("*** End of File")
        prev_end = end
    return out, None


def gen_cases(seed, count):
    rng = random.Random(seed)
    cases = []
    kinds = ["plain", "plain", "multi", "trailing", "leading", "strip", "unicode", "crlf",
             "nonl", "empty", "move", "delete", "add", "multi-file", "eof", "headers",
             "ambiguous", "mismatch", "malformed", "bigfile"]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        name = "gen-%03d-%s" % (i, kind)
        nlines = rng.randint(1, 40)
        lines = rand_file_lines(rng, nlines)
        eol, final = "\n", True
        files = {}
        patch_lines = ["*** Begin Patch"]
        if kind == "empty":
            files["e.txt"] = T("")
            patch_lines += ["*** Update File: e.txt", "@@"] + ["+" + rand_line(rng) for _ in range(rng.randint(1, 3))]
        elif kind == "add":
            patch_lines += ["*** Add File: dir%d/new.txt" % i] + ["+" + l for l in lines]
        elif kind == "delete":
            files["gone.txt"] = T(join_lines(lines))
            files["keep.txt"] = T("keep\n")
            patch_lines += ["*** Delete File: gone.txt"]
        elif kind == "multi-file":
            for k in range(rng.randint(2, 5)):
                fl = rand_file_lines(rng, rng.randint(1, 15))
                files["m%d.txt" % k] = T(join_lines(fl))
                body, _ = make_update(rng, fl, rng.randint(1, 2))
                patch_lines += ["*** Update File: m%d.txt" % k] + body
            patch_lines += ["*** Add File: added.txt", "+fresh"]
        else:
            if kind == "crlf":
                eol = "\r\n"
            if kind == "nonl":
                final = False
            if kind == "unicode":
                # The file has typographic punctuation; the patch plain ASCII.
                lines = [l + " - 'q' \"w\"" if rng.random() < 0.5 else l for l in lines]
                file_lines = []
                for l in lines:
                    for a, u in UNI:
                        if rng.random() < 0.4:
                            l = l.replace(a, u)
                    file_lines.append(l)
                files["f.txt"] = T(join_lines(file_lines, eol, final))
            elif kind == "ambiguous":
                block = rand_file_lines(rng, 2)
                lines = block + rand_file_lines(rng, 3) + block + rand_file_lines(rng, 2) + block
                files["f.txt"] = T(join_lines(lines, eol, final))
            elif kind == "bigfile":
                lines = rand_file_lines(rng, rng.randint(300, 800))
                files["f.txt"] = T(join_lines(lines, eol, final))
            else:
                files["f.txt"] = T(join_lines(lines, eol, final))
            drift_kind = kind if kind in ("trailing", "leading", "strip") else None
            n_chunks = {"multi": 4, "bigfile": 12, "headers": 3}.get(kind, rng.randint(1, 2))
            body, _ = make_update(rng, lines, n_chunks, drift_kind, with_headers=(kind == "headers"),
                                  eof=(kind == "eof"))
            if kind == "mismatch":
                victim = rng.randrange(len(body))
                if body[victim].startswith(("-", " ")):
                    body[victim] = body[victim][0] + "MISSING " + body[victim][1:]
                else:
                    body.insert(1, "-no such line here")
            header = ["*** Update File: f.txt"]
            if kind == "move":
                header.append("*** Move to: moved/f%d.txt" % i)
            patch_lines += header + body
            if kind == "malformed":
                mutation = rng.choice(["drop-end", "garbage-line", "bad-header", "drop-at",
                                       "drop-begin", "junk-prefix"])
                if mutation == "garbage-line":
                    patch_lines.insert(rng.randint(3, len(patch_lines)), "garbage " + rand_line(rng))
                elif mutation == "bad-header":
                    patch_lines[1] = "*** Change File: f.txt"
                elif mutation == "drop-at":
                    patch_lines = [l for l in patch_lines if not l.startswith("@@")]
                    patch_lines.insert(3, "%" + rand_line(rng))
                elif mutation == "drop-begin":
                    patch_lines = patch_lines[1:]
                elif mutation == "junk-prefix":
                    patch_lines.insert(0, "Here is the patch:")
                if mutation == "drop-end":
                    cases.append(dict(name=name, files=files, patch="\n".join(patch_lines) + "\n"))
                    continue
        patch_lines.append("*** End Patch")
        cases.append(dict(name=name, files=files, patch="\n".join(patch_lines) + "\n"))
    return cases


MUTANT_LINES = ["", " ", "\t", "@@", "@@ ", "@@@", "*** End of File", "*** End Patch", "*** Begin Patch",
                "*** Move to: m.txt", "*** Add File: added.txt", "*** Delete File: f.txt", "***",
                "*** Update File: f.txt", "+", "-", "  *** End Patch", "<<EOF", "EOF", "\\ No newline"]


def mutant_cases(seed, count):
    """Valid generated patches with one to three random line-level edits:
    the parser's corner cases, recorded from the reference."""
    rng = random.Random(seed)
    base = [c for c in gen_cases(seed + 1, 60) if "malformed" not in c["name"]]
    out = []
    for i in range(count):
        src = rng.choice(base)
        lines = src["patch"].split("\n")
        for _ in range(rng.randint(1, 3)):
            op = rng.choice(["delete", "duplicate", "insert", "swap", "reprefix", "indent",
                             "trail", "squash", "case", "crlf"][:10 if i >= 120 else 6])
            k = rng.randrange(len(lines))
            if op == "delete" and len(lines) > 1:
                del lines[k]
            elif op == "duplicate":
                lines.insert(k, lines[k])
            elif op == "insert":
                lines.insert(k, rng.choice(MUTANT_LINES))
            elif op == "swap" and k + 1 < len(lines):
                lines[k], lines[k + 1] = lines[k + 1], lines[k]
            elif op == "reprefix" and lines[k]:
                lines[k] = rng.choice("+- @*#") + lines[k][1:]
            elif op == "indent":
                lines[k] = rng.choice([" ", "  ", "\t"]) + lines[k]
            elif op == "trail":
                lines[k] = lines[k] + rng.choice([" ", "\t", "\r", "\u00a0"])
            elif op == "squash" and lines[k].startswith("*** "):
                lines[k] = "***" + lines[k][4:]
            elif op == "case":
                lines[k] = lines[k].lower()
            elif op == "crlf":
                lines[k] = lines[k] + "\r"
        out.append(dict(name="mut-%03d" % i, files=src["files"], patch="\n".join(lines)))
    return out


def finish(case, ref_result):
    """The expectation: the reference's result, with our deliberate differences."""
    expected = dict(ref_result)
    why = []
    if case.get("move_self") is not None:
        files = dict(expected["files"])
        files.update(case["move_self"])
        expected["files"] = files
        why.append(MOVE_SELF_WHY)
    if expected["exit"] != 0:
        initial = initial_snapshot(case["files"])
        if expected["files"] != initial:
            expected["files"] = initial
            why.append(ATOMIC_WHY)
    out = {"name": case["name"], "invoke": case.get("invoke", "flag"), "files": case["files"],
           "patch": case["patch"], "expected": expected}
    if why:
        out["why"] = "; ".join(why)
    return out


def initial_snapshot(files):
    root = SCRATCH / "initial"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    populate(root, files)
    snap = snapshot(root)
    shutil.rmtree(root)
    return snap


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", default=os.environ.get("CODEX_REF", DEFAULT_REF))
    ap.add_argument("--only", default=None)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--generated", type=int, default=220)
    args = ap.parse_args()
    cases = hand_cases() + gen_cases(args.seed, args.generated) + mutant_cases(args.seed + 7, 240)
    if not args.only:
        for old in CORPUS.glob("*.json"):
            old.unlink()
    CORPUS.mkdir(exist_ok=True)
    for case in cases:
        if args.only and args.only not in case["name"]:
            continue
        result = finish(case, run_reference(args.ref, case))
        (CORPUS / (case["name"] + ".json")).write_text(
            json.dumps(result, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    print("%d cases in %s" % (len(list(CORPUS.glob("*.json"))), CORPUS))


if __name__ == "__main__":
    main()
