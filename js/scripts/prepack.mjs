// `npm pack` / `npm publish` build what the tarball ships: the wasm (pkg/) and the TypeScript
// layer (dist/), with ../scripts/build-js, and copy the repository's LICENSE. Fails with a
// clear message when the toolchain is missing rather than packing an empty package.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

const here = new URL("..", import.meta.url);
const repo = new URL("..", here);
const missing = ["cargo", "rustup"].filter((tool) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status !== 0);
if (missing.length || !existsSync(new URL("scripts/build-js", repo))) {
  console.error(
    `prepack: cannot build the package: ${missing.length ? `${missing.join(" and ")} not found` : "not in a Razor checkout"}.\n` +
      "Install Rust with rustup (https://rustup.rs); scripts/setup installs the rest (the wasm32 target, wasm-bindgen-cli).",
  );
  process.exit(1);
}
execFileSync(new URL("scripts/build-js", repo).pathname, { stdio: "inherit" });
copyFileSync(new URL("LICENSE", repo), new URL("LICENSE", here));
for (const built of ["dist/api.d.ts", "dist/entries/web.js", "pkg/razor_bg.wasm", "LICENSE"]) {
  if (!existsSync(new URL(built, here))) {
    console.error(`prepack: ${built} was not built`);
    process.exit(1);
  }
}
