// The package as its users get it: `npm pack`, then each example project under examples/ —
// copied as it is, with the tarball installed — run against a native Razor node:
//   node    — examples/node: a client run twice (same identity from its file store) and a
//             server on `ws` (acceptWebSocket)
//   deno    — examples/deno: the same with Deno.upgradeWebSocket
//   vite    — examples/browser: built and served by Vite, checked in headless Chromium — the
//             page and a dedicated Web Worker each open a channel, a reload keeps the identity,
//             stored keys are non-extractable
//   workerd — examples/worker on local workerd (wrangler): a channel as an identity imported
//             from a secret, and the Worker accepting a WebSocketPair
// Each server is reached by the Node example's client. Needs RAZOR_TEST_WS and
// RAZOR_TEST_NODE_ID (scripts/test starts the native node).
// Usage: node e2e/run.mjs [node|deno|vite|workerd ...]
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const js = join(dirname(fileURLToPath(import.meta.url)), "..");
const examples = join(js, "..", "examples");
const bin = (name) => join(js, "node_modules", ".bin", name);
const ws = process.env.RAZOR_TEST_WS;
const nodeId = process.env.RAZOR_TEST_NODE_ID;
if (!ws || !nodeId) throw new Error("RAZOR_TEST_WS and RAZOR_TEST_NODE_ID must be set (scripts/test sets them)");
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ["node", "deno", "vite", "workerd"];

const work = mkdtempSync(join(tmpdir(), "razor-e2e-"));
const quiet = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 180_000, ...options });
const log = (step) => console.log(`e2e: ${step}`);
const expected = "hello through the channel";

function pack() {
  const out = run("npm", ["pack", "--pack-destination", work], { cwd: js }).trim().split("\n").pop();
  return join(work, out);
}

/** A copy of examples/<name> with the tarball installed (its dev tools come from js/). */
const installed = new Map();
function example(name, tarball) {
  if (installed.has(name)) return installed.get(name);
  const dir = join(work, name);
  cpSync(join(examples, name), dir, {
    recursive: true,
    filter: (path) => !["node_modules", "dist", ".razor"].includes(basename(path)),
  });
  run("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--omit=dev", tarball], { cwd: dir });
  installed.set(name, dir);
  return dir;
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The example client's output must be the echo from `peerId`; returns its identity. */
function checkClient(what, out, peerId) {
  if (!out.includes(`echo: ${expected} from ${peerId}`)) throw new Error(`${what}: ${out}`);
  return /^identity: (I[0-9a-f]{64})$/m.exec(out)?.[1];
}

/** The Node example's client, against a server at `peer` that must be `peerId`. */
function nodeClient(tarball, peer, peerId, what) {
  const out = run("node", ["--experimental-websocket", "client.mjs"], {
    cwd: example("node", tarball),
    env: { ...process.env, RAZOR_PEER: peer, RAZOR_PEER_ID: peerId, RAZOR_SECRET: "e2e" },
  });
  const identity = checkClient(what, out, peerId);
  log(`${what}: a channel was accepted and echoed`);
  return identity;
}

/** Starts `command`, waits for its "listening PORT ID" line. */
async function serve(command, args, options) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  for (let i = 0; i < 300; i++) {
    const match = /listening (\d+) (I[0-9a-f]{64})/.exec(output);
    if (match) return { child, port: match[1], identifier: match[2] };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`server did not start:\n${output}`);
}

const checks = {
  async node(tarball) {
    const first = nodeClient(tarball, ws, nodeId, "node client");
    const second = nodeClient(tarball, ws, nodeId, "node client, run again");
    if (!first || first !== second) throw new Error(`node: the identity changed between runs: ${first} -> ${second}`);
    log(`node: identity ${first.slice(0, 12)}… came back from its file store`);
    const { child, port, identifier } = await serve("node", ["server.mjs"], { cwd: example("node", tarball) });
    try {
      nodeClient(tarball, `127.0.0.1:${port}`, identifier, "node server (ws)");
    } finally {
      child.kill();
    }
  },

  async deno(tarball) {
    const dir = example("deno", tarball);
    const env = { ...process.env, ...quiet, RAZOR_PEER: ws, RAZOR_PEER_ID: nodeId, RAZOR_SECRET: "e2e" };
    const client = () =>
      checkClient("deno client", run(bin("deno"), ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "client.ts"], { cwd: dir, env }), nodeId);
    const first = client();
    const second = client();
    if (!first || first !== second) throw new Error(`deno: the identity changed between runs: ${first} -> ${second}`);
    log(`deno: echoed; identity ${first.slice(0, 12)}… came back from its file store`);
    const { child, port, identifier } = await serve(bin("deno"), ["run", "--allow-net", "--allow-read", "--allow-env", "server.ts"], {
      cwd: dir,
      env: { ...process.env, ...quiet },
    });
    try {
      nodeClient(tarball, `127.0.0.1:${port}`, identifier, "deno server (Deno.upgradeWebSocket)");
    } finally {
      child.kill();
    }
  },

  async vite(tarball) {
    const dir = example("browser", tarball);
    const env = { ...process.env, VITE_RAZOR_PEER: ws, VITE_RAZOR_PEER_ID: nodeId, VITE_RAZOR_OUTLET: "1" };
    run(bin("vite"), ["build", "--logLevel", "warn"], { cwd: dir, env });
    const wasm = readdirSync(join(dir, "dist", "assets")).filter((f) => f.endsWith(".wasm"));
    if (wasm.length < 1) throw new Error(`vite: expected the wasm as an asset, got ${wasm}`);
    const port = await freePort();
    const server = spawn(bin("vite"), ["preview", "--port", String(port), "--strictPort", "--host", "127.0.0.1"], { cwd: dir, stdio: "ignore" });
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      page.on("console", (m) => m.type() === "error" && console.error(`  page: ${m.text()}`));
      const url = `http://127.0.0.1:${port}/`;
      for (let attempt = 0; ; attempt++) {
        try {
          await page.goto(url);
          break;
        } catch (error) {
          if (attempt > 50) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const read = async () => {
        await page.waitForFunction(
          () => (document.getElementById("echo").textContent && document.getElementById("worker-echo").textContent
            && document.getElementById("portal").textContent)
            || document.getElementById("error").textContent,
          null,
          { timeout: 30000 },
        );
        return page.evaluate(() => Object.fromEntries(
          ["vault", "id", "echo", "worker-echo", "portal", "error"].map((id) => [id, document.getElementById(id).textContent]),
        ));
      };
      const first = await read();
      if (first.error || first.echo !== expected) throw new Error(`vite: ${JSON.stringify(first)}`);
      if (first["worker-echo"] !== "hello from a worker") throw new Error(`vite: the worker said ${JSON.stringify(first)}`);
      if (first.vault !== "webcrypto") throw new Error(`vite: vault is ${first.vault}`);
      if (first.portal !== "200 hello through a portal\n") throw new Error(`vite: the portal fetch gave ${JSON.stringify(first.portal)}`);
      await page.reload();
      const second = await read();
      if (second.id !== first.id) throw new Error(`vite: identity changed across a reload: ${first.id} -> ${second.id}`);
      if (second.echo !== expected) throw new Error(`vite: after reload ${JSON.stringify(second)}`);
      const keys = await page.evaluate(() => new Promise((resolve, reject) => {
        const open = indexedDB.open("razor-example");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction("keys").objectStore("keys").getAll();
          all.onsuccess = async () => {
            const results = [];
            for (const record of all.result) {
              for (const format of ["pkcs8", "jwk"]) {
                try {
                  await crypto.subtle.exportKey(format, record.privateKey);
                  results.push("exported");
                } catch (e) {
                  results.push(`refused:${e.name}`);
                }
              }
            }
            resolve({ keys: all.result.length, extractable: all.result.map((r) => r.privateKey.extractable), results });
          };
        };
      }));
      if (keys.keys < 1 || keys.extractable.some(Boolean) || keys.results.some((r) => r === "exported")) {
        throw new Error(`vite: stored keys are exportable: ${JSON.stringify(keys)}`);
      }
      log(`vite: page and Web Worker echoed; identity ${first.id.slice(0, 12)}… survived a reload; ${keys.keys} stored keys, exportKey refused (${keys.results[0]})`);
    } finally {
      await browser.close();
      server.kill();
    }
  },

  async workerd(tarball) {
    // An identity sealed where keys can be exported, as a deployment would make it once.
    const sealed = run("node", ["--input-type=module", "-e", `
      import { RazorNode } from "@razor-sh/razor";
      const node = await RazorNode.create({ vault: "software" });
      const identity = await node.createIdentity();
      const bytes = await identity.export({ passphrase: "e2e" });
      console.log(identity.identifier + " " + Buffer.from(bytes).toString("base64"));
      await node.shutdown();`], { cwd: example("node", tarball) }).trim().split(" ");
    const [identifier, base64] = sealed;
    const dir = example("worker", tarball);
    const port = await freePort();
    const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" };
    const vars = [`RAZOR_PEER:${ws}`, `RAZOR_PEER_ID:${nodeId}`, `RAZOR_IDENTITY:${base64}`, "RAZOR_SECRET:e2e"]
      .flatMap((v) => ["--var", v]);
    const server = spawn(bin("wrangler"), ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), ...vars], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    server.stdout.on("data", (d) => (output += d));
    server.stderr.on("data", (d) => (output += d));
    try {
      let response;
      for (let attempt = 0; attempt < 300; attempt++) {
        try {
          response = await fetch(`http://127.0.0.1:${port}/`);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      if (!response) throw new Error(`workerd did not start:\n${output}`);
      const text = await response.text();
      if (!text.includes(`echo: ${expected}`)) throw new Error(`workerd: ${response.status} ${text}\n${output}`);
      if (!text.includes(`identity: ${identifier}`)) throw new Error(`workerd: not the imported identity: ${text}`);
      log(`workerd: ${text.replace(identifier, `${identifier.slice(0, 12)}… (imported from a secret)`)}`);
      const serverId = await (await fetch(`http://127.0.0.1:${port}/ws`)).text();
      nodeClient(tarball, `ws://127.0.0.1:${port}/ws`, serverId, "workerd (WebSocketPair)");
    } finally {
      server.kill();
    }
  },
};

const tarball = pack();
log(`packed ${tarball}`);
let failed = false;
for (const name of wanted) {
  const started = Date.now();
  try {
    await checks[name](tarball);
    log(`${name}: ok (${Date.now() - started} ms)`);
  } catch (error) {
    failed = true;
    console.error(`e2e: ${name}: FAILED\n${error.stack ?? error}\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}
if (!process.env.RAZOR_E2E_KEEP) rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
