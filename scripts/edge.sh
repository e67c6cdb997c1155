# Sourced by scripts/demo: starts the edge, a native node registered on it and the demo page
# (scripts/setup installed their npm packages; stopped when the calling script exits).
#   start_edge PORT [VAR=VALUE ...]   workerd (wrangler dev) serving workers-edge/ on PORT
#   start_native_relay EDGE_URL NAME  a razor node registering relay NAME on the edge
#   build_demo_site EDGE_HTTP         demo-site/dist for the edge at EDGE_HTTP
#   serve_demo_site PORT              vite preview of demo-site/dist on PORT
EDGE_PIDS=""

stop_edge_processes() {
    [ -n "$EDGE_PIDS" ] && kill $EDGE_PIDS 2>/dev/null
    EDGE_PIDS=""
}

prepare_edge() {
    # The edge's identity lives in .dev.vars (wrangler dev's secrets), made once, never replaced.
    (cd "$ROOT/workers-edge" && node scripts/identity.mjs --dev-vars .dev.vars)
}

wait_for_http() { # url seconds
    for _ in $(seq 1 $(( $2 * 10 ))); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

start_edge() { # port [VAR=VALUE ...]
    local port="$1"; shift
    local vars=()
    for v in "$@"; do vars+=(--var "${v/=/:}"); done
    mkdir -p "$RAZOR_CACHE/edge"
    (cd "$ROOT/workers-edge" && CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false NO_COLOR=1 \
        exec node_modules/.bin/wrangler dev --local --ip 127.0.0.1 --port "$port" \
        --persist-to "$ROOT/workers-edge/.wrangler/state" "${vars[@]}" >"$RAZOR_CACHE/edge/wrangler.log" 2>&1) &
    EDGE_PIDS="$EDGE_PIDS $!"
    wait_for_http "http://127.0.0.1:$port/health" 60 \
        || { echo "the edge did not start:"; tail -n 30 "$RAZOR_CACHE/edge/wrangler.log"; return 1; }
}

start_native_relay() { # edge_http name
    local edge_ws="${1/http/ws}" id
    id=$(curl -fsS "$1/identity" | sed -n 's/.*"identifier":"\([^"]*\)".*/\1/p')
    cargo build -p razor-node --bin razor --locked -q
    # The edge keeps relay names for the identity that registered them, so the native node keeps
    # its identity across runs (beside the edge's state, in this checkout).
    "$CARGO_TARGET_DIR/debug/razor" node --name "$2" --trust everyone \
        --state-dir "$ROOT/workers-edge/.wrangler/native-$2" \
        --relay "$edge_ws/$2" --relay-name "$2" --relay-trust "$id" \
        >"$RAZOR_CACHE/edge/native.out" 2>"$RAZOR_CACHE/edge/native.log" &
    EDGE_PIDS="$EDGE_PIDS $!"
    for _ in $(seq 1 100); do grep -q '^relay:' "$RAZOR_CACHE/edge/native.out" && return 0; sleep 0.1; done
    echo "the native node did not register its relay:"; tail -n 20 "$RAZOR_CACHE/edge/native.log"; return 1
}

build_demo_site() { # edge_http
    (cd "$ROOT/demo-site" && VITE_RAZOR_EDGE="$1" node_modules/.bin/vite build --logLevel warn)
}

serve_demo_site() { # port
    (cd "$ROOT/demo-site" && exec node_modules/.bin/vite preview --host 127.0.0.1 --port "$1" --strictPort \
        >"$RAZOR_CACHE/edge/demo-site.log" 2>&1) &
    EDGE_PIDS="$EDGE_PIDS $!"
    wait_for_http "http://127.0.0.1:$1/" 30 || { echo "the demo page server did not start"; return 1; }
}
