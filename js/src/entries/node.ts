// Node: the wasm is read from the package directory.
import { readFile } from "node:fs/promises";
import init from "../../pkg/razor.js";
import { setWasmLoader } from "../loading.js";

setWasmLoader(async () => {
  await init({ module_or_path: await readFile(new URL("../../pkg/razor_bg.wasm", import.meta.url)) });
});

export * from "../api.js";
