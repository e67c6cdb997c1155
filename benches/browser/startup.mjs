// Start-up in headless Chromium (issue 22): a fresh page (its own browser context: no cached
// code) loads the package's default entry from a local server, and measures the time from
// `import` to a usable node (fetch, compile and instantiate the wasm) and to the first answer
// through a secure channel (two nodes in the page, an identity each, one handshake, one echo).
// `node startup.mjs [runs]` prints medians (min–max) as a markdown table. Needs js/ built.
import { chromium } from "playwright-core";
import { servePage } from "./page.mjs";

const runs = Number(process.argv[2] ?? "9");
const server = await servePage();
const url = server.url.replace("index.html", "startup.html");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
const samples = { navigationToNode: [], importToNode: [], importToFirstAnswer: [] };
try {
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
    await page.goto(url);
    const result = await page.waitForFunction(() => window.startup, null, { timeout: 30_000 }).then((h) => h.jsonValue());
    for (const key of Object.keys(samples)) samples[key].push(result[key]);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];
console.log(`### Start-up in headless Chromium (${runs} fresh pages; medians, min–max)\n`);
console.log("| from → to | ms |");
console.log("|---|---|");
const labels = { navigationToNode: "navigation → a usable node", importToNode: "`import` → a usable node (fetch, compile, instantiate)", importToFirstAnswer: "`import` → the first answer through a secure channel" };
for (const [key, label] of Object.entries(labels)) {
  const s = sorted(samples[key]);
  console.log(`| ${label} | ${median(s).toFixed(1)} (${s[0].toFixed(1)}–${s[s.length - 1].toFixed(1)}) |`);
}
