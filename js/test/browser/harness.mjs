// Runs the shared cases against the package's browser entry, in whatever realm imports it
// (the page, or a dedicated Web Worker). The runner's server offers the native peer.
import * as R from "/dist/entries/web.js";
import { cases } from "/test/shared/lifecycle.cases.mjs";

async function environment() {
  const info = await (await fetch("/peer")).json();
  return {
    silentPort: info.silentPort,
    peer: info.peer && {
      ...info.peer,
      async restart() {
        const answer = await fetch("/peer/restart", { method: "POST" });
        if (!answer.ok) throw new Error(`restart failed: ${await answer.text()}`);
        Object.assign(this, await answer.json());
      },
    },
  };
}

/** Runs every case; `report` gets `{ name, ok, skipped?, error? }` for each. */
export async function runCases(report) {
  const env = await environment();
  for (const { name, needs = [], run } of cases) {
    const missing = needs.filter((need) => env[need] === undefined);
    if (missing.length) {
      report({ name, ok: true, skipped: `no ${missing.join(", ")}` });
      continue;
    }
    try {
      await run({ R, env });
      report({ name, ok: true });
    } catch (error) {
      report({ name, ok: false, error: `${error?.name}: ${error?.message}\n${error?.stack ?? ""}` });
    }
  }
}
