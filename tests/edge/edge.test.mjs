// The edge, end to end: the demo page in two Chromium contexts chatting through the relay on
// workerd, native nodes, a real Ockam node, the edge's own secure channel endpoint, a restart
// of workerd, and abuse — with what the relay saw checked for plaintext.
// Needs: workers-edge/ and demo-site/ installed (scripts/test does it), the razor binary
// (RAZOR_BIN, default the debug build), RAZOR_OCKAM_PEER for the Ockam case.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Node, RazorError } from "@razor-sh/razor";
import { join } from "node:path";
import {
  artifact, chromium, demoSite, Edge, hex, nativeRelayNode, razorClient, start, stopAll, waitFor,
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
    // Objects unload their Razor node after 1.5 s without traffic, so the tests also cover
    // rebuilding it from socket attachments and storage (what hibernation needs).
    RAZOR_EDGE_IDLE_MS: "1500",
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

/** Alice opens a channel to Bob (again) and both see the other verified. */
async function pair() {
  const accepted = await bob.page.evaluate(() => document.querySelectorAll("[data-testid=steps] li").length);
  await alice.page.fill("[data-testid=peer]", bob.name);
  await alice.page.click("[data-testid=open-peer]");
  await alice.page.waitForFunction((id) => document.querySelector("[data-testid=peer-info]").textContent.includes(`channel open to`)
    && document.querySelector("[data-testid=peer-info]").textContent.includes(`verified as ${id}`), bob.identifier, { timeout: 20_000 });
  await bob.page.waitForFunction(({ id, after }) => [...document.querySelectorAll("[data-testid=steps] li")].slice(after)
    .some((li) => li.textContent.includes(`channel accepted from ${id.slice(0, 10)}`)), { id: alice.identifier, after: accepted },
  { timeout: 20_000 });
}

test("two browser tabs chat through the relay; the relay sees no plaintext", async () => {
  alice = await demoTab(`alice-${nonce}`);
  bob = await demoTab(`bob-${nonce}`);
  assert.match(alice.identifier, /^I[0-9a-f]{64}$/);
  assert.notEqual(alice.identifier, bob.identifier);
  await pair();
  assert.ok((await bob.page.textContent("[data-testid=peer-info]")).includes(`verified as ${alice.identifier}`));
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

test("a channel that ends inside the Worker: whoami for a trusted identity, POLICY_DENIED for another", async () => {
  // In the browser, with the identity the policy trusts (imported non-extractable into WebCrypto).
  const answer = await alice.page.evaluate(async ({ bytes, key, route, edgeId }) => {
    const { node } = window.razorDemo;
    const identity = await node.importIdentity(new Uint8Array(bytes), { key: new Uint8Array(key) });
    const channel = await node.createSecureChannel(identity, route, { trust: { identifier: edgeId } });
    const reply = await channel.request("whoami", "", { timeoutMs: 10_000 });
    channel.close();
    return { text: reply.text, vault: node.vault };
  }, { bytes: [...trustedExport], key: [...trustedKey], route: `ws#${edge.ws}/${alice.name} => secure`, edgeId: edge.identifier });
  assert.equal(JSON.parse(answer.text).identifier, trustedId);
  // The demo's own identity is not trusted by the policy: a typed refusal, shown plainly.
  await alice.page.click("[data-testid=open-edge]");
  await alice.page.waitForFunction(() => document.querySelector("[data-testid=peer-info]").textContent.includes("not trusted (POLICY_DENIED)"),
    null, { timeout: 20_000 });
  // The same from Node, with the error's type.
  const node = await Node.create({ vault: "software" });
  const stranger = await node.createIdentity();
  const channel = await node.createSecureChannel(stranger, `ws#${edge.ws}/ => secure`, { trust: { identifier: edge.identifier } });
  await assert.rejects(channel.request("whoami", "", { timeoutMs: 10_000 }), (error) => {
    assert.ok(error instanceof RazorError && error.name === "TrustError", `${error}`);
    assert.equal(error.code, "POLICY_DENIED");
    assert.equal(error.remote, true);
    return true;
  });
  node.shutdown();
});

test("relay names belong to the identity that registered them", async () => {
  const node = await Node.create({ vault: "software" });
  const other = await node.createIdentity();
  await assert.rejects(
    node.createRelay(`${edge.ws}/${alice.name}`, { name: alice.name, identity: other, trust: { identifier: edge.identifier } }),
    (error) => error.code === "NAME_TAKEN" && error.remote === true,
  );
  // Without a channel nobody owns a name: a plain registration gets a random one.
  const plain = await node.createRelay(`${edge.ws}/${bob.name}`, { name: bob.name });
  assert.match(plain.alias, new RegExp(`^forward_to_${bob.name}\\.[0-9a-f]{8}$`));
  // A name in another object is refused with the reason.
  await assert.rejects(
    node.createRelay(`${edge.ws}/`, { name: "somewhere-else", identity: other, trust: { identifier: edge.identifier } }),
    (error) => error.code === "INVALID_ARGUMENT" && /connect to <edge>\/somewhere-else/.test(error.message),
  );
  plain.close();
  node.shutdown();
  // A name nobody holds: the page says so plainly, at once.
  await alice.page.fill("[data-testid=peer]", `nobody-${nonce}`);
  await alice.page.click("[data-testid=open-peer]");
  await alice.page.waitForFunction(() => document.querySelector("[data-testid=peer-info]").textContent
    .includes("no peer by that name is connected to the relay"), null, { timeout: 5_000 });
  // Alice still owns hers and still chats.
  await pair();
  await chat(alice, bob, `still mine ${nonce}`);
});

let native;

test("native node to native node through the relay", async () => {
  native = await nativeRelayNode(edge, `native-${nonce}`);
  const out = await razorClient(["--to", `ws#${edge.ws}/ => forward_to_native-${nonce} => secure`,
    "--trust", native.identifier, "--message", "hello from a native client"]);
  assert.match(out, new RegExp(`peer: ${native.identifier}`));
  assert.match(out, /reply: hello from a native client/);
  // An unknown relay name fails at once with the remote's typed error, not a timeout.
  const started = Date.now();
  await assert.rejects(razorClient(["--to", `ws#${edge.ws}/ => forward_to_nobody-${nonce} => secure`, "--trust", "everyone",
    "--timeout-ms", "20000"]), /UNKNOWN_ADDRESS/);
  assert.ok(Date.now() - started < 10_000, "the unknown name was reported, not timed out");
});

test("browser to native node through the relay", async () => {
  const carol = await demoTab(`carol-${nonce}`, `&native=native-${nonce}`);
  await carol.page.click("[data-testid=open-native]");
  await carol.page.waitForFunction((id) => document.querySelector("[data-testid=peer-info]").textContent.includes(`verified as ${id}`),
    native.identifier, { timeout: 20_000 });
  const text = `echo me ${nonce}`;
  await carol.page.fill("[data-testid=text]", text);
  await carol.page.click("[data-testid=send]");
  await carol.page.waitForFunction((t) => [...document.querySelectorAll("[data-testid=messages] li.in")].some((li) => li.textContent.includes(t)),
    text, { timeout: 15_000 });
  await carol.context.close();
});

test("an idle relay object unloads its node and wakes with its relays", async () => {
  await waitFor("alice's object to unload", async () => {
    const stats = await (await fetch(`${edge.http}/debug/stats?object=${alice.name}`)).json();
    return stats.sockets === 1 && !stats.loaded;
  }, 15_000, 250);
  // The channel made before the unload goes on (its route names sockets and objects, whose
  // addresses are stable), and new ones work.
  await chat(alice, bob, `woken up ${nonce}`);
  await pair();
  await chat(bob, alice, `new channel after waking ${nonce}`);
  const stats = await (await fetch(`${edge.http}/debug/stats?object=${alice.name}`)).json();
  assert.equal(stats.loaded, true);
});

const ockamPeer = process.env.RAZOR_OCKAM_PEER;

/** An Ockam `String` message: a BARE string (for short texts, one length byte). */
const ockamString = (text) => [text.length, ...Buffer.from(text)];

test("a real Ockam node registers a relay on the edge and a browser reaches it with an Ockam-suite channel",
  { skip: !ockamPeer && process.env.RAZOR_REQUIRE_OCKAM !== "1" && "RAZOR_OCKAM_PEER is not set" }, async () => {
    assert.ok(ockamPeer, "RAZOR_OCKAM_PEER must be set (scripts/ockam-peer builds it)");
    // Directly over WebSocket, and through a razor node that bridges Ockam's TCP to the edge.
    const bridge = start(process.env.RAZOR_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(process.env.HOME, ".cache/razor/target"), "debug", "razor"),
      ["node", "--name", "bridge", "--trust", "everyone", "--tcp", "127.0.0.1:0"], { env: { ...process.env, NO_COLOR: "1" } });
    const bridgeTcp = await waitFor("the bridge node", () => /tcp: tcp#(\S+)/.exec(bridge.output)?.[1]);
    const ockam = {
      direct: start(ockamPeer, ["relay-ws", `127.0.0.1:${edge.port}`], { env: { ...process.env, OCKAM_LOG_LEVEL: "warn" } }),
      bridged: start(ockamPeer, ["relay-tcp", bridgeTcp, `${edge.ws}/`], { env: { ...process.env, OCKAM_LOG_LEVEL: "warn" } }),
    };
    for (const [how, peer] of Object.entries(ockam)) {
      await waitFor(`the Ockam node (${how}) to register`, () => {
        if (peer.exitCode !== null) throw new Error(`ockam-peer exited:\n${peer.output}`);
        return peer.output.includes("ready");
      });
      const identifier = /identifier: (I[0-9a-f]{64})/.exec(peer.output)[1];
      const alias = /relay: (forward_to_\S+)/.exec(peer.output)[1];
      const reply = await alice.page.evaluate(async ({ route, identifier, payload }) => {
        const { node, identity } = window.razorDemo;
        const channel = await node.createSecureChannel(identity, route, { trust: { identifier } });
        const reply = await channel.request("echoer", new Uint8Array(payload), { timeoutMs: 10_000 });
        const verified = channel.theirIdentifier;
        channel.close();
        return { bytes: [...reply.payload], verified };
      }, { route: `ws#${edge.ws}/${alice.name} => ${alias} => secure`, identifier, payload: ockamString(`hello ockam ${how}`) });
      assert.equal(reply.verified, identifier);
      assert.deepEqual(reply.bytes, ockamString(`hello ockam ${how}`), `the Ockam echoer (${how}) answered`);
      assert.match(peer.output, new RegExp(`echoer got: hello ockam ${how}`));
    }
  });

/** A raw WebSocket to the edge (no Razor): resolves with the close event. */
function rawSocket(path = "/") {
  const socket = new WebSocket(`${edge.ws}${path}`);
  socket.binaryType = "arraybuffer";
  socket.closed = new Promise((resolve) => socket.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
  return new Promise((resolve, reject) => {
    socket.addEventListener("open", () => resolve(socket));
    socket.addEventListener("error", () => reject(new Error("could not open a raw socket")));
  });
}

/** A heartbeat frame (a TransportMessage with empty routes and payload), built by hand. */
const HEARTBEAT = new Uint8Array([2, 0, 0, 0, 0]);

/** A BARE TransportMessage (version 2) to local address `to`, built by hand. */
function frameTo(to, payload) {
  const out = [2];
  const uleb = (n) => { do { out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n >>>= 7; } while (n > 0); };
  const bytes = (b) => { uleb(b.length); out.push(...b); };
  const route = (hops) => { uleb(hops.length); for (const hop of hops) { out.push(0); bytes(new TextEncoder().encode(hop)); } };
  route([to]);
  route(["attacker"]);
  bytes(payload);
  out.push(0);
  return new Uint8Array(out);
}

/** Resolves with the close code once `socket` closes, or `undefined` if it is still open after `ms`. */
function closedWithin(socket, ms) {
  return Promise.race([socket.closed.then((c) => c.code), new Promise((r) => setTimeout(r, ms))]);
}

test("abuse gets its documented results and the chatting pair is not disturbed", async () => {
  const abuse = (async () => {
    const big = await rawSocket();
    big.send(new Uint8Array(70_000));
    assert.equal((await big.closed).code, 1009, "an oversized frame closes with 1009");

    const garbage = await rawSocket();
    garbage.send(crypto.getRandomValues(new Uint8Array(64)));
    assert.equal((await garbage.closed).code, 1007, "a malformed frame closes with 1007");

    const text = await rawSocket();
    text.send("hello");
    assert.equal((await text.closed).code, 1003, "a text frame closes with 1003");

    // A frame cut short.
    const truncated = await rawSocket();
    truncated.send(frameTo("echo", new TextEncoder().encode("cut short")).slice(0, 9));
    assert.equal((await truncated.closed).code, 1007, "a truncated frame closes with 1007");

    // A genuine echo request with each byte flipped in turn, one socket each: a flip that
    // breaks the frame closes its socket with 1007; one that still decodes is routed (or
    // refused) like any other message.
    const genuine = frameTo("echo", new TextEncoder().encode("mutate me"));
    const codes = await Promise.all(Array.from(genuine, async (_, i) => {
      const socket = await rawSocket();
      const mutated = genuine.slice();
      mutated[i] ^= 0x5a;
      socket.send(mutated);
      const code = await closedWithin(socket, 3_000);
      socket.close();
      return code;
    }));
    assert.ok(codes.every((code) => code === undefined || code === 1007), JSON.stringify(codes));
    assert.ok(codes.includes(1007));

    // 10,000 half-open handshakes (first messages, an ephemeral key each, never followed up)
    // at the Worker's own listener, over 20 sockets within the rate: at most 256 are held
    // and the rest dropped before any work; the other listener still shakes hands, and the
    // chatting pair (below) is not disturbed.
    const target = `flood-${nonce}`;
    const floods = await Promise.all(Array.from({ length: 20 }, () => rawSocket(`/${target}`)));
    for (const socket of floods) {
      for (let i = 0; i < 500; i++) socket.send(frameTo("secure", crypto.getRandomValues(new Uint8Array(32))));
    }
    const peers = async () => (await (await fetch(`${edge.http}/debug/stats?object=${target}`)).json()).peers;
    await waitFor("every first message counted", async () => {
      const p = await peers();
      return p && p.handshakesInProgress + p.handshakesRefused + p.handshakesFailed + p.handshakesExpired >= 10_000;
    }, 30_000);
    const held = await peers();
    assert.ok(held.handshakesInProgress <= 256, JSON.stringify(held));
    assert.ok(held.handshakesRefused >= 10_000 - 256, JSON.stringify(held));
    console.log(`  half-open flood at the Worker: ${JSON.stringify(held)}`);
    const client = await Node.create({ vault: "software" });
    const me = await client.createIdentity();
    const noise = await client.createSecureChannel(me, `ws#${edge.ws}/${target} => secure-noise`,
      { trust: { identifier: edge.identifier }, suite: "noise-chachapoly", timeoutMs: 20_000 });
    // The channel works: the Worker answers through it (whoami refuses this stranger, as
    // its policy says).
    await assert.rejects(noise.request("whoami", "", { timeoutMs: 20_000 }), (error) => error.code === "POLICY_DENIED");
    client.shutdown();
    for (const socket of floods) socket.close();

    const flood = await rawSocket();
    for (let i = 0; i < 2_000 && flood.readyState === WebSocket.OPEN; i++) flood.send(HEARTBEAT);
    const flooded = await flood.closed;
    assert.equal(flooded.code, 1008, "a flood closes with 1008");
    assert.match(flooded.reason, /rate limit/);

    // 1,000 sends to a relay name nobody holds, paced under the rate limit: each is answered
    // by an UNKNOWN_ADDRESS notice, up to 20 per second per connection pair; the rest are
    // dropped (those senders time out). Nothing else happens.
    const node = await Node.create({ vault: "software" });
    const hop = await node.connect(`${edge.ws}/`);
    const outcomes = { UNKNOWN_ADDRESS: 0, TIMEOUT: 0, other: [] };
    for (let batch = 0; batch < 5; batch++) {
      const sends = Array.from({ length: 200 }, () =>
        node.request(`${hop} => forward_to_nobody-${nonce} => echo`, "x", { timeoutMs: 2_500 }).then(
          () => outcomes.other.push("delivered"),
          (error) => (error.code in outcomes ? outcomes[error.code]++ : outcomes.other.push(error.code)),
        ));
      await Promise.all(sends);
    }
    node.shutdown();
    assert.deepEqual(outcomes.other, []);
    assert.equal(outcomes.UNKNOWN_ADDRESS + outcomes.TIMEOUT, 1_000);
    assert.ok(outcomes.UNKNOWN_ADDRESS >= 20 && outcomes.UNKNOWN_ADDRESS <= 200, JSON.stringify(outcomes));
    return outcomes;
  })();
  for (let i = 0; i < 5; i++) {
    await chat(alice, bob, `during the abuse ${i} ${nonce}`);
    await chat(bob, alice, `still here ${i} ${nonce}`);
  }
  console.log(`  unknown-name sends: ${JSON.stringify(await abuse)}`);
});

test("a restart of the relay's workerd: clients notice, re-register, a new channel works, a send while down fails", async () => {
  await edge.down();
  for (const who of [alice, bob]) {
    await who.page.waitForFunction(() => document.querySelector("[data-testid=status]").textContent.includes("reconnecting"),
      null, { timeout: 20_000 });
  }
  // A message sent while the relay is down is reported to the sender.
  await alice.page.fill("[data-testid=text]", "lost in the void");
  await alice.page.click("[data-testid=send]");
  await alice.page.waitForFunction(() => document.querySelector("[data-testid=steps]").textContent.includes("could not send"),
    null, { timeout: 10_000 });
  await edge.up();
  for (const who of [alice, bob]) {
    await who.page.waitForFunction(() => document.querySelector("[data-testid=steps]").textContent.includes("registered again"),
      null, { timeout: 30_000 });
  }
  await pair();
  await chat(alice, bob, `after the restart ${nonce}`);
  await chat(bob, alice, `welcome back ${nonce}`);
});
