/// <reference lib="esnext.disposable" />
// Razor's JavaScript API: an idiomatic layer over the wasm-bindgen classes in ../pkg.
//
//   await using node = await RazorNode.create();
//   const identity = await node.createIdentity();
//   const channel = await node.createSecureChannel(identity, "ws#127.0.0.1:4000 => secure",
//                                                  { trust: { identifier: serverId } });
//   const reply = await channel.request("echo", "hello");
//
// The wasm is loaded on first use by the entry point for the runtime (see ./entries).
import "./polyfills.js";

export * from "./errors.js";
export * from "./values.js";
export * from "./identity.js";
export * from "./channel.js";
export * from "./portal.js";
export * from "./connection.js";
export * from "./relay.js";
export * from "./logging.js";
export * from "./node.js";
/** The node class under its short name (it shadows the DOM's `Node` where both are in scope). */
export { RazorNode as Node } from "./node.js";
