import { defineConfig } from "vite";

export default defineConfig({
  // The package loads its wasm with `new URL(..., import.meta.url)`: leave it to Vite's asset
  // handling rather than the dependency pre-bundler.
  optimizeDeps: { exclude: ["@razor-sh/razor"] },
  build: { target: "es2022" },
});
