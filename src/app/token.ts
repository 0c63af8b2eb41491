import type { Config } from "../config/schema.ts";
import type { TalonPaths } from "../config/paths.ts";
import { randomToken } from "../core/ids.ts";
import type { CredentialRepo } from "../store/credentials.ts";

export interface GatewayToken {
  token: string;
  /** Where it came from: config/env, the token file, or generated now. */
  source: "config" | "file" | "generated";
}

export const GATEWAY_CREDENTIAL_ID = "gateway";

/**
 * The gateway admin token: from config (or TALON_TOKEN), else the token file, else a new one written to
 * the token file with 0600 permissions. Its hash is registered as the `gateway` credential (admin).
 */
export async function ensureGatewayToken(deps: {
  config: Readonly<Config>;
  paths: TalonPaths;
  credentials: CredentialRepo;
}): Promise<GatewayToken> {
  let result: GatewayToken;
  const configured = deps.config.gateway.auth.token;
  if (configured) {
    result = { token: configured, source: "config" };
  } else {
    const existing = await readTokenFile(deps.paths.tokenFile);
    if (existing) {
      result = { token: existing, source: "file" };
    } else {
      const token = randomToken(32);
      const dir = deps.paths.tokenFile.slice(0, deps.paths.tokenFile.lastIndexOf("/"));
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      await Deno.writeTextFile(deps.paths.tokenFile, token + "\n", { mode: 0o600, createNew: true });
      result = { token, source: "generated" };
    }
  }
  await deps.credentials.put({
    id: GATEWAY_CREDENTIAL_ID,
    name: "gateway token",
    kind: "gateway",
    scopes: ["read", "write", "admin"],
    token: result.token,
  });
  return result;
}

/** Reads the token file; undefined when it does not exist or is empty. */
export async function readTokenFile(path: string): Promise<string | undefined> {
  try {
    const text = (await Deno.readTextFile(path)).trim();
    return text || undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}
