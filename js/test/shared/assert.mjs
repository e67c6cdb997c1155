// A small assert for test cases that run in Node, in browsers and in Web Workers alike.
export class AssertionError extends Error {
  name = "AssertionError";
}

function fail(message) {
  throw new AssertionError(message);
}

const show = (value) => {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};

export const assert = {
  ok(value, message = `expected a truthy value, got ${show(value)}`) {
    if (!value) fail(message);
  },
  equal(actual, expected, message) {
    if (!Object.is(actual, expected)) fail(message ?? `expected ${show(expected)}, got ${show(actual)}`);
  },
  deepEqual(actual, expected, message) {
    if (show(actual) !== show(expected)) fail(message ?? `expected ${show(expected)}, got ${show(actual)}`);
  },
  /** Awaits `promise` (or calls an async function) and checks the rejection with `check`. */
  async rejects(work, check, message) {
    let outcome;
    try {
      await (typeof work === "function" ? work() : work);
      outcome = undefined;
    } catch (error) {
      outcome = { error };
    }
    if (!outcome) fail(message ?? "expected a rejection");
    if (check && !check(outcome.error)) {
      fail(message ?? `unexpected rejection: ${outcome.error?.name} ${outcome.error?.code} ${outcome.error?.message}`);
    }
    return outcome.error;
  },
};

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition()` holds, at most `within` ms. */
export async function eventually(condition, within = 10_000, what = "condition") {
  const deadline = Date.now() + within;
  while (!(await condition())) {
    if (Date.now() > deadline) fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The next `type` event from `target`, at most `within` ms. */
export function nextEvent(target, type, within = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new AssertionError(`no ${type} event within ${within} ms`)), within);
    target.addEventListener(type, (event) => {
      clearTimeout(timer);
      resolve(event);
    }, { once: true });
  });
}
