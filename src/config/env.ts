import type { Env } from "./load.ts";

/** The process environment, read once. The only place outside tests that reads Deno.env. */
export function processEnv(): Env {
  return Object.freeze(Deno.env.toObject());
}
