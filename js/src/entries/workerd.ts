// Cloudflare Workers (workerd) forbid compiling wasm from bytes at run time: the bundler
// imports the .wasm as a WebAssembly.Module and it is instantiated from that.
import wasmModule from "../../pkg/razor_bg.wasm";
import { initSync } from "../../pkg/razor.js";
import { setWasmLoader } from "../loading.js";

setWasmLoader(async () => {
  initSync({ module: wasmModule });
});

export * from "../api.js";
