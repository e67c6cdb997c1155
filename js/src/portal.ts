/// <reference lib="esnext.disposable" />
// Portals: a byte stream through a secure channel to a TCP portal outlet (Ockam's protocol,
// so an Ockam outlet or a Razor node's `--outlet`), as a WHATWG stream pair, and an HTTP/1.1
// `fetch` over one.
import "./polyfills.js";
import type * as wasm from "../pkg/razor.js";
import { call, ProtocolError } from "./errors.js";

/** How a portal connection ended: closed here, by the other side, or with its channel. */
export type PortalEnd = "local" | "remote" | "channel-closed";

/** Options of `SecureChannel.openPortal` and `SecureChannel.fetch`. */
export interface PortalOptions {
  /** The outlet's address on the peer's node; default `"outlet"` (Ockam's convention). */
  outlet?: string;
  /** How long the outlet has to answer; default 30 000 ms. An outlet that cannot reach its
   * service never answers, so this is how that shows: `TIMEOUT`. */
  timeoutMs?: number;
  /** Give up opening (and, for `fetch`, the whole exchange) when this aborts. */
  signal?: AbortSignal;
}

/**
 * One connection through a portal: what is written to `writable` reaches the service behind
 * the outlet, what it answers comes out of `readable`. The protocol has no half-close:
 * closing `writable` (or `close()`) ends both directions, and the service's side closes too;
 * when the service closes, `readable` ends.
 */
export class PortalStream implements AsyncDisposable {
  #inner: wasm.Portal;
  /** What the service sends. */
  readonly readable: ReadableStream<Uint8Array>;
  /** What to send to the service. */
  readonly writable: WritableStream<Uint8Array>;
  /** Settles with how the connection ended. */
  readonly closed: Promise<PortalEnd>;

  private constructor(inner: wasm.Portal) {
    this.#inner = inner;
    this.closed = call(() => inner.closed() as Promise<PortalEnd>);
    this.readable = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = await inner.read();
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
      cancel: () => this.close(),
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => call(() => inner.write(chunk)),
      close: () => this.close(),
      abort: () => this.close(),
    });
  }

  /** @internal */
  static wrap(inner: wasm.Portal): PortalStream {
    return new PortalStream(inner);
  }

  /** The identifier the channel under the portal authenticated (the outlet's node). */
  get peerIdentifier(): string {
    return this.#inner.peerIdentifier;
  }

  /** Ends the connection both ways; resolves once it ended. Safe to call again. */
  async close(): Promise<void> {
    await call(() => this.#inner.close());
  }

  /** `await using portal = ...` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Request headers the HTTP layer here writes itself. */
const OWN_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding"]);
/** The most response head bytes read before giving up. */
const MAX_HEAD = 64 * 1024;

/** Bytes owned here (what `Response` bodies take). */
type Bytes = Uint8Array<ArrayBuffer>;

/** Bytes read from a portal, with what was read but not yet consumed. */
class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer: Bytes = new Uint8Array(0);
  #ended = false;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
  }

  /** Reads more; false at the end. */
  async #more(): Promise<boolean> {
    if (this.#ended) return false;
    const { value, done } = await this.#reader.read();
    if (done) {
      this.#ended = true;
      return false;
    }
    this.#buffer = concat(this.#buffer, value);
    return true;
  }

  /** Everything up to and including `delimiter` (at most `max` bytes), or throws. */
  async until(delimiter: Uint8Array, max: number): Promise<Bytes> {
    for (;;) {
      const at = indexOf(this.#buffer, delimiter);
      if (at >= 0) return this.take(at + delimiter.length);
      if (this.#buffer.length > max) throw malformed("the response head is too large");
      if (!(await this.#more())) throw malformed("the response ended early");
    }
  }

  /** Exactly `n` bytes, or throws. */
  async exactly(n: number): Promise<Bytes> {
    while (this.#buffer.length < n) {
      if (!(await this.#more())) throw malformed("the response body ended early");
    }
    return this.take(n);
  }

  /** Everything to the end. */
  async rest(): Promise<Bytes> {
    while (await this.#more());
    return this.take(this.#buffer.length);
  }

  take(n: number): Bytes {
    const taken = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.slice(n);
    return taken;
  }
}

function malformed(what: string): ProtocolError {
  return new ProtocolError("DECODE", `portal fetch: ${what}`);
}

function concat(a: Uint8Array, b: Uint8Array): Bytes {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const CRLF = encoder.encode("\r\n");
const CRLFCRLF = encoder.encode("\r\n\r\n");

/** The request as HTTP/1.1 bytes (`Connection: close`: one request per portal connection). */
async function requestBytes(request: Request): Promise<Bytes> {
  const url = new URL(request.url);
  const body = new Uint8Array(await request.arrayBuffer());
  const lines = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, "Connection: close"];
  request.headers.forEach((value, name) => {
    if (!OWN_HEADERS.has(name)) lines.push(`${name}: ${value}`);
  });
  if (body.length > 0 || !["GET", "HEAD"].includes(request.method)) lines.push(`Content-Length: ${body.length}`);
  return concat(encoder.encode(`${lines.join("\r\n")}\r\n\r\n`), body);
}

/** Reads one HTTP/1.1 response (Content-Length, chunked, or to the end). */
async function readResponse(reader: ByteReader, method: string): Promise<Response> {
  const head = decoder.decode(await reader.until(CRLFCRLF, MAX_HEAD)).split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(head[0] ?? "");
  if (!status) throw malformed(`not an HTTP/1.x status line: ${JSON.stringify(head[0]?.slice(0, 80))}`);
  const headers = new Headers();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const code = Number(status[1]);
  let body: Bytes | null;
  if (method === "HEAD" || code === 204 || code === 304 || code < 200) {
    body = null;
  } else if (/\bchunked\b/i.test(headers.get("transfer-encoding") ?? "")) {
    const parts: Bytes[] = [];
    for (;;) {
      const size = parseInt(decoder.decode(await reader.until(CRLF, 1024)), 16);
      if (!Number.isFinite(size) || size < 0) throw malformed("bad chunk size");
      if (size === 0) break;
      parts.push(await reader.exactly(size));
      await reader.exactly(2);
    }
    body = parts.reduce((all, part) => concat(all, part), new Uint8Array(0));
  } else if (headers.has("content-length")) {
    body = await reader.exactly(Number(headers.get("content-length")));
  } else {
    body = await reader.rest();
  }
  headers.delete("transfer-encoding");
  headers.delete("connection");
  return new Response(body, { status: code, statusText: status[2] ?? "", headers });
}

/** @internal `SecureChannel.fetch`: one request over a new portal connection. */
export async function fetchThroughPortal(
  open: () => Promise<PortalStream>,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const request = new Request(input, init);
  const bytes = await requestBytes(request);
  const portal = await open();
  try {
    const writer = portal.writable.getWriter();
    await writer.write(bytes);
    // No half-close in portals: the writable stays open until the response is read.
    writer.releaseLock();
    return await readResponse(new ByteReader(portal.readable.getReader()), request.method);
  } finally {
    await portal.close();
  }
}
