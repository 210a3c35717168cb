#!/bin/sh
# apply_patch speed, ours vs the reference, on two inputs:
#   big-file:   one 50,000-line file, one patch with 200 update chunks
#   many-files: one patch updating 1,000 small files
# Each run starts from a fresh copy of the input tree (copying is not timed);
# the patch is fed on stdin to a binary invoked as `apply_patch`.  Prints, for
# each binary, the median wall time and the median CPU time (user + system,
# which a busy machine does not inflate) of RUNS runs, and the max RSS.
#
#   bench/apply_patch.sh [RUNS]
# Environment: CODEX_BIN (default build/codex), CODEX_REF (reference codex;
# skipped if missing).
set -eu
RUNS=${1:-11}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OURS=${CODEX_BIN:-$ROOT/build/codex}
REF=${CODEX_REF:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}
WORK=${BENCH_DIR:-/var/tmp/codex-c-bench-apply-patch}
rm -rf "$WORK" && mkdir -p "$WORK/home"

/usr/bin/python3 - "$WORK" <<'PY'
import os, random, sys
work = sys.argv[1]
rng = random.Random(7)
words = "alpha beta gamma delta return if else for while int x y z value result".split()
def line(i):
    return "    %s %d %s" % (rng.choice(words), i, rng.choice(words))

# big-file: 50,000 lines, 200 chunks spread evenly, each with context.
big = os.path.join(work, "big-file"); os.makedirs(big)
lines = [line(i) for i in range(50000)]
open(os.path.join(big, "big.txt"), "w").write("\n".join(lines) + "\n")
p = ["*** Begin Patch", "*** Update File: big.txt"]
for k in range(200):
    at = 100 + k * 249
    p += ["@@", " " + lines[at - 2], " " + lines[at - 1], "-" + lines[at], "+" + lines[at] + " changed",
          "+    inserted %d" % k, " " + lines[at + 1]]
p.append("*** End Patch")
open(os.path.join(work, "big-file.patch"), "w").write("\n".join(p) + "\n")

# many-files: 1,000 files of 30 lines, one chunk each.
many = os.path.join(work, "many-files"); os.makedirs(many)
p = ["*** Begin Patch"]
for f in range(1000):
    d = os.path.join(many, "d%02d" % (f % 20)); os.makedirs(d, exist_ok=True)
    fl = [line(i) for i in range(30)]
    open(os.path.join(d, "f%04d.txt" % f), "w").write("\n".join(fl) + "\n")
    p += ["*** Update File: d%02d/f%04d.txt" % (f % 20, f), "@@", " " + fl[9], "-" + fl[10], "+" + fl[10] + " x"]
p.append("*** End Patch")
open(os.path.join(work, "many-files.patch"), "w").write("\n".join(p) + "\n")
PY

run_one() { # BIN INPUT -> prints seconds
    rm -rf "$WORK/run" && cp -r "$WORK/$2" "$WORK/run"
    ln -sf "$1" "$WORK/apply_patch"
    /usr/bin/python3 - "$WORK" "$2" <<'PY'
import os, subprocess, sys, time
work, name = sys.argv[1], sys.argv[2]
env = {"PATH": "/usr/bin:/bin", "HOME": work + "/home", "CODEX_HOME": work + "/home", "TMPDIR": work}
data = open(os.path.join(work, name + ".patch"), "rb").read()
import tempfile
with tempfile.TemporaryFile() as inp:
    inp.write(data)
    inp.seek(0)
    t = time.perf_counter()
    proc = subprocess.Popen([os.path.join(work, "apply_patch")], stdin=inp, cwd=os.path.join(work, "run"),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t
if status != 0:
    sys.exit("apply_patch failed on " + name)
print("%.6f %.6f" % (dt, usage.ru_utime + usage.ru_stime))
PY
}

median() { # COLUMN
    awk -v c="$1" '{print $c}' | sort -n | awk '{a[NR]=$1} END {printf "%.1f ms", a[int((NR+1)/2)]*1000}'
}

max_rss() { # BIN INPUT
    rm -rf "$WORK/run" && cp -r "$WORK/$2" "$WORK/run"
    ln -sf "$1" "$WORK/apply_patch"
    (cd "$WORK/run" && HOME="$WORK/home" CODEX_HOME="$WORK/home" TMPDIR="$WORK" \
        /usr/bin/time -v "$WORK/apply_patch" < "$WORK/$2.patch" 2>&1 >/dev/null) |
        awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2 " kB"}'
}

for input in big-file many-files; do
    for who in ours ref; do
        bin=$OURS; [ "$who" = ref ] && bin=$REF
        [ -x "$bin" ] || { echo "$input $who: binary not found ($bin)"; continue; }
        times=$(i=0; while [ $i -lt "$RUNS" ]; do run_one "$bin" "$input"; i=$((i + 1)); done)
        echo "$input $who: wall $(echo "$times" | median 1), cpu $(echo "$times" | median 2)" \
             "(medians of $RUNS runs), max RSS $(max_rss "$bin" "$input")"
    done
done
rm -rf "$WORK"
