// Deno: the wasm is read from the package directory (needs --allow-read for it).
import init from "../../pkg/razor.js";
import { setWasmLoader } from "../loading.js";

setWasmLoader(async () => {
  const deno = (globalThis as unknown as { Deno: { readFile(url: URL): Promise<Uint8Array> } }).Deno;
  await init({ module_or_path: await deno.readFile(new URL("../../pkg/razor_bg.wasm", import.meta.url)) });
});

export * from "../api.js";
