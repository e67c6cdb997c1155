// The JS API in Node, as a user of the package calls it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryNetwork, Node } from "@razor-sh/razor";

const bytes = (text) => new TextEncoder().encode(text);

test("a request over a 3-hop route across two nodes comes back by the return route", async () => {
  const network = new MemoryNetwork();
  const alice = new Node("alice");
  const bob = new Node("bob");
  alice.attachMemory(network, "alice");
  bob.attachMemory(network, "bob");
  const hops = [];
  alice.startHop("hop", (hop) => hops.push(hop));
  bob.startHop("hop", (hop) => hops.push(hop));
  bob.startEcho("echo");

  const reply = await alice.request("hop => mem#bob => hop => echo", bytes("hello"), 5000);
  assert.deepEqual(reply.payload, bytes("hello"));
  assert.match(reply.returnRoute, /0#echo$/);
  assert.deepEqual(hops.map((h) => h.node), ["alice", "bob", "bob", "alice"]);
  assert.equal(hops[0].onward, "254#bob => 0#hop => 0#echo");

  // The return route alone is enough to answer.
  const again = await alice.request(reply.returnRoute, bytes("again"), 5000);
  assert.deepEqual(again.payload, bytes("again"));
  alice.shutdown();
  bob.shutdown();
  assert.equal(alice.workerCount, 0);
});

test("failures reject with RazorError and a code", async () => {
  const node = new Node();
  await assert.rejects(node.request("nobody", bytes("?"), 1000), {
    name: "RazorError",
    code: "UNKNOWN_ADDRESS",
  });
  await assert.rejects(node.request("quic#somewhere", bytes("?")), { code: "ADDRESS_PARSE" });
  await assert.rejects(node.request("tcp#127.0.0.1:1 => echo", bytes("?")), { code: "NO_TRANSPORT" });
  await assert.rejects(node.request("ws#127.0.0.1:1 => echo", bytes("?")), { code: "CONNECT_FAILED" });
  node.startEcho("echo");
  assert.throws(() => node.startEcho("echo"), { code: "ADDRESS_IN_USE" });
  node.shutdown();
  await assert.rejects(node.request("echo", bytes("?")), { code: "NODE_SHUT_DOWN" });
});

test("the relay service gives a peer an alias others can reach", async () => {
  const network = new MemoryNetwork();
  const relay = new Node("relay");
  const peer = new Node("peer");
  relay.attachMemory(network, "relay");
  peer.attachMemory(network, "peer");
  relay.startRelayService();
  peer.startEcho("echo");
  // Registration is Ockam's: a BARE string (length byte + UTF-8) to forwarding_service.
  const name = "browser-1";
  const register = new Uint8Array([name.length, ...bytes(name)]);
  const answer = await peer.request("mem#relay => forwarding_service", register, 2000);
  assert.deepEqual(answer.payload, register);
  const visitor = new Node("visitor");
  visitor.attachMemory(network, "visitor");
  const reply = await visitor.request(`mem#relay => ${name} => echo`, bytes("via relay"), 2000);
  assert.deepEqual(reply.payload, bytes("via relay"));
  for (const node of [relay, peer, visitor]) node.shutdown();
});
