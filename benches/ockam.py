"""Razor against Ockam 0.150, natively over loopback TCP (scripts/bench ockam).

Each implementation runs its own client against its own server (a `razor node`; Ockam's
`ockam-peer bench-serve`), same cases, rounds interleaved (Razor, Ockam, Razor, ...) so that
machine noise hits both; medians of the rounds, spreads (min-max) and ratios from the same run.
Cold start: a fresh process to its first echo (`tcp-echo-bench cold`, `ockam-peer bench-cold`).
The floor: the same echoes over plain TCP with a length prefix (`tcp-echo-bench raw`).
Prints a markdown table and the issue #12 targets, met or not. Env: RAZOR_BENCH_* (scripts/bench).
"""
import json
import os
import statistics
import subprocess
import sys
import time

env = os.environ
scale = float(env.get("RAZOR_BENCH_SCALE", "1"))
rounds = 5 if scale >= 1 else 1
channels, small, large = (max(2, int(n * scale)) for n in (50, 20000, 4000))
razor_tcp, ockam_tcp = env["RAZOR_BENCH_RAZOR_TCP"], env["RAZOR_BENCH_OCKAM_TCP"]
raw_tcp = env["RAZOR_BENCH_RAW_TCP"]
quiet = dict(env, RUST_LOG="error", OCKAM_LOG_LEVEL="error")


def run(command):
    out = subprocess.run(command, capture_output=True, text=True, env=quiet, timeout=600)
    if out.returncode != 0:
        sys.exit(f"{command[0]} failed:\n{out.stdout}\n{out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


clients = {
    "razor": [env["RAZOR_BENCH_CLIENT"], razor_tcp, str(channels), str(small), str(large)],
    "ockam": [env["RAZOR_OCKAM_PEER"], "bench", ockam_tcp, str(channels), str(small), str(large)],
    # The floor: the same echoes over plain TCP, length-prefixed, no routing and no channel.
    "raw": [env["RAZOR_BENCH_CLIENT"], "raw", raw_tcp, str(small), str(large)],
}
colds = {
    "razor": [env["RAZOR_BENCH_CLIENT"], "cold", razor_tcp],
    "ockam": [env["RAZOR_OCKAM_PEER"], "bench-cold", ockam_tcp],
}
results = {}  # (case, impl) -> [values]
for _ in range(rounds):
    for impl, command in clients.items():
        for row in run(command):
            value = row.get("us") or row.get("msgs_per_s")
            results.setdefault((row["case"], impl), []).append((value, row.get("mb_per_s", 0)))
    for impl, command in colds.items():
        started = time.perf_counter()
        run(command)
        results.setdefault(("cold start to first echo", impl), []).append(((time.perf_counter() - started) * 1e6, 0))

lower_is_better = {"channel creation + first echo", "cold start to first echo"}
if scale < 1:
    print("\n(smoke run: tiny counts, possibly a debug build; the figures below mean nothing)")
print(f"\n### native, loopback TCP: Razor vs Ockam 0.150 ({rounds} interleaved rounds; medians, min–max)\n")
print("| case | Razor | Ockam | Razor vs Ockam | raw TCP (floor) | Razor vs floor |")
print("|---|---|---|---|---|---|")
ratios = {}
cases = []
for case, _ in results:
    if case not in cases:
        cases.append(case)
for case in cases:
    def cell(impl):
        values = results[(case, impl)]
        median = statistics.median(v for v, _ in values)
        low, high = min(v for v, _ in values), max(v for v, _ in values)
        mb = statistics.median(m for _, m in values)
        if case in lower_is_better:
            return median, f"{median / 1000:.2f} ms ({low / 1000:.2f}–{high / 1000:.2f})"
        return median, f"{median:,.0f} msg/s ({low:,.0f}–{high:,.0f})" + (f", {mb:.0f} MB/s" if mb >= 1 else "")
    (r, rtext), (o, otext) = cell("razor"), cell("ockam")
    ratio = r / o
    ratios[case] = ratio
    word = "of Ockam's time" if case in lower_is_better else "Ockam's rate"
    floor, floor_text, vs_floor = None, "-", "-"
    if (case, "raw") in results:
        floor, floor_text = cell("raw")
        vs_floor = f"{r / floor:.2f}×"
    print(f"| {case} | {rtext} | {otext} | {ratio:.2f}× {word} | {floor_text} | {vs_floor} |")

targets = [
    ("channel creation + first echo", "≤ 0.3×", lambda x: x <= 0.3),
    ("echo 64 B, 1 in flight", "≥ 5×", lambda x: x >= 5),
    ("echo 64 B, 16 in flight", "≥ 3×", lambda x: x >= 3),
    ("echo 16384 B, 16 in flight", "≥ 4×", lambda x: x >= 4),
]
print("\nTargets (issue #12): " + "; ".join(
    f"{case} {goal}: {ratios[case]:.2f}× {'met' if check(ratios[case]) else 'not met'}"
    for case, goal, check in targets if case in ratios))
