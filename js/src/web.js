// Browser / Deno entry: fetches the wasm next to the generated bindings, then re-exports the API.
import init from "../pkg/razor.js";

await init({ module_or_path: new URL("../pkg/razor_bg.wasm", import.meta.url) });

export * from "../pkg/razor.js";
