// Memory per idle secure channel in wasm (issue #12): two nodes of the npm package on an
// in-memory network open N channels (default 10,000) and leave them idle; the growth of the
// WebAssembly memory (and of the JS heap) after a GC, divided by N, is what one channel costs
// with both its ends in this instance. Prints an `IDLE_WASM {json}` line for docs/BENCHMARKS.md.
// Usage: node --expose-gc bench/idle-channels.mjs [N] [suite]   (scripts/test: N=100)
import { MemoryNetwork, Node } from "@razor-sh/razor";

const count = Number(process.argv[2] ?? 10_000);
const suite = process.argv[3] ?? "ockam-aes-gcm";

async function settle() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const network = await MemoryNetwork.create();
const alice = await Node.create({ name: "alice", vault: "software" });
const bob = await Node.create({ name: "bob", vault: "software" });
alice.attachMemory(network, "alice");
bob.attachMemory(network, "bob");
const bobId = await bob.createIdentity();
const aliceId = await alice.createIdentity();
// Above the listener's default cap of 10,000 channels held.
bob.createSecureChannelListener(bobId, "secure", { trust: "everyone", suite, maxChannels: count + 1_000 });
const open = () => alice.createSecureChannel(aliceId, "mem#bob => secure", { trust: "everyone", suite });

const channels = [];
for (let i = 0; i < 10; i++) channels.push(await open()); // warm up
await settle();
const wasmBefore = Node.wasmMemoryBytes;
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
for (let done = 0; done < count; done += 100) {
  const batch = Math.min(100, count - done);
  channels.push(...(await Promise.all(Array.from({ length: batch }, open))));
}
const seconds = (performance.now() - started) / 1000;
await settle();
const wasm = (Node.wasmMemoryBytes - wasmBefore) / count;
const heap = (process.memoryUsage().heapUsed - heapBefore) / count;
const workers = (alice.workerCount + bob.workerCount) / channels.length;
console.log(`IDLE_WASM ${JSON.stringify({
  runtime: `node ${process.version}`, suite, channels: count,
  wasm_bytes_per_channel_both_ends: Math.round(wasm), js_heap_bytes_per_channel: Math.round(heap),
  wasm_memory_total_mib: +(Node.wasmMemoryBytes / 2 ** 20).toFixed(1), workers_per_channel: +workers.toFixed(2),
  channels_per_second: Math.round(count / seconds),
})}`);
for (const channel of channels) channel.close();
alice.shutdown();
bob.shutdown();
