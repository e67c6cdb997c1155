// Razor's logs in JavaScript: records handed to the application's logger, filtered by target
// and level. A file of its own: logging is set once per realm (each test file is a process).
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryNetwork, Node, initLogging } from "@razor-sh/razor";

test("initLogging hands structured records to the logger, filtered by target and level", async () => {
  const records = [];
  await initLogging({ filter: "razor_core::channel=info,error", logger: (record) => records.push(record) });
  // Set once per realm: a second call changes nothing.
  await initLogging({ filter: "trace", logger: () => assert.fail("the second logger was installed") });
  const network = await MemoryNetwork.create();
  const alice = await Node.create({ name: "alice" });
  const bob = await Node.create({ name: "bob" });
  alice.attachMemory(network, "alice");
  bob.attachMemory(network, "bob");
  const [aliceId, bobId] = [await alice.createIdentity(), await bob.createIdentity()];
  bob.createSecureChannelListener(bobId, "listener", { trust: { identifier: aliceId.identifier } });
  const channel = await alice.createSecureChannel(aliceId, "mem#bob => listener", { trust: { identifier: bobId.identifier } });
  await new Promise((resolve) => setTimeout(resolve, 50)); // the responder's side finishes
  const established = records.filter((record) => record.message === "secure channel established");
  assert.equal(established.length, 2, "one record from each end");
  for (const record of established) {
    assert.equal(record.level, "info");
    assert.match(record.target, /^razor_core::channel/);
    assert.equal(record.fields.suite, "ockam-aes-gcm");
    assert.match(String(record.fields.peer), /^I[0-9a-f]{64}$/);
  }
  assert.deepEqual(new Set(established.map((r) => r.fields.peer)), new Set([aliceId.identifier, bobId.identifier]));
  // Nothing below info from the channel, nothing below error from anywhere else.
  for (const record of records) {
    assert.ok(["info", "warn", "error"].includes(record.level), JSON.stringify(record));
    assert.ok(record.level === "error" || record.target.startsWith("razor_core::channel"), JSON.stringify(record));
  }
  await channel.close();
  alice.shutdown();
  bob.shutdown();
});
