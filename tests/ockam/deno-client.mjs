// The Deno side of the Ockam interop suite: `deno run --allow-net --allow-read --allow-env
// deno-client.mjs echo|fetch '<options as JSON>'` prints the outcome of `echoThroughOckam` or
// `fetchThroughOckam` as JSON.
import { RazorNode } from "@razor-sh/razor";
import { tryEchoThroughOckam, tryFetchThroughOckam } from "./client.mjs";

const [what, options] = [Deno.args[0], JSON.parse(Deno.args[1])];
const run = what === "fetch" ? tryFetchThroughOckam : tryEchoThroughOckam;
console.log(JSON.stringify(await run(RazorNode, options)));
