/**
 * Methods the Control UI needs beyond the core set:
 * - `config.raw` (admin): talon.json as written (with `${ENV}` references), for the editor.
 * - `config.validate` (read): `{raw}` → `{ok, issues: [{path, message}]}` without writing; `${ENV}`
 *   references are substituted only for admin callers.
 * - `config.apply` (admin): validate, write atomically (keeping talon.json.bak), audit `config.change`;
 *   the answer names the sections that differ from the running config (`changed`): none is re-read
 *   while the gateway runs, so `restartRequired` is true whenever any differs (`gateway.restart`).
 * - `ui.signin.create` (admin): a one-time sign-in code for `talon dashboard` (valid once, 60 s).
 * - `ui.signin.redeem` (read): called on a connection authenticated with such a code; revokes the code
 *   atomically (of parallel redeems exactly one wins) and returns a session token that expires (12 h by
 *   default). A code is a credential of kind `signin`: a connection opened with it can call nothing but
 *   `ui.signin.redeem` and is closed after it (ws_connection.ts), and HTTP refuses it (http_security.ts).
 * Sign-in codes and sessions are ordinary credentials (hashed in the store); their age decides expiry,
 * so `sweep()` (run it periodically) revokes the stale ones, also after a restart.
 */
import { talonCommand } from "../../core/cli_name.ts";
import { z } from "zod";
import { ConfigError, TalonError } from "../../core/errors.ts";
import { randomToken } from "../../core/ids.ts";
import { REDACTED, redactValue } from "../../core/redact.ts";
import { type Env, validateConfig } from "../../config/load.ts";
import { configSchema } from "../../config/schema.ts";
import { substituteEnv } from "../../config/substitute.ts";
import { writeConfigFile } from "../../config/write.ts";
import type { AuditRepo } from "../../store/audit.ts";
import type { Credential, CredentialRepo } from "../../store/credentials.ts";
import { hasScope, type MethodDef, type MethodRegistry } from "./registry.ts";

export interface UiMethodDeps {
  credentials: CredentialRepo;
  audit: AuditRepo;
  /** Re-reads credentials into the authenticator, so a revoked code or session stops working at once. */
  reloadAuth(options?: { keepConnectionsOf?: string[] }): Promise<void>;
  /** Path of talon.json. */
  configFile: string;
  env: Env;
  now(): number;
  /**
   * The config sections whose effective value differs between the running gateway and talon.json (they
   * take effect on restart). Without it every apply is reported as needing a restart.
   */
  pendingChanges?: () => Promise<{ changed: string[] }>;
  /** Lifetime of a sign-in code (default 60 s). */
  signinTtlMs?: number;
  /** Lifetime of a session created from a code (default 12 h). */
  sessionTtlMs?: number;
}

export interface ConfigIssue {
  path: string;
  message: string;
}

export const SIGNIN_CODE_NAME = "control-ui sign-in code";
export const SIGNIN_SESSION_NAME = "control-ui session";

const rawParams = z.object({ raw: z.record(z.string(), z.unknown()) });

/**
 * Puts the stored value back wherever the editor sent a redacted secret unchanged (`config.raw` never
 * sends secrets; a value the user typed in their place is kept as typed).
 */
export function restoreSecrets(next: unknown, stored: unknown): unknown {
  if (next === REDACTED) return stored;
  if (Array.isArray(next)) {
    return next.map((v, i) => restoreSecrets(v, Array.isArray(stored) ? stored[i] : undefined));
  }
  if (next && typeof next === "object") {
    const s = stored && typeof stored === "object" ? stored as Record<string, unknown> : {};
    return Object.fromEntries(Object.entries(next).map(([k, v]) => [k, restoreSecrets(v, s[k])]));
  }
  return next;
}

/**
 * Checks a raw config the way loading it would; returns the problems with their dotted paths. With
 * `env: undefined` the `${VAR}` references are validated as the literal strings they are, so the answer
 * says nothing about which variables exist or what they hold.
 */
export function configIssues(
  raw: Record<string, unknown>,
  env: Env | undefined,
  file: string,
): ConfigIssue[] {
  let substituted: unknown = raw;
  try {
    if (env) substituted = substituteEnv(raw, env, file);
  } catch (err) {
    return [{ path: "", message: (err as Error).message }];
  }
  const result = configSchema.safeParse(substituted);
  if (result.success) return [];
  return result.error.issues.map((i) => {
    const path = i.path.map(String).join(".");
    if (i.code === "unrecognized_keys") {
      return {
        path,
        message: `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}`,
      };
    }
    return { path, message: i.message.replace(/^Invalid input: /, "") };
  });
}

/** Registers the UI methods (skipping any name another module registered first). */
export function registerUiMethods(
  registry: MethodRegistry,
  deps: UiMethodDeps,
): { sweep(): Promise<number> } {
  const signinTtl = deps.signinTtlMs ?? 60_000;
  const sessionTtl = deps.sessionTtlMs ?? 12 * 3600_000;
  const ttlOf = (c: Credential) =>
    c.name === SIGNIN_CODE_NAME ? signinTtl : c.name === SIGNIN_SESSION_NAME ? sessionTtl : undefined;

  /** talon.json as stored ({} when missing or unreadable: nothing to restore from). */
  const storedConfig = async (): Promise<unknown> => {
    try {
      return JSON.parse(await Deno.readTextFile(deps.configFile));
    } catch {
      return {};
    }
  };

  const sweep = async () => {
    let n = 0;
    for (const c of await deps.credentials.list()) {
      const ttl = ttlOf(c);
      if (ttl !== undefined && c.createdAt + ttl <= deps.now() && await deps.credentials.revoke(c.id)) n++;
    }
    if (n) await deps.reloadAuth();
    return n;
  };

  const add = <P>(def: MethodDef<P>) => {
    if (!registry.get(def.name)) registry.add(def);
  };

  add({
    name: "config.raw",
    scope: "admin",
    params: z.object({}).passthrough(),
    description:
      "talon.json as written (with ${ENV} references), secrets redacted, for the Control UI editor.",
    handler: async () => {
      try {
        const raw = JSON.parse(await Deno.readTextFile(deps.configFile));
        return { path: deps.configFile, raw: redactValue(raw), redacted: REDACTED };
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return { path: deps.configFile, raw: {} };
        throw new ConfigError(`Cannot read config ${deps.configFile}: ${(err as Error).message}`);
      }
    },
  });
  add({
    name: "config.validate",
    scope: "read",
    params: rawParams,
    description: "Validates a raw config without writing: {ok, issues:[{path, message}]}. " +
      "Below admin, ${ENV} references are not substituted (the answer must not reveal the environment), " +
      "nor are redacted secrets put back.",
    handler: async ({ raw: sent }, ctx) => {
      const admin = hasScope(ctx.scopes, "admin");
      const env = admin ? deps.env : undefined;
      const raw = (admin ? restoreSecrets(sent, await storedConfig()) : sent) as Record<string, unknown>;
      const issues = configIssues(raw, env, deps.configFile);
      return { ok: issues.length === 0, issues };
    },
  });
  add({
    name: "config.apply",
    scope: "admin",
    params: rawParams,
    description: "Validates and writes talon.json (atomic, keeps .bak); takes effect on restart: " +
      "{restartRequired, changed} name the sections that differ from the running config.",
    handler: async ({ raw: sent }, ctx) => {
      const raw = restoreSecrets(sent, await storedConfig()) as Record<string, unknown>;
      const issues = configIssues(raw, deps.env, deps.configFile);
      if (issues.length) {
        throw new ConfigError(
          `Invalid config: ${
            issues.slice(0, 5).map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")
          }`,
          { details: { issues } },
        );
      }
      validateConfig(raw, { env: deps.env, file: deps.configFile });
      await writeConfigFile(deps.configFile, raw, deps.env);
      await deps.audit.record({
        kind: "config.change",
        outcome: "ok",
        actor: `gateway:${ctx.credentialId}`,
        detail: { via: "control-ui", file: deps.configFile, sections: Object.keys(raw).sort() },
      });
      if (!deps.pendingChanges) return { ok: true, path: deps.configFile, restartRequired: true };
      const { changed } = await deps.pendingChanges();
      return { ok: true, path: deps.configFile, restartRequired: changed.length > 0, changed };
    },
  });
  add({
    name: "ui.signin.create",
    scope: "admin",
    params: z.object({}).passthrough(),
    description: "A one-time Control UI sign-in code (open /#signin=<code>); valid once, briefly.",
    handler: async (_p, ctx) => {
      await sweep();
      const creator = (await deps.credentials.list()).find((c) => c.id === ctx.credentialId);
      const code = randomToken(32);
      const cred = await deps.credentials.put({
        name: SIGNIN_CODE_NAME,
        kind: "signin",
        scopes: creator?.scopes ?? [...ctx.scopes],
        token: code,
      });
      await deps.audit.record({
        kind: "ui.signin.create",
        outcome: "ok",
        actor: `gateway:${ctx.credentialId}`,
      });
      return { code, fragment: `#signin=${code}`, expiresAt: cred.createdAt + signinTtl };
    },
  });
  add({
    name: "ui.signin.redeem",
    scope: "read",
    params: z.object({}).passthrough(),
    description: "Exchanges the one-time code this connection signed in with for an expiring session token.",
    handler: async (_p, ctx) => {
      const cred = (await deps.credentials.list()).find((c) => c.id === ctx.credentialId);
      if (!cred || cred.kind !== "signin") {
        throw new TalonError("FORBIDDEN", "Only a connection signed in with a one-time code can redeem it");
      }
      // Marked used first, so a later connection with it is told "already used", not "expired".
      await deps.credentials.touch(cred.id);
      // The UPDATE … WHERE revoked_at IS NULL succeeds for exactly one caller: the code is used once.
      if (!await deps.credentials.revoke(cred.id)) {
        throw new TalonError(
          "UNAUTHORIZED",
          `This link was already used — run \`${talonCommand("dashboard")}\` again`,
        );
      }
      // The code stops working for new connections at once; this connection stays to get its answer.
      await deps.reloadAuth({ keepConnectionsOf: [cred.id] });
      if (cred.createdAt + signinTtl <= deps.now()) {
        throw new TalonError(
          "UNAUTHORIZED",
          `The sign-in link has expired; run \`${talonCommand()} dashboard\` again`,
        );
      }
      const token = randomToken(32);
      const session = await deps.credentials.put({
        name: SIGNIN_SESSION_NAME,
        kind: "operator",
        scopes: cred.scopes,
        token,
      });
      await deps.audit.record({ kind: "ui.signin.redeem", outcome: "ok", actor: session.id });
      return { token, expiresAt: session.createdAt + sessionTtl };
    },
  });
  return { sweep };
}
