/** The individual checks of `talon doctor`. Each returns results; none throws for a broken environment. */
import { talonCommand } from "../core/cli_name.ts";
import type { CheckContext, DoctorResult } from "./doctor.ts";
import { approvedSendersFromStore, sharedDmSessionFinding } from "./dm_scope_check.ts";
import { fileMode, octal } from "./findings.ts";
import { type Db, openDb } from "../store/db.ts";
import { createOutboxRepo } from "../store/outbox.ts";
import { migrate, pendingMigrations } from "../store/migrate.ts";
import { allMigrations } from "../store/migrations.ts";
import { fileUrl } from "../store/mod.ts";
import { createConfiner, describeConfinement } from "../security/confine.ts";

export type Check = (ctx: CheckContext) => Promise<DoctorResult[]>;

/** State dir and credentials 0700, talon.json / talon.db / credential files 0600. --fix chmods. */
export const checkPermissions: Check = async ({ paths, fix }) => {
  const credDir = paths.tokenFile.slice(0, paths.tokenFile.lastIndexOf("/"));
  const targets: [string, number][] = [[paths.home, 0o700], [credDir, 0o700]];
  for (
    const f of [
      paths.configFile,
      `${paths.configFile}.bak`,
      paths.dbFile,
      `${paths.dbFile}-wal`,
      `${paths.dbFile}-shm`,
    ]
  ) {
    targets.push([f, 0o600]);
  }
  try {
    for await (const e of Deno.readDir(credDir)) if (e.isFile) targets.push([`${credDir}/${e.name}`, 0o600]);
  } catch {
    // No credentials dir yet.
  }
  const out: DoctorResult[] = [];
  for (const [path, want] of targets) {
    const mode = await fileMode(path);
    if (mode === undefined || (mode & 0o077) === 0) continue;
    const r: DoctorResult = {
      id: `permissions:${path}`,
      status: (mode & 0o007) !== 0 ? "fail" : "warn",
      what: `${path} is ${octal(mode)}, should be ${octal(want)}`,
      why: "Other users of this machine could read tokens, keys or conversations",
      fix: `chmod ${want.toString(8)} ${path}  (${talonCommand()} doctor --fix does it)`,
    };
    if (fix) {
      await Deno.chmod(path, want);
      r.fixed = true;
    }
    out.push(r);
  }
  if (out.length === 0) {
    out.push({ id: "permissions", status: "ok", what: "State dir and files are private (0700/0600)" });
  }
  return out;
};

/** The store opens, its migrations are current (--fix applies them), and PRAGMA integrity_check passes. */
export const checkStore: Check = async ({ loaded, paths, fix }) => {
  const store = loaded!.config.store;
  const url = store.url ?? fileUrl(paths.dbFile);
  if (url.startsWith("file:")) {
    try {
      await Deno.stat(url.slice(5));
    } catch {
      return [{
        id: "store",
        status: "ok",
        what: `Store ${url} not created yet (the gateway creates it on first start)`,
      }];
    }
  }
  let db;
  try {
    db = await openDb({ url, authToken: store.authToken });
  } catch (err) {
    return [{
      id: "store.open",
      status: "fail",
      what: (err as Error).message,
      why: "Without the store nothing can be received, queued or answered",
      fix: "Check store.url and the file's permissions, or restore talon.db from a backup",
    }];
  }
  const out: DoctorResult[] = [];
  try {
    const pending = await pendingMigrations(db, allMigrations);
    if (pending.length === 0) {
      out.push({ id: "store.migrations", status: "ok", what: "Store schema is current" });
    } else {
      const r: DoctorResult = {
        id: "store.migrations",
        status: "warn",
        what: `${pending.length} store migration(s) not applied: ${pending.map((m) => m.version).join(", ")}`,
        why: "Code expecting the new tables fails until they exist",
        fix: `Start the gateway (it migrates on start) or run ${talonCommand()} doctor --fix`,
      };
      if (fix) {
        await migrate(db, allMigrations);
        r.fixed = true;
      }
      out.push(r);
    }
    if (pending.every((m) => m.version < 200 || m.version >= 300)) out.push(await outboxDeadLetters(db));
    const rows = await db.query<{ integrity_check: string }>("PRAGMA integrity_check");
    const msg = rows.map((r) => String(Object.values(r)[0])).join("; ");
    out.push(
      msg === "ok" ? { id: "store.integrity", status: "ok", what: "Store integrity check passed" } : {
        id: "store.integrity",
        status: "fail",
        what: `Store integrity check failed: ${msg.slice(0, 300)}`,
        why: "A damaged database can lose or duplicate messages",
        fix: "Stop the gateway and restore talon.db from a backup (or `sqlite3 talon.db .recover`)",
      },
    );
  } catch (err) {
    out.push({
      id: "store.query",
      status: "fail",
      what: `Store ${url} cannot be read: ${(err as Error).message}`,
      why: "Without the store nothing can be received, queued or answered",
      fix: "Restore talon.db from a backup",
    });
  } finally {
    db.close();
  }
  return out;
};

/** Reply chunks that kept failing and sit in the outbox's dead-letter list. */
async function outboxDeadLetters(db: Db): Promise<DoctorResult> {
  const dead = (await createOutboxRepo(db).counts()).dead;
  if (dead === 0) {
    return { id: "outbox", status: "ok", what: "No reply chunks in the outbox dead-letter list" };
  }
  return {
    id: "outbox",
    status: "warn",
    what: `${dead} reply chunk(s) in the outbox dead-letter list`,
    why: "Those replies never reached their chat",
    fix:
      `See them with \`${talonCommand()} outbox list --state dead\`; resend with \`${talonCommand()} outbox retry [id]\` or \`drop <id>\``,
  };
}

/** The port is free, or a gateway answers GET /healthz on it. */
export const checkPort: Check = async ({ loaded, fetch }) => {
  const { bind, port } = loaded!.config.gateway;
  if (port === 0) {
    return [{ id: "port", status: "skip", what: "gateway.port is 0 (a free port is picked at start)" }];
  }
  try {
    const l = Deno.listen({ hostname: bind, port });
    l.close();
    return [{ id: "port", status: "ok", what: `Port ${bind}:${port} is free for the gateway` }];
  } catch (err) {
    if (!(err instanceof Deno.errors.AddrInUse)) {
      return [{
        id: "port",
        status: "fail",
        what: `Cannot listen on ${bind}:${port}: ${(err as Error).message}`,
        why: "The gateway could not start",
        fix: "Check gateway.bind (an address of this machine) and gateway.port",
      }];
    }
  }
  const host = bind.includes(":") ? `[${bind}]` : bind === "0.0.0.0" ? "127.0.0.1" : bind;
  try {
    const res = await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    if (res.ok) {
      return [{
        id: "port",
        status: "ok",
        what: `A gateway answers on ${bind}:${port} (/healthz ${res.status})`,
      }];
    }
  } catch {
    // Not an HTTP server, or not answering.
  }
  return [{
    id: "port",
    status: "fail",
    what: `Port ${bind}:${port} is taken by something that is not a Talon gateway`,
    why: "The gateway cannot start on a port another program holds",
    fix: `Find it with \`ss -ltnp 'sport = :${port}'\`, or set gateway.port to another port`,
  }];
};

/** At least one provider; with --online, each answers its model list with the configured key. */
export const checkProviders: Check = async ({ loaded, online, fetch }) => {
  const providers = Object.entries(loaded!.config.providers);
  if (providers.length === 0) {
    return [{
      id: "providers",
      status: "warn",
      what: "No model provider is configured",
      why: "Agents cannot answer anything",
      fix:
        `Set OPENAI_API_KEY or ANTHROPIC_API_KEY, or add providers to talon.json (${talonCommand()} onboard)`,
    }];
  }
  const out: DoctorResult[] = [];
  for (const [id, p] of providers) {
    if (!online || p.api === "echo") {
      out.push({ id: `provider:${id}`, status: "ok", what: `Provider ${id} (${p.api}) configured` });
      continue;
    }
    const anthropic = p.api === "anthropic";
    const base = (p.baseUrl ?? (anthropic ? "https://api.anthropic.com/v1" : "https://api.openai.com/v1"))
      .replace(/\/+$/, "");
    const headers: Record<string, string> = { ...(p.headers ?? {}) };
    if (p.apiKey) {
      if (anthropic) Object.assign(headers, { "x-api-key": p.apiKey, "anthropic-version": "2023-06-01" });
      else headers.authorization = `Bearer ${p.apiKey}`;
    }
    try {
      const res = await fetch(`${base}/models`, { headers, signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel();
      out.push(
        res.ok
          ? { id: `provider:${id}`, status: "ok", what: `Provider ${id} answers with the configured key` }
          : {
            id: `provider:${id}`,
            status: "fail",
            what: `Provider ${id} refused the model list: HTTP ${res.status}`,
            why: "Runs on this provider will fail and fall over to the next model",
            fix: res.status === 401 || res.status === 403
              ? "Check the API key"
              : "Check baseUrl and the provider's status",
          },
      );
    } catch (err) {
      out.push({
        id: `provider:${id}`,
        status: "fail",
        what: `Provider ${id} is not reachable at ${base}: ${(err as Error).message}`,
        why: "Runs on this provider will fail and fall over to the next model",
        fix: "Check baseUrl, DNS and the network",
      });
    }
  }
  return out;
};

/** Every channel account has a token; with --online, Telegram tokens are checked with getMe, Discord's with users/@me. */
export const checkChannels: Check = async ({ loaded, online, fetch }) => {
  const out: DoctorResult[] = [];
  const { telegram, discord } = loaded!.config.channels;
  const accounts: [string, string, { botToken: string; apiRoot?: string }][] = [
    ...Object.entries(telegram?.accounts ?? {}).map(([id, a]) =>
      ["telegram", id, a] as [string, string, typeof a]
    ),
    ...Object.entries(discord?.accounts ?? {}).map(([id, a]) =>
      ["discord", id, a] as [string, string, typeof a]
    ),
  ];
  for (const [channel, id, acc] of accounts) {
    const name = `${channel} account ${id}`;
    const bad = (what: string): DoctorResult => ({
      id: `channel:${channel}:${id}`,
      status: "fail",
      what,
      why: `The ${channel} adapter cannot log in, so nobody can reach the agent there`,
      fix:
        `Set a valid bot token for channels.${channel}.accounts.${id}.botToken (BotFather / Discord developer portal)`,
    });
    if (!acc.botToken.trim()) {
      out.push(bad(`${name} has an empty token`));
      continue;
    }
    if (channel === "telegram" && !/^\d+:[A-Za-z0-9_-]{20,}$/.test(acc.botToken)) {
      out.push(bad(`${name}: the token does not look like a Telegram bot token (<id>:<secret>)`));
      continue;
    }
    if (online && channel === "telegram") {
      const root = (acc.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
      try {
        const res = await fetch(`${root}/bot${acc.botToken}/getMe`, { signal: AbortSignal.timeout(10_000) });
        const body = await res.json().catch(() => ({})) as { ok?: boolean; result?: { username?: string } };
        if (!body.ok) {
          out.push(bad(`${name}: Telegram rejected the token (HTTP ${res.status})`));
          continue;
        }
        out.push({
          id: `channel:${channel}:${id}`,
          status: "ok",
          what: `${name}: token valid (@${body.result?.username ?? "?"})`,
        });
        continue;
      } catch (err) {
        out.push(bad(`${name}: cannot reach ${root}: ${(err as Error).message}`));
        continue;
      }
    }
    if (online && channel === "discord") {
      const root = (acc.apiRoot ?? "https://discord.com/api").replace(/\/+$/, "");
      try {
        const res = await fetch(`${root}/v10/users/@me`, {
          headers: { authorization: `Bot ${acc.botToken}` },
          signal: AbortSignal.timeout(10_000),
        });
        const body = await res.json().catch(() => ({})) as { username?: string };
        if (res.status !== 200) {
          out.push(bad(`${name}: Discord rejected the token (HTTP ${res.status})`));
          continue;
        }
        out.push({
          id: `channel:${channel}:${id}`,
          status: "ok",
          what: `${name}: token valid (${body.username ?? "?"})`,
        });
        continue;
      } catch (err) {
        out.push(bad(`${name}: cannot reach ${root}: ${(err as Error).message}`));
        continue;
      }
    }
    out.push({ id: `channel:${channel}:${id}`, status: "ok", what: `${name}: token present` });
  }
  return out;
};

const BROWSERS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

/** A Chromium/Chrome executable for the browser tool. */
export const checkBrowser: Check = async ({ loaded, browserCandidates }) => {
  const configured = loaded!.config.tools.browser.executablePath;
  for (const path of configured ? [configured] : browserCandidates ?? BROWSERS) {
    try {
      if ((await Deno.stat(path)).isFile) {
        return [{ id: "browser", status: "ok", what: `Browser found: ${path}` }];
      }
    } catch {
      // Try the next one.
    }
  }
  return [{
    id: "browser",
    status: "warn",
    what: configured
      ? `tools.browser.executablePath ${configured} does not exist`
      : "No Chromium or Chrome found",
    why: "The browser tool cannot run; agents fall back to web_fetch",
    fix: "apt-get install chromium (or set tools.browser.executablePath)",
  }];
};

/** exec's programs run inside bubblewrap (tools.exec.confine). */
export const checkConfinement: Check = async ({ loaded, env, confinement }) => {
  const mode = loaded!.config.tools.exec.confine;
  const status = confinement
    ? await confinement(mode)
    : await createConfiner({ mode, os: Deno.build.os, path: env.PATH }).status();
  if (status.kind === "bwrap") {
    return [{ id: "confinement", status: "ok", what: `exec programs run ${describeConfinement(status)}` }];
  }
  return [{
    id: "confinement",
    status: status.kind === "unavailable" ? "fail" : "warn",
    what: status.kind === "unavailable"
      ? `exec calls are refused: tools.exec.confine is "bwrap" but ${status.reason}`
      : `exec programs run ${describeConfinement(status)}`,
    why: "Without OS confinement an approved program can read the gateway's environment and ~/.talon, " +
      "write anywhere the gateway user can and use the network",
    fix: mode === "off"
      ? 'Set tools.exec.confine to "auto" and apt-get install bubblewrap'
      : "apt-get install bubblewrap (and allow unprivileged user namespaces)",
  }];
};

/** Test-only switches must be off in real deployments. */
/** One DM session shared by several senders (`session.dmScope: "main"`). */
export const checkDmScope: Check = async ({ loaded, paths }) => {
  const config = loaded!.config;
  const shared = sharedDmSessionFinding(config, await approvedSendersFromStore(config, paths));
  if (!shared) {
    return [{ id: "session.dmScope", status: "ok", what: `DM sessions: ${config.session.dmScope}` }];
  }
  return [{ id: shared.id, status: "warn", what: shared.what, why: shared.why, fix: shared.fix }];
};

export const checkTestSwitches: Check = ({ loaded }) => {
  if (!loaded!.config.tools.web.testAllowLoopback) {
    return Promise.resolve([{ id: "test-switches", status: "ok", what: "No test-only switches are on" }]);
  }
  return Promise.resolve([{
    id: "test-switches",
    status: "fail",
    what: "tools.web.testAllowLoopback is on (a test-only switch)",
    why: "web_fetch can reach services on this machine",
    fix: "Remove tools.web.testAllowLoopback from talon.json",
  }]);
};
