// Razor's demo page, using the npm package as any app would.
//
// Each tab gets its own identity (WebCrypto, non-extractable, kept in IndexedDB under a name
// this tab keeps in sessionStorage), connects to the edge at <edge>/<name>, registers the relay
// name through a secure channel to the edge (so the name belongs to this identity), and listens
// for channels. Another tab opens a channel to `<edge> => forward_to_<name> => secure`.
//
// Query parameters: ?edge=http://host:port (default: VITE_RAZOR_EDGE or http://127.0.0.1:8787),
// ?name=<relay name>, ?native=<the native node's relay name> (default "native").
import { Node, RazorError } from "@razor-sh/razor";
import { decodeNotice, decodeTransportMessage, formatRoute, fromHex, toHex } from "./wire-view.js";

const params = new URLSearchParams(location.search);
const edgeHttp = (params.get("edge") ?? import.meta.env.VITE_RAZOR_EDGE ?? "http://127.0.0.1:8787").replace(/\/$/, "");
const edgeWs = edgeHttp.replace(/^http/, "ws");
const nativeName = params.get("native") ?? "native";

const $ = (id) => document.getElementById(id);
const short = (id) => (id ? `${id.slice(0, 10)}…${id.slice(-6)}` : "?");
const hex4 = () => [...crypto.getRandomValues(new Uint8Array(2))].map((b) => b.toString(16).padStart(2, "0")).join("");

function step(text, kind = "") {
  const item = document.createElement("li");
  item.className = kind;
  const time = new Date().toISOString().slice(11, 23);
  item.textContent = `${time}  ${text}`;
  $("steps").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function status(id, text, kind = "") {
  $(id).textContent = text;
  $(id).className = `status ${kind}`;
}

function chatLine(who, text, kind) {
  const item = document.createElement("li");
  item.className = kind;
  const from = document.createElement("span");
  from.className = "from";
  from.textContent = who;
  const body = document.createElement("span");
  body.className = "body";
  body.textContent = text;
  item.append(from, body);
  $("messages").append(item);
  item.scrollIntoView({ block: "nearest" });
}

/** A plain sentence for each failure a visitor can meet. */
function plain(error, context) {
  if (!(error instanceof RazorError)) return `${context}: ${error?.message ?? error}`;
  switch (error.code) {
    case "CONNECT_FAILED":
    case "CONNECTION_CLOSED":
      return `${context}: the relay is unreachable (${edgeHttp})`;
    case "UNKNOWN_ADDRESS":
      return error.remote ? `${context}: no peer by that name is connected to the relay` : `${context}: unknown address`;
    case "NAME_TAKEN":
      return `${context}: that relay name belongs to another identity; pick another`;
    case "TIMEOUT":
      return `${context}: the peer did not answer in time`;
    case "CHANNEL_CLOSED":
      return `${context}: the channel is closed; open a new one`;
    case "IDENTITY_MISMATCH":
    case "POLICY_DENIED":
    case "ACCESS_DENIED":
    case "UNTRUSTED_ISSUER":
    case "CREDENTIAL_EXPIRED":
      return `${context}: the peer's identity is not trusted (${error.code})`;
    default:
      return `${context}: ${error.code} ${error.message}`;
  }
}

const tab = (sessionStorage.razorDemoTab ??= hex4() + hex4());
const node = await Node.create({ name: `demo-${tab}`, persist: "razor-demo" });
const identity = await node.createIdentity({ name: `tab-${tab}` });
$("identifier").textContent = identity.identifier;
$("vault").textContent =
  node.vault === "webcrypto"
    ? "keys: WebCrypto, non-extractable, kept in this browser (IndexedDB) for this tab"
    : "keys: software vault (this browser lacks WebCrypto Ed25519/X25519)";
$("name").value = params.get("name") ?? sessionStorage.razorDemoName ?? `guest-${hex4()}`;
step(`identity ${short(identity.identifier)} ready (${node.vault} vault)`);

let me; // { name, hop, relay, edgeId }
let current; // { channel, target, label }

// Messages from peers arrive at this node's "chat" worker, through a channel.
node.startWorker("chat", (message) => {
  step(`message received through the channel from ${short(message.peerIdentifier)}`, "in");
  chatLine(short(message.peerIdentifier), message.text, "in");
});

function enable(connected) {
  for (const id of ["open-edge", "open-native"]) $(id).disabled = !connected;
  $("peer-form").querySelector("button").disabled = !connected;
}

function use(channel, target, label) {
  current = { channel, target, label };
  status("peer-info", `channel open to ${label}, verified as ${channel.theirIdentifier}`, "ok");
  $("text").disabled = false;
  $("send-form").querySelector("button").disabled = false;
  node.whenStopped(channel.address).then(() => {
    if (current?.channel !== channel) return;
    step(`channel to ${label} closed`, "err");
    status("peer-info", `the channel to ${label} was closed (by the peer, or the connection dropped): open a new one`, "err");
  });
  // Answers to what we send (echo replies) come back to the channel's inbox.
  (async () => {
    try {
      for await (const reply of channel) {
        step(`reply received through the channel from ${short(channel.theirIdentifier)}`, "in");
        chatLine(label, reply.text, "in");
      }
    } catch (error) {
      if (current?.channel === channel) step(plain(error, "the channel"), "err");
    }
  })();
}

async function open(route, trust, label, target) {
  step(`opening a secure channel to ${label} along ${route}`);
  const channel = await node.createSecureChannel(identity, route, {
    trust,
    timeoutMs: 10_000,
    onEvent: (event) => {
      if (event.type === "sent") step(`handshake message ${event.number} sent (${event.bytes} B)`);
      if (event.type === "received") step(`handshake message ${event.number} received (${event.bytes} B)`);
      if (event.type === "verified") step(`peer verified as ${event.identifier}`, "ok");
    },
  });
  use(channel, target, label);
  return channel;
}

/** The edge's debug tap keeps at most this many bytes of each frame (workers-edge/src/relay-object.ts). */
const TAP_KEPT = 4096;

/** A line of text in a `<span>` of class `kind`. */
function span(kind, text) {
  const element = document.createElement("span");
  element.className = kind;
  element.textContent = text;
  return element;
}

/** One frame the edge forwarded, as the edge sees it: the routing header it reads, decoded,
 * beside the payload it cannot read. */
function frameItem(frame) {
  const item = document.createElement("li");
  item.className = frame.direction;
  const bytes = fromHex(frame.hex) ?? new Uint8Array();
  const cut = bytes.length >= TAP_KEPT;
  const arrow = frame.direction === "in" ? "→ edge" : "edge →";
  const via = frame.via.startsWith("link") ? frame.via : "this tab";
  item.append(span("frame-head", `${arrow} ${via}  ${bytes.length}${cut ? "+" : ""} B`));
  const message = decodeTransportMessage(bytes, { cut });
  if (!message.ok) {
    item.append(span("frame-error", `cannot decode as a TransportMessage: ${message.reason}`));
    item.append(span("frame-cipher", `${frame.hex.slice(0, 96)}${bytes.length > 48 ? "…" : ""}`));
    return item;
  }
  item.append(span("frame-route", `onward: ${formatRoute(message.onward)}`));
  item.append(span("frame-route", `return: ${formatRoute(message.returnRoute)}`));
  const notice = message.onward.length === 0 ? decodeNotice(message.payload) : undefined;
  if (notice) {
    item.append(span("frame-payload", `payload: ${message.payloadLength} B, a notice in the clear: ${notice.code} ${notice.detail}`));
    return item;
  }
  const what = message.onward.length === 0 ? "nothing to deliver (a heartbeat)" : "handshake or ciphertext: the edge cannot read it";
  item.append(span("frame-payload", `payload: ${message.payloadLength} B, ${what}`));
  const shown = toHex(message.payload.subarray(0, 32));
  if (shown) item.append(span("frame-cipher", `${shown}${message.payloadLength > 32 ? "…" : ""}`));
  return item;
}

async function pollFrames() {
  let since = 0;
  for (;;) {
    try {
      const response = await fetch(`${edgeHttp}/debug/frames?object=${encodeURIComponent(me.name)}&since=${since}`);
      if (response.status === 404) {
        $("frames").textContent = "(the edge's debug tap is off)";
        return;
      }
      for (const frame of await response.json()) {
        since = Math.max(since, frame.seq);
        $("frames").prepend(frameItem(frame));
        while ($("frames").childElementCount > 60) $("frames").lastChild.remove();
      }
    } catch {
      // The relay is down: the status line says so.
    }
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
}

$("connect-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("name").value.trim();
  $("connect").disabled = true;
  try {
    step(`asking ${edgeHttp} for the edge's identity`);
    const response = await fetch(`${edgeHttp}/identity`).catch(() => undefined);
    if (!response?.ok) throw new Error(`the relay is unreachable (${edgeHttp})`);
    const { identifier: edgeId } = await response.json();
    step(`edge identity ${short(edgeId)}; connecting to ${edgeWs}/${name}`);
    const relay = await node.createRelay(`${edgeWs}/${name}`, {
      name,
      identity,
      trust: { identifier: edgeId },
    });
    relay.addEventListener("registered", (e) => {
      step(`registered again as ${e.detail.alias}`, "ok");
      status("status", `connected as ${name}: others reach you at forward_to_${name}`, "ok");
    });
    relay.addEventListener("lost", (e) => {
      step(e.detail.error ? plain(e.detail.error, "reconnecting") : "connection to the relay lost; reconnecting", "err");
      status("status", "connection to the relay lost; reconnecting…", "err");
    });
    me = { name, relay, edgeId, hop: `ws#${edgeWs}/${name}` };
    sessionStorage.razorDemoName = name;
    step(`registered relay ${relay.alias} (owned by this identity)`, "ok");
    status("status", `connected as ${name}: others reach you at forward_to_${name}`, "ok");
    $("wire-object").textContent = name;
    $("name").disabled = true;
    enable(true);
    const listener = node.createSecureChannelListener(identity, "secure", {
      trust: "everyone",
      onEvent: (e) => {
        if (e.type === "received" && e.number === 1) step("a peer is opening a channel: handshake message 1 received");
        if (e.type === "verified") step(`peer verified as ${e.identifier}`, "ok");
      },
    });
    void pollFrames();
    for await (const channel of listener) {
      step(`channel accepted from ${short(channel.theirIdentifier)}`, "ok");
      use(channel, "chat", short(channel.theirIdentifier));
    }
  } catch (error) {
    $("connect").disabled = false;
    step(plain(error, "could not connect"), "err");
    status("status", plain(error, "could not connect"), "err");
  }
});

$("peer-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const peer = $("peer").value.trim();
  try {
    await open(`${me.hop} => forward_to_${peer} => secure`, "everyone", peer, "chat");
  } catch (error) {
    step(plain(error, `channel to ${peer}`), "err");
    status("peer-info", plain(error, `channel to ${peer}`), "err");
  }
});

$("open-edge").addEventListener("click", async () => {
  try {
    const channel = await open(`${me.hop} => secure`, { identifier: me.edgeId }, "the edge", "echo");
    const whoami = await channel.request("whoami", "", { timeoutMs: 10_000 });
    step(`the edge says: ${whoami.text}`, "ok");
    chatLine("edge", `whoami: ${whoami.text}`, "in");
  } catch (error) {
    step(plain(error, "channel to the edge"), "err");
    status("peer-info", plain(error, "channel to the edge"), "err");
  }
});

$("open-native").addEventListener("click", async () => {
  try {
    await open(`${me.hop} => forward_to_${nativeName} => secure`, "everyone", "the native node", "echo");
  } catch (error) {
    step(plain(error, "channel to the native node"), "err");
    status("peer-info", plain(error, "channel to the native node"), "err");
  }
});

$("send-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value;
  if (!current || !text) return;
  try {
    await current.channel.send(current.target, text);
    step(`message sent through the channel to ${current.label} (${new TextEncoder().encode(text).length} B of plaintext)`, "out");
    chatLine("you", text, "out");
    $("text").value = "";
  } catch (error) {
    step(plain(error, "could not send"), "err");
    chatLine("not sent", text, "err");
  }
});

window.razorDemo = { node, identity, ready: true };
