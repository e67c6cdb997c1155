// The Worker side of the Ockam interop suite (run on local workerd by `wrangler dev`):
// POST / (or /fetch) with the options of `echoThroughOckam` (or `fetchThroughOckam`) as JSON
// answers with its outcome as JSON.
import { RazorNode } from "@razor-sh/razor";
import { tryEchoThroughOckam, tryFetchThroughOckam } from "../client.mjs";

export default {
  async fetch(request) {
    if (request.method !== "POST") return new Response("ready");
    const run = new URL(request.url).pathname === "/fetch" ? tryFetchThroughOckam : tryEchoThroughOckam;
    return Response.json(await run(RazorNode, await request.json()));
  },
};
