// Razor's edge: a relay for Razor and Ockam peers, and a secure channel endpoint, on Cloudflare
// Workers + Durable Objects.
//
//   GET /            WebSocket: a connection in a fresh object (random relay names)
//   GET /<name>      WebSocket: a connection in object <name>, where relay <name> (and
//                    <name>.<suffix>) can be registered
//   GET /identity    { identifier }: the edge's identity (for peers to trust)
//   GET /health      ok
//   GET /debug/frames?object=<name>&since=<seq>
//                    the frames object <name> forwarded (only with RAZOR_EDGE_DEBUG_TAP=1)
import { edgeIdentifier } from "./identity.js";
import { isObjectName, randomObjectName } from "./names.js";
import type { Env } from "./relay-object.js";

export { RelayObject } from "./relay-object.js";

const USAGE = `Razor edge: connect a Razor or Ockam node by WebSocket to / (a random relay name) or to
/<name> (to register relay <name> through a secure channel); GET /identity for the edge's identifier.`;

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    if (url.pathname === "/identity") {
      const identifier = await edgeIdentifier(env).catch((error: unknown) => {
        console.error(`razor edge: cannot load its identity: ${error}`);
        return null;
      });
      return identifier
        ? json({ identifier })
        : json({ error: "the edge has no identity: set RAZOR_EDGE_IDENTITY and RAZOR_EDGE_IDENTITY_KEY" }, 503);
    }
    if (url.pathname === "/debug/frames") {
      if (env.RAZOR_EDGE_DEBUG_TAP !== "1") return new Response("the debug tap is off", { status: 404 });
      const object = url.searchParams.get("object") ?? "";
      if (!isObjectName(object)) return new Response("bad object name", { status: 400 });
      const since = Number(url.searchParams.get("since") ?? 0) || 0;
      return json(await env.RELAY.get(env.RELAY.idFromName(object)).frames(since));
    }
    if (url.pathname === "/debug/stats") {
      if (env.RAZOR_EDGE_DEBUG_TAP !== "1") return new Response("the debug tap is off", { status: 404 });
      const object = url.searchParams.get("object") ?? "";
      if (!isObjectName(object)) return new Response("bad object name", { status: 400 });
      return json(await env.RELAY.get(env.RELAY.idFromName(object)).stats());
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response(USAGE, { status: 426, headers: { "content-type": "text/plain" } });
    }
    const path = url.pathname.slice(1);
    const object = path === "" ? randomObjectName() : path;
    if (!isObjectName(object)) return new Response("bad object name (1-40 of a-z, 0-9, '-', '_')", { status: 400 });
    const headers = new Headers(request.headers);
    headers.set("x-razor-object", object);
    return env.RELAY.get(env.RELAY.idFromName(object)).fetch(new Request(request, { headers }));
  },
} satisfies ExportedHandler<Env>;
