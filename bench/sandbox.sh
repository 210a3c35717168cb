#!/bin/sh
# Sandbox overhead: a sandboxed `true` against a bare `true`, ours and the
# reference's, side by side.  Medians of ROUNDS rounds of N runs each.
#
#   bench/sandbox.sh            (after `make release`)
#
# "library" rows spawn through the sandbox library the way the agent does
# (prepare, fork, pre-exec set-up, exec); "cli" rows run whole processes.
set -eu
cd "$(dirname "$0")/.."
N=${N:-100}
ROUNDS=${ROUNDS:-5}
REF=${REF:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}
OURS=build/codex
TOOL=$(pwd)/build/bench/sandbox_spawn
WS=$(mktemp -d /var/tmp/codex-bench-XXXXXX)
trap 'rm -rf "$WS"' EXIT
mkdir -p "$WS/home" build/bench

[ -x "$OURS" ] || { echo "bench/sandbox.sh: build first (make release)" >&2; exit 1; }
LIBDIR=$(pkg-config --variable=libdir jansson 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)
cc -std=c17 -D_GNU_SOURCE -O2 -Isrc tests/tools/sandbox_spawn.c -o "$TOOL" build/libcodex.a \
   "$LIBDIR/libjansson.a" "$LIBDIR/libseccomp.a" -lpthread -ldl -lm

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Mean microseconds per run of the library spawner, median over rounds.
lib() {
    i=0
    while [ $i -lt "$ROUNDS" ]; do
        (cd "$WS" && "$TOOL" -N "$N" "$@" -- /bin/true)
        i=$((i + 1))
    done | median
}

# Mean microseconds per whole-process run, median over rounds.
cli() {
    i=0
    while [ $i -lt "$ROUNDS" ]; do
        start=$(date +%s%N)
        j=0
        while [ $j -lt "$N" ]; do
            (cd "$WS" && HOME="$WS/home" CODEX_HOME="$WS/home" "$@" >/dev/null 2>&1) || true
            j=$((j + 1))
        done
        echo $(( ($(date +%s%N) - start) / N / 1000 ))
        i=$((i + 1))
    done | median
}

bare_lib=$(lib -p none)
bwrap_lib=$(lib -p bwrap)
ll_lib=$(lib -p landlock)
echo "library (fork+exec as the agent does), microseconds per command, N=$N, median of $ROUNDS:"
printf '  %-40s %8s us\n' "bare true" "$bare_lib"
printf '  %-40s %8s us  (overhead %s us)\n' "workspace-write, bwrap pipeline" "$bwrap_lib" $((bwrap_lib - bare_lib))
printf '  %-40s %8s us  (overhead %s us)\n' "workspace-write, Landlock pipeline" "$ll_lib" $((ll_lib - bare_lib))

bare=$(cli /bin/true)
ours=$(cli "$OURS" sandbox -c sandbox_mode=workspace-write -- /bin/true)
ours_ll=$(cli "$OURS" sandbox landlock -c sandbox_mode=workspace-write -- /bin/true)
echo "cli (whole processes), microseconds per command:"
printf '  %-40s %8s us\n' "/bin/true" "$bare"
printf '  %-40s %8s us  (overhead %s us)\n' "codex-c sandbox (bwrap)" "$ours" $((ours - bare))
printf '  %-40s %8s us  (overhead %s us)\n' "codex-c sandbox landlock" "$ours_ll" $((ours_ll - bare))
if [ -x "$REF" ]; then
    ref=$(cli "$REF" sandbox -c sandbox_mode=workspace-write -- /bin/true)
    printf '  %-40s %8s us  (overhead %s us)\n' "reference 0.169 sandbox (bwrap)" "$ref" $((ref - bare))
fi
echo "peak RSS (KB), /usr/bin/time -v:"
for who in "$OURS" "$REF"; do
    [ -x "$who" ] || continue
    kb=$(cd "$WS" && HOME="$WS/home" CODEX_HOME="$WS/home" /usr/bin/time -v "$who" sandbox -c sandbox_mode=workspace-write -- /bin/true 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}')
    printf '  %-40s %8s KB\n' "$who" "$kb"
done
