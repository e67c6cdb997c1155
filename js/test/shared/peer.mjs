// A native `razor node` the tests can restart: same identity (a state directory), same port.
// Node only (it spawns a process); browsers reach it through test/browser/run.mjs.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A port that accepts connections and never answers (for timeouts and aborts). */
export async function silentServer() {
  const sockets = new Set();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** Starts `razor node` (RAZOR_BIN) with WebSocket on a fixed port; `restart()` kills and starts it again. */
export async function restartablePeer(bin = process.env.RAZOR_BIN) {
  if (!bin) return undefined;
  const state = mkdtempSync(join(tmpdir(), "razor-peer-"));
  const port = await freePort();
  let child;
  let id;
  const start = async () => {
    child = spawn(bin, ["node", "--name", "restartable", "--trust", "everyone", "--state-dir", state, "--ws", `127.0.0.1:${port}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`razor node did not start:\n${out}`)), 20_000);
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const found = /^identifier: (\S+)$/m.exec(out);
        if (found && /^websocket: /m.test(out)) {
          clearTimeout(timer);
          id = found[1];
          resolve();
        }
      });
      child.on("exit", (code) => reject(new Error(`razor node exited (${code}):\n${out}`)));
    });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  await start();
  return {
    url: `ws://127.0.0.1:${port}/`,
    hop: `ws#127.0.0.1:${port}`,
    get id() {
      return id;
    },
    async restart() {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await start();
    },
    stop,
  };
}
