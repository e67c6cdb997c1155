// The Deno side of the Ockam interop suite: `deno run --allow-net --allow-read --allow-env
// deno-client.mjs '<options as JSON>'` prints the outcome of `echoThroughOckam` as JSON.
import { RazorNode } from "@razor-sh/razor";
import { tryEchoThroughOckam } from "./client.mjs";

console.log(JSON.stringify(await tryEchoThroughOckam(RazorNode, JSON.parse(Deno.args[0]))));
