/** Waiting with a deadline, for tests: fails with a message instead of hanging. */

/** Polls `fn` until it returns something other than undefined; fails with `what` after `ms`. */
export async function eventually<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
}

/**
 * A test body with a deadline: after `ms` it fails with a message instead of hanging (what it awaited is
 * left behind, so the sanitizers may add their own report). Its timer is cleared when the body settles.
 */
export function bounded(fn: () => Promise<void>, ms = 30_000): () => Promise<void> {
  return async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test did not finish within ${ms} ms`)), ms);
    });
    try {
      await Promise.race([fn(), late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
