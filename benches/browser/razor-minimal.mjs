// Razor's minimal browser bundle for the size comparison: what one channel between two
// identities needs (the package's default entry; its wasm is counted beside the JS).
import { MemoryNetwork, RazorNode } from "@razor-sh/razor";

export async function roundTrip(message) {
  const network = await MemoryNetwork.create();
  const [a, b] = [await RazorNode.create(), await RazorNode.create()];
  a.attachMemory(network, "a");
  b.attachMemory(network, "b");
  const [ida, idb] = [await a.createIdentity(), await b.createIdentity()];
  b.createSecureChannelListener(idb, "secure", { trust: { identifier: ida.identifier } });
  b.startEcho("echo");
  const channel = await a.createSecureChannel(ida, "mem#b => secure", { trust: { identifier: idb.identifier } });
  return (await channel.request("echo", message)).payload;
}
window.razorMinimal = { roundTrip };
