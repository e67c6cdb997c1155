// The negative type test: misuse.ts must fail to compile, with one error on each MISUSE line
// and none elsewhere.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const tsc = new URL("../node_modules/.bin/tsc", import.meta.url).pathname;
const config = new URL("./tsconfig.misuse.json", import.meta.url).pathname;
const result = spawnSync(tsc, ["-p", config], { encoding: "utf8" });
const misuseLines = readFileSync(new URL("./misuse.ts", import.meta.url), "utf8")
  .split("\n")
  .flatMap((line, i) => (line.includes("// MISUSE") ? [i + 1] : []));
const errorLines = [...result.stdout.matchAll(/misuse\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1]));
const unexpected = result.stdout.split("\n").filter((l) => l.includes("error") && !l.includes("misuse.ts("));
if (result.status === 0) throw new Error("misuse.ts compiled: the types accept misuse");
for (const line of misuseLines) {
  if (!errorLines.includes(line)) throw new Error(`no type error on misuse line ${line}:\n${result.stdout}`);
}
const stray = errorLines.filter((l) => !misuseLines.includes(l));
if (stray.length || unexpected.length) throw new Error(`unexpected type errors:\n${result.stdout}`);
console.log(`types: ${misuseLines.length} misuses rejected, each where expected`);
