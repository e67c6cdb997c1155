// The edge, end to end: the demo page in two Chromium contexts chatting through the relay on
// workerd, native nodes, a real Ockam node, the edge's own secure channel endpoint, a restart
// of workerd, and abuse — with what the relay saw checked for plaintext.
// Needs: workers-edge/ and demo-site/ installed (scripts/test does it), the razor binary
// (RAZOR_BIN, default the debug build), RAZOR_OCKAM_PEER for the Ockam case.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Node, RazorError } from "@razor-sh/razor";
import {
  artifact, chromium, demoSite, Edge, hex, nativeRelayNode, razorClient, sleep, stopAll, waitFor,
} from "./harness.mjs";

let edge, site, browser, trustedExport, trustedKey, trustedId;
const nonce = Math.random().toString(36).slice(2, 8);

before(async () => {
  // An identity the edge's `whoami` policy trusts, made before the edge starts.
  const maker = await Node.create({ vault: "software" });
  const trusted = await maker.createIdentity();
  trustedKey = crypto.getRandomValues(new Uint8Array(32));
  trustedExport = await trusted.export({ key: trustedKey });
  trustedId = trusted.identifier;
  maker.shutdown();
  edge = await Edge.start({
    RAZOR_EDGE_DEBUG_TAP: "1",
    RAZOR_EDGE_POLICY: `(= subject.identifier "${trustedId}")`,
    RAZOR_EDGE_RATE: "300",
    RAZOR_EDGE_BURST: "600",
    RAZOR_EDGE_MAX_FRAME: "65536",
  });
  site = await demoSite(edge);
  browser = await chromium();
});

after(async () => {
  await browser?.close();
  await stopAll();
});

/** A demo page in a fresh browser context, connected to the edge as relay `name`. */
async function demoTab(name, query = "") {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`  [${name}] page error: ${error.message}`));
  await page.goto(`${site.url}?name=${name}${query}`);
  await page.waitForFunction(() => window.razorDemo?.ready, null, { timeout: 30_000 });
  const identifier = await page.textContent("[data-testid=identifier]");
  await page.click("[data-testid=connect]");
  await page.waitForFunction(() => document.querySelector("[data-testid=status]").textContent.startsWith("connected as"),
    null, { timeout: 30_000 });
  return { name, page, context, identifier };
}

async function chat(from, to, text) {
  await from.page.fill("[data-testid=text]", text);
  await from.page.click("[data-testid=send]");
  await to.page.waitForFunction((t) => document.querySelector("[data-testid=messages]").textContent.includes(t), text,
    { timeout: 15_000 });
}

let alice, bob;

test("two browser tabs chat through the relay; the relay sees no plaintext", async () => {
  alice = await demoTab(`alice-${nonce}`);
  bob = await demoTab(`bob-${nonce}`);
  assert.match(alice.identifier, /^I[0-9a-f]{64}$/);
  assert.notEqual(alice.identifier, bob.identifier);
  await alice.page.fill("[data-testid=peer]", bob.name);
  await alice.page.click("[data-testid=open-peer]");
  await alice.page.waitForFunction((id) => document.querySelector("[data-testid=peer-info]").textContent.includes(`verified as ${id}`),
    bob.identifier, { timeout: 20_000 });
  await bob.page.waitForFunction((id) => document.querySelector("[data-testid=peer-info]").textContent.includes(`verified as ${id}`),
    alice.identifier, { timeout: 20_000 });
  const word = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  const secrets = [`hello bob, the word is ${word}-swordfish`, `hi alice, mine is ${word}-marlin`];
  await chat(alice, bob, secrets[0]);
  await chat(bob, alice, secrets[1]);
  for (const who of [alice, bob]) {
    const path = artifact(`demo-${who.name.split("-")[0]}.png`);
    await who.page.screenshot({ path, fullPage: true });
    console.log(`  screenshot: ${path}`);
  }
  for (const object of [alice.name, bob.name]) {
    const frames = await edge.frames(object);
    assert.ok(frames.length >= 6, `the tap saw ${frames.length} frames for ${object}`);
    for (const secret of secrets) {
      assert.ok(!frames.some((f) => f.hex.includes(hex(secret))), `the relay saw "${secret}" in the clear`);
      assert.ok(!frames.some((f) => f.hex.includes(hex(word))), "the relay saw a plaintext fragment");
    }
  }
  const timeline = await alice.page.textContent("[data-testid=steps]");
  for (const step of ["handshake message 1 sent", "handshake message 2 received", `peer verified as ${bob.identifier}`]) {
    assert.ok(timeline.includes(step), `alice's timeline lacks "${step}"`);
  }
});
