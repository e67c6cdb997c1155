// The edge's limits, from the Worker's environment (wrangler vars), with the defaults below.
// Every limit has a documented result (docs/ARCHITECTURE.md, "The edge"): a close code for
// what concerns a whole connection, a notice for what concerns one message.
import type { Vars } from "./env.js";

export interface Limits {
  /** Largest frame accepted; a larger one closes the connection with 1009. */
  maxFrame: number;
  /** Frames per second one connection may send on average; more closes it with 1008. */
  rate: number;
  /** Frames one connection may send in a burst. */
  burst: number;
  /** Relays one connection may hold; more are refused with a LIMIT_EXCEEDED notice. */
  relaysPerConnection: number;
  /** An object with no traffic for this long unloads its Razor node (sockets stay). */
  idleMs: number;
  /** Handshakes each of the object's secure channel listeners has in progress at once; first
   * messages beyond it are dropped. */
  maxHandshakes: number;
  /** Channels each of the object's listeners holds at once (a Durable Object has 128 MB);
   * first messages beyond it are dropped until one closes. */
  maxChannels: number;
}

function number(value: string | undefined, fallback: number): number {
  const parsed = value === undefined ? NaN : Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

/** The limits `env` sets, each unset or invalid one at its default. */
export function limits(env: Vars): Limits {
  return {
    maxFrame: number(env.RAZOR_EDGE_MAX_FRAME, 1024 * 1024),
    rate: number(env.RAZOR_EDGE_RATE, 200),
    burst: number(env.RAZOR_EDGE_BURST, 400),
    relaysPerConnection: number(env.RAZOR_EDGE_RELAYS_PER_CONNECTION, 8),
    idleMs: number(env.RAZOR_EDGE_IDLE_MS, 30_000),
    maxHandshakes: number(env.RAZOR_EDGE_MAX_HANDSHAKES, 256),
    maxChannels: number(env.RAZOR_EDGE_MAX_CHANNELS, 2_000),
  };
}

/** A token bucket: `rate` per second, `burst` at most. */
export class TokenBucket {
  #tokens: number;
  #at = Date.now();
  constructor(private readonly rate: number, private readonly burst: number) {
    this.#tokens = burst;
  }

  take(): boolean {
    const now = Date.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.rate);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
