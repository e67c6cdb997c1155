// The tarball holds exactly what pack-files.txt lists: `npm pack --dry-run` against it, so that
// a file added or lost in a build shows up in review (run: node scripts/check-pack.mjs).
// `--update` rewrites the list. Also checks that the package depends on nothing at run time:
// what users install is Razor's own code and its wasm (its supply chain is the Rust tree,
// checked by cargo deny), which is also what makes `npm audit --omit=dev` clean offline.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const here = new URL("..", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("package.json", here), "utf8"));
for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies", "bundledDependencies"]) {
  const names = Object.keys(manifest[field] ?? {});
  if (names.length) {
    console.error(`package.json: ${field} must stay empty (the package ships no third-party code), found ${names.join(", ")}`);
    process.exit(1);
  }
}
const [report] = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: here, encoding: "utf8" }),
);
// wasm-bindgen names its snippet folder after a hash of the crate: not part of the contract.
const files = report.files.map((f) => f.path.replace(/^pkg\/snippets\/[^/]+\//, "pkg/snippets/*/")).sort();
const listPath = new URL("pack-files.txt", here);
if (process.argv.includes("--update")) {
  writeFileSync(listPath, `${files.join("\n")}\n`);
  console.log(`pack-files.txt: ${files.length} files`);
  process.exit(0);
}
const expected = readFileSync(listPath, "utf8").split("\n").filter(Boolean);
const extra = files.filter((f) => !expected.includes(f));
const lost = expected.filter((f) => !files.includes(f));
if (extra.length || lost.length) {
  console.error(`the tarball differs from pack-files.txt:\n  extra: ${extra.join(", ") || "-"}\n  missing: ${lost.join(", ") || "-"}`);
  process.exit(1);
}
console.log(`npm pack: ${files.length} files, as listed (${(report.size / 1024).toFixed(0)} KiB packed)`);
