// The soak in JavaScript (scripts/soak runs it after the native one): the npm package in Node
// opens 500 secure channels at a time over WebSocket to a relay (`razor node`), through it to a
// serving `razor node`, does an echo on each and closes them, cycle after cycle, while the
// server and the relay are restarted now and then. Fails on an echo that is neither answered
// nor a typed error, on errors with no restart before them, on workers left behind, and on wasm
// memory (or the processes' resident memory) that grows across cycles.
// Usage: RAZOR_BIN=... node --experimental-websocket test/soak.mjs [SECONDS (default 60)]
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Node, RazorError } from "@razor-sh/razor";
import { freePort } from "./shared/peer.mjs";

const seconds = Number(process.argv[2] ?? 60);
const CHANNELS = 500;
const CONCURRENCY = 50;
const bin = process.env.RAZOR_BIN;
if (!bin) throw new Error("set RAZOR_BIN to the razor binary");

/** A `razor node` restartable on the same ports (and identity, with a state directory). */
async function razor(name, args, ready) {
  const metricsPort = await freePort();
  let child;
  const start = async () => {
    child = spawn(bin, ["node", "--name", name, "--trust", "everyone", "--metrics", `127.0.0.1:${metricsPort}`, ...args], {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, RUST_LOG: "error" },
    });
    let out = "";
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 20_000);
      child.stdout.on("data", (chunk) => {
        out += chunk;
        if (ready.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => reject(new Error(`${name} exited (${code}):\n${out}`)));
    });
  };
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    name,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async metrics() {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return Object.fromEntries(text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => {
        const [key, value] = l.split(" ");
        return [key, Number(value)];
      }));
    },
  };
}

const [relayWs, relayTcp] = [await freePort(), await freePort()];
const relay = await razor("soak-relay", ["--ws", `127.0.0.1:${relayWs}`, "--tcp", `127.0.0.1:${relayTcp}`], /^tcp: /m);
const server = await razor("soak-server", [
  "--state-dir", mkdtempSync(join(tmpdir(), "razor-soak-")), "--relay", `tcp://127.0.0.1:${relayTcp}`, "--relay-name", "js-soak",
], /^relay: /m);

const node = await Node.create({ vault: "software" });
const identity = await node.createIdentity();
const route = `ws#127.0.0.1:${relayWs} => js-soak => secure`;

/** 500 channels: open, one echo each, close. Returns what happened. */
async function cycle(n) {
  const seen = { echoed: 0, told: {} };
  const tell = (error) => {
    assert.ok(error instanceof RazorError, `an untyped failure: ${error}`);
    seen.told[error.code] = (seen.told[error.code] ?? 0) + 1;
  };
  const open = [];
  for (let batch = 0; batch < CHANNELS / CONCURRENCY; batch++) {
    await Promise.all(Array.from({ length: CONCURRENCY }, async (_, i) => {
      let channel;
      try {
        channel = await node.createSecureChannel(identity, route, { trust: "everyone", timeoutMs: 10_000 });
      } catch (error) {
        return tell(error);
      }
      open.push(channel);
      const text = `cycle ${n} message ${batch}.${i}`;
      try {
        const reply = await channel.request("echo", text, { timeoutMs: 10_000 });
        assert.equal(reply.text, text, "an echo is the message");
        seen.echoed++;
      } catch (error) {
        tell(error);
      }
    }));
  }
  for (const channel of open) channel.close();
  await Promise.all(open.map((channel) => channel.closed.catch(() => {})));
  return seen;
}

const deadline = Date.now() + seconds * 1000;
const idleWorkers = node.workerCount;
let cycles = 0;
let restarts = 0;
let justRestarted = false;
let firstMemory;
let memoryGrowth = 0;
const firstRss = new Map();
const rssGrowth = new Map();
const told = {};
let echoed = 0;
while (Date.now() < deadline || cycles < 3) {
  const seen = await cycle(++cycles);
  echoed += seen.echoed;
  for (const [code, count] of Object.entries(seen.told)) told[code] = (told[code] ?? 0) + count;
  const errors = Object.keys(seen.told).length > 0;
  assert.ok(!errors || justRestarted, `cycle ${cycles}: errors with no restart around: ${JSON.stringify(seen)}`);
  if (errors) console.log(`cycle ${cycles} (after a restart): ${JSON.stringify(seen)}`);
  // Workers: the client's connection to the relay may remain; nothing else.
  assert.ok(node.workerCount <= idleWorkers + node.connectionCount,
    `cycle ${cycles}: ${node.workerCount} workers, ${idleWorkers} idle, ${node.connectionCount} connections`);
  // Wasm objects behind collected JS handles are freed by finalizers: let them run first.
  if (globalThis.gc) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    globalThis.gc();
  }
  const memory = Node.wasmMemoryBytes;
  if (process.env.RAZOR_SOAK_TRACE) console.log(`cycle ${cycles}: wasm ${memory >> 10} KiB, workers ${node.workerCount}`);
  if (firstMemory === undefined) firstMemory = memory;
  else memoryGrowth = Math.max(memoryGrowth, memory - firstMemory);
  for (const process of [relay, server]) {
    const rss = (await process.metrics()).razor_process_resident_memory_bytes;
    if (!firstRss.has(process.name)) {
      if (!errors) firstRss.set(process.name, rss);
    } else {
      rssGrowth.set(process.name, Math.max(rssGrowth.get(process.name) ?? 0, rss - firstRss.get(process.name)));
    }
  }
  justRestarted = false;
  const restarting = !process.env.RAZOR_SOAK_NO_RESTARTS;
  if (restarting && cycles % 10 === 0) {
    await server.restart();
    firstRss.delete(server.name);
    restarts++;
    justRestarted = true;
  }
  if (restarting && cycles % 7 === 0) {
    await relay.restart();
    firstRss.delete(relay.name);
    restarts++;
    justRestarted = true;
  }
}
const kib = (bytes) => Math.round(bytes / 1024);
console.log(`soak (js): ${cycles} cycles of ${CHANNELS} channels, ${echoed} echoed, ${restarts} restarts, told: ${JSON.stringify(told)}, `
  + `wasm memory ${kib(Node.wasmMemoryBytes)} KiB (grew ${kib(memoryGrowth)} KiB after the first cycle), `
  + `resident memory growth after the first cycle (KiB): ${JSON.stringify(Object.fromEntries([...rssGrowth].map(([k, v]) => [k, kib(v)])))}`);
assert.ok(echoed >= (cycles - restarts) * CHANNELS, "echoes in cycles without restarts");
assert.ok(memoryGrowth <= 1024 * 1024, `wasm memory grew ${kib(memoryGrowth)} KiB over the cycles`);
for (const [name, grown] of rssGrowth) assert.ok(grown < 4 * 1024 * 1024, `${name} grew ${kib(grown)} KiB`);
node.shutdown();
await relay.stop();
await server.stop();
