// Routing through the package's API, in Node.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ArgumentError, MemoryNetwork, Node, RazorError, RoutingError, TransportError } from "@razor-sh/razor";

async function pair() {
  const network = await MemoryNetwork.create();
  const alice = await Node.create({ name: "alice" });
  const bob = await Node.create({ name: "bob" });
  alice.attachMemory(network, "alice");
  bob.attachMemory(network, "bob");
  return { network, alice, bob };
}

test("a request over a 3-hop route across two nodes comes back by the return route", async () => {
  const { alice, bob } = await pair();
  alice.startHop("hop");
  bob.startHop("hop");
  bob.startEcho("echo");
  const reply = await alice.request("hop => mem#bob => hop => echo", "hello", { timeoutMs: 5000 });
  assert.equal(reply.text, "hello");
  assert.match(reply.returnRoute, /0#echo$/);
  const again = await alice.request(reply.returnRoute, new Uint8Array([1, 2, 3]), { timeoutMs: 5000 });
  assert.deepEqual(again.payload, new Uint8Array([1, 2, 3]));
  alice.shutdown();
  bob.shutdown();
  assert.equal(alice.workerCount, 0);
});

test("JavaScript workers answer with what they return", async () => {
  const { alice, bob } = await pair();
  bob.startWorker("upper", (message) => message.text.toUpperCase());
  bob.startWorker("slow", async (message) => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return `${message.text}!`;
  });
  bob.startWorker("silent", () => undefined);
  assert.equal((await alice.request("mem#bob => upper", "shout")).text, "SHOUT");
  assert.equal((await alice.request("mem#bob => slow", "wait")).text, "wait!");
  await assert.rejects(alice.request("mem#bob => silent", "?", { timeoutMs: 100 }), { code: "TIMEOUT" });
  alice.shutdown();
  bob.shutdown();
});

test("failures are Error subclasses with a code", async () => {
  const node = await Node.create();
  const unknown = await node.request("nobody", "?", { timeoutMs: 1000 }).catch((e) => e);
  assert.ok(unknown instanceof RoutingError && unknown instanceof RazorError && unknown instanceof Error);
  assert.equal(unknown.code, "UNKNOWN_ADDRESS");
  await assert.rejects(node.request("quic#somewhere", "?"), (e) => e instanceof ArgumentError && e.code === "ADDRESS_PARSE");
  await assert.rejects(node.request("tcp#127.0.0.1:1 => echo", "?"), (e) => e instanceof TransportError && e.code === "NO_TRANSPORT");
  await assert.rejects(node.request("ws#127.0.0.1:1 => echo", "?"), (e) => e instanceof TransportError && e.code === "CONNECT_FAILED");
  node.startEcho("echo");
  assert.throws(() => node.startEcho("echo"), { code: "ADDRESS_IN_USE" });
  node.shutdown();
  await assert.rejects(node.request("echo", "?"), { code: "NODE_SHUT_DOWN" });
});

test("the relay service gives a peer an alias others can reach", async () => {
  const { network, alice: relay, bob: peer } = await pair();
  relay.startRelayService();
  peer.startEcho("echo");
  // Registration is Ockam's: a BARE string (length byte + UTF-8) to forwarding_service.
  const name = "browser-1";
  const register = new Uint8Array([name.length, ...new TextEncoder().encode(name)]);
  const answer = await peer.request("mem#alice => forwarding_service", register, { timeoutMs: 2000 });
  assert.deepEqual(answer.payload, register);
  const visitor = await Node.create({ name: "visitor" });
  visitor.attachMemory(network, "visitor");
  const reply = await visitor.request(`mem#alice => ${name} => echo`, "via relay", { timeoutMs: 2000 });
  assert.equal(reply.text, "via relay");
  for (const node of [relay, peer, visitor]) node.shutdown();
});
