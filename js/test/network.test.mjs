// The package over a real WebSocket to a native node (scripts/test starts it and sets
// RAZOR_TEST_WS and RAZOR_TEST_NODE_ID).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Node, TrustError } from "@razor-sh/razor";

const ws = process.env.RAZOR_TEST_WS;
const nodeId = process.env.RAZOR_TEST_NODE_ID;
const skip = !ws && process.env.RAZOR_REQUIRE_NETWORK !== "1" && "no native peer";

test("a secure channel to a native node over WebSocket", { skip }, async () => {
  assert.ok(ws && nodeId, "RAZOR_TEST_WS and RAZOR_TEST_NODE_ID are set");
  const node = await Node.create({ name: "js" });
  const identity = await node.createIdentity();
  const hop = await node.connect(`ws://${ws}`);
  const channel = await node.createSecureChannel(identity, `${hop} => secure`, { trust: { identifier: nodeId } });
  assert.equal(channel.theirIdentifier, nodeId);
  for (let i = 0; i < 200; i++) {
    assert.equal((await channel.request("echo", `over the wire ${i}`, { timeoutMs: 10000 })).text, `over the wire ${i}`);
  }
  assert.equal(node.connectionCount, 1);
  channel.close();
  node.shutdown();
});

test("a wrong peer identity over a real connection is a TrustError", { skip }, async () => {
  const node = await Node.create({ name: "js" });
  const identity = await node.createIdentity();
  const other = await node.createIdentity();
  await assert.rejects(
    node.createSecureChannel(identity, `ws#${ws} => secure`, { trust: { identifier: other.identifier } }),
    (e) => e instanceof TrustError && e.code === "IDENTITY_MISMATCH",
  );
  node.shutdown();
});
