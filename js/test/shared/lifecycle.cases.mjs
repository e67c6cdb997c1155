// The package's lifecycle rules, as test cases that run unchanged in Node
// (test/lifecycle.test.mjs), in headless Chromium and in a dedicated Web Worker there
// (test/browser/run.mjs). Each case gets `{ R, env }`: the package's exports, and what the
// runner offers — `env.peer` (a native `razor node` it can restart: `{ url, hop, id,
// restart() }`) and `env.silentPort` (a TCP port that accepts and never answers), either may be
// missing, in which case the cases that need it are skipped.
import { assert, eventually, nextEvent, sleep } from "./assert.mjs";

const trust = { trust: "everyone" };

/** Two nodes joined by an attached link (JS hands each side's frames to the other). */
async function pair(R, options = {}) {
  const alice = await R.RazorNode.create({ name: "alice", vault: "software", ...options });
  const bob = await R.RazorNode.create({ name: "bob", vault: "software", ...options });
  // Each side's frames are handed to the other, waiting while its inbox is full (so that
  // backpressure crosses the link); closing one side tells the other its peer closed.
  const toBob = alice.attachConnection(
    { send: (frame) => fromAlice.receive(frame), close: () => fromAlice.isClosed || fromAlice.peerClosed() },
    { label: "bob" },
  );
  const fromAlice = bob.attachConnection(
    { send: (frame) => toBob.receive(frame), close: () => toBob.isClosed || toBob.peerClosed() },
    { label: "alice" },
  );
  const aliceId = await alice.createIdentity();
  const bobId = await bob.createIdentity();
  bob.startEcho("echo");
  const listener = bob.createSecureChannelListener(bobId, "listener", trust);
  const connect = (extra = {}) =>
    alice.createSecureChannel(aliceId, `${toBob} => listener`, { trust: { identifier: bobId.identifier }, ...extra });
  const shutdown = () => Promise.all([alice.shutdown(), bob.shutdown()]);
  return { alice, bob, aliceId, bobId, toBob, fromAlice, listener, connect, shutdown };
}

/** Collects what an async iterable yields until it ends; `onItem` may end it. */
async function drain(iterable, onItem = () => {}) {
  const items = [];
  for await (const item of iterable) {
    items.push(item);
    await onItem(item, items);
  }
  return items;
}

export const cases = [
  {
    name: "a channel's iterator ends when the channel is closed here, after what arrived",
    async run({ R }) {
      const p = await pair(R);
      const channel = await p.connect();
      for (const text of ["one", "two", "three"]) await channel.send("echo", text);
      const texts = await drain(channel, (message, all) => {
        if (all.length === 3) return channel.close();
      });
      assert.deepEqual(texts.map((m) => m.text), ["one", "two", "three"]);
      assert.equal((await channel.closed).reason, "local");
      assert.equal(channel.isOpen, false);
      await p.shutdown();
    },
  },
  {
    name: "a channel's iterator ends when the peer closes the channel",
    async run({ R }) {
      const p = await pair(R);
      const channel = await p.connect();
      const accepted = await p.listener.accept();
      const ended = drain(channel);
      await accepted.close();
      assert.deepEqual(await ended, []);
      assert.equal((await channel.closed).reason, "peer");
      assert.equal((await accepted.closed).reason, "local");
      await p.shutdown();
    },
  },
  {
    name: "a channel's iterator ends when its connection is lost, and both sides say so",
    async run({ R }) {
      const p = await pair(R);
      const closes = [];
      p.alice.addEventListener("connectionclose", (event) => closes.push(event.detail.reason));
      const channel = await p.connect();
      const accepted = await p.listener.accept();
      const ended = drain(channel);
      p.toBob.peerClosed();
      await ended;
      assert.equal((await channel.closed).reason, "connection-lost");
      assert.equal((await accepted.closed).reason, "connection-lost");
      // Alice's socket closed under her (peer); she closes her end, which bob sees as his peer.
      assert.equal((await p.toBob.closed).reason, "peer");
      assert.equal((await p.fromAlice.closed).reason, "peer");
      await eventually(() => closes.includes("peer"), 5_000, "a connectionclose event");
      await p.shutdown();
    },
  },
  {
    name: "a listener's accept and iterator end when it stops; stop and close are idempotent",
    async run({ R }) {
      const p = await pair(R);
      const first = p.connect();
      const accepted = await drain(p.listener, async () => {
        await p.listener.stop();
      });
      assert.equal(accepted.length, 1);
      await first;
      await p.listener.closed;
      await p.listener.stop();
      await assert.rejects(p.listener.accept(), (e) => e instanceof R.RoutingError && e.code === "WORKER_STOPPED");
      const channel = await first;
      await channel.close();
      await channel.close();
      await p.toBob.close();
      await p.toBob.close();
      assert.equal((await p.toBob.closed).reason, "local");
      await p.shutdown();
      await p.shutdown();
    },
  },
  {
    name: "shutdown ends every channel, listener and connection, and resolves after they end",
    async run({ R }) {
      const p = await pair(R);
      const channel = await p.connect();
      const accepted = await p.listener.accept();
      const iterating = drain(channel);
      await p.alice.shutdown();
      assert.equal((await channel.closed).reason, "shutdown");
      assert.equal((await p.toBob.closed).reason, "shutdown");
      assert.deepEqual(await iterating, []);
      assert.equal(p.alice.workerCount, 0);
      await assert.rejects(channel.send("echo", "late"), (e) => e.code === "CHANNEL_CLOSED" || e.code === "NODE_SHUT_DOWN");
      // Bob's end saw its connection go when alice's node went.
      assert.equal((await accepted.closed).reason, "connection-lost");
      await p.bob.shutdown();
      await p.listener.closed;
    },
  },
  {
    name: "await using: node, channel, listener and connection are async-disposable",
    async run({ R }) {
      const p = await pair(R);
      const channel = await p.connect();
      assert.equal(typeof Symbol.asyncDispose, "symbol");
      await channel[Symbol.asyncDispose]();
      assert.equal((await channel.closed).reason, "local");
      await p.listener[Symbol.asyncDispose]();
      await p.listener.closed;
      await p.toBob[Symbol.asyncDispose]();
      assert.equal(p.toBob.isClosed, true);
      await p.alice[Symbol.asyncDispose]();
      await p.bob[Symbol.asyncDispose]();
      assert.equal(p.alice.workerCount + p.bob.workerCount, 0);
    },
  },
  {
    name: "every wait takes an AbortSignal and rejects with an AbortError carrying its reason",
    async run({ R }) {
      const p = await pair(R, { mailboxCapacity: 1 });
      const reason = new Error("the user left");
      const abortSoon = () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(reason), 50);
        return controller.signal;
      };
      const isAbort = (e) => e instanceof R.AbortError && e.code === "ABORTED" && e.cause === reason;
      const channel = await p.connect();
      await p.listener.accept();
      await assert.rejects(channel.receive({ signal: abortSoon() }), isAbort, "receive");
      await assert.rejects(p.listener.accept({ signal: abortSoon() }), isAbort, "accept");
      // A worker that takes messages and never answers: request waits, and so does send once
      // its mailbox (1) is full.
      p.bob.startWorker("blackhole", () => new Promise(() => {}));
      await assert.rejects(p.alice.request(`${p.toBob} => blackhole`, "?", { signal: abortSoon() }), isAbort, "request");
      await assert.rejects(channel.request("blackhole", "?", { signal: abortSoon() }), isAbort, "channel request");
      const sending = (async () => {
        for (;;) await p.alice.send(`${p.toBob} => blackhole`, "fill", { signal: sendSignal });
      });
      const controller = new AbortController();
      const sendSignal = controller.signal;
      setTimeout(() => controller.abort(reason), 200);
      await assert.rejects(sending(), isAbort, "send under backpressure");
      // A handshake that never gets an answer, given up: no worker is left behind.
      p.bob.startWorker("silent", () => {});
      const before = p.alice.workerCount;
      await assert.rejects(
        p.alice.createSecureChannel(p.aliceId, `${p.toBob} => silent`, { ...trust, signal: abortSoon() }),
        isAbort,
        "createSecureChannel",
      );
      await eventually(() => p.alice.workerCount === before, 5_000, "the handshake's worker to go");
      // Already aborted: rejects at once.
      const aborted = AbortSignal.abort(reason);
      await assert.rejects(p.alice.connect("ws://127.0.0.1:9", { signal: aborted }), isAbort, "connect");
      await p.shutdown();
    },
  },
  {
    name: "connect gives up after timeoutMs or when aborted, on a server that never answers",
    needs: ["silentPort"],
    async run({ R, env }) {
      const node = await R.RazorNode.create({ vault: "software" });
      const url = `ws://127.0.0.1:${env.silentPort}`;
      await assert.rejects(node.connect(url, { timeoutMs: 200 }), (e) => e instanceof R.TimeoutError);
      const controller = new AbortController();
      setTimeout(() => controller.abort("enough"), 100);
      await assert.rejects(node.connect(url, { signal: controller.signal }), (e) => e instanceof R.AbortError && e.cause === "enough");
      await node.shutdown();
    },
  },
  {
    name: "the node emits channel and connection events, and counts traffic per channel and connection",
    async run({ R }) {
      const p = await pair(R);
      const seen = [];
      for (const type of ["channelopen", "channelclose"]) {
        p.alice.addEventListener(type, (event) => seen.push([type, event.detail.peer, event.detail.reason]));
      }
      const channel = await p.connect();
      await channel.request("echo", "12345");
      await channel.request("echo", "123");
      assert.deepEqual(channel.stats, { messagesSent: 2, bytesSent: 8, messagesReceived: 2, bytesReceived: 8 });
      const frames = p.toBob.stats;
      // Handshake messages 1 and 3 and two requests out; message 2 and two answers in.
      assert.ok(frames.messagesSent >= 4 && frames.messagesReceived >= 3, JSON.stringify(frames));
      assert.ok(frames.bytesSent > 8 && frames.bytesReceived > 8);
      await channel.close();
      await eventually(() => seen.length === 2, 5_000, "channel events");
      assert.deepEqual(seen, [
        ["channelopen", p.bobId.identifier, undefined],
        ["channelclose", p.bobId.identifier, "local"],
      ]);
      const opened = nextEvent(p.alice, "connectionopen");
      const extra = p.alice.attachConnection({ send() {}, close() {} }, { label: "extra" });
      assert.equal((await opened).detail.peer, "extra");
      const closed = nextEvent(p.alice, "connectionclose");
      await extra.close();
      assert.equal((await closed).detail.reason, "local");
      await p.shutdown();
    },
  },
  {
    name: "a worker whose handler throws answers WORKER_FAILED at once, not a timeout",
    async run({ R }) {
      const p = await pair(R);
      p.bob.startWorker("fails", () => {
        throw new Error("a bug in the handler");
      });
      const started = Date.now();
      const error = await assert.rejects(
        p.alice.request(`${p.toBob} => fails`, "?", { timeoutMs: 10_000 }),
        (e) => e instanceof R.RoutingError && e.code === "WORKER_FAILED" && e.remote,
      );
      assert.ok(Date.now() - started < 5_000, "answered long before the timeout");
      assert.ok(!error.message.includes("a bug in the handler"), "the handler's error stays on its node");
      const channel = await p.connect();
      await assert.rejects(channel.request("fails", "?"), (e) => e.code === "WORKER_FAILED");
      await p.shutdown();
    },
  },
  {
    name: "identities export and import; a wrong secret fails with DECRYPT",
    async run({ R }) {
      const a = await R.RazorNode.create({ vault: "software" });
      const b = await R.RazorNode.create();
      const identity = await a.createIdentity();
      const key = () => ({ key: crypto.getRandomValues(new Uint8Array(32)) });
      for (const [secret, wrong] of [[{ passphrase: "correct horse" }, { passphrase: "wrong" }], [key(), key()]]) {
        const sealed = await identity.export(secret);
        const imported = await b.importIdentity(sealed, secret);
        assert.equal(imported.identifier, identity.identifier);
        await assert.rejects(
          b.importIdentity(sealed, wrong),
          (e) => e instanceof R.ProtocolError && e.code === "DECRYPT",
        );
        // A secret of the other kind is refused as such.
        await assert.rejects(
          b.importIdentity(sealed, "key" in secret ? { passphrase: "x" } : key()),
          (e) => e instanceof R.ArgumentError,
        );
        const tampered = sealed.slice();
        tampered[tampered.length - 1] ^= 1;
        await assert.rejects(b.importIdentity(tampered, secret), (e) => e.code === "DECRYPT");
      }
      await a.shutdown();
      await b.shutdown();
    },
  },
  {
    name: "named identities kept in a store survive a new node and a rotation",
    async run({ R }) {
      const store = R.memoryStore();
      const secret = { passphrase: "kept apart" };
      const first = await R.RazorNode.create({ persist: { store, secret } });
      const me = await first.createIdentity({ name: "me" });
      const history = me.changeHistory().length;
      const other = await first.createIdentity({ name: "other" });
      assert.ok(other.identifier !== me.identifier);
      await me.rotate();
      assert.ok(me.changeHistory().length > history, "the history grew");
      await first.shutdown();
      const second = await R.RazorNode.create({ persist: { store, secret } });
      const again = await second.createIdentity({ name: "me" });
      assert.equal(again.identifier, me.identifier);
      assert.equal(again.changeHistory().length, me.changeHistory().length);
      // The rotated key is the one in use: a channel with it verifies.
      const third = await R.RazorNode.create({ vault: "software" });
      const net = await R.MemoryNetwork.create();
      second.attachMemory(net, "second");
      third.attachMemory(net, "third");
      const thirdId = await third.createIdentity();
      third.createSecureChannelListener(thirdId, "listener", { trust: { identifier: me.identifier } });
      third.startEcho("echo");
      const channel = await second.createSecureChannel(again, "mem#third => listener", { trust: "everyone" });
      assert.equal((await channel.request("echo", "rotated")).text, "rotated");
      await assert.rejects(
        R.RazorNode.create({ persist: { store, secret: { passphrase: "not it" } } }).then((n) => n.createIdentity({ name: "me" })),
        (e) => e.code === "DECRYPT",
      );
      await Promise.all([second.shutdown(), third.shutdown()]);
    },
  },
  {
    name: "persist by name needs IndexedDB: a clear error where there is none",
    async run({ R }) {
      if (typeof indexedDB !== "undefined") {
        const node = await R.RazorNode.create({ persist: "razor-test-persist" });
        const a = await node.createIdentity({ name: "me" });
        await node.shutdown();
        const again = await R.RazorNode.create({ persist: "razor-test-persist" });
        assert.equal((await again.createIdentity({ name: "me" })).identifier, a.identifier);
        await again.shutdown();
        return;
      }
      await assert.rejects(
        R.RazorNode.create({ persist: "my-app" }),
        (e) => e instanceof R.ArgumentError && /IndexedDB/.test(e.message) && /store/.test(e.message),
      );
    },
  },
  {
    name: "after the native node restarts, the connection is redialled and the channel opened again",
    needs: ["peer"],
    async run({ R, env }) {
      const node = await R.RazorNode.create({ name: "redial" });
      node.setReconnect({ attempts: 100, initialDelayMs: 50, maxDelayMs: 250 });
      const events = [];
      for (const type of ["connectionopen", "connectionclose", "reconnecting"]) {
        node.addEventListener(type, (event) => events.push(type));
      }
      const identity = await node.createIdentity();
      const connection = await node.connect(env.peer.url);
      const channel = await node.createSecureChannel(identity, `${env.peer.hop} => secure`, {
        trust: { identifier: env.peer.id },
        reconnect: { attempts: 100, initialDelayMs: 100, maxDelayMs: 500 },
      });
      assert.equal((await channel.request("echo", "before")).text, "before");
      const reconnected = nextEvent(channel, "reconnected", 30_000);
      await env.peer.restart();
      const lost = (await connection.closed).reason;
      assert.ok(lost === "peer" || lost === "failed", lost);
      await reconnected;
      assert.equal((await channel.request("echo", "after", { timeoutMs: 10_000 })).text, "after");
      assert.ok(channel.isOpen);
      assert.ok(events.includes("reconnecting"), events.join(","));
      assert.equal(events.filter((e) => e === "connectionopen").length, 2, events.join(","));
      await channel.close();
      assert.equal((await channel.closed).reason, "local");
      await node.shutdown();
    },
  },
  {
    name: "a relay registers again after the relay service's node restarts, and close stops it",
    needs: ["peer"],
    async run({ R, env }) {
      const node = await R.RazorNode.create({ name: "kept-relay" });
      node.startEcho("echo");
      const visitor = await R.RazorNode.create({ name: "visitor" });
      const relay = await node.createRelay(env.peer.url, { timeoutMs: 5_000 });
      const events = [];
      for (const type of ["registered", "lost"]) relay.addEventListener(type, () => events.push(type));
      assert.ok(relay.isRegistered && relay.alias !== "", relay.alias);
      assert.ok(node.connection(relay.hop), relay.hop);
      const reach = (alias, timeoutMs = 5_000) =>
        visitor.request(`${env.peer.hop} => ${alias} => echo`, "through", { timeoutMs });
      assert.equal((await reach(relay.alias)).text, "through");

      const registered = nextEvent(relay, "registered", 30_000);
      await env.peer.restart();
      await registered;
      assert.ok(relay.isRegistered);
      assert.ok(events[0] === "lost", events.join(","));
      const reached = async (alias) => (await reach(alias, 2_000).catch((error) => error)).text === "through";
      await eventually(() => reached(relay.alias), 15_000, "the relay reachable again");

      const alias = relay.alias;
      await relay.close();
      assert.ok(!relay.isRegistered);
      const gone = async () => (await reach(alias, 2_000).catch((error) => error)).code === "UNKNOWN_ADDRESS";
      await eventually(gone, 10_000, "the closed relay's alias gone");
      await sleep(500);
      assert.equal(events.filter((e) => e === "registered").length, 1, events.join(","));
      await visitor.shutdown();
      await node.shutdown();
    },
  },
];
