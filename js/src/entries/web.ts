// Browsers and bundlers: the wasm is fetched next to the bindings. Bundlers (Vite, Rollup,
// webpack) see `new URL(..., import.meta.url)` and ship the file as an asset.
import init from "../../pkg/razor.js";
import { setWasmLoader } from "../loading.js";

setWasmLoader(async () => {
  await init({ module_or_path: new URL("../../pkg/razor_bg.wasm", import.meta.url) });
});

export * from "../api.js";
