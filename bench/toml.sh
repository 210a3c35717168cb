#!/bin/sh
# TOML parser speed: parse a generated ~1 MB config-like document with the
# release build of libcodex (median of 21 parses).  The reference has no
# stand-alone TOML parser to time; its whole-process cost of loading the same
# file as config.toml is shown beside ours for scale.
set -eu
cd "$(dirname "$0")/.."
make -s release build/libcodex.a >/dev/null
out=bench/out/toml
mkdir -p "$out"
cc -std=c17 -O2 -D_GNU_SOURCE -Isrc bench/toml_parse.c build/libcodex.a -o "$out/toml_parse"
/usr/bin/python3 - "$out/big.toml" <<'PY'
import sys
lines = ['# generated benchmark config', 'model = "gpt-5"', 'approval_policy = "on-request"', '']
i = 0
while sum(len(l) + 1 for l in lines) < 1_000_000:
    lines += [f'[profiles.p{i}]', f'model = "model-{i}"  # comment {i}',
              f'model_reasoning_effort = "high"', f'temperature = {i % 7}.25',
              f'tags = ["a", "b", "c{i}"]', f'env = {{ KEY_{i} = "v", OTHER = {i} }}',
              f'[[profiles.p{i}.servers]]', f'command = "srv"', f'args = ["--port", "{8000 + i % 1000}"]',
              f"path = '/home/user/projects/repo-{i}'", f'when = 2024-01-{1 + i % 28:02d}T10:00:00Z', '']
    i += 1
open(sys.argv[1], 'w').write('\n'.join(lines))
PY
"$out/toml_parse" "$out/big.toml" 21
echo "first parse in a fresh process (includes page faults for the tree):"
for i in 1 2 3 4 5; do "$out/toml_parse" "$out/big.toml" 1; done | sort -t' ' -k4 -n | sed -n 3p

# Reference, for scale: `codex features list` with the big config.toml versus
# a one-line one (whole process: start-up, config load, output).
REF=${CODEX_REF:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}
if [ -x "$REF" ]; then
    scratch=/var/tmp/codex-bench-toml.$$
    mkdir -p "$scratch/home" "$scratch/small" "$scratch/big"
    echo 'model = "gpt-5"' > "$scratch/small/config.toml"
    cp "$out/big.toml" "$scratch/big/config.toml"
    for which in small big; do
        for i in 1 2 3 4 5; do
            HOME="$scratch/home" CODEX_HOME="$scratch/$which" /usr/bin/time -f "%e %M" \
                "$REF" features list 2>&1 >/dev/null | tail -1
        done | sort -n | sed -n 3p | awk -v w="$which" '{printf "reference features list, %s config.toml: median %.0f ms, %d KB max RSS\n", w, $1 * 1000, $2}'
    done
    rm -rf "$scratch"
fi
