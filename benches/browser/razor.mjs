// Razor measured the way libp2p-noise.mjs measures js-libp2p's Noise: two nodes in the same
// page over Razor's in-memory transport, an XX handshake with identity proof (change history
// and purpose key attestation both ways), then one-way throughput through the channel. Both
// vaults (WebCrypto, software) and both suites. Takes the package's exports, so the page can
// load it however it likes (scripts/bench libp2p: an import map onto js/dist).

const now = () => performance.now();

function stats(samples) {
  const s = [...samples].sort((x, y) => x - y);
  const n = s.length;
  const median = n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { medianMs: median, meanMs: s.reduce((a, v) => a + v, 0) / n, minMs: s[0], maxMs: s[n - 1] };
}

export function razorBench({ RazorNode, MemoryNetwork }) {
  /** Two nodes on one in-memory network; `b` listens at `secure`, trusting only `a`. */
  async function pair({ vault = "webcrypto", suite = "ockam-aes-gcm" } = {}) {
    const network = await MemoryNetwork.create();
    const a = await RazorNode.create({ name: "a", vault });
    const b = await RazorNode.create({ name: "b", vault });
    a.attachMemory(network, "a");
    b.attachMemory(network, "b");
    const [ida, idb] = [await a.createIdentity(), await b.createIdentity()];
    // The idle-memory case holds 10,000 channels and more: above the listener's default cap.
    const listener = b.createSecureChannelListener(idb, "secure", { trust: { identifier: ida.identifier }, suite, maxChannels: 1_000_000 });
    /** One handshake; resolves when both sides have verified each other. */
    const connect = async () => {
      const [outbound, inbound] = await Promise.all([
        a.createSecureChannel(ida, "mem#b => secure", { trust: { identifier: idb.identifier }, suite }),
        listener.accept(),
      ]);
      if (outbound.theirIdentifier !== idb.identifier || inbound.theirIdentifier !== ida.identifier) {
        throw new Error("peer identity mismatch after handshake");
      }
      return { outbound, inbound };
    };
    const shutdown = () => Promise.all([a.shutdown(), b.shutdown()]);
    return { a, b, connect, shutdown };
  }

  /** `n` handshakes between two long-lived identities; both sides' work, one thread. */
  async function handshakes(n, opts = {}) {
    const { connect, shutdown } = await pair(opts);
    try {
      for (let i = 0; i < (opts.warmup ?? 0); i++) {
        const { outbound } = await connect();
        await outbound.close();
      }
      const samples = [];
      for (let i = 0; i < n; i++) {
        const t = now();
        const { outbound } = await connect();
        samples.push(now() - t);
        await outbound.close();
      }
      return { n, ...stats(samples), ...opts };
    } finally {
      await shutdown();
    }
  }

  /** After one handshake (not timed), `count` messages of `size` bytes one way, all read. */
  async function throughput(size, count, opts = {}) {
    const { b, connect, shutdown } = await pair(opts);
    try {
      const { outbound } = await connect();
      const payload = new Uint8Array(size);
      for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
      let received = 0;
      let first;
      let done;
      const all = new Promise((resolve) => (done = resolve));
      b.startWorker("sink", (message) => {
        first ??= message.payload.slice();
        received += message.payload.length;
        if (received >= size * count) done();
      });
      const t0 = now();
      for (let i = 0; i < count; i++) await outbound.send("sink", payload);
      await all;
      const seconds = (now() - t0) / 1000;
      if (first.some((byte, i) => byte !== payload[i])) throw new Error("decrypted payload mismatch");
      return { size, count, msgsPerSec: count / seconds, MBps: (size * count) / 1e6 / seconds, ...opts };
    } finally {
      await shutdown();
    }
  }

  /**
   * `count` channels opened and left idle: the growth of the wasm memory (after a GC, where
   * the page has `gc`) per channel, both ends being in this page.
   */
  async function idleMemory(count, opts = {}) {
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        globalThis.gc?.();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const { a, connect, shutdown } = await pair(opts);
    try {
      const channels = [];
      for (let i = 0; i < 10; i++) channels.push(await connect()); // warm up
      await settle();
      const before = RazorNode.wasmMemoryBytes;
      for (let done = 0; done < count; done += 100) {
        const batch = Math.min(100, count - done);
        channels.push(...(await Promise.all(Array.from({ length: batch }, connect))));
      }
      await settle();
      const grown = RazorNode.wasmMemoryBytes - before;
      return { count, bytesPerChannel: grown / count, totalMiB: RazorNode.wasmMemoryBytes / 2 ** 20, workers: a.workerCount, ...opts };
    } finally {
      await shutdown();
    }
  }

  /**
   * The floor of a handshake with identity proof, both sides, with WebCrypto: what the two
   * sides must compute and cannot skip — an ephemeral X25519 key each (2 generateKey), three
   * Diffie-Hellmans each (6 deriveBits), and each verifying the other's change history and
   * purpose key attestation (4 Ed25519 verify) — run one after the other, as a handshake does,
   * `n` times; the median. Hashing and encoding are left out (microseconds).
   */
  async function handshakeFloor(n, { asBytes = false } = {}) {
    const subtle = crypto.subtle;
    const x25519 = { name: "X25519" };
    const statics = [await subtle.generateKey(x25519, false, ["deriveBits"]), await subtle.generateKey(x25519, false, ["deriveBits"])];
    const signer = await subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    const signerRaw = new Uint8Array(await subtle.exportKey("raw", signer.publicKey));
    const data = new Uint8Array(200).fill(7);
    const signature = await subtle.sign({ name: "Ed25519" }, signer.privateKey, data);
    // With `asBytes`, keys cross between the sides as bytes, as on the wire: each new key's
    // public half is exported, each peer key imported before use.
    const publicOf = async (pair) => (asBytes ? new Uint8Array(await subtle.exportKey("raw", pair.publicKey)) : pair.publicKey);
    const peerKey = async (key, algorithm, usages) => (asBytes ? subtle.importKey("raw", key, algorithm, true, usages) : key);
    const staticPublics = [await publicOf(statics[0]), await publicOf(statics[1])];
    const verifier = asBytes ? signerRaw : signer.publicKey;
    const once = async () => {
      const ea = await subtle.generateKey(x25519, false, ["deriveBits"]);
      const eaPublic = await publicOf(ea);
      const eb = await subtle.generateKey(x25519, false, ["deriveBits"]);
      const ebPublic = await publicOf(eb);
      const pairs = [[ea, ebPublic], [eb, eaPublic], [ea, staticPublics[1]], [statics[1], eaPublic], [statics[0], ebPublic], [eb, staticPublics[0]]];
      for (const [mine, theirs] of pairs) {
        const key = await peerKey(theirs, x25519, []);
        await subtle.deriveBits({ name: "X25519", public: key }, mine.privateKey, 256);
      }
      for (let i = 0; i < 4; i++) {
        const key = await peerKey(verifier, { name: "Ed25519" }, ["verify"]);
        if (!(await subtle.verify({ name: "Ed25519" }, key, signature, data))) throw new Error("verify");
      }
    };
    for (let i = 0; i < 3; i++) await once();
    const samples = [];
    for (let i = 0; i < n; i++) {
      const t = now();
      await once();
      samples.push(now() - t);
    }
    return { n, ...stats(samples) };
  }

  return { handshakes, throughput, idleMemory, handshakeFloor };
}
