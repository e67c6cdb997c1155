// In a dedicated Web Worker: the same cases, results posted to the page.
import { runCases } from "./harness.mjs";

await runCases((result) => postMessage(result));
postMessage("done");
