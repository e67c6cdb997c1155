// Where the time goes in headless Chromium: runs N Razor handshakes (WebCrypto vault, both sides
// in the page; or, with MODE=bulk, N one-way 16 KiB messages) under the DevTools CPU profiler
// and prints the functions with the most self time, per handshake or message (wasm functions by
// name when the wasm keeps its name section: RAZOR_WASM_NAMES=1 scripts/build-wasm).
// Usage: [MODE=bulk] [SUITE=noise-chachapoly] [TOP=45] [PARENTS=fn,fn] node profile.mjs [N]
// (PARENTS: also who calls these functions, by caller chain.) Needs js/ built.
import { chromium } from "playwright-core";
import { servePage } from "./page.mjs";

const n = Number(process.argv[2] ?? 300);
const server = await servePage();
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.razor, null, { timeout: 30_000 });
  const opts = { vault: "webcrypto", suite: process.env.SUITE ?? "ockam-aes-gcm", warmup: 5 };
  // MODE=bulk profiles 16 KiB one-way throughput instead (N messages).
  const bulk = process.env.MODE === "bulk";
  const work = ([count, o, isBulk]) => (isBulk ? window.razor.throughput(16384, count, o) : window.razor.handshakes(count, o));
  await page.evaluate(work, [20, opts, bulk]);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  await cdp.send("Profiler.start");
  const result = await page.evaluate(work, [n, opts, bulk]);
  const { profile } = await cdp.send("Profiler.stop");
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  // PARENTS=decode,getRandomValues: who calls these (self time by caller chain of 3).
  const watched = (process.env.PARENTS ?? "").split(",").filter(Boolean);
  const callers = new Map();
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const f = node.callFrame;
    const url = f.url.split("/").pop();
    const key = `${f.functionName || "(anonymous)"} ${url}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
    if (watched.includes(f.functionName)) {
      const chain = [];
      for (let p = parentOf.get(node.id); p && chain.length < 4; p = parentOf.get(p.id)) chain.push(p.callFrame.functionName.slice(0, 70) || "(anonymous)");
      const k = `${f.functionName} <- ${chain.join(" <- ")}`;
      callers.set(k, (callers.get(k) ?? 0) + (dt[i] ?? 0));
    }
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(bulk ? `16 KiB: ${result.MBps.toFixed(1)} MB/s over ${n}; profile ${(total / 1000).toFixed(0)} ms` : `handshake median ${result.medianMs.toFixed(3)} ms over ${n}; profile ${(total / 1000).toFixed(0)} ms`);
  for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 45))) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / n).toFixed(1).padStart(7)} µs/unit  ${key.slice(0, 150)}`);
  }
  for (const [key, us] of [...callers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${(us / n).toFixed(1).padStart(7)} µs/unit  ${key}`);
  }
} finally {
  await browser.close();
  server.close();
}
