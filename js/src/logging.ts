// Razor's logs: to the console by level, or to a function of yours as structured records.
import { ready, wasm } from "./loading.js";

/** One log event. */
export interface LogRecord {
  /** How much it matters. */
  readonly level: "error" | "warn" | "info" | "debug" | "trace";
  /** The Rust module it comes from, e.g. `razor_core::channel::worker`. */
  readonly target: string;
  /** What happened. */
  readonly message: string;
  /** The event's named values (`peer`, `address`, `error`, ...). */
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/** How a realm logs (`initLogging`, `NodeOptions.logging`). */
export interface LoggingOptions {
  /** Which events, like `RUST_LOG` without regexes: `"info"` (default), `"razor_core=debug,info"`. */
  filter?: string;
  /** Receives each record; default: `console.error/warn/info/debug` by level. */
  logger?: (record: LogRecord) => void;
}

/**
 * Starts Razor's logging in this JS realm (a page, a worker, an isolate): once; later calls
 * change nothing. Without it Razor logs nothing.
 */
export async function initLogging(options: LoggingOptions | string = {}): Promise<void> {
  await ready();
  const { filter = "info", logger } = typeof options === "string" ? { filter: options } : options;
  wasm.initLogging(filter, logger as ((record: unknown) => void) | undefined);
}
