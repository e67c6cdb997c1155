// The plain values of the API: payloads, messages, options, how things end, traffic counts.
import type * as wasm from "../pkg/razor.js";
import { type ErrorCode, RazorError, typed } from "./errors.js";

/** Bytes, or text sent as UTF-8. */
export type Payload = Uint8Array | string;

/** @internal */
export function bytes(payload: Payload): Uint8Array {
  return typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
}

/** A message delivered to this node. */
export interface Message {
  /** The payload bytes. */
  readonly payload: Uint8Array;
  /** The payload as UTF-8 text. */
  readonly text: string;
  /** The route back to the sender, `a => b` form. */
  readonly returnRoute: string;
  /** The sender's identifier, if the message came through a secure channel. */
  readonly peerIdentifier?: string;
  /** The sender's verified credential attributes (empty without a channel). */
  readonly peerAttributes: Readonly<Record<string, string>>;
}

const utf8 = new TextDecoder();

/** @internal */
export function message(inner: wasm.Message): Message {
  const payload = inner.payload;
  let text: string | undefined;
  return {
    payload,
    // Decoded when first read: most binary payloads never are (16 KiB cost ~28 µs each).
    get text() {
      return (text ??= utf8.decode(payload));
    },
    returnRoute: inner.returnRoute,
    peerIdentifier: inner.peerIdentifier,
    peerAttributes: { ...(inner.peerAttributes as Record<string, string>) },
  };
}

/** How long to wait and when to give up, for calls that wait. */
export interface WaitOptions {
  /** Give up with `TIMEOUT` after this many milliseconds (defaults: see each call). */
  timeoutMs?: number;
  /** Give up with an `AbortError` (`ABORTED`, `cause` = the signal's reason) when it aborts. */
  signal?: AbortSignal;
}

/** Whom a secure channel accepts as its peer. There is no default. */
export type Trust =
  | "everyone"
  | {
      /** The one identifier to accept. */
      identifier: string;
    }
  | {
      /** Any of these identifiers. */
      identifiers: string[];
    }
  | {
      /** Whoever presents a valid credential from this authority (its change history). */
      issuer: Uint8Array;
    }
  | {
      /** Whoever satisfies this ABAC expression, e.g. `(= subject.role "admin")`. */
      policy: string;
    };

/** The channel's cipher suite: Ockam's (default) or standard Noise with ChaCha20-Poly1305. */
export type Suite = "ockam-aes-gcm" | "noise-chachapoly";

/** A step of a secure channel's handshake (`ChannelOptions.onEvent`). */
export type ChannelEvent =
  | {
      /** A handshake message went out or came in. */
      type: "sent" | "received";
      /** Which of the three. */
      number: 1 | 2 | 3;
      /** Its size. */
      bytes: number;
    }
  | {
      /** The peer's identity verified and its trust policy satisfied. */
      type: "verified";
      /** The peer. */
      identifier: string;
    }
  | {
      /** The handshake failed. */
      type: "failed";
      /** Why. */
      code: ErrorCode;
    };

/** How a channel that lost its connection is opened again (`ChannelOptions.reconnect`). */
export interface ReconnectOptions {
  /** Attempts before giving up (default 10). */
  attempts?: number;
  /** Wait before the first attempt (default 250 ms), doubling after each failure... */
  initialDelayMs?: number;
  /** ...up to this (default 5 000 ms). */
  maxDelayMs?: number;
}

/** Options of `createSecureChannel` and `createSecureChannelListener`. */
export interface ChannelOptions {
  /** Required: whom to accept. */
  trust: Trust;
  /** Default `"ockam-aes-gcm"`. */
  suite?: Suite;
  /** Handshake timeout; default 30 000 ms. */
  timeoutMs?: number;
  /** `createSecureChannelListener` only: handshakes in progress at once (default 1,024); first
   * messages beyond it are dropped. */
  maxHandshakes?: number;
  /** `createSecureChannelListener` only: channels held at once, established or not (default
   * 10,000); first messages beyond it are dropped until one closes. */
  maxChannels?: number;
  /** Change histories of authorities whose credentials to verify. */
  authorities?: Uint8Array[];
  /** Called with each handshake step: messages sent and received, the peer verified, a failure. */
  onEvent?: (event: ChannelEvent) => void;
  /** `createSecureChannel` only: give up the handshake when it aborts. */
  signal?: AbortSignal;
  /**
   * `createSecureChannel` only, opt-in: when the channel's connection is lost, open a new channel
   * over the same route with the same options (the transport redials it) and emit `reconnected`
   * on the channel. Messages sent while it is down fail with `CHANNEL_CLOSED`. Off by default.
   */
  reconnect?: boolean | ReconnectOptions;
}

/** Why something ended: closed here (`local`), by the peer, because its connection was lost
 * (channels), because it failed (connections, with the error), or because the node shut down. */
export type CloseReason = "local" | "peer" | "connection-lost" | "failed" | "shutdown";

/** How a channel, a connection or a listener ended. */
export interface CloseInfo {
  /** Why it ended. */
  readonly reason: CloseReason;
  /** For `failed`: what failed. */
  readonly error?: RazorError;
}

/** @internal */
export function closeInfo(raw: { reason: string; error?: unknown }): CloseInfo {
  const error = raw.error === undefined ? undefined : typed(raw.error);
  return {
    reason: raw.reason as CloseReason,
    ...(error instanceof RazorError ? { error } : {}),
  };
}

/** Messages and bytes each way so far (a channel counts payloads; a connection, frames). */
export interface Stats {
  /** Messages (frames) sent. */
  readonly messagesSent: number;
  /** Their bytes. */
  readonly bytesSent: number;
  /** Messages (frames) received. */
  readonly messagesReceived: number;
  /** Their bytes. */
  readonly bytesReceived: number;
}

/** What peers did to a node (`RazorNode.peerMetrics`). */
export interface PeerMetrics {
  /** Handshakes this node answers that have not finished yet. */
  readonly handshakesInProgress: number;
  /** First handshake messages dropped: their listener had as many in progress as it allows. */
  readonly handshakesRefused: number;
  /** Handshakes torn down because they did not finish in time. */
  readonly handshakesExpired: number;
  /** First handshake messages dropped: their listener held as many channels as it allows. */
  readonly channelsRefused: number;
  /** Handshakes that failed (a forged message, an untrusted peer). */
  readonly handshakesFailed: number;
  /** Frames that did not decode; each closed its connection. */
  readonly malformedFrames: number;
  /** Echo answers dropped because the asker was not reading. */
  readonly repliesDropped: number;
}

/** Options of `RazorNode.retrieveCredential`. */
export interface RetrieveCredentialOptions {
  /** The authority's identifier: the channel accepts only it, and it must have signed the credential. */
  issuer: string;
  /** Default 30 000 ms, for the channel and the answer together. */
  timeoutMs?: number;
  /** Give up when this aborts. */
  signal?: AbortSignal;
}
