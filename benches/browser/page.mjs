// The bench page's web server, shared by run.mjs and profile.mjs: serves js/dist, js/pkg and
// benches/browser from the repository, cross-origin isolated (precise timers for both sides).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const types = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Starts the server on a free loopback port: `{ url, close }`, `url` being the bench page's. */
export async function servePage() {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !/^\/(js\/dist|js\/pkg|benches\/browser)\//.test(path)) return response.writeHead(404).end();
    try {
      response.writeHead(200, {
        "content-type": types[extname(file)] ?? "application/octet-stream",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
      }).end(await readFile(file));
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/benches/browser/index.html`, close: () => server.close() };
}
