// The JS API over a real WebSocket to a native node (scripts/test starts it and sets
// RAZOR_TEST_WS and RAZOR_TEST_NODE_ID).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Node } from "@razor-sh/razor";

const ws = process.env.RAZOR_TEST_WS;
const nodeId = process.env.RAZOR_TEST_NODE_ID;
const required = process.env.RAZOR_REQUIRE_NETWORK === "1";
const bytes = (text) => new TextEncoder().encode(text);

test("a secure channel to a native node over WebSocket", { skip: !ws && !required && "no native peer" }, async () => {
  assert.ok(ws && nodeId, "RAZOR_TEST_WS and RAZOR_TEST_NODE_ID are set");
  const node = new Node("js");
  const identity = await node.createIdentity();
  const channel = await node.createSecureChannel(identity, `ws#${ws} => secure`, { trust: { identifier: nodeId } });
  assert.equal(channel.theirIdentifier, nodeId);
  for (let i = 0; i < 200; i++) {
    const reply = await channel.request("echo", bytes(`over the wire ${i}`), 10000);
    assert.deepEqual(reply.payload, bytes(`over the wire ${i}`));
  }
  assert.equal(node.connectionCount, 1);
  channel.close();
  node.shutdown();
});

test("a wrong peer identity over a real connection fails with IDENTITY_MISMATCH", { skip: !ws && !required && "no native peer" }, async () => {
  const node = new Node("js");
  const identity = await node.createIdentity();
  const other = await node.createIdentity();
  await assert.rejects(
    node.createSecureChannel(identity, `ws#${ws} => secure`, { trust: { identifier: other.identifier } }),
    { code: "IDENTITY_MISMATCH" },
  );
  node.shutdown();
});
