// Runtimes without explicit resource management yet get the well-known symbols TypeScript's
// `using` / `await using` helpers look for, so `[Symbol.asyncDispose]` methods exist everywhere.
const symbols = Symbol as unknown as { dispose?: symbol; asyncDispose?: symbol };
symbols.dispose ??= Symbol.for("Symbol.dispose");
symbols.asyncDispose ??= Symbol.for("Symbol.asyncDispose");

export {};
