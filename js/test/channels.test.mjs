// Identities and secure channels through the package's API, in Node.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ArgumentError, MemoryNetwork, Node, TrustError } from "@razor-sh/razor";

async function pair(vault = "auto") {
  const network = await MemoryNetwork.create();
  const alice = await Node.create({ name: "alice", vault });
  const bob = await Node.create({ name: "bob", vault });
  alice.attachMemory(network, "alice");
  bob.attachMemory(network, "bob");
  return { alice, bob, aliceId: await alice.createIdentity(), bobId: await bob.createIdentity() };
}

for (const suite of ["ockam-aes-gcm", "noise-chachapoly"]) {
  test(`a mutually authenticated channel carries messages both ways (${suite})`, async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    assert.equal(alice.vault, "webcrypto", "Node 20 has non-extractable Ed25519/X25519 in WebCrypto");
    assert.match(aliceId.identifier, /^I[0-9a-f]{64}$/);
    const listener = bob.createSecureChannelListener(bobId, "listener", { trust: { identifier: aliceId.identifier }, suite });
    bob.startEcho("echo");
    const channel = await alice.createSecureChannel(aliceId, "mem#bob => listener", {
      trust: { identifier: bobId.identifier },
      suite,
    });
    assert.equal(channel.theirIdentifier, bobId.identifier);
    for (let i = 0; i < 100; i++) {
      assert.equal((await channel.request("echo", `message ${i}`)).text, `message ${i}`);
    }
    // Bob's end: receive what Alice sends to it, answer along the return route.
    const bobsEnd = await listener.accept();
    assert.equal(bobsEnd.theirIdentifier, aliceId.identifier);
    bob.startWorker("inbox", async (message) => {
      assert.equal(message.peerIdentifier, aliceId.identifier);
      return `got ${message.text}`;
    });
    await channel.send("inbox", "one");
    await channel.send("inbox", "two");
    const received = [];
    for await (const message of channel) {
      received.push(message.text);
      if (received.length === 2) break;
    }
    assert.deepEqual(received, ["got one", "got two"]);
    channel.close();
    alice.shutdown();
    bob.shutdown();
  });
}

test("trust is required and a wrong peer is refused with a typed error", async () => {
  const { alice, bob, aliceId, bobId } = await pair();
  assert.throws(() => bob.createSecureChannelListener(bobId, "listener", {}), (e) => e instanceof ArgumentError);
  bob.createSecureChannelListener(bobId, "listener", { trust: "everyone" });
  await assert.rejects(
    alice.createSecureChannel(aliceId, "mem#bob => listener", { trust: { identifier: aliceId.identifier } }),
    (e) => e instanceof TrustError && e.code === "IDENTITY_MISMATCH",
  );
  await assert.rejects(alice.createSecureChannel(aliceId, "mem#bob => listener", { trust: { identifier: "Inope" } }), {
    code: "INVALID_ARGUMENT",
  });
  alice.shutdown();
  bob.shutdown();
});

test("credentials from a trusted authority reach policies and the channel's attributes", async () => {
  const { alice, bob, aliceId, bobId } = await pair();
  const authority = await alice.createIdentity();
  bobId.addCredential(await authority.issueCredential(bobId, { role: "member" }, 3600));
  bob.createSecureChannelListener(bobId, "listener", { trust: "everyone" });
  const channel = await alice.createSecureChannel(aliceId, "mem#bob => listener", {
    trust: { issuer: authority.changeHistory() },
  });
  assert.deepEqual(channel.attributes, { role: "member" });
  await assert.rejects(
    alice.createSecureChannel(aliceId, "mem#bob => listener", {
      trust: { policy: '(= subject.role "admin")' },
      authorities: [authority.changeHistory()],
    }),
    { code: "POLICY_DENIED" },
  );
  const stranger = await alice.createIdentity();
  await assert.rejects(
    alice.createSecureChannel(aliceId, "mem#bob => listener", { trust: { issuer: stranger.changeHistory() } }),
    { code: "UNTRUSTED_ISSUER" },
  );
  await aliceId.rotate("p256");
  const again = await alice.createSecureChannel(aliceId, "mem#bob => listener", { trust: "everyone" });
  assert.equal(again.theirIdentifier, bobId.identifier);
  alice.shutdown();
  bob.shutdown();
});

test("a WebCrypto node and a software node talk both ways", async () => {
  const network = await MemoryNetwork.create();
  const web = await Node.create({ name: "web", vault: "webcrypto" });
  const soft = await Node.create({ name: "soft", vault: "software" });
  assert.equal(web.vault, "webcrypto");
  assert.equal(soft.vault, "software");
  web.attachMemory(network, "web");
  soft.attachMemory(network, "soft");
  const [webId, softId] = [await web.createIdentity(), await soft.createIdentity()];
  for (const [node, id] of [[web, webId], [soft, softId]]) {
    node.createSecureChannelListener(id, "listener", { trust: "everyone" });
    node.startEcho("echo");
  }
  const a = await web.createSecureChannel(webId, "mem#soft => listener", { trust: { identifier: softId.identifier } });
  const b = await soft.createSecureChannel(softId, "mem#web => listener", { trust: { identifier: webId.identifier } });
  assert.equal((await a.request("echo", "web to soft")).text, "web to soft");
  assert.equal((await b.request("echo", "soft to web")).text, "soft to web");
  web.shutdown();
  soft.shutdown();
});

test("a listener holds at most maxChannels and takes a new one once one closes; peerMetrics counts the refusal", async () => {
  const { alice, bob, aliceId, bobId } = await pair("software");
  bob.createSecureChannelListener(bobId, "capped", { trust: "everyone", maxChannels: 2, maxHandshakes: 2 });
  const open = () => alice.createSecureChannel(aliceId, "mem#bob => capped", { trust: "everyone", timeoutMs: 500 });
  const first = await open();
  await open();
  await assert.rejects(open(), (error) => error.code === "TIMEOUT", "a third channel's first message is dropped");
  assert.equal(bob.peerMetrics.channelsRefused, 1);
  first.close();
  let reopened;
  for (let attempt = 0; attempt < 10 && !reopened; attempt++) {
    reopened = await open().catch((error) => assert.equal(error.code, "TIMEOUT"));
  }
  assert.ok(reopened, "room again once a channel closed");
  assert.throws(() => bob.createSecureChannelListener(bobId, "bad", { trust: "everyone", maxChannels: 0 }), ArgumentError);
  alice.shutdown();
  bob.shutdown();
});
