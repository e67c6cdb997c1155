// Module workers, so that a worker can import the package (and its wasm) like the page does.
export default {
  worker: { format: "es" },
};
