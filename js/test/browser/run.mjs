// The lifecycle cases (test/shared/lifecycle.cases.mjs) in headless Chromium: in a page and
// in a dedicated Web Worker, against the built package (dist/, pkg/), with a native peer the
// page can restart through this server (RAZOR_BIN). Usage: node test/browser/run.mjs
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { restartablePeer, silentServer } from "../shared/peer.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const types = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm" };
const peer = await restartablePeer();
if (!peer && process.env.RAZOR_REQUIRE_NETWORK === "1") throw new Error("RAZOR_BIN is not set");
const silent = await silentServer();
const peerInfo = () => ({ silentPort: silent.port, peer: peer && { url: peer.url, hop: peer.hop, id: peer.id } });

const server = createServer(async (request, response) => {
  try {
    const path = new URL(request.url, "http://x").pathname;
    if (path === "/peer") return json(response, peerInfo());
    if (path === "/peer/restart" && request.method === "POST") {
      await peer.restart();
      return json(response, peerInfo().peer);
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !/^\/(dist|pkg|test)\//.test(path)) {
      response.writeHead(404).end();
      return;
    }
    const body = await readFile(file);
    response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body);
  } catch (error) {
    response.writeHead(500).end(String(error));
  }
});
function json(response, value) {
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value));
}
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
let failed = 0;
try {
  const page = await browser.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(`${origin}/test/browser/index.html`);
  await page.waitForFunction(() => window.razorResults, undefined, { timeout: 600_000, polling: 250 });
  const results = await page.evaluate(() => window.razorResults);
  for (const { realm, name, ok, skipped, error } of results) {
    if (!ok) failed++;
    console.log(`${ok ? "ok" : "not ok"} - [${realm}] ${name}${skipped ? ` # SKIP ${skipped}` : ""}`);
    if (error) console.log(error.split("\n").map((line) => `    ${line}`).join("\n"));
  }
  const realms = new Set(results.map((r) => r.realm));
  if (!realms.has("worker")) {
    failed++;
    console.log("not ok - the cases did not run in the Web Worker");
  }
  console.log(`# ${results.length - failed} passed, ${failed} failed (Chromium page and dedicated worker)`);
} finally {
  await browser.close();
  server.close();
  silent.close();
  await peer?.stop();
}
process.exit(failed ? 1 : 0);
