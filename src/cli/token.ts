/**
 * `talon token create|list|revoke`: extra gateway credentials (e.g. a read-only token for a dashboard, a
 * write token for a script). Works on the store directly, so it needs no running gateway; afterwards it
 * asks a running gateway (best effort) to reload its credentials so a revoke takes effect at once.
 */
import { talonCommand } from "../core/cli_name.ts";
import { parseArgs } from "node:util";
import { GATEWAY_CREDENTIAL_ID } from "../app/token.ts";
import { describeError } from "../core/errors.ts";
import { randomToken } from "../core/ids.ts";
import { type Credential, type CredentialRepo, type Scope, SCOPES } from "../store/credentials.ts";
import { fileUrl, openStore } from "../store/mod.ts";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { connectLocalGateway, formatDuration, loadCliConfig } from "./shared.ts";

const USAGE = `Usage: talon token <create|list|revoke> [options]

  talon token create --name <name> --scopes read[,write[,admin]]
                                    a new gateway token, printed once (only its hash is stored)
  talon token list                  live credentials (id, name, kind, scopes, created, last used)
  talon token revoke <id>           the token stops working (the gateway token cannot be revoked here)

Scopes: read (status, history, lists), write (send messages, run agents), admin (config, approvals,
tokens); a higher scope includes the lower ones.
Options: --json  machine-readable output; --config <file>; --url ws://host:port/ws (for the reload)
Exit codes: 0 ok, 1 failure (unknown id), 2 usage error.`;

const NAME_MAX = 100;

/** Parses `read,write` into the implied scope list (`write` → read, write). Throws TypeError. */
export function parseScopes(text: string): Scope[] {
  const asked = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (asked.length === 0) throw new TypeError("--scopes is empty");
  for (const s of asked) {
    if (!(SCOPES as readonly string[]).includes(s)) {
      throw new TypeError(`unknown scope "${s}"; scopes are ${SCOPES.join(", ")}`);
    }
  }
  const top = Math.max(...asked.map((s) => SCOPES.indexOf(s as Scope)));
  return SCOPES.slice(0, top + 1);
}

/** What the best-effort reload achieved, as a sentence. */
export type ReloadGateway = () => Promise<string>;

function renderList(list: Credential[], now: number): string {
  if (list.length === 0) return "No credentials.";
  const ago = (t: number) => `${formatDuration(Math.max(0, now - t))} ago`;
  return list.map((c) =>
    `${c.id}  ${c.name}  (${c.kind}; ${c.scopes.join(",")})  created ${ago(c.createdAt)}` +
    `  last used ${c.lastUsedAt ? ago(c.lastUsedAt) : "never"}`
  ).join("\n");
}

/** Runs the token subcommands against a repo; `reload` tells a running gateway. Exported for tests. */
export async function runToken(
  argv: string[],
  io: CliIo,
  repo: CredentialRepo,
  reload: ReloadGateway,
  now = Date.now,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean", default: false },
      config: { type: "string" },
      url: { type: "string" },
      name: { type: "string" },
      scopes: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [sub, id, ...extra] = positionals;
  const usage = (msg: string) => {
    io.err(`talon token${sub ? ` ${sub}` : ""}: ${msg}\n\n${USAGE}`);
    return EXIT.usage;
  };
  if (extra.length || (sub !== "revoke" && id !== undefined)) {
    return usage(`unexpected argument "${extra[0] ?? id}"`);
  }
  if (sub !== "create" && (values.name !== undefined || values.scopes !== undefined)) {
    return usage("--name and --scopes only go with create");
  }
  switch (sub) {
    case "create": {
      const name = values.name?.trim();
      if (!name) return usage("--name is required");
      if (name.length > NAME_MAX) return usage(`--name is longer than ${NAME_MAX} characters`);
      if (values.scopes === undefined) {
        return usage("--scopes is required (read, read,write or read,write,admin)");
      }
      let scopes: Scope[];
      try {
        scopes = parseScopes(values.scopes);
      } catch (err) {
        return usage((err as Error).message);
      }
      const token = randomToken(32);
      const cred = await repo.put({ name, kind: "operator", scopes, token });
      const note = await reload();
      if (values.json) {
        io.out(JSON.stringify({ id: cred.id, name, scopes, token, gateway: note }, null, 2));
      } else {
        io.out(
          [
            `Created ${cred.id} "${name}" with scopes ${scopes.join(",")}.`,
            `Token (shown once, store it now): ${token}`,
            note,
          ].join("\n"),
        );
      }
      return EXIT.ok;
    }
    case "list": {
      const list = await repo.list();
      io.out(values.json ? JSON.stringify(list, null, 2) : renderList(list, now()));
      return EXIT.ok;
    }
    case "revoke": {
      if (!id) return usage(`expected a credential id (see ${talonCommand()} token list)`);
      if (id === GATEWAY_CREDENTIAL_ID) {
        io.err(
          "talon token revoke: the gateway token cannot be revoked; change gateway.auth.token or the token file " +
            "and restart the gateway",
        );
        return EXIT.failure;
      }
      if (!(await repo.revoke(id))) {
        io.err(`talon token revoke: no live credential ${id}`);
        return EXIT.failure;
      }
      const note = await reload();
      io.out(
        values.json ? JSON.stringify({ revoked: id, gateway: note }, null, 2) : `Revoked ${id}.\n${note}`,
      );
      return EXIT.ok;
    }
    default:
      return usage(sub ? `unknown subcommand "${sub}"` : "expected a subcommand");
  }
}

/** Asks the running gateway to reload its credentials; never throws. */
export function gatewayReloader(io: CliIo, opts: { config?: string; url?: string }): ReloadGateway {
  return async () => {
    let client;
    try {
      client = await connectLocalGateway(io, { ...opts, timeoutMs: 3000 });
    } catch (err) {
      return `No running gateway was reached (${
        describeError(err)
      }); a gateway reads credentials when it starts.`;
    }
    try {
      await client.request("credentials.reload", {});
      return "The running gateway reloaded its credentials.";
    } catch (err) {
      return `The running gateway did not reload its credentials (${describeError(err)}); ` +
        "a revoked token keeps working there until it restarts.";
    } finally {
      await client.close();
    }
  };
}

export const tokenCommand: Command = {
  name: "token",
  summary: "Create, list or revoke extra gateway tokens (scoped credentials)",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: "string" }, url: { type: "string" } },
      strict: false,
    });
    const config = typeof values.config === "string" ? values.config : undefined;
    const url = typeof values.url === "string" ? values.url : undefined;
    const { config: cfg, paths } = await loadCliConfig(io, config);
    if (!cfg.store.url) await Deno.mkdir(paths.home, { recursive: true, mode: 0o700 });
    const store = await openStore({
      url: cfg.store.url ?? fileUrl(paths.dbFile),
      authToken: cfg.store.authToken,
    });
    // The database holds credential hashes and transcripts: owner-only, as the gateway keeps it.
    if (!cfg.store.url) await Deno.chmod(paths.dbFile, 0o600).catch(() => {});
    try {
      return await runToken(argv, io, store.credentials, gatewayReloader(io, { config, url }));
    } finally {
      store.close();
    }
  },
};
