// The edge on local workerd, measured (scripts/bench edge):
//   1. the latency one relay hop adds: the same 64-byte echo over a secure channel (and over
//      plain routing) to a native razor node, directly over its WebSocket and through the relay
//      (client → workerd → the client's object → DO RPC → the node's object → node), same run;
//   2. idle registered peers: N connections (RAZOR_BENCH_IDLE_PEERS, default 10,000), each in
//      its own object with a registered relay, then left idle; the workerd process's memory
//      before, after registering, and once the objects have unloaded their nodes and been
//      evicted; a sample of relays is then used to show they still work.
// Prints markdown for docs/BENCHMARKS.md.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Node } from "@razor-sh/razor";
import { Edge, start, stopAll, waitFor, sleep } from "../../tests/edge/harness.mjs";

const ROUNDS = Number(process.env.RAZOR_BENCH_ROUNDS ?? 1000);
const IDLE_PEERS = Number(process.env.RAZOR_BENCH_IDLE_PEERS ?? 10_000);
const razorBin = process.env.RAZOR_BIN;

const stats = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
};
const ms = (x) => `${x.toFixed(3)} ms`;

async function timed(label, once) {
  for (let i = 0; i < 50; i++) await once(); // warm up
  const samples = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await once();
    samples.push(performance.now() - t);
  }
  return { label, ...stats(samples) };
}

/** Resident memory of a process and its children, in MiB. */
function rssMiB(pids) {
  let kib = 0;
  for (const pid of pids) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

/** wrangler runs two workerd processes: a proxy on the public port and the one that runs the
 * Worker. Their pids, and the port the Worker's own process listens on. */
async function workerd(edge) {
  const table = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" });
  const pids = new Set();
  const ports = [];
  for (const line of table.split("\n")) {
    const match = /127\.0\.0\.1:(\d+).*"workerd",pid=(\d+)/.exec(line);
    if (!match) continue;
    pids.add(Number(match[2]));
    if (Number(match[1]) !== edge.port) ports.push({ port: Number(match[1]), pid: Number(match[2]) });
  }
  for (const candidate of ports) {
    const ok = await fetch(`http://127.0.0.1:${candidate.port}/health`).then((r) => r.ok && r.text(), () => false);
    if (ok === "ok") return { pids: [...pids], worker: candidate };
  }
  throw new Error(`could not find the Worker's workerd port among ${JSON.stringify(ports)}`);
}

const edge = await Edge.start({ RAZOR_EDGE_RATE: "1000000", RAZOR_EDGE_BURST: "1000000", RAZOR_EDGE_IDLE_MS: "2000" });
try {
  // 1. Latency.
  const native = start(razorBin, ["node", "--name", "bench-native", "--trust", "everyone", "--ws", "127.0.0.1:0",
    "--relay", `${edge.ws}/bench-native`, "--relay-name", "bench-native", "--relay-trust", edge.identifier],
  { env: { ...process.env, RUST_LOG: "warn", NO_COLOR: "1" } });
  await waitFor("the native node's relay", () => native.output.includes("relay: forward_to_bench-native"));
  const nativeWs = /websocket: ws#(\S+)/.exec(native.output)[1];
  const nativeId = /identifier: (I[0-9a-f]{64})/.exec(native.output)[1];
  const client = await Node.create({ vault: "software" });
  const identity = await client.createIdentity();
  const payload = new Uint8Array(64);
  const routes = {
    direct: `ws#${nativeWs}`,
    "through the relay": `ws#${edge.ws}/ => forward_to_bench-native`,
  };
  const results = [];
  for (const [how, route] of Object.entries(routes)) {
    results.push(await timed(`plain routing, ${how}`, () => client.request(`${route} => echo`, payload)));
    const channel = await client.createSecureChannel(identity, `${route} => secure`, { trust: { identifier: nativeId } });
    results.push(await timed(`secure channel, ${how}`, () => channel.request("echo", payload)));
    channel.close();
  }
  console.log(`\n### One relay hop on local workerd (64 B echo, ${ROUNDS} sequential round trips each)\n`);
  console.log("| path | median | p10 | p90 | mean |");
  console.log("|---|---|---|---|---|");
  for (const r of results) console.log(`| ${r.label} | ${ms(r.median)} | ${ms(r.p10)} | ${ms(r.p90)} | ${ms(r.mean)} |`);
  for (const kind of ["plain routing", "secure channel"]) {
    const direct = results.find((r) => r.label === `${kind}, direct`);
    const relayed = results.find((r) => r.label === `${kind}, through the relay`);
    console.log(`\n${kind}: the relay adds ${ms(relayed.median - direct.median)} per round trip at the median (${(relayed.median / direct.median).toFixed(2)}× the direct time).`);
  }
  client.shutdown();

  // 2. Idle registered peers.
  const { pids, worker } = await workerd(edge);
  const base = `ws://127.0.0.1:${worker.port}`;
  const peers = await Node.create({ vault: "software", name: "idle-peers" });
  peers.startEcho("echo");
  const before = { all: rssMiB(pids), worker: rssMiB([worker.pid]) };
  const started = performance.now();
  const aliases = [];
  let failed = 0;
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < IDLE_PEERS; i = next++) {
      try {
        const hop = await peers.connect(`${base}/idle-${i}`);
        aliases.push({ i, alias: await peers.registerRelay(`${hop} => forwarding_service`, "register", { timeoutMs: 60_000 }) });
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  const seconds = (performance.now() - started) / 1000;
  const registered = { all: rssMiB(pids), worker: rssMiB([worker.pid]) };
  await sleep(30_000); // nodes unload after 2 s idle; objects are evicted 10 s later
  const idle = { all: rssMiB(pids), worker: rssMiB([worker.pid]) };
  // A sample of the idle relays still reaches its peer (waking its object).
  const sample = aliases.filter((_, k) => k % Math.max(1, Math.floor(aliases.length / 20)) === 0).slice(0, 20);
  let reached = 0;
  for (const { alias } of sample) {
    const reply = await peers.request(`ws#${base}/bench-probe => ${alias} => echo`, "ping", { timeoutMs: 10_000 }).catch(() => null);
    if (reply?.text === "ping") reached++;
  }
  console.log(`\n### Idle registered peers on one local workerd\n`);
  console.log(`${aliases.length} of ${IDLE_PEERS} peers connected (each to its own object) and registered a relay in ${seconds.toFixed(0)} s (${failed} failed); ${reached} of ${sample.length} sampled relays reached their peer after idling.\n`);
  console.log("| | workerd running the Worker | both workerd processes (with wrangler's proxy) |");
  console.log("|---|---|---|");
  const row = (label, m) => console.log(`| ${label} | ${m.worker.toFixed(0)} MiB | ${m.all.toFixed(0)} MiB |`);
  row("before", before);
  row(`${aliases.length} peers registered`, registered);
  row("after 30 s idle (nodes unloaded, objects evicted)", idle);
  console.log(`\nPer idle peer (Worker's process, after idling): ${(((idle.worker - before.worker) * 1024) / Math.max(1, aliases.length)).toFixed(0)} KiB.`);
  peers.shutdown();
} finally {
  await stopAll();
}
