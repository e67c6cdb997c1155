# Sourced by the other scripts: paths and caches shared by every Razor script.
# Heavy, rarely-changing things live outside the clone so that a fresh clone reuses them:
#   ~/.cache/razor/tools   cargo-installed tools (wasm-bindgen-cli at the Cargo.lock version)
#   ~/.cache/razor/target  the cargo target directory (override with CARGO_TARGET_DIR)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RAZOR_CACHE="${RAZOR_CACHE:-$HOME/.cache/razor}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$RAZOR_CACHE/target}"
export PATH="$RAZOR_CACHE/tools/bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
WASM_TARGET=wasm32-unknown-unknown

# The exact wasm-bindgen version pinned in Cargo.lock.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# Prints a step's title, and how long the previous step took (scripts/test's time budget).
step() {
    local now
    now=$(date +%s)
    [ -n "${RAZOR_STEP_STARTED:-}" ] && printf '    (%s s)\n' "$((now - RAZOR_STEP_STARTED))"
    RAZOR_STEP_STARTED=$now
    printf '\n==> %s\n' "$*"
}

# Builds the size probe benches/minimal (Razor's protocol alone) for the js-libp2p comparison
# (benches/browser/run.mjs weighs and runs it).
build_protocol_probe() {
    RAZOR_WASM_CRATE=razor-minimal RAZOR_WASM_OUT=benches/browser/dist/minimal RAZOR_WASM_NAME=razor_minimal \
        "$ROOT/scripts/build-wasm" >/dev/null
}
