#!/bin/sh
# Rules (execpolicy) benchmark: ours vs the reference.
#   - in-process: evaluating one command against 10,000 rules (target < 1 ms)
#     and loading 1,000 rules files from a directory (target < 50 ms);
#   - end to end: `codex execpolicy check` with one 10,000-rule file and with
#     1,000 --rules files, median wall time of 5 runs and max RSS.
# Usage: bench/execpolicy.sh  (after `make`; REF=path overrides the reference)
set -eu
cd "$(dirname "$0")/.."
OURS=build/codex
REF=${REF:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}
WORK=$(mktemp -d /var/tmp/bench-execpolicy.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" CODEX_HOME="$WORK/home/.codex"
mkdir -p "$HOME" "$WORK/dir"

# 10,000 rules, all for the same program so every one is a candidate.
i=0
while [ $i -lt 10000 ]; do
    echo "prefix_rule(pattern=[\"git\", [\"s$i\", \"t$i\"], \"x\"], decision=\"prompt\", justification=\"rule $i\")"
    i=$((i + 1))
done > "$WORK/big.rules"
echo 'prefix_rule(pattern=["git", "status"], decision="allow")' >> "$WORK/big.rules"
# 1,000 files of 5 rules each.
i=0
while [ $i -lt 1000 ]; do
    {
        echo "# file $i"
        echo "prefix_rule(pattern=[\"tool$i\", \"a\"], decision=\"allow\")"
        echo "prefix_rule(pattern=[\"tool$i\", [\"b\", \"c\"]], decision=\"prompt\")"
        echo "prefix_rule(pattern=[\"git\", \"f$i\"], decision=\"forbidden\", justification=\"no\")"
        echo "host_executable(name=\"tool$i\", paths=[\"/usr/bin/tool$i\"])"
        echo "prefix_rule(pattern=[[\"x$i\", \"y$i\"]], match=[\"x$i\"], not_match=[\"z$i\"])"
    } > "$WORK/dir/f$(printf %04d $i).rules"
    i=$((i + 1))
done

cc -std=c17 -D_GNU_SOURCE -O2 -Isrc bench/execpolicy_bench.c build/libcodex.a -o "$WORK/bench"
echo "== in-process (ours)"
"$WORK/bench" "$WORK/big.rules" "$WORK/dir"

median5() { # command... -> "wall_ms cpu_ms" medians of 5 runs (cpu = user + sys)
    runs=$(for _ in 1 2 3 4 5; do /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1; done)
    wall=$(echo "$runs" | awk '{print $1 * 1000}' | sort -n | sed -n 3p)
    cpu=$(echo "$runs" | awk '{print ($2 + $3) * 1000}' | sort -n | sed -n 3p)
    printf '%8.1f ms wall %8.1f ms cpu' "$wall" "$cpu"
}
maxrss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}'; }

many_args=""
for f in "$WORK"/dir/*.rules; do many_args="$many_args --rules $f"; done

echo "== end to end: check against one 10,000-rule file (medians of 5, max RSS)"
for bin in "$OURS" "$REF"; do
    # shellcheck disable=SC2086
    printf '%-10s %s %8s KiB\n' "$( [ "$bin" = "$OURS" ] && echo ours || echo reference)" \
        "$(median5 "$bin" execpolicy check --rules "$WORK/big.rules" -- git status)" \
        "$(maxrss "$bin" execpolicy check --rules "$WORK/big.rules" -- git status)"
done
echo "== end to end: check against 1,000 rules files"
for bin in "$OURS" "$REF"; do
    # shellcheck disable=SC2086
    printf '%-10s %s %8s KiB\n' "$( [ "$bin" = "$OURS" ] && echo ours || echo reference)" \
        "$(median5 "$bin" execpolicy check $many_args -- git status)" \
        "$(maxrss "$bin" execpolicy check $many_args -- git status)"
done
