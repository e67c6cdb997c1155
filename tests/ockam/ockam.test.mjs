// Razor in an Ockam deployment, against a real Ockam 0.150 node (interop/ockam-peer): a browser
// (headless Chromium), a Worker (workerd) and Deno open Ockam-suite secure channels end to end
// to the Ockam node through a Razor node that bridges WebSocket to TCP and only forwards
// ciphertext (a recording TCP hop between the Razor node and Ockam proves it).
// Needs: RAZOR_OCKAM_PEER (scripts/ockam-peer), the razor binary (RAZOR_BIN, default the debug
// build), js/ built (scripts/build-js) and this directory installed (scripts/setup).
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createConnection, createServer as createTcpServer } from "node:net";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { RazorNode } from "@razor-sh/razor";
import { chromium, freePort, ROOT, start, stopAll, waitFor } from "../edge/harness.mjs";
import { tryEchoThroughOckam } from "./client.mjs";

const ockamPeer = process.env.RAZOR_OCKAM_PEER;
const razorBin = process.env.RAZOR_BIN ??
  join(process.env.CARGO_TARGET_DIR ?? join(process.env.HOME, ".cache/razor/target"), "debug", "razor");
const quiet = { ...process.env, OCKAM_LOG_LEVEL: "warn", NO_COLOR: "1", RUST_LOG: "warn" };
const nonce = Math.random().toString(36).slice(2, 8);
if (!ockamPeer) throw new Error("RAZOR_OCKAM_PEER must be set (scripts/ockam-peer builds it)");

let ockam, tap, bridge, browser, page, site, worker;

/** `ockam-peer listen`: TCP listener, secure channel listener `secure`, echoer. */
async function ockamListener(args = []) {
  const port = await freePort();
  const child = start(ockamPeer, ["listen", `127.0.0.1:${port}`, ...args], { env: quiet });
  await waitFor("the Ockam node to listen", () => {
    if (child.exitCode !== null) throw new Error(`ockam-peer exited:\n${child.output}`);
    return /^listening/m.test(child.output);
  });
  child.address = `127.0.0.1:${port}`;
  child.identifier = /identifier: (I[0-9a-f]{64})/.exec(child.output)[1];
  return child;
}

/** A TCP hop in front of `target` that keeps every byte it forwards, both ways. */
async function recordingHop(target) {
  const seen = [];
  const server = createTcpServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: Number(target.split(":")[1]) });
    client.on("data", (chunk) => seen.push(chunk));
    upstream.on("data", (chunk) => seen.push(chunk));
    client.pipe(upstream).on("error", () => client.destroy());
    upstream.pipe(client).on("error", () => upstream.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { address: `127.0.0.1:${server.address().port}`, bytes: () => Buffer.concat(seen), close: () => server.close() };
}

/** A `razor node` with a WebSocket listener: the bridge from browsers and Workers to TCP. */
async function razorBridge() {
  const child = start(razorBin, ["node", "--name", "bridge", "--trust", "everyone", "--ws", "127.0.0.1:0"], { env: quiet });
  await waitFor("the razor node to listen", () => {
    if (child.exitCode !== null) throw new Error(`razor node exited:\n${child.output}`);
    return /^websocket: ws#/m.test(child.output);
  });
  child.ws = /^websocket: ws#(\S+)/m.exec(child.output)[1];
  return child;
}

/** Serves /js/dist, /js/pkg and /tests/ockam from the repository (the page and the package). */
async function staticSite() {
  const types = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm" };
  const server = createHttpServer(async (request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    const file = normalize(join(ROOT, path));
    if (!file.startsWith(ROOT) || !/^\/(js\/dist|js\/pkg|tests\/ockam)\//.test(path)) return response.writeHead(404).end();
    try {
      response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(await readFile(file));
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** tests/ockam/worker on local workerd (`wrangler dev`). */
async function workerd() {
  const port = await freePort();
  const dir = join(ROOT, "tests", "ockam", "worker");
  const child = start(join(ROOT, "js", "node_modules", ".bin", "wrangler"),
    ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", join(dir, ".wrangler", "state")], {
      cwd: dir,
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" },
    });
  child.url = `http://127.0.0.1:${port}`;
  await waitFor("workerd to start", async () => {
    if (child.exitCode !== null) throw new Error(`wrangler exited:\n${child.output}`);
    return fetch(child.url).then((r) => r.ok, () => false);
  }, 90_000, 250);
  return child;
}

/** Runs `echoThroughOckam` in `runtime`: "node", "browser", "worker" or "deno". */
async function echoIn(runtime, options) {
  switch (runtime) {
    case "node":
      return tryEchoThroughOckam(RazorNode, options);
    case "browser":
      return page.evaluate((o) => window.echoThroughOckam(o), options);
    case "worker":
      return (await fetch(worker.url, { method: "POST", body: JSON.stringify(options) })).json();
    case "deno": {
      const deno = start(join(ROOT, "js", "node_modules", ".bin", "deno"),
        ["run", "--allow-net", "--allow-read", "--allow-env", "deno-client.mjs", JSON.stringify(options)],
        { cwd: join(ROOT, "tests", "ockam"), env: { ...process.env, NO_COLOR: "1" } });
      const code = await new Promise((resolve) => deno.on("exit", resolve));
      const line = deno.output.trim().split("\n").findLast((l) => l.startsWith("{"));
      if (code !== 0 || !line) throw new Error(`deno exited ${code}:\n${deno.output}`);
      return JSON.parse(line);
    }
  }
  throw new Error(`unknown runtime ${runtime}`);
}

before(async () => {
  ockam = await ockamListener();
  tap = await recordingHop(ockam.address);
  bridge = await razorBridge();
  site = await staticSite();
  browser = await chromium();
  page = await browser.newPage();
  page.on("pageerror", (error) => console.error(`  page error: ${error.message}`));
  await page.goto(`${site.url}/tests/ockam/browser.html`);
  await page.waitForFunction(() => window.ready, null, { timeout: 30_000 });
  worker = await workerd();
});

after(async () => {
  await browser?.close();
  site?.close();
  tap?.close();
  await stopAll();
});

const RUNTIMES = ["browser", "worker", "deno", "node"];

test("a browser, a Worker, Deno and Node open Ockam-suite channels end to end to a real Ockam node through a Razor node", async () => {
  const route = `ws#${bridge.ws} => tcp#${tap.address} => secure`;
  const texts = [];
  for (const runtime of RUNTIMES) {
    const text = `hello ockam from ${runtime} ${nonce}`;
    texts.push(text);
    const outcome = await echoIn(runtime, { route, ockamId: ockam.identifier, text });
    assert.ok(outcome.ok, `${runtime}: ${outcome.code} ${outcome.message}`);
    assert.equal(outcome.echoed, text, `${runtime}: the Ockam echoer's answer`);
    assert.equal(outcome.verified, ockam.identifier, `${runtime}: the Razor side verified the Ockam node`);
    // The Ockam side authenticated this runtime's own identity: the channel ends here, not at the bridge.
    assert.match(ockam.output, new RegExp(`echoer got: ${text} from ${outcome.identifier}`), `${runtime}: Ockam's view`);
  }
  // What crossed the hop between the Razor node and Ockam: handshakes and ciphertext only.
  const seen = tap.bytes();
  assert.ok(seen.length > 1000, `the hop carried the channels (${seen.length} bytes)`);
  for (const text of texts) assert.equal(seen.indexOf(text), -1, `"${text}" crossed the Razor node in clear`);
  assert.equal(seen.indexOf(`hello ockam from`), -1);
});

test("a wrong trusted identifier for the Ockam node fails closed in every runtime, with a typed error", async () => {
  const route = `ws#${bridge.ws} => tcp#${tap.address} => secure`;
  const impostor = `I${"ab".repeat(32)}`;
  for (const runtime of RUNTIMES) {
    const text = `must not arrive from ${runtime} ${nonce}`;
    const outcome = await echoIn(runtime, { route, ockamId: impostor, text, timeoutMs: 10_000 });
    assert.equal(outcome.ok, false, `${runtime}: a channel to the wrong identity opened`);
    assert.equal(outcome.code, "IDENTITY_MISMATCH", `${runtime}: ${outcome.code} ${outcome.message}`);
    assert.doesNotMatch(ockam.output, new RegExp(text), `${runtime}: the message reached Ockam`);
  }
});
