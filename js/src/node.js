// Node entry: loads the wasm from the package directory, then re-exports the API.
import { readFile } from "node:fs/promises";
import init from "../pkg/razor.js";

await init({ module_or_path: await readFile(new URL("../pkg/razor_bg.wasm", import.meta.url)) });

export * from "../pkg/razor.js";
