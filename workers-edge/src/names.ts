// Relay names and the Durable Objects that hold them.
//
// A relay name is `<object>` or `<object>.<suffix>`: the part before the first dot names the
// Durable Object (`idFromName`) that holds the registered peer's WebSocket and its relay, so a
// message to `forward_to_<name>` from any object goes straight to the one that can deliver it.
// A peer that wants the name `bob` connects to `<edge>/bob` (its socket lands in object `bob`)
// and registers `bob` through a secure channel to the edge, which makes its identity the
// owner. A peer connecting to `<edge>/` lands in a fresh object with a random name, and
// registrations without a channel get random names `<object>.<8 hex>`.

/** Object names: 1–40 of a–z, 0–9, '-', '_', starting with a letter or digit. */
const OBJECT = /^[a-z0-9][a-z0-9_-]{0,39}$/;
/** Relay names: an object name, optionally `.` and a suffix of 1–23 of the same characters. */
const RELAY = /^[a-z0-9][a-z0-9_-]{0,39}(\.[a-z0-9_-]{1,23})?$/;
/** Ockam's relay alias prefix. */
export const RELAY_PREFIX = "forward_to_";

export function isObjectName(name: string): boolean {
  return OBJECT.test(name);
}

/** The object that holds relay `name`, or `undefined` for a name the edge never grants. */
export function objectOf(name: string): string | undefined {
  return RELAY.test(name) ? name.split(".")[0] : undefined;
}

/** The object for a relay alias (`forward_to_<name>`), or `undefined` if it is not one. */
export function objectOfAlias(alias: string): string | undefined {
  const value = alias.startsWith("0#") ? alias.slice(2) : alias;
  return value.startsWith(RELAY_PREFIX) ? objectOf(value.slice(RELAY_PREFIX.length)) : undefined;
}

/** The hop of an object's link to object `<name>` is `link.<name>`. */
export const LINK_PREFIX = "link.";

/** The object a link hop (`link.<object>`) leads to, or `undefined` if it is not one. */
export function objectOfLink(address: string): string | undefined {
  const value = address.startsWith("0#") ? address.slice(2) : address;
  if (!value.startsWith(LINK_PREFIX)) return undefined;
  const object = value.slice(LINK_PREFIX.length);
  return isObjectName(object) ? object : undefined;
}

export function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A fresh object for a connection that named none. */
export function randomObjectName(): string {
  return randomHex(16);
}

/** Why `name` cannot be registered in object `object` (or `undefined` if it can). */
export function refusal(name: string, object: string): string | undefined {
  const home = objectOf(name);
  if (home === undefined) {
    return "relay names are an object name (1-40 of a-z, 0-9, '-', '_') with an optional '.suffix' (1-23 more)";
  }
  if (home !== object) return `connect to <edge>/${home} to register ${name}`;
  return undefined;
}
