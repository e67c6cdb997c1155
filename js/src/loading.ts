// Loading the wasm: each runtime's entry point (./entries) says how; everything else awaits
// `ready()` before its first call into the wasm.
import * as wasm from "../pkg/razor.js";
import { ArgumentError } from "./errors.js";

let loader: (() => Promise<void>) | undefined;
let loaded: Promise<void> | undefined;
let instantiated = false;

/** @internal Set by the runtime's entry point: how to instantiate the wasm. */
export function setWasmLoader(load: () => Promise<void>): void {
  loader = load;
}

/** @internal Instantiates the wasm once; later calls wait for the same load. */
export async function ready(): Promise<void> {
  if (!loader) throw new ArgumentError("INVALID_ARGUMENT", "import the package through its entry point");
  loaded ??= loader().then(() => {
    instantiated = true;
  });
  return loaded;
}

/** @internal Whether the wasm is instantiated (calls into it work). */
export function isLoaded(): boolean {
  return instantiated;
}

export { wasm };
