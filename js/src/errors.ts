// Razor's errors: one class per kind of failure, each with the exact `code` (generated from
// Rust's list, ./error-codes.ts), and the conversion from the wasm's errors.
import { ERROR_KINDS, type ErrorCode } from "./error-codes.js";

export type { ErrorCode, ErrorKind } from "./error-codes.js";

/** Options of Razor's error constructors. */
export interface RazorErrorOptions {
  /** Whether another node reported the error. */
  remote?: boolean;
  /** What caused it (an abort signal's reason, an error from the platform). */
  cause?: unknown;
}

/** Base class of Razor's errors; `code` says exactly what happened. */
export class RazorError extends Error {
  /** The class's name, for logs. */
  override name = "RazorError";
  /** Whether another node reported the error (it could not deliver what this node sent). */
  readonly remote: boolean;
  /**
   * @param code exactly what happened (one of `ErrorCode`)
   * @param message a description for people
   * @param options whether it is remote, and its cause
   */
  constructor(
    /** Exactly what happened, e.g. `"IDENTITY_MISMATCH"`. */
    readonly code: ErrorCode,
    message: string,
    options: RazorErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.remote = options.remote ?? false;
  }
}
/** Nothing arrived in time (`TIMEOUT`). */
export class TimeoutError extends RazorError {
  /** The class\'s name, for logs. */
  override name = "TimeoutError";
}
/** A connection could not be made or broke, or a channel closed (`CONNECT_FAILED`, `CHANNEL_CLOSED`, ...). */
export class TransportError extends RazorError {
  /** The class\'s name, for logs. */
  override name = "TransportError";
}
/** The peer was not accepted (`IDENTITY_MISMATCH`, `POLICY_DENIED`, `CREDENTIAL_EXPIRED`, ...). */
export class TrustError extends RazorError {
  /** The class\'s name, for logs. */
  override name = "TrustError";
}
/** The peer broke the protocol (`HANDSHAKE`, `DECRYPT`, `REPLAY`, `DECODE`, ...). */
export class ProtocolError extends RazorError {
  /** The class\'s name, for logs. */
  override name = "ProtocolError";
}
/** A bad argument from the caller (`INVALID_ARGUMENT`, `ADDRESS_PARSE`). */
export class ArgumentError extends RazorError {
  /** The class\'s name, for logs. */
  override name = "ArgumentError";
}
/** Routing or node state (`UNKNOWN_ADDRESS`, `MAILBOX_FULL`, `NODE_SHUT_DOWN`, `WORKER_FAILED`, ...). */
export class RoutingError extends RazorError {
  /** The class\'s name, for logs. */
  override name = "RoutingError";
}
/** The caller's `AbortSignal` aborted the operation (`ABORTED`); `cause` is the signal's reason. */
export class AbortError extends RazorError {
  /** The class\'s name, for logs. */
  override name = "AbortError";
}

/** @internal The typed error for an error from the wasm (others pass through). */
export function typed(error: unknown, signal?: AbortSignal): unknown {
  const e = error as { name?: string; code?: ErrorCode; message?: string; remote?: boolean };
  if (e?.name !== "RazorError" || !e.code) return error;
  const message = e.message ?? e.code;
  // The wasm's own error object stays reachable as the cause (an abort's cause is its reason).
  const options: RazorErrorOptions = { remote: e.remote === true, cause: error };
  switch (ERROR_KINDS[e.code] ?? "routing") {
    case "timeout":
      return new TimeoutError(e.code, message, options);
    case "trust":
      return new TrustError(e.code, message, options);
    case "transport":
      return new TransportError(e.code, message, options);
    case "protocol":
      return new ProtocolError(e.code, message, options);
    case "argument":
      return new ArgumentError(e.code, message, options);
    case "aborted":
      return new AbortError(e.code, message, { ...options, cause: signal ? signal.reason : error });
    default:
      return new RoutingError(e.code, message, options);
  }
}

/** @internal Runs `work`, turning the wasm's errors into typed ones. */
export async function call<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw typed(error, signal);
  }
}

/** @internal `call` for synchronous work. */
export function callSync<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw typed(error);
  }
}

/** @internal Whether `error` is a Razor error with one of `codes`. */
export function hasCode(error: unknown, ...codes: ErrorCode[]): boolean {
  return error instanceof RazorError && codes.includes(error.code);
}
