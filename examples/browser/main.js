// The page opens a secure channel to the Razor node at VITE_RAZOR_PEER (host:port) that must
// be VITE_RAZOR_PEER_ID; its identity's keys are non-extractable WebCrypto keys kept in
// IndexedDB, so a reload is the same identity. A dedicated Web Worker opens its own channel.
// With VITE_RAZOR_OUTLET set, the page also fetches / from the HTTP service behind the peer's
// TCP portal outlet (`razor node --outlet 127.0.0.1:8000`) through the channel.
import { RazorNode } from "@razor-sh/razor";

const peer = import.meta.env.VITE_RAZOR_PEER ?? "127.0.0.1:4000";
const peerId = import.meta.env.VITE_RAZOR_PEER_ID;
const show = (id, text) => (document.getElementById(id).textContent = text);

async function fromThePage() {
  const node = await RazorNode.create({ name: "page", persist: "razor-example" });
  const identity = await node.createIdentity({ name: "me" });
  show("vault", node.vault);
  show("id", identity.identifier);
  const channel = await node.createSecureChannel(identity, `ws#${peer} => secure`, { trust: { identifier: peerId } });
  show("echo", (await channel.request("echo", "hello through the channel")).text);
  if (import.meta.env.VITE_RAZOR_OUTLET) {
    const response = await channel.fetch("http://service/hello.txt");
    show("portal", `${response.status} ${await response.text()}`);
  }
}

function fromAWorker() {
  const worker = new Worker(new URL("./channel-worker.js", import.meta.url), { type: "module" });
  worker.onmessage = ({ data }) => (data.error ? show("error", data.error) : show("worker-echo", data.echo));
  worker.postMessage({ peer, peerId });
}

fromThePage().catch((e) => show("error", `${e.name} ${e.code} ${e.message}`));
fromAWorker();
