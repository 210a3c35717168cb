"""Drive `codex` (the interactive TUI) in a real terminal: a tmux pane of
120x40 on a private tmux server, against the scripted Responses mock
(tests/mock) with keyword scenarios (scenarios.json).  Named uniquely so it
cannot clash with other suites' helper modules."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import uuid

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MOCK = ROOT / "tests" / "mock" / "responses_mock.py"
BUILD = pathlib.Path(os.environ.get("CODEX_BUILD", ROOT / "build"))
CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", BUILD / "asan" / "codex"))

WIDTH, HEIGHT = 120, 40


def have_tmux():
    return shutil.which("tmux") is not None


class Mock:
    def __init__(self, work, script=None):
        scen = (HERE / "scenarios.json").read_text().replace("$WORK", str(work))
        self.scenarios = work / "scenarios.json"
        self.scenarios.write_text(scen)
        path = work / "script.json"
        path.write_text(json.dumps(script or []))
        self.log = work / "requests.jsonl"
        self.proc = subprocess.Popen([sys.executable, str(MOCK), str(path), str(self.log),
                                      "--scenarios", str(self.scenarios)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])

    def requests(self):
        if not self.log.exists():
            return []
        text = self.log.read_text()
        # The mock may be writing the last line right now: only whole lines.
        lines = text.split("\n")[:-1]
        return [json.loads(l) for l in lines if l.strip()]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def write_config(home, port, trusted_repo=None, extra=""):
    text = (f'model = "gpt-5.5"\nmodel_provider = "mock"\n{extra}\n'
            f'[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
            f'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
            '[tools.update_plan]\nenabled = true\n')
    if trusted_repo:
        text += f'\n[projects."{trusted_repo}"]\ntrust_level = "trusted"\n'
    (home / "config.toml").write_text(text)


def make_repo(path):
    path.mkdir()
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    subprocess.run(["git", "init", "-q", "."], cwd=path, check=True, env=env)
    (path / "README.md").write_text("hi\n")
    (path / "src").mkdir()
    (path / "src" / "main.c").write_text(
        '#include <stdio.h>\n\nint main(void) {\n    printf("hi\\n");\n    return 0;\n}\n')
    (path / "docs").mkdir()
    (path / "docs" / "guide.md").write_text("# Guide\n\nSome docs.\n")
    subprocess.run(["git", "add", "."], cwd=path, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=path, check=True, env=env)


class Tui:
    """One codex process in a tmux pane."""

    def __init__(self, work, args=(), env=None, cwd=None, width=WIDTH, height=HEIGHT,
                 binary=None, shell_prompt=None, job_control=False):
        self.work = work
        self.sock = "codex-tui-%d-%s" % (os.getpid(), uuid.uuid4().hex[:8])
        self.stderr = work / ("stderr-%s.txt" % uuid.uuid4().hex[:6])
        self.exit_file = work / ("exit-%s.txt" % uuid.uuid4().hex[:6])
        e = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(work / "userhome"),
            "CODEX_HOME": str(work / "home"),
            "MOCK_API_KEY": "dummy",
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
        }
        if env:
            e.update(env)
        self.env = e
        argv = [str(binary or CODEX_BIN), *[str(a) for a in args]]
        # The exit status goes to a file; the pane stays for the last screen.
        prefix = ("printf '%%s\\n' %s; " % shlex_quote(shell_prompt)) if shell_prompt else ""
        script = "%s%s 2>%s; echo $? > %s" % (prefix, " ".join(shlex_quote(a) for a in argv),
                                              shlex_quote(str(self.stderr)),
                                              shlex_quote(str(self.exit_file)))
        conf = work / "tmux.conf"
        conf.write_text('set -g default-terminal "xterm-256color"\nset -g history-limit 20000\n'
                        'set -sg escape-time 10\nset -g status off\nset -g remain-on-exit on\n')
        cmd = ["tmux", "-L", self.sock, "-f", str(conf), "new-session", "-d", "-s", "t",
               "-x", str(width), "-y", str(height), "-c", str(cwd or work / "repo")]
        for k, v in e.items():
            cmd += ["-e", "%s=%s" % (k, v)]
        if job_control:
            # An interactive shell, so Ctrl-Z can stop codex and `fg` bring
            # it back; the command line is typed into it.
            cmd += ["bash", "--norc", "--noprofile", "-i"]
        else:
            cmd += ["sh", "-c", script]
        subprocess.run(cmd, check=True, env={"PATH": e["PATH"], "HOME": e["HOME"],
                                             "TMUX_TMPDIR": str(work)})
        self.tmux_env = {"PATH": e["PATH"], "HOME": e["HOME"], "TMUX_TMPDIR": str(work)}
        if job_control:
            self.tmux("send-keys", "-t", "t", "-l", "PS1='$ '; " + script)
            self.tmux("send-keys", "-t", "t", "Enter")

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.sock, *args], capture_output=True, text=True,
                              env=self.tmux_env, check=check)

    def screen(self, ansi=False, history=False):
        args = ["capture-pane", "-p", "-t", "t"]
        if ansi:
            args.append("-e")
        if history:
            args += ["-S", "-"]
        return self.tmux(*args).stdout

    def rows(self):
        s = self.screen()
        return (s[:-1] if s.endswith("\n") else s).split("\n")

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def text(self, s):
        self.tmux("send-keys", "-t", "t", "-l", s)

    def submit(self, s, pause=0.3):
        """Type a prompt, wait a little (fast typing then Enter would be a
        paste burst), then Enter."""
        self.text(s)
        time.sleep(pause)
        self.keys("Enter")

    def wait_for(self, pattern, timeout=20, ansi=False, history=False):
        rx = re.compile(pattern, re.M)
        deadline = time.time() + timeout
        last = ""
        while time.time() < deadline:
            last = self.screen(ansi=ansi, history=history)
            if rx.search(last):
                return last
            if self.dead() and not rx.search(self.screen(ansi=ansi, history=history)):
                break
            time.sleep(0.05)
        raise AssertionError("timed out waiting for /%s/; screen:\n%s\nstderr:\n%s"
                             % (pattern, last, self.read_stderr()))

    def wait_gone(self, pattern, timeout=20):
        rx = re.compile(pattern, re.M)
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.screen()
            if not rx.search(s):
                return s
            time.sleep(0.05)
        raise AssertionError("still there: /%s/; screen:\n%s" % (pattern, self.screen()))

    def dead(self):
        r = self.tmux("display", "-p", "-t", "t", "#{pane_dead}", check=False)
        return r.stdout.strip() == "1"

    def wait_exit(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.exit_file.exists() and self.exit_file.read_text().strip():
                return int(self.exit_file.read_text().strip())
            time.sleep(0.05)
        raise AssertionError("codex did not exit; screen:\n%s" % self.screen())

    def read_stderr(self):
        return self.stderr.read_text(errors="replace") if self.stderr.exists() else ""

    def resize(self, w, h):
        self.tmux("resize-window", "-t", "t", "-x", str(w), "-y", str(h))

    def close(self):
        self.tmux("kill-server", check=False)


class Style:
    def __init__(self):
        self.fg = None
        self.bg = None
        self.attrs = set()

    def copy(self):
        c = Style()
        c.fg, c.bg, c.attrs = self.fg, self.bg, set(self.attrs)
        return c

    def __repr__(self):
        return "Style(fg=%r, bg=%r, attrs=%r)" % (self.fg, self.bg, sorted(self.attrs))


ATTRS = {1: "bold", 2: "dim", 3: "italic", 4: "underline", 7: "reverse", 9: "strike"}
OFF = {22: ("bold", "dim"), 23: ("italic",), 24: ("underline",), 27: ("reverse",), 29: ("strike",)}


def _apply_sgr(st, params):
    ps = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(ps):
        p = ps[i]
        if p == 0:
            st.fg, st.bg, st.attrs = None, None, set()
        elif p in ATTRS:
            st.attrs.add(ATTRS[p])
        elif p in OFF:
            for a in OFF[p]:
                st.attrs.discard(a)
        elif 30 <= p <= 37 or 90 <= p <= 97:
            st.fg = "i%d" % (p - 30 if p < 90 else p - 90 + 8)
        elif 40 <= p <= 47 or 100 <= p <= 107:
            st.bg = "i%d" % (p - 40 if p < 100 else p - 100 + 8)
        elif p == 39:
            st.fg = None
        elif p == 49:
            st.bg = None
        elif p in (38, 48) and i + 1 < len(ps):
            if ps[i + 1] == 5 and i + 2 < len(ps):
                v = "i%d" % ps[i + 2]
                i += 2
            elif ps[i + 1] == 2 and i + 4 < len(ps):
                v = "#%02x%02x%02x" % (ps[i + 2], ps[i + 3], ps[i + 4])
                i += 4
            else:
                v = None
            if p == 38:
                st.fg = v
            else:
                st.bg = v
        i += 1


def styled_rows(ansi):
    """capture-pane -e output as rows of (char, Style)."""
    rows = []
    st = Style()  # tmux carries attributes from one line to the next
    for line in ansi.split("\n"):
        row = []
        i = 0
        while i < len(line):
            m = re.match(r"\x1b\[([0-9;]*)m", line[i:])
            if m:
                _apply_sgr(st, m.group(1))
                i += m.end()
                continue
            if line[i] == "\x1b":
                i += 1
                continue
            row.append((line[i], st.copy()))
            i += 1
        rows.append(row)
    return rows


def style_of(ansi, text):
    """The style of the first character of text in the screen (None when
    the text is not there)."""
    for row in styled_rows(ansi):
        chars = "".join(c for c, _ in row)
        at = chars.find(text)
        if at >= 0:
            return row[at][1]
    return None


def shlex_quote(s):
    import shlex
    return shlex.quote(s)


def sanitizer_clean(text):
    return "ERROR: AddressSanitizer" not in text and "runtime error" not in text \
        and "LeakSanitizer" not in text
