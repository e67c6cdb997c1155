// The Worker side of the Ockam interop suite (run on local workerd by `wrangler dev`):
// POST / with the options of `echoThroughOckam` as JSON answers with its outcome as JSON.
import { RazorNode } from "@razor-sh/razor";
import { tryEchoThroughOckam } from "../client.mjs";

export default {
  async fetch(request) {
    if (request.method !== "POST") return new Response("ready");
    return Response.json(await tryEchoThroughOckam(RazorNode, await request.json()));
  },
};
