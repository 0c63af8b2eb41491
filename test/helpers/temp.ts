/** Temporary state directories for tests. */
export async function tempHome(
  prefix = "talon-test-",
): Promise<{ dir: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix });
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** An env for tests: only what the code under test should see. */
export function testEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: home, TALON_HOME: home, ...extra };
}
