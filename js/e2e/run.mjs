// The package as its users get it: `npm pack`, then fresh throwaway projects that install the
// tarball and open a secure channel to a native Razor node over WebSocket:
//   node  — a Node script; and a Node server accepting WebSockets with `ws` (acceptWebSocket)
//   deno  — a Deno script; and a Deno server accepting with Deno.upgradeWebSocket
//   vite  — a Vite app built and served, checked in headless Chromium (playwright-core),
//           including a reload (same identity from IndexedDB) and non-extractable keys
//   workerd — a Cloudflare Worker run locally by wrangler (workerd); and the Worker accepting
//           a WebSocketPair
// Each server is reached by a Node client opening a secure channel to its echo.
// Needs RAZOR_TEST_WS and RAZOR_TEST_NODE_ID (scripts/test starts the native node).
// Usage: node e2e/run.mjs [node|deno|vite|workerd ...]
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const js = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(js, "node_modules", ".bin", name);
const ws = process.env.RAZOR_TEST_WS;
const nodeId = process.env.RAZOR_TEST_NODE_ID;
if (!ws || !nodeId) throw new Error("RAZOR_TEST_WS and RAZOR_TEST_NODE_ID must be set (scripts/test sets them)");
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ["node", "deno", "vite", "workerd"];

const work = mkdtempSync(join(tmpdir(), "razor-e2e-"));
const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 180_000, ...options });

function log(step) {
  console.log(`e2e: ${step}`);
}

function pack() {
  const out = run("npm", ["pack", "--pack-destination", work], { cwd: js }).trim().split("\n").pop();
  return join(work, out);
}

function project(name, tarball, files) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `e2e-${name}`, private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], { cwd: dir });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
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

/** The client code every consumer runs (as a function body returning the echoed text). */
const clientCode = (wsVar, idVar) => `
  const node = await Node.create({ name: "e2e" });
  const identity = await node.createIdentity();
  const channel = await node.createSecureChannel(identity, \`ws#\${${wsVar}} => secure\`, {
    trust: { identifier: ${idVar} },
  });
  const reply = await channel.request("echo", "hello through the channel", { timeoutMs: 10000 });
  if (channel.theirIdentifier !== ${idVar}) throw new Error("wrong peer");
  channel.close();
  node.shutdown();
`;

const expected = "hello through the channel";

/** The server side every runtime runs: a node that accepts WebSockets and channels to its echo. */
const serverCode = `
  const server = await Node.create({ name: "server" });
  const serverId = await server.createIdentity();
  server.createSecureChannelListener(serverId, "secure", { trust: "everyone" });
  server.startEcho("echo");
`;

let clientDir;
/** A Node project with the tarball that opens a channel to \`url\` and checks the peer. */
async function acceptedBy(tarball, what, url, identifier) {
  clientDir ??= project("accept-client", tarball, {
    "client.mjs": `import { Node } from "@razor-sh/razor";
const [url, id] = process.argv.slice(2);
const node = await Node.create({ name: "client" });
const identity = await node.createIdentity();
const channel = await node.createSecureChannel(identity, \`ws#\${url} => secure\`, { trust: { identifier: id } });
const reply = await channel.request("echo", "accepted by a server", { timeoutMs: 10000 });
console.log("echo: " + reply.text + " from " + channel.theirIdentifier);
node.shutdown();`,
  });
  const out = run("node", ["--experimental-websocket", "client.mjs", url, identifier], { cwd: clientDir });
  if (!out.includes(`echo: accepted by a server from ${identifier}`)) throw new Error(`${what}: ${out}`);
  log(`${what}: a client's channel was accepted and echoed`);
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
    const dir = project("node", tarball, {
      "app.mjs": `import { Node } from "@razor-sh/razor";
const WS = process.env.RAZOR_TEST_WS, ID = process.env.RAZOR_TEST_NODE_ID;
${clientCode("WS", "ID")}
console.log("echo: " + reply.text);`,
    });
    const out = run("node", ["--experimental-websocket", "app.mjs"], { cwd: dir });
    if (!out.includes(`echo: ${expected}`)) throw new Error(`node: ${out}`);
    // A Node server: Node has no WebSocket server, `ws` does.
    run("npm", ["install", "--no-audit", "--no-fund", "ws@8"], { cwd: dir });
    writeFileSync(join(dir, "server.mjs"), `import { WebSocketServer } from "ws";
import { Node } from "@razor-sh/razor";
${serverCode}
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
wss.on("connection", (socket) => server.acceptWebSocket(socket));
wss.on("listening", () => console.log("listening " + wss.address().port + " " + serverId.identifier));`);
    const { child, port, identifier } = await serve("node", ["server.mjs"], { cwd: dir });
    try {
      await acceptedBy(tarball, "node (ws server)", `127.0.0.1:${port}`, identifier);
    } finally {
      child.kill();
    }
  },

  async deno(tarball) {
    const dir = project("deno", tarball, {
      "deno.json": JSON.stringify({ nodeModulesDir: "manual" }),
      "app.ts": `import { Node } from "@razor-sh/razor";
const WS = Deno.env.get("RAZOR_TEST_WS"), ID = Deno.env.get("RAZOR_TEST_NODE_ID")!;
${clientCode("WS", "ID")}
console.log("echo: " + reply.text);`,
    });
    const out = run(bin("deno"), ["run", "--allow-net", "--allow-read", "--allow-env", "app.ts"], {
      cwd: dir,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    if (!out.includes(`echo: ${expected}`)) throw new Error(`deno: ${out}`);
    writeFileSync(join(dir, "server.ts"), `import { Node } from "@razor-sh/razor";
${serverCode}
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log("listening " + port + " " + serverId.identifier) },
  (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    server.acceptWebSocket(socket);
    return response;
  });`);
    const { child, port, identifier } = await serve(bin("deno"), ["run", "--allow-net", "--allow-read", "--allow-env", "server.ts"], {
      cwd: dir,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    try {
      await acceptedBy(tarball, "deno (Deno.upgradeWebSocket)", `127.0.0.1:${port}`, identifier);
    } finally {
      child.kill();
    }
  },

  async vite(tarball) {
    const dir = project("vite", tarball, {
      "index.html": `<!doctype html>
<html><head><link rel="icon" href="data:,"></head><body>
  <h1>Razor in a Vite app</h1>
  <p>vault <span id="vault"></span>, identity <span id="id"></span></p>
  <p>echo: <span id="echo"></span></p>
  <p id="error"></p>
  <script type="module" src="/main.js"></script>
</body></html>`,
      "main.js": `import { Node } from "@razor-sh/razor";
const WS = import.meta.env.VITE_RAZOR_WS, ID = import.meta.env.VITE_RAZOR_NODE_ID;
const show = (id, text) => (document.getElementById(id).textContent = text);
(async () => {
  try {
    const node = await Node.create({ name: "vite", persist: "razor-e2e" });
    const identity = await node.createIdentity({ name: "me" });
    show("vault", node.vault);
    show("id", identity.identifier);
    const channel = await node.createSecureChannel(identity, \`ws#\${WS} => secure\`, { trust: { identifier: ID } });
    show("echo", (await channel.request("echo", "hello through the channel")).text);
  } catch (e) {
    show("error", \`\${e.name} \${e.code} \${e.message}\`);
  }
})();
// For the test: try to export every stored private key (all must refuse).
window.razorExportStoredKeys = () => new Promise((resolve, reject) => {
  const open = indexedDB.open("razor-e2e");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction("keys").objectStore("keys").getAll();
    all.onsuccess = async () => {
      const results = [];
      for (const record of all.result) {
        for (const format of ["pkcs8", "jwk"]) {
          try { await crypto.subtle.exportKey(format, record.privateKey); results.push("exported"); }
          catch (e) { results.push("refused:" + e.name); }
        }
      }
      resolve({ keys: all.result.length, extractable: all.result.map((r) => r.privateKey.extractable), results });
    };
  };
});`,
    });
    const env = { ...process.env, VITE_RAZOR_WS: ws, VITE_RAZOR_NODE_ID: nodeId };
    run(bin("vite"), ["build", "--logLevel", "warn"], { cwd: dir, env });
    const wasm = readdirSync(join(dir, "dist", "assets")).filter((f) => f.endsWith(".wasm"));
    if (wasm.length !== 1) throw new Error(`vite: expected the wasm as an asset, got ${wasm}`);
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
        await page.waitForFunction(() => document.getElementById("echo").textContent || document.getElementById("error").textContent, null, { timeout: 30000 });
        return page.evaluate(() => ({
          vault: document.getElementById("vault").textContent,
          id: document.getElementById("id").textContent,
          echo: document.getElementById("echo").textContent,
          error: document.getElementById("error").textContent,
        }));
      };
      const first = await read();
      if (first.error || first.echo !== expected) throw new Error(`vite: ${JSON.stringify(first)}`);
      if (first.vault !== "webcrypto") throw new Error(`vite: vault is ${first.vault}`);
      await page.reload();
      const second = await read();
      if (second.id !== first.id) throw new Error(`vite: identity changed across a reload: ${first.id} -> ${second.id}`);
      if (second.echo !== expected) throw new Error(`vite: after reload ${JSON.stringify(second)}`);
      const keys = await page.evaluate(() => window.razorExportStoredKeys());
      if (keys.keys < 1 || keys.extractable.some(Boolean) || keys.results.some((r) => r === "exported")) {
        throw new Error(`vite: stored keys are exportable: ${JSON.stringify(keys)}`);
      }
      log(`vite: identity ${first.id.slice(0, 12)}… survived a reload; ${keys.keys} stored keys, exportKey refused (${keys.results[0]})`);
    } finally {
      await browser.close();
      server.kill();
    }
  },

  async workerd(tarball) {
    const dir = project("workerd", tarball, {
      "wrangler.toml": `name = "razor-e2e"
main = "worker.js"
compatibility_date = "2026-04-01"
[vars]
RAZOR_WS = "${ws}"
RAZOR_NODE_ID = "${nodeId}"
`,
      "worker.js": `import { Node } from "@razor-sh/razor";
let accepting;
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/ws") {
      // A WebSocket the Worker accepts (no Durable Object), served by a node kept per isolate.
      accepting ??= (async () => {
        ${serverCode}
        return { server, serverId };
      })();
      const { server, serverId } = await accepting;
      if (request.headers.get("upgrade") !== "websocket") return new Response(serverId.identifier);
      const pair = new WebSocketPair();
      pair[1].accept();
      server.acceptWebSocket(pair[1]);
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    try {
      const WS = env.RAZOR_WS, ID = env.RAZOR_NODE_ID;
${clientCode("WS", "ID")}
      return new Response("echo: " + reply.text + " vault: " + node.vault);
    } catch (e) {
      return new Response(\`\${e.name} \${e.code} \${e.message}\n\${e.stack}\`, { status: 500 });
    }
  },
};`,
    });
    const port = await freePort();
    const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" };
    const server = spawn(bin("wrangler"), ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port)], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
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
      log(`workerd: ${text}`);
      const serverId = await (await fetch(`http://127.0.0.1:${port}/ws`)).text();
      await acceptedBy(tarball, "workerd (WebSocketPair)", `ws://127.0.0.1:${port}/ws`, serverId);
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
