// Starts what the edge tests need, as a user would run it: the edge (workers-edge on workerd via
// `wrangler dev`), native `razor` nodes, a real Ockam node, the demo page (vite preview) and
// headless Chromium (playwright-core on /usr/bin/chromium). Every process is killed on exit.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ARTIFACTS = join(ROOT, "tests", "edge", "artifacts");
const processes = new Set();

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value (returned) or `ms` pass (throws `what`). */
export async function waitFor(what, check, ms = 20_000, every = 100) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** A child process whose output is kept (last 64 KiB) for error messages. */
export function start(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  child.output = "";
  const keep = (data) => {
    child.output = (child.output + data).slice(-65536);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  processes.add(child);
  child.on("exit", () => processes.delete(child));
  return child;
}

export async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

export async function stopAll() {
  await Promise.all([...processes].map(stop));
}

process.on("exit", () => {
  for (const child of processes) child.kill("SIGKILL");
});

/** The edge on workerd: `wrangler dev` in workers-edge/, with `vars`, persisting to `state`. */
export class Edge {
  constructor({ port, state, vars }) {
    this.port = port;
    this.state = state;
    this.vars = vars;
    this.http = `http://127.0.0.1:${port}`;
    this.ws = `ws://127.0.0.1:${port}`;
  }

  /** An edge with a fresh identity (as `npm run identity` makes one), kept across restarts. */
  static async start(vars = {}) {
    const state = join(tmpdir(), `razor-edge-state-${process.pid}`);
    rmSync(state, { recursive: true, force: true });
    const { Node } = await import("@razor-sh/razor");
    const maker = await Node.create({ vault: "software" });
    const key = crypto.getRandomValues(new Uint8Array(32));
    const exported = await (await maker.createIdentity()).export({ key });
    maker.shutdown();
    vars = {
      RAZOR_EDGE_IDENTITY: Buffer.from(exported).toString("base64"),
      RAZOR_EDGE_IDENTITY_KEY: Buffer.from(key).toString("hex"),
      ...vars,
    };
    const edge = new Edge({ port: await freePort(), state, vars });
    await edge.up();
    edge.identifier = (await (await fetch(`${edge.http}/identity`)).json()).identifier;
    return edge;
  }

  async up() {
    const dir = join(ROOT, "workers-edge");
    const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(this.port), "--persist-to", this.state];
    for (const [key, value] of Object.entries(this.vars)) args.push("--var", `${key}:${value}`);
    this.process = start(join(dir, "node_modules", ".bin", "wrangler"), args, {
      cwd: dir,
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" },
    });
    await waitFor("the edge to start", async () => {
      if (this.process.exitCode !== null) throw new Error(`wrangler exited:\n${this.process.output}`);
      return fetch(`${this.http}/health`).then((r) => r.ok, () => false);
    }, 60_000, 200);
  }

  async down() {
    await stop(this.process);
  }

  /** Frames the relay object `object` forwarded (debug tap). */
  async frames(object) {
    return (await fetch(`${this.http}/debug/frames?object=${object}`)).json();
  }
}

/** A native `razor node` that registers relay `name` on the edge (through a channel). */
export async function nativeRelayNode(edge, name) {
  const bin = process.env.RAZOR_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(process.env.HOME, ".cache/razor/target"), "debug", "razor");
  const node = start(bin, ["node", "--name", name, "--trust", "everyone", "--relay", `${edge.ws}/${name}`,
    "--relay-name", name, "--relay-trust", edge.identifier], { env: { ...process.env, NO_COLOR: "1", RUST_LOG: "warn" } });
  await waitFor(`native node ${name} to register`, () => {
    if (node.exitCode !== null) throw new Error(`razor node exited:\n${node.output}`);
    return /relay: forward_to_/.test(node.output);
  });
  node.identifier = /identifier: (I[0-9a-f]{64})/.exec(node.output)[1];
  return node;
}

/** `razor secure-channel ...`: resolves with its stdout, rejects with its output on failure. */
export function razorClient(args) {
  const bin = process.env.RAZOR_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(process.env.HOME, ".cache/razor/target"), "debug", "razor");
  const child = start(bin, ["secure-channel", ...args], { env: { ...process.env, NO_COLOR: "1", RUST_LOG: "error" } });
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => (code === 0 ? resolve(child.output) : reject(new Error(`razor secure-channel exited ${code}:\n${child.output}`))));
  });
}

/** The demo page, built for `edge` and served by `vite preview`. */
export async function demoSite(edge) {
  const dir = join(ROOT, "demo-site");
  const vite = join(dir, "node_modules", ".bin", "vite");
  const build = start(vite, ["build", "--logLevel", "warn"], { cwd: dir, env: { ...process.env, VITE_RAZOR_EDGE: edge.http } });
  const code = await new Promise((resolve) => build.on("exit", resolve));
  if (code !== 0) throw new Error(`vite build failed:\n${build.output}`);
  const port = await freePort();
  const server = start(vite, ["preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"], { cwd: dir });
  const url = `http://127.0.0.1:${port}/`;
  await waitFor("the demo page server", () => fetch(url).then((r) => r.ok, () => false));
  return { url, server };
}

export async function chromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

export function artifact(name, data) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  if (data !== undefined) writeFileSync(path, data);
  return path;
}

export const hex = (text) => Buffer.from(text, "utf8").toString("hex");
