#!/bin/sh
# Sandbox overhead: a sandboxed `true` against a bare `true`, ours and the
# reference's, side by side.  Medians of ROUNDS rounds of N runs each, as
# wall time and as CPU time (user + system, children included; less
# sensitive to other load on the machine).
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
OURS=$(pwd)/build/codex
TOOL=$(pwd)/build/bench/sandbox_spawn
WS=$(mktemp -d /var/tmp/codex-bench-XXXXXX)
trap 'rm -rf "$WS"' EXIT
mkdir -p "$WS/home" build/bench

[ -x "$OURS" ] || { echo "bench/sandbox.sh: build first (make release)" >&2; exit 1; }
LIBDIR=$(pkg-config --variable=libdir jansson 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)
cc -std=c17 -D_GNU_SOURCE -O2 -Isrc tests/tools/sandbox_spawn.c -o "$TOOL" build/libcodex.a \
   "$LIBDIR/libjansson.a" "$LIBDIR/libseccomp.a" -lpthread -ldl -lm

# "wall cpu" per run (microseconds) on each line → "median_wall median_cpu".
medians() {
    tmp=$(mktemp)
    cat > "$tmp"
    w=$(cut -d' ' -f1 "$tmp" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
    c=$(cut -d' ' -f2 "$tmp" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
    rm -f "$tmp"
    echo "$w $c"
}

lib() {
    i=0
    while [ $i -lt "$ROUNDS" ]; do
        (cd "$WS" && "$TOOL" -N "$N" "$@" -- /bin/true)
        i=$((i + 1))
    done | medians
}

# Whole processes: N runs inside one shell, timed by /usr/bin/time.
cli() {
    i=0
    while [ $i -lt "$ROUNDS" ]; do
        (cd "$WS" && HOME="$WS/home" CODEX_HOME="$WS/home" /usr/bin/time -f "%e %U %S" \
            sh -c 'i=0; while [ $i -lt '"$N"' ]; do "$@" >/dev/null 2>&1; i=$((i+1)); done' sh "$@" 2>&1 >/dev/null) |
            tail -1 | awk -v n="$N" '{ printf "%.0f %.0f\n", $1 * 1e6 / n, ($2 + $3) * 1e6 / n }'
        i=$((i + 1))
    done | medians
}

row() { # label "wall cpu" ["base_wall base_cpu"]
    set -- "$1" $2 ${3:-}
    if [ $# -eq 5 ]; then
        printf '  %-38s %7s us wall %7s us cpu   (overhead %s us wall, %s us cpu)\n' "$1" "$2" "$3" $(($2 - $4)) $(($3 - $5))
    else
        printf '  %-38s %7s us wall %7s us cpu\n' "$1" "$2" "$3"
    fi
}

echo "library (fork+exec as the agent does), per command, N=$N, median of $ROUNDS:"
bare=$(lib -p none)
row "bare true" "$bare"
row "workspace-write, bwrap pipeline" "$(lib -p bwrap)" "$bare"
row "workspace-write, Landlock pipeline" "$(lib -p landlock)" "$bare"
row "read-only, Landlock pipeline" "$(lib -m read-only -p landlock)" "$bare"

echo "cli (whole processes), per command:"
bare=$(cli /bin/true)
row "/bin/true" "$bare"
row "codex-c sandbox (bwrap)" "$(cli "$OURS" sandbox -c sandbox_mode=workspace-write -- /bin/true)" "$bare"
row "codex-c sandbox landlock" "$(cli "$OURS" sandbox landlock -c sandbox_mode=workspace-write -- /bin/true)" "$bare"
if [ -x "$REF" ]; then
    row "reference 0.169 sandbox (bwrap)" "$(cli "$REF" sandbox -c sandbox_mode=workspace-write -- /bin/true)" "$bare"
fi
echo "peak RSS of the sandboxing process, /usr/bin/time -v:"
for who in "$OURS" "$REF"; do
    [ -x "$who" ] || continue
    kb=$(cd "$WS" && HOME="$WS/home" CODEX_HOME="$WS/home" /usr/bin/time -v "$who" sandbox -c sandbox_mode=workspace-write -- /bin/true 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}')
    printf '  %-38s %7s KB\n' "$(basename "$(dirname "$(dirname "$who")")")/$(basename "$who")" "$kb"
done
