// The lifecycle cases (test/shared/lifecycle.cases.mjs) in Node; test/browser/run.mjs runs the
// same cases in headless Chromium and in a dedicated Web Worker.
import { after, before, test } from "node:test";
import * as R from "@razor-sh/razor";
import { cases } from "./shared/lifecycle.cases.mjs";
import { restartablePeer, silentServer } from "./shared/peer.mjs";

const env = {};
const required = process.env.RAZOR_REQUIRE_NETWORK === "1";
let silent;

before(async () => {
  env.peer = await restartablePeer();
  silent = await silentServer();
  env.silentPort = silent.port;
});

after(async () => {
  await env.peer?.stop();
  silent?.close();
});

for (const { name, needs = [], run } of cases) {
  test(name, async (t) => {
    const missing = needs.filter((need) => env[need] === undefined);
    if (missing.length) {
      if (required) throw new Error(`missing ${missing.join(", ")} (set RAZOR_BIN)`);
      t.skip(`no ${missing.join(", ")}`);
      return;
    }
    await run({ R, env });
  });
}
