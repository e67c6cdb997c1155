/// <reference lib="esnext.disposable" />
// Relays: the relay service a node can run (Ockam's `forwarding_service`), and relays a node
// registers on one so that others reach it through the service's node.
import "./polyfills.js";
import type { Identity } from "./identity.js";
import type { Trust } from "./values.js";

/** What a relay service reports (`startRelayService({ onEvent })`). */
export type RelayServiceEvent =
  | {
      /** A relay was registered (or registered again). */
      type: "registered";
      /** Its alias, e.g. `forward_to_alice`. */
      alias: string;
      /** Where it forwards to. */
      routeBack: string;
      /** The connection it came over, if any. */
      connection?: string;
    }
  | {
      /** A relay went (its connection closed). */
      type: "removed";
      /** Its alias. */
      alias: string;
    };

/** How an owned-names relay service decides names (see `startRelayService`). */
export interface RelayNames {
  /** Throws (with a message for the client) to refuse `name`. */
  check(name: string): void;
  /** A fresh, unguessable name. */
  random(): string;
  /** Records that `identifier` owns `name` unless another identity does; resolves to whether it owns it now. */
  claim(name: string, identifier: string): boolean | Promise<boolean>;
}

/** Options of `startRelayService`. */
export interface RelayServiceOptions {
  /** Put in front of every alias; Ockam's is `"forward_to_"`. Default none. */
  prefix?: string;
  /** Owned names: chosen names only through a secure channel, kept by the first identity that
   * claims them; random names otherwise. Without it, every client gets what it asks for. */
  names?: RelayNames;
  /** Relays one connection may hold (default 16). */
  relaysPerConnection?: number;
  /** Called when a relay registers or goes. */
  onEvent?: (event: RelayServiceEvent) => void;
}

/** Options of `createRelay`. */
export interface RelayOptions {
  /** The name to ask for; default a random one the service picks. A chosen name needs `identity`. */
  name?: string;
  /** Register through a secure channel to the service's node as this identity (owned names). */
  identity?: Identity;
  /** Whom to accept as the service's node (with `identity`); required then. */
  trust?: Trust;
  /** Where the service's node listens for channels; default `"secure"`. */
  listener?: string;
  /** Timeout of each step, default 10 000 ms. */
  timeoutMs?: number;
  /** Re-register after the connection drops (default true), retrying with backoff. */
  reconnect?: boolean;
}

/** @internal The wasm layer's kept relay (`createRelay`). */
export interface KeptRelay {
  readonly alias: string;
  readonly hop: string;
  close(): void;
}

/** @internal What the wasm layer reports of a kept relay. */
export type KeptRelayEvent = { type: "registered"; alias: string; hop: string } | { type: "lost"; error?: unknown };

/**
 * A relay this node registered on a relay service (`Node.createRelay`): others reach this node
 * at `<their hop to the service> => <relay.alias>`. Kept registered across reconnects (the
 * registering, watching and jittered backoff are the Rust core's, shared with `razor node
 * --relay`). Emits `registered` (after every re-registration; `detail.alias`) and `lost` (the
 * connection dropped, or `detail.error` when a re-registration attempt failed).
 */
export class Relay extends EventTarget implements AsyncDisposable {
  #inner: KeptRelay | undefined;
  #closed = false;
  private constructor(
    /** The URL of the relay service's node. */
    readonly url: string,
  ) {
    super();
  }

  /** @internal Starts a relay; `open(onEvent)` registers it in the wasm layer. */
  static async start(
    url: string,
    open: (onEvent: (event: KeptRelayEvent) => void) => Promise<KeptRelay>,
    typed: (error: unknown) => unknown,
  ): Promise<Relay> {
    const relay = new Relay(url);
    relay.#inner = await open((event) => {
      if (event.type === "registered") {
        relay.dispatchEvent(new CustomEvent("registered", { detail: { alias: event.alias } }));
      } else {
        const detail = event.error === undefined ? {} : { error: typed(event.error) };
        relay.dispatchEvent(new CustomEvent("lost", { detail }));
      }
    });
    return relay;
  }

  /** The alias others route to, e.g. `forward_to_bob` (a random name can change on re-registration); `""` while not registered. */
  get alias(): string {
    return this.#inner?.alias ?? "";
  }

  /** This node's connection to the relay service's node; `""` while not registered. */
  get hop(): string {
    return this.#inner?.hop ?? "";
  }

  /** Whether the relay is registered now. */
  get isRegistered(): boolean {
    return !this.#closed && this.alias !== "";
  }

  /** Stops re-registering and closes the connection (the relay goes with it); resolves once closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#inner?.close();
  }

  /** `await using relay = ...` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
