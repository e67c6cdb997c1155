// The routing demo in JavaScript (wasm): two nodes on the in-memory transport, a message over
// a 3-hop route, and the echo back by the return route alone, printing each hop.
import { MemoryNetwork, Node } from "@razor-sh/razor";

const network = new MemoryNetwork();
const alice = new Node("alice");
const bob = new Node("bob");
alice.attachMemory(network, "alice");
bob.attachMemory(network, "bob");

const printHop = ({ node, onward, returnRoute }) =>
  console.log(`  hop on ${node.padEnd(5)}  onward: [${onward}]  return: [${returnRoute}]`);
alice.startHop("hop", printHop);
bob.startHop("hop", printHop);
bob.startEcho("echo");

const route = "hop => mem#bob => hop => echo";
console.log(`alice sends "hello" along [${route}]`);
const reply = await alice.request(route, new TextEncoder().encode("hello"), 5000);
const text = new TextDecoder().decode(reply.payload);
console.log(`alice got ${JSON.stringify(text)} back; its return route was [${reply.returnRoute}]`);
alice.shutdown();
bob.shutdown();
if (text !== "hello") process.exit(1);
