// The routing demo in JavaScript (wasm): two nodes on the in-memory transport, a message over
// a 3-hop route, and the echo back by the return route alone, printing each hop.
import { MemoryNetwork, Node } from "@razor-sh/razor";

const network = await MemoryNetwork.create();
const alice = await Node.create({ name: "alice" });
const bob = await Node.create({ name: "bob" });
alice.attachMemory(network, "alice");
bob.attachMemory(network, "bob");

const printHop = ({ node, onward, returnRoute }) =>
  console.log(`  hop on ${node.padEnd(5)}  onward: [${onward}]  return: [${returnRoute}]`);
alice.startHop("hop", printHop);
bob.startHop("hop", printHop);
bob.startEcho("echo");

const route = "hop => mem#bob => hop => echo";
console.log(`alice sends "hello" along [${route}]`);
const reply = await alice.request(route, "hello", { timeoutMs: 5000 });
console.log(`alice got ${JSON.stringify(reply.text)} back; its return route was [${reply.returnRoute}]`);
alice.shutdown();
bob.shutdown();
if (reply.text !== "hello") process.exit(1);
