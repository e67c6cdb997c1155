// In the page: run the cases here, then again in a dedicated module Web Worker.
import { runCases } from "./harness.mjs";

const results = [];
await runCases((result) => results.push({ realm: "page", ...result }));
const worker = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
await new Promise((resolve) => {
  worker.onmessage = (event) => {
    if (event.data === "done") resolve();
    else results.push({ realm: "worker", ...event.data });
  };
  worker.onerror = (event) => {
    results.push({ realm: "worker", name: "worker", ok: false, error: event.message });
    resolve();
  };
});
window.razorResults = results;
