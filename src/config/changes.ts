import type { Config } from "./schema.ts";

/**
 * The top-level config sections whose effective value differs between two validated configs (what a
 * restart would change). Nothing in the config is re-read while the gateway runs — it is loaded once,
 * validated and frozen — so every section listed here takes effect only after a restart.
 */
export function changedSections(running: Readonly<Config>, next: Readonly<Config>): string[] {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)]);
  const a = running as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}
