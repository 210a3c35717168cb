#!/bin/sh
# The managed network proxy, ours and the reference's side by side, inside a
# private network namespace (root and `ip netns` needed):
#
#   start    `codex sandbox -- true` under a proxied permission profile over
#            the same under :workspace (no network): proxy start, the
#            command's namespace, and teardown; medians of RUNS runs
#   latency  a client in the sandbox makes N requests through the proxy,
#            plain HTTP and CONNECT tunnels, each on a fresh connection;
#            the same client straight to the origin is the baseline
#   memory   200 CONNECT tunnels held open through the proxy: resident set
#            of the process that runs the proxy (ours: codex-network-proxy;
#            the reference: codex itself)
#
#   bench/netproxy.sh            (after `make release`)
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
N=${N:-300}
HOLD=${HOLD:-200}
REF=${REF:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}
OURS=$(pwd)/build/codex
CLIENT=$(pwd)/bench/netproxy_client.py
ORIGIN=$(pwd)/tests/netproxy/origin.py
PY=/usr/bin/python3
[ -x "$OURS" ] || { echo "bench/netproxy.sh: build first (make release)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench/netproxy.sh: needs root (ip netns)" >&2; exit 1; }

NS=npbench-$$
WS=$(mktemp -d /var/tmp/codex-npbench-XXXXXX)
cleanup() {
    [ -n "${ORIGIN_PID:-}" ] && kill "$ORIGIN_PID" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "/etc/netns/$NS" "$WS"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add 11.7.0.2/32 dev lo
# `ip netns exec` puts this over /etc/hosts: both codexes resolve the same way.
mkdir -p "/etc/netns/$NS"
printf '127.0.0.1 localhost\n11.7.0.2 allowed.test\n' > "/etc/netns/$NS/hosts"
ip netns exec "$NS" $PY "$ORIGIN" --http 11.7.0.2:8080 < /dev/zero > "$WS/origin.out" 2>&1 &
ORIGIN_PID=$!
sleep 0.5

profile() { # CODEX_HOME: a proxied profile in the reference's form (ours reads it too)
    mkdir -p "$1"
    cat > "$1/config.toml" <<EOF
default_permissions = "net"

[features]
network_proxy = true

[permissions.net.filesystem]
"/" = "read"

[permissions.net.network]
enabled = true
mode = "full"

[permissions.net.network.domains]
"allowed.test" = "allow"
EOF
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Wall microseconds of one whole command.
timed() {
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s%N)
    echo $(((e - s) / 1000))
}

# Alternating runs without and with the proxy (the machine is shared: drift
# hits both alike); prints "median_without median_with".
start_cost() { # BIN HOME
    mkdir -p "$WS/plain-$3"
    printf 'default_permissions = ":workspace"\n' > "$WS/plain-$3/config.toml"
    : > "$WS/a" && : > "$WS/b"
    i=0
    while [ $i -lt "$RUNS" ]; do
        (cd "$WS" && CODEX_HOME="$WS/plain-$3" HOME="$WS" timed ip netns exec "$NS" "$1" sandbox -- /bin/true) >> "$WS/a"
        (cd "$WS" && CODEX_HOME="$2" HOME="$WS" timed ip netns exec "$NS" "$1" sandbox -- /bin/true) >> "$WS/b"
        i=$((i + 1))
    done
    echo "$(median < "$WS/a") $(median < "$WS/b")"
}

# The proxy process alone, from a release build of the library:
# netproxy_session_start until it listens, and netproxy_session_stop.
LIBDIR=$(pkg-config --variable=libdir jansson 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)
mkdir -p build/bench
cc -std=c17 -D_GNU_SOURCE -O2 -Isrc bench/netproxy_start.c -o build/bench/netproxy_start build/libcodex.a \
   "$LIBDIR/libjansson.a" "$LIBDIR/libuv_a.a" -lpthread -ldl -lm

latency() { # BIN HOME -> "plain connect"
    (cd "$WS" && CODEX_HOME="$2" HOME="$WS" ip netns exec "$NS" "$1" sandbox -- $PY "$CLIENT" latency "$N" allowed.test 8080)
}

memory() { # BIN HOME KIND(proxy|self) COUNT -> "rss_kb hwm_kb" or "failed: ..."
    rm -f "$WS/release" "$WS/hold.out"
    (cd "$WS" && CODEX_HOME="$2" HOME="$WS" ip netns exec "$NS" "$1" sandbox -- \
        $PY "$CLIENT" hold "$4" allowed.test 8080 "$WS/release" > "$WS/hold.out" 2>&1) &
    runner=$!
    i=0
    while ! grep -q "held\|Error" "$WS/hold.out" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    if ! grep -q held "$WS/hold.out"; then
        echo "failed: $(tail -1 "$WS/hold.out")"
        touch "$WS/release"
        wait $runner || true
        return
    fi
    if [ "$3" = proxy ]; then
        pid=$(pgrep -f "codex-network-proxy --control-fd" | while read -r p; do
            grep -qa "$2" "/proc/$p/environ" 2>/dev/null && echo "$p"; done | head -1)
    else
        pid=$(pgrep -f "$1 sandbox" | while read -r p; do
            grep -qa "$2" "/proc/$p/environ" 2>/dev/null && echo "$p"; done | head -1)
    fi
    awk '/VmRSS/ {r=$2} /VmHWM/ {h=$2} END {print r, h}' "/proc/$pid/status"
    touch "$WS/release"
    wait $runner || true
}

profile "$WS/ours"
echo "== start-up and teardown (median of $RUNS alternating runs, wall)"
set -- $(build/bench/netproxy_start "$OURS" "$WS/ours" "$RUNS")
echo "  ours: the proxy process alone: start until listening $1 us, stop $2 us (floor: codex --version $3 us)"
set -- $(start_cost "$OURS" "$WS/ours" ours)
echo "  ours       codex sandbox -- true: :workspace $1 us, proxied profile $2 us (+$(($2 - $1)) us)"
if [ -x "$REF" ]; then
    profile "$WS/ref"
    set -- $(start_cost "$REF" "$WS/ref" ref)
    echo "  reference  codex sandbox -- true: :workspace $1 us, proxied profile $2 us (+$(($2 - $1)) us)"
fi

echo "== latency per request (median of $N, fresh connection each)"
direct=$(ip netns exec "$NS" env -u HTTP_PROXY $PY "$CLIENT" latency "$N" allowed.test 8080)
echo "  direct to the origin   plain $(echo "$direct" | cut -d' ' -f1) us"
o=$(latency "$OURS" "$WS/ours")
echo "  ours through the proxy plain $(echo "$o" | cut -d' ' -f1) us, CONNECT $(echo "$o" | cut -d' ' -f2) us"
if [ -x "$REF" ]; then
    r=$(latency "$REF" "$WS/ref")
    echo "  reference              plain $(echo "$r" | cut -d' ' -f1) us, CONNECT $(echo "$r" | cut -d' ' -f2) us"
fi

echo "== tunnels held open: resident set (kB) of the process running the proxy"
echo "  ours (codex-network-proxy), $HOLD tunnels   VmRSS/VmHWM $(memory "$OURS" "$WS/ours" proxy "$HOLD")"
if [ -x "$REF" ]; then
    for n in "$HOLD" 100; do
        echo "  reference (codex), $n tunnels            VmRSS/VmHWM $(memory "$REF" "$WS/ref" self "$n")"
    done
fi
