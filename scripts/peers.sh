# Sourced by scripts/test: starts the native peers the network tests talk to and exports
# their addresses (RAZOR_TEST_*). Stops them when the calling script exits.
#   node A: razor node with WebSocket, WebTransport and TCP listeners, and a TCP portal outlet
#           to a small HTTP service (python3 -m http.server)
#   node B: razor node with a TCP listener (the far end of multi-protocol routes)
#   ockam:  interop/ockam-peer listening on TCP
start_test_peers() {
    local razor="$CARGO_TARGET_DIR/debug/razor" dir="$RAZOR_CACHE/test-peers"
    cargo build -p razor-node --bin razor --locked -q
    rm -rf "$dir" && mkdir -p "$dir/www"
    # A private HTTP service that node A's TCP portal outlet reaches (examples/browser fetches it).
    local http_port
    http_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "hello through a portal" >"$dir/www/hello.txt"
    python3 -m http.server "$http_port" --bind 127.0.0.1 --directory "$dir/www" >"$dir/http.log" 2>&1 &
    TEST_PEER_PIDS="$!"
    "$razor" node --name test-a --trust everyone --ws 127.0.0.1:0 --wt 127.0.0.1:0 --tcp 127.0.0.1:0 \
        --outlet "127.0.0.1:$http_port" >"$dir/a.out" 2>"$dir/a.log" &
    TEST_PEER_PIDS="$TEST_PEER_PIDS $!"
    "$razor" node --name test-b --trust everyone --tcp 127.0.0.1:0 >"$dir/b.out" 2>"$dir/b.log" &
    TEST_PEER_PIDS="$TEST_PEER_PIDS $!"
    local ockam_port
    ockam_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    OCKAM_LOG_LEVEL=warn "$RAZOR_OCKAM_PEER" listen "127.0.0.1:$ockam_port" >"$dir/ockam.out" 2>"$dir/ockam.log" &
    TEST_PEER_PIDS="$TEST_PEER_PIDS $!"
    trap 'kill $TEST_PEER_PIDS 2>/dev/null || true' EXIT
    for _ in $(seq 1 300); do
        if grep -q '^tcp:' "$dir/a.out" && grep -q '^tcp:' "$dir/b.out" && grep -q '^listening' "$dir/ockam.out"; then
            break
        fi
        sleep 0.1
    done
    grep -q '^listening' "$dir/ockam.out" || { echo "test peers did not start:"; tail -n 20 "$dir"/*; return 1; }
    RAZOR_TEST_NODE_ID=$(sed -n 's/^identifier: //p' "$dir/a.out")
    RAZOR_TEST_WS=$(sed -n 's/^websocket: ws#//p' "$dir/a.out")
    RAZOR_TEST_WT=$(sed -n 's/^webtransport: wt#\([^ ]*\) .*/\1/p' "$dir/a.out")
    RAZOR_TEST_WT_HASH=$(sed -n 's/.*certificate-sha256: //p' "$dir/a.out")
    RAZOR_TEST_TCP_B=$(sed -n 's/^tcp: tcp#//p' "$dir/b.out")
    RAZOR_TEST_OCKAM_TCP="127.0.0.1:$ockam_port"
    export RAZOR_TEST_NODE_ID RAZOR_TEST_WS RAZOR_TEST_WT RAZOR_TEST_WT_HASH RAZOR_TEST_TCP_B RAZOR_TEST_OCKAM_TCP
    export RAZOR_REQUIRE_NETWORK=1
    echo "test peers: node A $RAZOR_TEST_NODE_ID ws#$RAZOR_TEST_WS wt#$RAZOR_TEST_WT; node B tcp#$RAZOR_TEST_TCP_B; ockam tcp#$RAZOR_TEST_OCKAM_TCP"
}
