// No two TypeScript files lean on each other: within js/src and within workers-edge/src, the
// files' relative imports form no circle. Like crates/core/tests/circles.rs for the Rust
// modules: every import counts (`import`, `import type`, `export … from`, a side-effect
// `import "./x.js"`, and `import("./x.js")`, the dynamic import and the inline type reference
// alike), imports named only in comments or strings do not. The check fails on a circle that
// is not on the KNOWN list below, and on a KNOWN circle that is gone (so that the list only
// shrinks). Before checking the sources it checks itself on made-up files (a check that can
// never fail checks nothing). `--self-test` runs only that. No dependencies: node alone.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";

/** The folders checked, each its own set of files (relative to the repository's root). */
const ROOTS = ["js/src", "workers-edge/src"];

/** Circles known today, each as its sorted files: to be taken apart, not added to. */
const KNOWN = [
  // e.g. ["js/src/a.ts", "js/src/b.ts"], // being removed (issue N)
];

/** Extensions of the files read as TypeScript or JavaScript sources. */
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

/** Words after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case",
  "do", "else", "yield", "await",
]);

/**
 * The tokens of `code` that matter for imports: words, punctuation and string literals
 * (`{ string }`, also template literals without substitutions), with comments, regular
 * expressions and template substitutions' text skipped. Tolerant: never throws.
 */
export function tokens(code) {
  const out = [];
  const templates = []; // for each open `${`: the depth of braces inside it
  let i = 0;
  const last = () => out[out.length - 1];
  const regexMayStart = () => {
    const t = last();
    if (t === undefined || t.string !== undefined) return t === undefined;
    if (t.word !== undefined) return BEFORE_REGEX.has(t.word);
    return !")]}".includes(t.punct);
  };
  // Reads a template literal's text from `i` (after a backtick or a `}` closing `${`).
  const template = () => {
    let text = "";
    while (i < code.length) {
      const c = code[i];
      if (c === "\\") {
        text += code.slice(i, i + 2);
        i += 2;
      } else if (c === "`") {
        i++;
        return { text, done: true };
      } else if (c === "$" && code[i + 1] === "{") {
        i += 2;
        templates.push(0);
        return { text, done: false };
      } else {
        text += c;
        i++;
      }
    }
    return { text, done: true };
  };
  while (i < code.length) {
    const c = code[i];
    const next = code[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "/" && next === "/") {
      const end = code.indexOf("\n", i);
      i = end === -1 ? code.length : end;
    } else if (c === "/" && next === "*") {
      const end = code.indexOf("*/", i + 2);
      i = end === -1 ? code.length : end + 2;
    } else if (c === "'" || c === '"') {
      let value = "";
      i++;
      while (i < code.length && code[i] !== c && code[i] !== "\n") {
        if (code[i] === "\\") i++;
        value += code[i] ?? "";
        i++;
      }
      i++;
      out.push({ string: value });
    } else if (c === "`") {
      i++;
      const { text, done } = template();
      // Only a template without substitutions is a known string.
      out.push(done ? { string: text } : { punct: "`" });
    } else if (c === "/" && regexMayStart()) {
      let inClass = false;
      i++;
      while (i < code.length && code[i] !== "\n") {
        if (code[i] === "\\") i++;
        else if (code[i] === "[") inClass = true;
        else if (code[i] === "]") inClass = false;
        else if (code[i] === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < code.length && /[a-z]/i.test(code[i])) i++; // flags
      out.push({ punct: "regex" });
    } else if (/[A-Za-z_$]/.test(c)) {
      const word = /^[\w$]+/.exec(code.slice(i, i + 200))[0];
      i += word.length;
      out.push({ word });
    } else if (/[0-9]/.test(c)) {
      i += /^[\w.]+/.exec(code.slice(i, i + 200))[0].length;
      out.push({ punct: "number" });
    } else if (c === "{" && templates.length > 0) {
      templates[templates.length - 1]++;
      i++;
      out.push({ punct: c });
    } else if (c === "}" && templates.length > 0 && templates[templates.length - 1] === 0) {
      templates.pop();
      i++;
      template();
      out.push({ punct: "`" });
    } else {
      if (c === "}" && templates.length > 0) templates[templates.length - 1]--;
      i++;
      out.push({ punct: c });
    }
  }
  return out;
}

/**
 * The specifiers `code` imports: the string after `from` or `import`, or inside `import(…)`
 * when it is the only argument.
 */
export function importsOf(code) {
  const list = tokens(code);
  const found = [];
  list.forEach((t, k) => {
    if (t.string === undefined) return;
    const before = list[k - 1];
    if (before?.word === "from" || before?.word === "import") found.push(t.string);
    else if (before?.punct === "(" && list[k - 2]?.word === "import" && list[k + 1]?.punct === ")") {
      found.push(t.string);
    }
  });
  return found;
}

/** The file among `files` that relative `specifier`, imported by `from`, names, if any. */
function resolve(from, specifier, files) {
  if (!specifier.startsWith(".")) return undefined; // a package, `node:…`, a URL
  const path = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = path.replace(/\.(js|jsx|mjs|cjs)$/, "");
  const ext = path.slice(stem.length);
  const candidates = [path];
  if (ext === ".js" || ext === ".jsx") candidates.push(`${stem}.ts`, `${stem}.tsx`, `${stem}.d.ts`);
  if (ext === ".mjs") candidates.push(`${stem}.mts`, `${stem}.d.mts`);
  if (ext === ".cjs") candidates.push(`${stem}.cts`, `${stem}.d.cts`);
  if (ext === "") {
    for (const e of [".ts", ".tsx", ".d.ts", ".js", ".mjs"]) candidates.push(path + e, `${path}/index${e}`);
  }
  return candidates.find((c) => files.has(c));
}

/** Each file's imports among `files` (a Map of path → source text): path → Set of paths. */
export function importGraph(files) {
  const edges = new Map();
  for (const [file, code] of files) {
    const targets = new Set();
    for (const specifier of importsOf(code)) {
      const target = resolve(file, specifier, files);
      if (target !== undefined && target !== file) targets.add(target);
    }
    edges.set(file, targets);
  }
  return edges;
}

/** The circles among `edges` (file → files), each as its sorted files joined by " ↔ ". */
export function circles(edges) {
  const found = new Set();
  for (const start of edges.keys()) {
    // Everything reachable from `start` through files after it; what reaches back is a circle.
    const stack = [[start, [start]]];
    while (stack.length > 0) {
      const [at, trail] = stack.pop();
      for (const next of edges.get(at) ?? []) {
        if (next === start) found.add([...trail].sort().join(" ↔ "));
        else if (!trail.includes(next) && next > start) stack.push([next, [...trail, next]]);
      }
    }
  }
  return found;
}

/** The circles of `files` that are not in `known` (`fresh`), and those of `known` gone. */
export function compare(files, known) {
  const found = circles(importGraph(files));
  const listed = new Set(known.map((c) => [...c].sort().join(" ↔ ")));
  return {
    fresh: [...found].filter((c) => !listed.has(c)),
    gone: [...listed].filter((c) => !found.has(c)),
  };
}

/** Every source file under `dir` (relative to `root`), read: path → text. */
function readSources(root, dir, files = new Map()) {
  for (const entry of readdirSync(new URL(`${dir}/`, root), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) readSources(root, path, files);
    else if (SOURCE.test(entry.name)) files.set(path, readFileSync(new URL(path, root), "utf8"));
  }
  return files;
}

/** The check on made-up files: each kind of import is seen, comments and strings are not. */
function selfTest() {
  const files = new Map(
    Object.entries({
      // A type-only import one way, an inline type reference back.
      "s/a.ts": 'import type { B } from "./b.js";\nexport type A = { b: B };',
      "s/b.ts": 'export interface B { a?: import("./a.js").A }',
      // Three files: a re-export, a side-effect import and a dynamic import.
      "s/c.ts": 'export * from "./d.js";',
      "s/d.ts": "import './e.js';",
      "s/e.ts": "const later = () => import(`./c.js`);",
      // A folder and its parent; an extensionless specifier.
      "s/sub/h.ts": 'import { i } from "../i";',
      "s/i.ts": 'export { h } from "./sub/h.js"; export const i = 1;',
      // f names g only in comments, strings and a regex; g imports f: no circle.
      "s/f.ts": [
        '// import "./g.js";',
        '/* import { x } from "./g.js"; */',
        "const quote = /\"/g;",
        'const text = "from \\"./g.js\\"";',
        "const t = `${'x'} from ./g.js`;",
        'import { join } from "node:path";',
      ].join("\n"),
      "s/g.ts": 'import { quote } from "./f.js";',
      // Imports of files outside the set: no edge.
      "s/j.ts": 'import { init } from "../pkg/razor.js";',
    }),
  );
  assert.deepEqual(importsOf(files.get("s/f.ts")), ["node:path"]);
  assert.deepEqual(
    [...circles(importGraph(files))].sort(),
    ["s/a.ts ↔ s/b.ts", "s/c.ts ↔ s/d.ts ↔ s/e.ts", "s/i.ts ↔ s/sub/h.ts"],
  );
  const { fresh, gone } = compare(files, [["s/b.ts", "s/a.ts"], ["s/x.ts", "s/y.ts"]]);
  assert.deepEqual(fresh.sort(), ["s/c.ts ↔ s/d.ts ↔ s/e.ts", "s/i.ts ↔ s/sub/h.ts"]);
  assert.deepEqual(gone, ["s/x.ts ↔ s/y.ts"]);
  assert.deepEqual(importsOf("import(\"./a.js"), []); // truncated input: no throw
}

/** Checks the sources of ROOTS against KNOWN: exits 1 on a new circle or a gone one. */
function main() {
  selfTest();
  if (process.argv.includes("--self-test")) {
    console.log("ts-circles: self-test passed");
    return;
  }
  const root = new URL("..", import.meta.url);
  const files = new Map();
  for (const dir of ROOTS) readSources(root, dir, files);
  const { fresh, gone } = compare(files, KNOWN);
  for (const c of fresh) console.error(`new circle between files: ${c}`);
  for (const c of gone) console.error(`circle taken apart: remove it from KNOWN in scripts/ts-circles.mjs: ${c}`);
  if (fresh.length > 0 || gone.length > 0) process.exit(1);
  console.log(`ts-circles: ${files.size} files in ${ROOTS.join(", ")}, no new circle`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
