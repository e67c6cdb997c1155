// The page's libp2p side, bundled by esbuild (run.mjs): window.libp2pNoise.
import * as libp2p from "./libp2p-noise.mjs";
window.libp2pNoise = libp2p;
