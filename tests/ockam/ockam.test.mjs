// Razor in an Ockam deployment, against a real Ockam 0.150 node (interop/ockam-peer): a browser
// (headless Chromium), a Worker (workerd) and Deno open Ockam-suite secure channels end to end
// to the Ockam node through a Razor node that bridges WebSocket to TCP and only forwards
// ciphertext (a recording TCP hop between the Razor node and Ockam proves it).
// Needs: RAZOR_OCKAM_PEER (scripts/ockam-peer), the razor binary (RAZOR_BIN, default the debug
// build), js/ built (scripts/build-js) and this directory installed (scripts/setup).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { createConnection, createServer as createTcpServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { RazorNode } from "@razor-sh/razor";
import { chromium, freePort, ROOT, start, stopAll, waitFor } from "../edge/harness.mjs";
import { fromOckamString, ockamString, tryEchoThroughOckam, tryFetchThroughOckam } from "./client.mjs";

const ockamPeer = process.env.RAZOR_OCKAM_PEER;
const razorBin = process.env.RAZOR_BIN ??
  join(process.env.CARGO_TARGET_DIR ?? join(process.env.HOME, ".cache/razor/target"), "debug", "razor");
const quiet = { ...process.env, OCKAM_LOG_LEVEL: "warn", NO_COLOR: "1", RUST_LOG: "warn" };
const nonce = Math.random().toString(36).slice(2, 8);
if (!ockamPeer) throw new Error("RAZOR_OCKAM_PEER must be set (scripts/ockam-peer builds it)");

let ockam, tap, bridge, browser, page, site, worker;

/** `ockam-peer listen` (or `mode`): TCP listener, secure channel listener `secure`, echoer. */
async function ockamListener(mode = "listen", args = []) {
  const port = await freePort();
  const child = start(ockamPeer, [mode, `127.0.0.1:${port}`, ...args], { env: quiet });
  await waitFor("the Ockam node to listen", () => {
    if (child.exitCode !== null) throw new Error(`ockam-peer exited:\n${child.output}`);
    return /^listening/m.test(child.output);
  });
  child.address = `127.0.0.1:${port}`;
  child.identifier = /identifier: (I[0-9a-f]{64})/.exec(child.output)?.[1];
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

/** Runs `echoThroughOckam` (or with `what` "fetch", `fetchThroughOckam`) in `runtime`:
 * "node", "browser", "worker" or "deno". */
async function echoIn(runtime, options, what = "echo") {
  switch (runtime) {
    case "node":
      return (what === "fetch" ? tryFetchThroughOckam : tryEchoThroughOckam)(RazorNode, options);
    case "browser":
      return page.evaluate(([w, o]) => (w === "fetch" ? window.fetchThroughOckam(o) : window.echoThroughOckam(o)), [what, options]);
    case "worker":
      return (await fetch(`${worker.url}/${what === "fetch" ? "fetch" : ""}`, { method: "POST", body: JSON.stringify(options) })).json();
    case "deno": {
      const deno = start(join(ROOT, "js", "node_modules", ".bin", "deno"),
        ["run", "--allow-net", "--allow-read", "--allow-env", "deno-client.mjs", what, JSON.stringify(options)],
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
  rmSync(scratch, { recursive: true, force: true });
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
  // The other side: an Ockam listener that trusts someone else drops the Razor peer's messages
  // (Ockam's responder says nothing at message 3): the Razor side times out, typed.
  const dir = tmp("untrusted");
  await razor("identity", "create", "--state-dir", dir);
  const picky = await ockamListener("listen", [`I${"cd".repeat(32)}`]);
  const text = `must not be echoed ${nonce}`;
  const outcome = await razorToEchoer(`tcp#${picky.address} => secure`, picky.identifier, dir, text, undefined, 1500);
  assert.notEqual(outcome.code, 0, outcome.output);
  assert.match(outcome.output, /error: TIMEOUT/);
  assert.doesNotMatch(picky.output, new RegExp(`echoer got: ${text}`));
});

/** Runs a command to its end: its exit code and output (stdout and stderr). */
async function run(command, args, { input, env = quiet } = {}) {
  const child = start(command, args, { env, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  if (input !== undefined) child.stdin.end(input);
  const code = await new Promise((resolve) => child.on("exit", resolve));
  return { code, output: child.output };
}

/** `razor ...`, expected to succeed: its stdout's last line. */
async function razor(...args) {
  const { code, output } = await run(razorBin, args);
  assert.equal(code, 0, `razor ${args.join(" ")}:\n${output}`);
  return output.trim().split("\n").at(-1);
}

const field = (output, name) => new RegExp(`^${name}: (\\S+)$`, "m").exec(output)?.[1];

/** A new Ockam authority issues each `[subject, "name=value", ttlSeconds]` a credential. */
async function ockamIssue(...grants) {
  const { code, output } = await run(ockamPeer, ["authority-issue", ...grants.flat().map(String)]);
  assert.equal(code, 0, output);
  const credentials = [...output.matchAll(/^credential: (\S+)$/gm)].map((m) => m[1]);
  assert.equal(credentials.length, grants.length, output);
  return { authority: field(output, "authority"), history: field(output, "authority_history"), credentials };
}

/** `razor secure-channel` to Ockam's echoer over `to` as the identity in `stateDir`. */
function razorToEchoer(to, ockamId, stateDir, text, credential, timeoutMs = 4000) {
  return run(razorBin, ["secure-channel", "--to", to, "--trust", ockamId, "--service", "echoer", "--ockam-string",
    "--message", text, "--state-dir", stateDir, "--timeout-ms", String(timeoutMs),
    ...(credential ? ["--credential", credential] : [])]);
}

/** Each test's state directories, under one scratch directory removed at the end. */
const scratch = mkdtempSync(join(tmpdir(), "razor-ockam-"));
const tmp = (name) => join(scratch, name);

test("Ockam as authority: its credential admits a Razor peer to an ABAC-guarded Ockam worker; no credential, another value, a foreign authority or an expired one do not", async () => {
  // One identity per case: Ockam keeps an identity's admitted attributes until they expire.
  const ids = {};
  for (const name of ["member", "none", "guest", "foreign", "expired"]) {
    ids[name] = await razor("identity", "create", "--state-dir", tmp(name));
  }
  const issued = await ockamIssue([ids.member, "role=member", 3600], [ids.guest, "role=guest", 3600], [ids.expired, "role=member", 1]);
  const [memberCredential, guestCredential, expiredCredential] = issued.credentials;
  const [foreignCredential] = (await ockamIssue([ids.foreign, "role=member", 3600])).credentials;
  const listener = await ockamListener("listen-abac", [issued.history]);
  const to = `tcp#${listener.address} => secure`;

  const admitted = await razorToEchoer(to, listener.identifier, tmp("member"), `member ${nonce}`, memberCredential);
  assert.equal(admitted.code, 0, admitted.output);
  assert.match(admitted.output, new RegExp(`reply: member ${nonce}`));
  assert.match(listener.output, new RegExp(`echoer got: member ${nonce} from ${ids.member}`), "Ockam's ABAC admitted the Razor identity");

  // The same through the npm package (wasm in Node) and a Razor node bridging WebSocket to TCP.
  const js = await RazorNode.create({ name: "member-js" });
  try {
    const identity = await js.createIdentity();
    const own = await ockamIssue([identity.identifier, "role=member", 3600]);
    const jsListener = await ockamListener("listen-abac", [own.history]);
    identity.addCredential(Buffer.from(own.credentials[0], "hex"));
    const channel = await js.createSecureChannel(identity, `ws#${bridge.ws} => tcp#${jsListener.address} => secure`,
      { trust: { identifier: jsListener.identifier } });
    const reply = await channel.request("echoer", ockamString(`js member ${nonce}`), { timeoutMs: 10_000 });
    assert.equal(fromOckamString(reply.payload), `js member ${nonce}`);
    assert.match(jsListener.output, new RegExp(`echoer got: js member ${nonce} from ${identity.identifier}`));
  } finally {
    await js.shutdown();
  }

  // Ockam drops what its policy denies without a word: the Razor side times out, typed.
  await new Promise((resolve) => setTimeout(resolve, 2100)); // the 1 s credential expires
  const refusals = [["no credential", "none", undefined], ["role=guest", "guest", guestCredential],
    ["a foreign authority", "foreign", foreignCredential], ["an expired credential", "expired", expiredCredential]];
  for (const [why, who, credential] of refusals) {
    const text = `denied ${why} ${nonce}`;
    const outcome = await razorToEchoer(to, listener.identifier, tmp(who), text, credential, 1500);
    assert.notEqual(outcome.code, 0, `${why}: admitted:\n${outcome.output}`);
    assert.match(outcome.output, /error: (TIMEOUT|CREDENTIAL_EXPIRED)/, `${why}: ${outcome.output}`);
    assert.doesNotMatch(listener.output, new RegExp(`echoer got: ${text}`), `${why}: reached the echoer`);
  }
});

test("Razor as authority: a Razor node's policy admits an Ockam peer with a Razor credential and refuses another value or a foreign authority", async () => {
  const authority = tmp("authority");
  await razor("identity", "create", "--state-dir", authority);
  const authorityHistory = await razor("identity", "show", "--state-dir", authority, "--full");
  const stranger = tmp("stranger");
  await razor("identity", "create", "--state-dir", stranger);
  const node = start(razorBin, ["node", "--name", "guarded", "--trust", "everyone", "--tcp", "127.0.0.1:0",
    "--authority", authorityHistory, "--policy", '(= subject.role "member")'], { env: quiet });
  await waitFor("the guarded razor node", () => /^tcp: tcp#/m.test(node.output));
  const address = /^tcp: tcp#(\S+)/m.exec(node.output)[1];
  const nodeId = field(node.output, "identifier");

  /** An Ockam node that gets a credential from `issuer` with `attribute` and says hello. */
  async function ockamWith(issuer, attribute) {
    const ockam = start(ockamPeer, ["connect-cred", address, nodeId], { env: quiet, stdio: ["pipe", "pipe", "pipe"] });
    const history = await waitFor("the Ockam peer's history", () => field(ockam.output, "change_history"));
    const credential = issuer
      ? await razor("credential", "issue", "--state-dir", issuer, "--subject", history, "--attribute", attribute)
      : "none";
    ockam.stdin.end(`${credential}\n`);
    const code = await new Promise((resolve) => ockam.on("exit", resolve));
    return { code, output: ockam.output, identifier: field(ockam.output, "identifier") };
  }

  const member = await ockamWith(authority, "role=member");
  assert.equal(member.code, 0, member.output);
  assert.match(member.output, /reply: hello/);
  assert.match(member.output, new RegExp(`secure channel to ${nodeId}`));
  for (const [why, issuer, attribute] of [["no credential"], ["role=guest", authority, "role=guest"],
    ["a foreign authority", stranger, "role=member"]]) {
    const denials = node.output.split("POLICY_DENIED").length;
    const refused = await ockamWith(issuer, attribute);
    assert.notEqual(refused.code, 0, `${why}: the Ockam peer was admitted:\n${refused.output}`);
    assert.doesNotMatch(refused.output, /reply: hello/);
    await waitFor(`the node to log the refusal of ${refused.identifier}`, () => node.output.split("POLICY_DENIED").length > denials, 5000)
      .catch((error) => assert.fail(`${why}: ${error.message}\n${node.output}`));
  }
});

test("rotation: a Razor identity rotates its key; the Ockam node knows it by the same identifier, verifies the new history, and the credential from before still admits it", async () => {
  const dir = tmp("rotating");
  const id = await razor("identity", "create", "--state-dir", dir);
  const before = await razor("identity", "show", "--state-dir", dir, "--full");
  const issued = await ockamIssue([id, "role=member", 3600]);
  const listener = await ockamListener("listen-abac", [issued.history]);
  const to = `tcp#${listener.address} => secure`;
  const first = await razorToEchoer(to, listener.identifier, dir, `before rotation ${nonce}`, issued.credentials[0]);
  assert.equal(first.code, 0, first.output);

  const after = await razor("identity", "rotate", "--state-dir", dir);
  assert.ok(after.length > before.length, "the history grew by a change");
  assert.equal(await razor("identity", "show", "--state-dir", dir), id, "same identifier after rotation");
  const second = await razorToEchoer(to, listener.identifier, dir, `after rotation ${nonce}`, issued.credentials[0]);
  assert.equal(second.code, 0, second.output);
  assert.match(listener.output, new RegExp(`echoer got: after rotation ${nonce} from ${id}`));

  const verified = await run(ockamPeer, ["verify-update", before, after]);
  assert.equal(verified.code, 0, verified.output);
  assert.match(verified.output, new RegExp(`updated: ${id}`));
  // Ockam refuses the opposite: an older history presented as an update.
  const backwards = await run(ockamPeer, ["verify-update", after, before]);
  assert.equal(backwards.code, 1, backwards.output);
});

/**
 * The private service behind the outlets: HTTP on 127.0.0.1. GET /big answers 1 MiB of
 * random bytes, POST /echo answers the body it got; it records when its sockets close.
 */
async function privateService() {
  const big = new Uint8Array(randomBytes(1024 * 1024));
  const service = { big, closed: 0, open: 0 };
  const server = createHttpServer(async (request, response) => {
    if (request.url === "/big") return response.writeHead(200, { "content-type": "application/octet-stream" }).end(big);
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    response.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.concat(chunks));
  });
  server.on("connection", (socket) => {
    service.open++;
    socket.on("close", () => service.closed++);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  service.address = `127.0.0.1:${server.address().port}`;
  service.close = () => server.close();
  return service;
}

/** GET /big and POST 1 MiB to /echo through `address`; asserts both arrive intact. */
async function throughPortal(address, service, what) {
  const got = new Uint8Array(await (await fetch(`http://${address}/big`)).arrayBuffer());
  assert.equal(got.length, service.big.length, `${what}: GET length`);
  assert.ok(Buffer.from(got).equals(Buffer.from(service.big)), `${what}: GET bytes`);
  const body = new Uint8Array(randomBytes(1024 * 1024));
  const echoed = new Uint8Array(await (await fetch(`http://${address}/echo`, { method: "POST", body })).arrayBuffer());
  assert.ok(Buffer.from(echoed).equals(Buffer.from(body)), `${what}: POST echo`);
}

/** Opens a raw TCP connection through `address`, then closes it: the service side must close too. */
async function closingPropagates(address, service, what) {
  const closedBefore = service.closed;
  const openBefore = service.open;
  const socket = createConnection({ host: "127.0.0.1", port: Number(address.split(":")[1]) });
  await new Promise((resolve) => socket.on("connect", resolve));
  await waitFor(`${what}: the service to see the connection`, () => service.open > openBefore, 10_000);
  socket.destroy();
  await waitFor(`${what}: the service's side to close`, () => service.closed > closedBefore, 10_000);
}

test("portals: a Razor inlet (CLI) reaches a private HTTP service behind an Ockam TCP outlet; 1 MiB each way, closes propagate", async () => {
  const service = await privateService();
  try {
    const outlet = await ockamListener("outlet", [service.address]);
    const inlet = start(razorBin, ["inlet", "--from", "127.0.0.1:0", "--to", `tcp#${outlet.address} => secure`,
      "--trust", outlet.identifier], { env: quiet });
    const address = await waitFor("the razor inlet", () => {
      if (inlet.exitCode !== null) throw new Error(`razor inlet exited:\n${inlet.output}`);
      return /^inlet: (\S+)$/m.exec(inlet.output)?.[1];
    });
    assert.equal(field(inlet.output, "peer"), outlet.identifier);
    await throughPortal(address, service, "razor inlet -> ockam outlet");
    await closingPropagates(address, service, "razor inlet -> ockam outlet");
  } finally {
    service.close();
  }
});

test("portals: an Ockam TCP inlet reaches a private HTTP service behind a Razor node's outlet; 1 MiB each way, closes propagate", async () => {
  const service = await privateService();
  try {
    const node = start(razorBin, ["node", "--name", "outlet", "--trust", "everyone", "--tcp", "127.0.0.1:0",
      "--outlet", service.address], { env: quiet });
    const nodeAddress = await waitFor("the razor node", () => /^tcp: tcp#(\S+)$/m.exec(node.output)?.[1]);
    const inlet = start(ockamPeer, ["inlet", "127.0.0.1:0", nodeAddress, field(node.output, "identifier")], { env: quiet });
    const address = await waitFor("the Ockam inlet", () => {
      if (inlet.exitCode !== null) throw new Error(`ockam-peer inlet exited:\n${inlet.output}`);
      return /^inlet: (\S+)$/m.exec(inlet.output)?.[1];
    });
    await throughPortal(address, service, "ockam inlet -> razor outlet");
    await closingPropagates(address, service, "ockam inlet -> razor outlet");
  } finally {
    service.close();
  }
});

test("portals: an outlet whose service is down never answers; the Razor inlet gives up after its timeout and closes the client, typed", async () => {
  const down = `127.0.0.1:${await freePort()}`;
  const outlet = await ockamListener("outlet", [down]);
  const inlet = start(razorBin, ["inlet", "--from", "127.0.0.1:0", "--to", `tcp#${outlet.address} => secure`,
    "--trust", outlet.identifier, "--timeout-ms", "1500"], { env: quiet });
  const address = await waitFor("the razor inlet", () => /^inlet: (\S+)$/m.exec(inlet.output)?.[1]);
  const socket = createConnection({ host: "127.0.0.1", port: Number(address.split(":")[1]) });
  const ended = await new Promise((resolve) => {
    socket.on("close", () => resolve(true));
    setTimeout(() => resolve(false), 10_000);
  });
  assert.ok(ended, "the client's connection was closed");
  assert.match(inlet.output, /the outlet did not answer.*TIMEOUT|TIMEOUT.*the outlet did not answer/);
});

test("portals from a browser, a Worker, Deno and Node: fetch and streams through an Ockam TCP outlet to a private HTTP service; 1 MiB each way intact, closes propagate", async () => {
  const service = await privateService();
  try {
    const outlet = await ockamListener("outlet", [service.address]);
    const expected = createHash("sha256").update(service.big).digest("hex");
    const route = `ws#${bridge.ws} => tcp#${outlet.address} => secure`;
    for (const runtime of RUNTIMES) {
      const opened = service.open;
      const outcome = await echoIn(runtime, { route, ockamId: outlet.identifier }, "fetch");
      assert.equal(service.open - opened, 4, `${runtime}: two fetches, a stream and one closed from here reached the service`);
      assert.ok(outcome.ok, `${runtime}: ${outcome.code} ${outcome.message}`);
      assert.equal(outcome.bigDigest, expected, `${runtime}: GET of 1 MiB through the portal`);
      assert.ok(outcome.echoIntact, `${runtime}: 1 MiB POSTed and echoed intact`);
      assert.ok(outcome.streamed > service.big.length, `${runtime}: the raw stream read the response (${outcome.streamed} bytes)`);
      assert.equal(outcome.end, "remote", `${runtime}: the service closed the stream`);
      assert.equal(outcome.idleEnd, "local", `${runtime}: the stream closed from this side`);
      assert.equal(outcome.portalPeer, outlet.identifier, `${runtime}: the portal runs through the channel to Ockam`);
      // Every connection the portals opened to the service was closed again.
      await waitFor(`${runtime}: the service's connections to close`, () => service.closed === service.open, 10_000);
    }
  } finally {
    service.close();
  }
});

test("relays: an Ockam node registers a relay on a Razor node's relay service; a browser, a Worker, Deno and Node reach it through the relay with channels end to end", async () => {
  const host = start(razorBin, ["node", "--name", "relay-host", "--trust", "everyone", "--ws", "127.0.0.1:0",
    "--tcp", "127.0.0.1:0"], { env: quiet });
  await waitFor("the relay host", () => /^tcp: tcp#/m.test(host.output) && /^websocket: ws#/m.test(host.output));
  const ockam = start(ockamPeer, ["relay-tcp", /^tcp: tcp#(\S+)$/m.exec(host.output)[1]], { env: quiet });
  const alias = await waitFor("the Ockam node's relay", () => {
    if (ockam.exitCode !== null) throw new Error(`ockam-peer exited:\n${ockam.output}`);
    return field(ockam.output, "relay");
  });
  const ockamId = field(ockam.output, "identifier");
  const route = `ws#${/^websocket: ws#(\S+)$/m.exec(host.output)[1]} => ${alias} => secure`;
  for (const runtime of RUNTIMES) {
    const text = `through the relay from ${runtime} ${nonce}`;
    const outcome = await echoIn(runtime, { route, ockamId, text });
    assert.ok(outcome.ok, `${runtime}: ${outcome.code} ${outcome.message}`);
    assert.equal(outcome.echoed, text);
    assert.match(ockam.output, new RegExp(`echoer got: ${text} from ${outcome.identifier}`));
  }
});

test("relays: `razor relay create` registers a Razor node's relay on an Ockam node's relay service; an Ockam client reaches the Razor node through it", async () => {
  const service = await ockamListener("relay-service");
  const razorNode = start(razorBin, ["relay", "create", "--at", `tcp://${service.address}`, "--trust", "everyone"],
    { env: quiet });
  const alias = await waitFor("the Razor node's relay on Ockam", () => {
    if (razorNode.exitCode !== null) throw new Error(`razor node exited:\n${razorNode.output}`);
    return field(razorNode.output, "relay");
  });
  const razorId = field(razorNode.output, "identifier");
  const client = await run(ockamPeer, ["connect-relay", service.address, alias, razorId]);
  assert.equal(client.code, 0, client.output);
  assert.match(client.output, new RegExp(`secure channel to ${razorId}`));
  assert.match(client.output, /reply: hello/);
});

test("failure: an Ockam node that goes away mid-stream fails the Razor side with a typed error in time, no hang", async () => {
  // A channel from the npm package through the bridge: requests after the loss time out, typed.
  const gone = await ockamListener();
  const node = await RazorNode.create({ name: "orphan" });
  try {
    const identity = await node.createIdentity();
    // What the node runs with its connection to the bridge open and no channel: the baseline.
    const warm = await node.createSecureChannel(identity, `ws#${bridge.ws} => tcp#${ockam.address} => secure`,
      { trust: { identifier: ockam.identifier } });
    await warm.close();
    const baseline = node.workerCount;
    const channel = await node.createSecureChannel(identity, `ws#${bridge.ws} => tcp#${gone.address} => secure`,
      { trust: { identifier: gone.identifier } });
    const reply = await channel.request("echoer", ockamString("still there"), { timeoutMs: 10_000 });
    assert.equal(fromOckamString(reply.payload), "still there");
    gone.kill("SIGKILL");
    const started = Date.now();
    await assert.rejects(channel.request("echoer", ockamString("gone"), { timeoutMs: 2000 }),
      (error) => ["TIMEOUT", "CHANNEL_CLOSED", "UNKNOWN_ADDRESS", "CONNECTION_CLOSED"].includes(error.code));
    assert.ok(Date.now() - started < 5000, "failed within the timeout");
    // Closing the orphaned channel leaves nothing behind: the node is back to its own workers.
    await channel.close();
    await waitFor("the channel's workers to stop", () => node.workerCount === baseline, 5000)
      .catch(() => assert.fail(`${node.workerCount} workers, ${baseline} before the orphaned channel`));
  } finally {
    await node.shutdown();
  }

  // A Razor inlet straight to the Ockam outlet over TCP: the connection's loss closes the
  // channel, the portal connections over it and the clients' sockets; the inlet exits, typed.
  const service = await privateService();
  try {
    const outlet = await ockamListener("outlet", [service.address]);
    const inlet = start(razorBin, ["inlet", "--from", "127.0.0.1:0", "--to", `tcp#${outlet.address} => secure`,
      "--trust", outlet.identifier], { env: quiet });
    const address = await waitFor("the razor inlet", () => /^inlet: (\S+)$/m.exec(inlet.output)?.[1]);
    const socket = createConnection({ host: "127.0.0.1", port: Number(address.split(":")[1]) });
    await new Promise((resolve) => socket.on("connect", resolve));
    await waitFor("the service to see the connection", () => service.open > 0, 10_000);
    const closed = new Promise((resolve) => socket.on("close", resolve));
    outlet.kill("SIGKILL");
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error("the client's socket stayed open")), 10_000))]);
    const code = await new Promise((resolve) => (inlet.exitCode !== null ? resolve(inlet.exitCode) : inlet.on("exit", resolve)));
    assert.notEqual(code, 0);
    assert.match(inlet.output, /error: CHANNEL_CLOSED/);
  } finally {
    service.close();
  }
});

test("credential retrieval: a Razor member gets its credential from an Ockam authority's credential_issuer, as Ockam's own retriever does, and gets past the authority's ABAC with it", async () => {
  const authority = await ockamListener("issuer");
  const authorityId = authority.identifier;
  // Ockam's own RemoteCredentialRetriever against the same issuer: the protocol under test.
  const ockamMember = await run(ockamPeer, ["connect-retriever", authority.address, authorityId]);
  assert.equal(ockamMember.code, 0, ockamMember.output);
  assert.match(ockamMember.output, /reply: hello/);

  // The CLI: retrieve, then present.
  const dir = tmp("retriever");
  const id = await razor("identity", "create", "--state-dir", dir);
  const to = `tcp#${authority.address} => secure`;
  const denied = await razorToEchoer(to, authorityId, dir, `before ${nonce}`, undefined, 1500);
  assert.notEqual(denied.code, 0, "admitted without a credential");
  const credential = await razor("credential", "retrieve", "--state-dir", dir, "--from", to, "--issuer", authorityId);
  assert.match(authority.output, new RegExp(`issued: role=member to ${id}`));
  const admitted = await razorToEchoer(to, authorityId, dir, `retrieved ${nonce}`, credential);
  assert.equal(admitted.code, 0, admitted.output);
  assert.match(authority.output, new RegExp(`echoer got: retrieved ${nonce} from ${id}`));

  // The npm package, through the bridge.
  const js = await RazorNode.create({ name: "retriever-js" });
  try {
    const identity = await js.createIdentity();
    const route = `ws#${bridge.ws} => tcp#${authority.address} => secure`;
    const bytes = await js.retrieveCredential(identity, route, { issuer: authorityId, timeoutMs: 10_000 });
    assert.ok(bytes.length > 100);
    const channel = await js.createSecureChannel(identity, route, { trust: { identifier: authorityId } });
    const reply = await channel.request("echoer", ockamString(`js retrieved ${nonce}`), { timeoutMs: 10_000 });
    assert.equal(fromOckamString(reply.payload), `js retrieved ${nonce}`);

    // The retrieved credential must come from the issuer the caller named.
    const impostor = await ockamListener("issuer");
    await assert.rejects(
      js.retrieveCredential(identity, `ws#${bridge.ws} => tcp#${impostor.address} => secure`, { issuer: authorityId, timeoutMs: 5000 }),
      (error) => error.code === "IDENTITY_MISMATCH",
    );
  } finally {
    await js.shutdown();
  }
});

test("the razor CLI: every command has --help, and failures exit non-zero with a typed error", async () => {
  for (const command of [["node"], ["secure-channel"], ["inlet"], ["identity", "create"], ["identity", "show"],
    ["identity", "rotate"], ["identity", "export"], ["credential", "issue"], ["credential", "retrieve"], ["relay", "create"]]) {
    const help = await run(razorBin, [...command, "--help"]);
    assert.equal(help.code, 0, `${command.join(" ")} --help:\n${help.output}`);
    assert.match(help.output, /Usage: razor /);
  }
  // Logged to a pipe, without NO_COLOR: plain text, no terminal colour codes.
  const { NO_COLOR: _, ...colourful } = quiet;
  const missing = await run(razorBin, ["identity", "show", "--state-dir", tmp("nowhere")], { env: { ...colourful, RUST_LOG: "error" } });
  assert.notEqual(missing.code, 0);
  assert.match(missing.output, /error: INVALID_ARGUMENT .*razor identity create/);
  assert.match(missing.output, /ERROR/, "the failure is logged");
  assert.doesNotMatch(missing.output, /\x1b\[/, "ANSI colour codes in a log that is not a terminal");
  const dir = tmp("twice");
  await razor("identity", "create", "--state-dir", dir);
  const again = await run(razorBin, ["identity", "create", "--state-dir", dir]);
  assert.notEqual(again.code, 0, "a second create must not replace the identity");
  const badSubject = await run(razorBin, ["credential", "issue", "--state-dir", dir, "--subject", "00ff", "--attribute", "a=b"]);
  assert.match(badSubject.output, /error: DECODE/);
  const noIssuer = await run(razorBin, ["credential", "retrieve", "--state-dir", dir, "--from", `tcp#127.0.0.1:${await freePort()} => secure`,
    "--issuer", `I${"ab".repeat(32)}`, "--timeout-ms", "2000"]);
  assert.notEqual(noIssuer.code, 0);
  assert.match(noIssuer.output, /error: (CONNECT_FAILED|TIMEOUT)/);
  const exported = await run(razorBin, ["identity", "export", "--state-dir", dir, "--passphrase-env", "RAZOR_TEST_PASSPHRASE"],
    { env: { ...quiet, RAZOR_TEST_PASSPHRASE: "correct horse" } });
  assert.equal(exported.code, 0, exported.output);
  // The sealed export opens in the npm package with the same passphrase, as the same identity.
  const js = await RazorNode.create({ vault: "software" });
  try {
    const identity = await js.importIdentity(Buffer.from(exported.output.trim().split("\n").at(-1), "base64"), { passphrase: "correct horse" });
    assert.equal(identity.identifier, await razor("identity", "show", "--state-dir", dir));
  } finally {
    await js.shutdown();
  }
});
