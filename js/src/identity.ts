// Identities, and where they are kept between runs: IndexedDB in browsers (`persist: "db"`),
// or any store of sealed bytes (`persist: { store, secret }`): a file in Node and Deno, a
// Durable Object's storage, KV.
import * as wasm from "../pkg/razor.js";
import { ArgumentError, call, callSync } from "./errors.js";

/** What seals an exported identity: a 32-byte key (fast; keep it apart) or a passphrase (PBKDF2, 600 000 rounds). */
export type IdentitySecret =
  | {
      /** 32 random bytes. */
      key: Uint8Array;
    }
  | {
      /** A passphrase (stretched with PBKDF2). */
      passphrase: string;
    };

/**
 * Where a node keeps named identities between runs, as sealed bytes (`identity.export`'s
 * format: the key is encrypted with the node's `secret`). Whoever has both the bytes and the
 * secret holds the identity.
 */
export interface IdentityStore {
  /** The sealed identity kept under `name`, if any. */
  get(name: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** Keeps `sealed` under `name`, replacing what was there. */
  set(name: string, sealed: Uint8Array): void | Promise<void>;
}

/** Identities in memory: for tests, and the shape to copy for your own storage. */
export function memoryStore(): IdentityStore {
  const entries = new Map<string, Uint8Array>();
  return {
    get: (name) => entries.get(name),
    set: (name, sealed) => void entries.set(name, sealed),
  };
}

/**
 * Identities as files in `directory` (Node and Deno; created if missing), one
 * `<name>.identity` file each, written atomically (a temporary file renamed over the old).
 */
export function fileStore(directory: string): IdentityStore {
  // Not a literal: bundlers for browsers and Workers leave it alone.
  const fsModule = "node:fs/promises";
  const fs = () => import(/* @vite-ignore */ fsModule) as Promise<typeof import("node:fs/promises")>;
  const path = (name: string) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith(".")) {
      throw new ArgumentError("INVALID_ARGUMENT", `an identity name for a file store is letters, digits, _ . - (got ${JSON.stringify(name)})`);
    }
    return `${directory.replace(/\/+$/, "")}/${name}.identity`;
  };
  return {
    async get(name) {
      try {
        return new Uint8Array(await (await fs()).readFile(path(name)));
      } catch (error) {
        if ((error as { code?: string }).code === "ENOENT") return undefined;
        throw error;
      }
    },
    async set(name, sealed) {
      const { mkdir, writeFile, rename } = await fs();
      await mkdir(directory, { recursive: true });
      const target = path(name);
      const temporary = `${target}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(temporary, sealed, { mode: 0o600 });
      await rename(temporary, target);
    },
  };
}

/** @internal Where a stored identity lives, to save it again after a rotation. */
export interface StoredAs {
  node: wasm.Node;
  store: IdentityStore;
  secret: IdentitySecret;
  name: string;
}

/** An identity: an identifier and keys in the node's vault. */
export class Identity {
  #inner: wasm.Identity;
  #stored?: StoredAs;
  /** Credentials added, to present again after a stored identity is re-imported. */
  #credentials: Uint8Array[] = [];

  private constructor(inner: wasm.Identity, stored?: StoredAs) {
    this.#inner = inner;
    this.#stored = stored;
  }

  /** @internal */
  static wrap(inner: wasm.Identity, stored?: StoredAs): Identity {
    return new Identity(inner, stored);
  }

  /** @internal */
  get inner(): wasm.Identity {
    return this.#inner;
  }

  /** `I` + 64 hex digits, stable across rotations. */
  get identifier(): string {
    return this.#inner.identifier;
  }

  /** Ockam's binary change history: give it to peers that trust this identity as an authority. */
  changeHistory(): Uint8Array {
    return this.#inner.changeHistory();
  }

  /**
   * The identity and its current key, sealed with `{ key }` (32 random bytes you keep apart) or
   * `{ passphrase }`: keep the bytes where the identity must survive (a Worker secret, a file)
   * and open them with `node.importIdentity`. Whoever has both holds the identity. Keys a
   * WebCrypto vault keeps non-extractable cannot be exported: create identities to export on a
   * node with `vault: "software"`, or keep them in a store (`persist: { store, secret }`).
   */
  export(protection: IdentitySecret): Promise<Uint8Array> {
    return call(() => this.#inner.export(protection));
  }

  /** Rotates to a fresh key; the identifier stays. A stored identity is saved again. */
  async rotate(kind: "ed25519" | "p256" = "ed25519"): Promise<void> {
    const stored = this.#stored;
    if (!stored) return call(() => this.#inner.rotate(kind));
    const sealed = await stored.store.get(stored.name);
    if (!sealed) throw new ArgumentError("INVALID_ARGUMENT", `identity ${stored.name} is no longer in its store`);
    const rotated = await call(() => stored.node.rotateSealed(sealed, stored.secret, kind));
    await stored.store.set(stored.name, rotated);
    const inner = await call(() => stored.node.importIdentity(rotated, stored.secret));
    for (const credential of this.#credentials) inner.addCredential(credential);
    this.#inner = inner;
  }

  /** Issues a credential about `subject` with `attributes`, valid for `ttlSeconds`. */
  issueCredential(subject: Identity | Uint8Array, attributes: Record<string, string>, ttlSeconds: number): Promise<Uint8Array> {
    const history = subject instanceof Identity ? subject.changeHistory() : subject;
    return call(() => this.#inner.issueCredential(history, attributes, ttlSeconds));
  }

  /** Presents `credential` (from `issueCredential`) in future handshakes. */
  addCredential(credential: Uint8Array): void {
    callSync(() => this.#inner.addCredential(credential));
    if (this.#stored) this.#credentials.push(credential);
  }
}
