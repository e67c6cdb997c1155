// What the package weighs (`scripts/size`): each shipped entry bundled the way an app ships it
// (esbuild, minified ESM, gzip -9; the wasm it loads counted beside its JS), checked against
// the budgets in size-budgets.json; with `--breakdown FILE.csv` (twiggy's `top` of a build
// that kept its function names), where the wasm's bytes go: by crate, by Razor module and by
// kind of code. Needs js/ built (scripts/build-js). Prints markdown tables; exits 1 over budget.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
const gz = (bytes) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const fmt = (n) => n.toLocaleString("en");
const args = process.argv.slice(2);
const breakdown = args.includes("--breakdown") ? args[args.indexOf("--breakdown") + 1] : undefined;

// The entries: each an app's import, bundled alone. The wasm is the one the entry loads.
const entries = [
  { name: "default entry: an app that opens one channel through a relay and sends a message", file: "size-app.mjs", wasm: "js/pkg/razor_bg.wasm" },
  { name: "everything the package exports (all entries together)", file: "size-all.mjs", wasm: "js/pkg/razor_bg.wasm" },
];
const budgets = JSON.parse(readFileSync(join(here, "size-budgets.json"), "utf8"));

console.log("### Shipped entries (esbuild, minified ESM; gzip -9)\n");
console.log("| entry | JS | wasm | JS + wasm | budget | issue 22's target |");
console.log("|---|---|---|---|---|---|");
const over = [];
for (const entry of entries) {
  const result = await esbuild.build({
    entryPoints: [entry.file], bundle: true, format: "esm", platform: "browser", minify: true,
    write: false, external: ["*.wasm"], logLevel: "warning", absWorkingDir: here,
  });
  const js = gz(result.outputFiles[0].contents);
  const wasm = gz(readFileSync(join(root, entry.wasm)));
  const total = js + wasm;
  const budget = budgets.entries[entry.file];
  if (budget === undefined) throw new Error(`no budget for ${entry.file} in size-budgets.json`);
  if (total > budget.bytes) over.push(`${entry.file}: ${fmt(total)} B gzipped > budget ${fmt(budget.bytes)} B`);
  console.log(`| ${entry.name} | ${kb(js)} | ${kb(wasm)} | **${kb(total)}** (${fmt(total)} B) | ${kb(budget.bytes)} | ${budget.target} |`);
}

if (breakdown) {
  // twiggy's csv: Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent (names
  // demangled, hashes kept; a quoted name doubles its quotes). The names section exists only in
  // this build that kept them: not counted.
  const rows = readFileSync(breakdown, "utf8").trim().split("\n").slice(1).map((line) => {
    let name, rest;
    if (line.startsWith('"')) {
      let end = 1;
      while (end < line.length && !(line[end] === '"' && line[end + 1] !== '"')) end += line[end] === '"' ? 2 : 1;
      name = line.slice(1, end).replaceAll('""', '"');
      rest = line.slice(end + 2);
    } else {
      name = line.slice(0, line.indexOf(","));
      rest = line.slice(line.indexOf(",") + 1);
    }
    return { name, size: Number(rest.split(",")[0]) };
  }).filter((r) => Number.isFinite(r.size) && !r.name.includes("function names"));
  const total = rows.reduce((sum, r) => sum + r.size, 0);
  // Crate names may carry a disambiguator (`core[c3a1..]::`): dropped.
  const subject = (name) => name.replace(/\[[0-9a-f]+\]::/g, "::").replace(/^core::ptr::drop_in_place</, "").replace(/^[<&*\s]+|^(mut|const|dyn) /g, "");
  const crateOf = (name) => {
    if (/^(data|code|elem|custom|global|table|type|import|export|memory)\[\d+\]|^data segment|subsection|section headers|^wasm-bindgen/.test(name)) return "(data, tables and sections)";
    if (/ shim$/.test(name) || /^[a-z]+_[a-zA-Z]+$/.test(name) || /^[a-z][a-zA-Z]+$/.test(name)) return "(exports to JS and their shims)";
    const m = subject(name).match(/^([A-Za-z_][A-Za-z0-9_]*)::/);
    return m ? m[1] : "(unnamed)";
  };
  const moduleOf = (name) => {
    const m = subject(name).match(/^(razor_[a-z]+)::([a-z_0-9]+)(?:::([a-z_0-9]+))?/);
    return m ? `${m[1]}::${m[2]}` : undefined;
  };
  const kindOf = (name) => {
    if (name.startsWith("core::ptr::drop_in_place")) return "drop glue";
    if (name.includes("{{closure}}") || /GenFuture|Future>::poll|as core::future::future::Future/.test(name)) return "async state machines and closures";
    if (crateOf(name) === "(data, tables and sections)") return "data, tables and sections";
    if (/^(core|alloc|std)::fmt|Debug|Display/.test(subject(name))) return "formatting";
    return "other code";
  };
  const table = (title, keyOf, limit) => {
    const sums = new Map();
    for (const r of rows) {
      const key = keyOf(r.name);
      if (key !== undefined) sums.set(key, (sums.get(key) ?? 0) + r.size);
    }
    const sorted = [...sums].sort((a, b) => b[1] - a[1]).slice(0, limit);
    console.log(`\n### ${title} (uncompressed wasm bytes; of ${fmt(total)})\n`);
    console.log("| | bytes | share |");
    console.log("|---|---|---|");
    for (const [key, size] of sorted) console.log(`| ${key} | ${fmt(size)} | ${((100 * size) / total).toFixed(1)} % |`);
  };
  table("wasm by crate", crateOf, 25);
  table("wasm by Razor module", moduleOf, 30);
  table("wasm by kind of code", kindOf, 10);
}

if (over.length) {
  console.error(`\nover budget (benches/browser/size-budgets.json):\n  ${over.join("\n  ")}`);
  process.exit(1);
}
