// What the edge is built from, through the package's API in Node: attached connections (any
// socket your code owns), relays with owned names, notices as typed remote errors, worker
// policies, handshake events, identity export/import.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Node, RazorError, TrustError } from "@razor-sh/razor";

/** Two nodes joined by an attached connection whose "socket" is a pair of function calls. */
async function linked() {
  const a = await Node.create({ name: "a" });
  const b = await Node.create({ name: "b" });
  let toA, toB;
  const closed = [];
  const aSide = a.attachConnection({ send: (frame) => toB.receive(frame), close: (code) => closed.push(["a", code]) });
  const bSide = b.attachConnection({ send: (frame) => toA.receive(frame), close: (code) => closed.push(["b", code]) });
  [toA, toB] = [aSide, bSide];
  return { a, b, aSide, bSide, closed };
}

test("an attached connection carries a secure channel, with handshake events on both sides", async () => {
  const { a, b, aSide, bSide, closed } = await linked();
  const [aId, bId] = [await a.createIdentity(), await b.createIdentity()];
  const events = [];
  b.createSecureChannelListener(bId, "secure", { trust: "everyone", onEvent: (e) => events.push(`b ${e.type} ${e.number ?? ""}`) });
  b.startEcho("echo");
  const channel = await a.createSecureChannel(aId, `${aSide.address} => secure`, {
    trust: { identifier: bId.identifier },
    onEvent: (e) => events.push(`a ${e.type} ${e.number ?? e.identifier ?? ""}`),
  });
  assert.equal((await channel.request("echo", "over a function call")).text, "over a function call");
  assert.deepEqual(events.filter((e) => e.startsWith("a")), ["a sent 1", "a received 2", `a verified ${bId.identifier}`, "a sent 3"]);
  assert.deepEqual(events.filter((e) => e.startsWith("b ") && !e.includes("verified")), ["b received 1", "b sent 2", "b received 3"]);
  // The peer's socket goes away: the connection ends, and the channel over it closes.
  bSide.close();
  aSide.close();
  await aSide.closed;
  await a.whenStopped(channel.address);
  assert.equal(channel.isOpen, false);
  await assert.rejects(channel.send("echo", "x"), (e) => e.code === "CHANNEL_CLOSED");
  channel.close(); // twice is fine
  assert.ok(closed.some(([side]) => side === "a"), "the sink was told to close");
  a.shutdown();
  b.shutdown();
});

test("relays with owned names: a channel claims a name, another identity is refused, unknown names are notices", async () => {
  const { a: client, b: edge, aSide } = await linked();
  const edgeId = await edge.createIdentity();
  edge.createSecureChannelListener(edgeId, "secure", { trust: "everyone" });
  const owners = new Map();
  const events = [];
  edge.startRelayService(undefined, {
    prefix: "forward_to_",
    names: {
      check: (name) => {
        if (!/^[a-z]+$/.test(name)) throw new Error("letters only");
      },
      random: () => `r${Math.random().toString(16).slice(2, 10)}`,
      claim: async (name, identifier) => {
        if (!owners.has(name)) owners.set(name, identifier);
        return owners.get(name) === identifier;
      },
    },
    onEvent: (event) => events.push(event),
  });
  const me = await client.createIdentity();
  const channel = await client.createSecureChannel(me, `${aSide.address} => secure`, { trust: { identifier: edgeId.identifier } });
  assert.equal(await client.registerRelay(`${channel.address} => forwarding_service`, "alice"), "forward_to_alice");
  assert.equal(events[0].type, "registered");
  assert.equal(events[0].alias, "0#forward_to_alice");
  const other = await client.createIdentity();
  const second = await client.createSecureChannel(other, `${aSide.address} => secure`, { trust: { identifier: edgeId.identifier } });
  await assert.rejects(client.registerRelay(`${second.address} => forwarding_service`, "alice"), (e) => {
    assert.ok(e instanceof TrustError);
    return e.code === "NAME_TAKEN" && e.remote === true;
  });
  await assert.rejects(client.registerRelay(`${second.address} => forwarding_service`, "Alice1"),
    (e) => e.code === "INVALID_ARGUMENT" && /letters only/.test(e.message));
  const random = await client.registerRelay(`${aSide.address} => static_forwarding_service`, "alice");
  assert.match(random, /^forward_to_r[0-9a-f]+$/, "no channel, no chosen name");
  // Through the relay, to the client's echo; an unknown alias is a typed remote error, fast.
  client.startEcho("echo");
  assert.equal((await edge.request("forward_to_alice => echo", "via the relay")).text, "via the relay");
  const started = Date.now();
  await assert.rejects(client.request(`${aSide.address} => forward_to_nobody => echo`, "x", { timeoutMs: 10_000 }),
    (e) => e instanceof RazorError && e.code === "UNKNOWN_ADDRESS" && e.remote === true);
  assert.ok(Date.now() - started < 5_000);
  client.shutdown();
  edge.shutdown();
});

test("a worker policy refuses other peers with POLICY_DENIED, told to the sender", async () => {
  const { a, b, aSide } = await linked();
  const [aId, bId] = [await a.createIdentity(), await b.createIdentity()];
  b.createSecureChannelListener(bId, "secure", { trust: "everyone" });
  b.startWorker("admin", () => "welcome", { policy: `(= subject.identifier "${bId.identifier}")` });
  b.startWorker("whoami", (m) => m.peerIdentifier, { policy: "(exists? subject.identifier)" });
  const channel = await a.createSecureChannel(aId, `${aSide.address} => secure`, { trust: "everyone" });
  assert.equal((await channel.request("whoami", "")).text, aId.identifier);
  await assert.rejects(channel.request("admin", ""), (e) => e instanceof TrustError && e.code === "POLICY_DENIED" && e.remote);
  // Without a channel the policy refuses too.
  await assert.rejects(a.request(`${aSide.address} => whoami`, ""), (e) => e.code === "POLICY_DENIED");
  assert.throws(() => b.startWorker("bad", () => {}, { policy: "(nonsense" }), (e) => e.code === "INVALID_ARGUMENT");
  a.shutdown();
  b.shutdown();
});

test("an identity exported with a key or a passphrase imports into another node, software or WebCrypto", async () => {
  const maker = await Node.create({ vault: "software" });
  const original = await maker.createIdentity();
  const key = crypto.getRandomValues(new Uint8Array(32));
  const sealed = await original.export({ key });
  const withPassphrase = await original.export({ passphrase: "correct horse battery staple" });
  for (const vault of ["software", "webcrypto"]) {
    const node = await Node.create({ vault });
    const copy = await node.importIdentity(sealed, { key });
    assert.equal(copy.identifier, original.identifier);
    assert.equal((await node.importIdentity(withPassphrase, { passphrase: "correct horse battery staple" })).identifier, original.identifier);
    // The imported key works: a channel as the imported identity, verified by the peer.
    const peer = await Node.create({ vault: "software" });
    let toNode, toPeer;
    const side = node.attachConnection({ send: (f) => toPeer.receive(f), close() {} });
    toPeer = peer.attachConnection({ send: (f) => toNode.receive(f), close() {} });
    toNode = side;
    const peerId = await peer.createIdentity();
    peer.createSecureChannelListener(peerId, "secure", { trust: { identifier: original.identifier } });
    const channel = await node.createSecureChannel(copy, `${side.address} => secure`, { trust: "everyone" });
    assert.equal(channel.theirIdentifier, peerId.identifier);
    await assert.rejects(node.importIdentity(sealed, { key: new Uint8Array(32) }), (e) => e.code === "DECRYPT");
    const tampered = sealed.slice();
    tampered[tampered.length - 1] ^= 1;
    await assert.rejects(node.importIdentity(tampered, { key }), (e) => e.code === "DECRYPT");
    await assert.rejects(node.importIdentity(withPassphrase, { passphrase: "wrong" }), (e) => e.code === "DECRYPT");
    node.shutdown();
    peer.shutdown();
  }
  // A WebCrypto vault's keys are non-extractable: no export.
  const webcrypto = await Node.create({ vault: "webcrypto" });
  await assert.rejects((await webcrypto.createIdentity()).export({ key }), (e) => e.code === "INVALID_ARGUMENT");
  await assert.rejects(original.export({ key: new Uint8Array(5) }), (e) => e.code === "INVALID_ARGUMENT");
  webcrypto.shutdown();
  maker.shutdown();
});
