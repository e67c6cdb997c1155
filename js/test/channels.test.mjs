// Identities and secure channels through the JS API, in Node.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryNetwork, Node } from "@razor-sh/razor";

const bytes = (text) => new TextEncoder().encode(text);

async function pair() {
  const network = new MemoryNetwork();
  const alice = new Node("alice");
  const bob = new Node("bob");
  alice.attachMemory(network, "alice");
  bob.attachMemory(network, "bob");
  return { alice, bob, aliceId: await alice.createIdentity(), bobId: await bob.createIdentity() };
}

for (const suite of ["ockam-aes-gcm", "noise-chachapoly"]) {
  test(`a mutually authenticated channel carries requests both ways (${suite})`, async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    assert.match(aliceId.identifier, /^I[0-9a-f]{64}$/);
    bob.createSecureChannelListener(bobId, "listener", { trust: { identifier: aliceId.identifier }, suite });
    bob.startEcho("echo");
    const channel = await alice.createSecureChannel(aliceId, "mem#bob => listener", {
      trust: { identifier: bobId.identifier },
      suite,
    });
    assert.equal(channel.theirIdentifier, bobId.identifier);
    for (let i = 0; i < 100; i++) {
      const reply = await channel.request("echo", bytes(`message ${i}`), 5000);
      assert.deepEqual(reply.payload, bytes(`message ${i}`));
    }
    channel.close();
    alice.shutdown();
    bob.shutdown();
  });
}

test("trust is required and a wrong peer is refused with a code", async () => {
  const { alice, bob, aliceId, bobId } = await pair();
  assert.throws(() => bob.createSecureChannelListener(bobId, "listener", {}), { code: "INVALID_ARGUMENT" });
  bob.createSecureChannelListener(bobId, "listener", { trust: "everyone" });
  await assert.rejects(
    alice.createSecureChannel(aliceId, "mem#bob => listener", { trust: { identifier: aliceId.identifier } }),
    { name: "RazorError", code: "IDENTITY_MISMATCH" },
  );
  await assert.rejects(alice.createSecureChannel(aliceId, "mem#bob => listener", { trust: { identifier: "Inope" } }), {
    code: "INVALID_ARGUMENT",
  });
  await assert.rejects(
    alice.createSecureChannel(aliceId, "mem#bob => listener", { trust: "everyone", suite: "rot13" }),
    { code: "INVALID_ARGUMENT" },
  );
  alice.shutdown();
  bob.shutdown();
});

test("credentials from a trusted authority reach policies and the channel's attributes", async () => {
  const { alice, bob, aliceId, bobId } = await pair();
  const authority = await alice.createIdentity();
  const credential = await authority.issueCredential(bobId.changeHistory(), { role: "member" }, 3600);
  bobId.addCredential(credential);
  bob.createSecureChannelListener(bobId, "listener", { trust: "everyone" });
  const channel = await alice.createSecureChannel(aliceId, "mem#bob => listener", {
    trust: { issuer: authority.changeHistory() },
  });
  assert.deepEqual({ ...channel.attributes }, { role: "member" });
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
  alice.shutdown();
  bob.shutdown();
});
