/** `talon security audit`: risky settings in the config and state dir, each with why and how to fix. */
import { talonCommand } from "../core/cli_name.ts";
import type { Config } from "../config/schema.ts";
import type { TalonPaths } from "../config/paths.ts";
import { MIN_TOKEN_CHARS } from "../config/sections/gateway.ts";
import { isSecretKey } from "../core/redact.ts";
import { principalFindings } from "./audit_principals.ts";
import { approvedSendersFromStore, sharedDmSessionFinding } from "./dm_scope_check.ts";
import { fileMode, type Finding, octal } from "./findings.ts";
import { type ConfineStatus, createConfiner } from "../security/confine.ts";

export interface AuditInput {
  /** The validated config (env substituted). */
  config: Readonly<Config>;
  /** The config file as written, with `${ENV}` references — where plaintext secrets are looked for. */
  raw: Record<string, unknown>;
  paths: TalonPaths;
  /** Senders approved by pairing (`telegram:123`); default: read from the store. */
  approvedSenders?: readonly string[];
  /** How exec's programs run here (default: probed with the standard PATH). */
  confinement?: ConfineStatus;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "[::1]"]);
/** Tool names and groups that run programs or touch files. */
const RISKY_TOOLS = ["exec", "group:runtime", "group:fs", "write", "edit", "apply_patch", "*"];
export { MIN_TOKEN_CHARS };

/** Runs every check; the findings are unsorted. */
export async function auditSecurity(input: AuditInput): Promise<Finding[]> {
  const { config } = input;
  const out: Finding[] = [];
  const bind = config.gateway.bind;
  if (!LOOPBACK.has(bind) && !bind.startsWith("127.")) {
    out.push({
      id: "gateway.bind.public",
      severity: "high",
      what: `The gateway listens on ${bind}, not only on loopback`,
      why: "Anyone who can reach this address can try the gateway token and the hooks endpoints",
      fix:
        'Set gateway.bind to "127.0.0.1" and reach it through SSH tunnels, Tailscale or a reverse proxy with TLS',
    });
  }
  const risky = riskyToolsEnabled(config);
  for (const [channel, accounts] of channelAccounts(config)) {
    for (const [id, acc] of accounts) {
      const where = `channels.${channel}.accounts.${id}`;
      for (const kind of ["dm", "group"] as const) {
        const policy = kind === "dm" ? acc.dmPolicy : acc.groupPolicy;
        if (policy === "open" && risky) {
          out.push({
            id: `${where}.${kind}Policy.open`,
            severity: "high",
            what: `${where}: ${
              kind === "dm" ? "DM" : "group"
            } policy is "open" while exec or file tools are enabled`,
            why: "Any stranger who messages the bot can make the agent run programs or read and write files",
            fix: `Set ${kind === "dm" ? "dmPolicy" : "groupPolicy"} to "${
              kind === "dm" ? "pairing" : "allowlist"
            }", or use tools.profile "messaging" for this agent`,
          });
        }
      }
      if (acc.allowFrom.includes("*")) {
        out.push({
          id: `${where}.allowFrom.wildcard`,
          severity: risky ? "high" : "medium",
          what: `${where}.allowFrom contains "*"`,
          why: "A wildcard allowlist lets every sender through, which defeats the allowlist",
          fix: 'List the sender ids explicitly, or use dmPolicy "pairing" to approve people one by one',
        });
      }
      for (const [gid, g] of Object.entries(acc.groups)) {
        if (g.allowFrom?.includes("*")) {
          out.push({
            id: `${where}.groups.${gid}.allowFrom.wildcard`,
            severity: "medium",
            what: `${where}.groups.${gid}.allowFrom contains "*"`,
            why: "Every member of the group can address the agent",
            fix: "List the allowed member ids, or drop allowFrom and rely on mention gating",
          });
        }
      }
      if (acc.groups["*"] && acc.groupPolicy === "allowlist") {
        out.push({
          id: `${where}.groups.wildcard`,
          severity: risky ? "medium" : "low",
          what: `${where}.groups has a "*" entry: the bot answers in any group it is added to`,
          why: "Anyone can add the bot to a group and talk to the agent there",
          fix: 'Replace "*" with the ids of the groups you use',
        });
      }
    }
  }
  if (config.tools.allow.includes("*")) {
    out.push({
      id: "tools.allow.wildcard",
      severity: "medium",
      what: 'tools.allow contains "*": every tool is enabled',
      why: "New and risky tools become available to every agent without a decision",
      fix: "Pick a tools.profile and list extra tools explicitly",
    });
  }
  if (config.tools.exec.ask === "off") {
    out.push({
      id: "tools.exec.ask.off",
      severity: risky ? "high" : "medium",
      what: 'tools.exec.ask is "off": programs run without asking for approval',
      why: "A prompt-injected message can run any allowed program with nobody in the loop",
      fix: 'Set tools.exec.ask to "on-miss" (ask for anything not pre-approved) or "always"',
    });
  }
  if (config.tools.web.testAllowLoopback) {
    out.push({
      id: "tools.web.testAllowLoopback",
      severity: "high",
      what: "tools.web.testAllowLoopback is on (a test-only switch)",
      why:
        "web_fetch can reach services on this machine (the gateway itself, databases, cloud metadata proxies)",
      fix: "Remove tools.web.testAllowLoopback from talon.json",
    });
  }
  out.push(...principalFindings(config));
  const shared = sharedDmSessionFinding(
    config,
    input.approvedSenders ?? await approvedSendersFromStore(config, input.paths),
  );
  if (shared) out.push(shared);
  if (risky) out.push(...await confinementFindings(input));
  out.push(...await tokenFindings(input));
  out.push(...await permissionFindings(input.paths));
  out.push(...plaintextSecrets(input.raw));
  return out;
}

/** exec without OS confinement: an approved program has the gateway user's full access. */
async function confinementFindings(input: AuditInput): Promise<Finding[]> {
  const mode = input.config.tools.exec.confine;
  const status = input.confinement ?? await createConfiner({ mode, os: Deno.build.os }).status();
  const install = "apt-get install bubblewrap (and allow unprivileged user namespaces)";
  if (status.kind === "bwrap") return [];
  if (status.kind === "unavailable") {
    return [{
      id: "tools.exec.confine.unavailable",
      severity: "medium",
      what: `tools.exec.confine is "bwrap" but ${status.reason}: every exec call is refused`,
      why: "Agents cannot run programs until bubblewrap works here",
      fix: install,
    }];
  }
  return [{
    id: mode === "off" ? "tools.exec.confine.off" : "tools.exec.unconfined",
    severity: "high",
    what: `exec programs run unconfined: ${status.reason}`,
    why:
      "An approved program (or a hook it runs, such as a planted git core.fsmonitor) can read the gateway's " +
      "environment and ~/.talon, write anywhere the gateway user can, and use the network",
    fix: mode === "off"
      ? 'Set tools.exec.confine to "auto" (or "bwrap") and ' + install
      : `${install}; set tools.exec.confine to "bwrap" to refuse exec without it`,
  }];
}

function riskyToolsEnabled(config: Readonly<Config>): boolean {
  const profiles = [config.tools.profile, ...config.agents.list.map((a) => a.tools?.profile)];
  const allows = [...config.tools.allow, ...config.agents.list.flatMap((a) => a.tools?.allow ?? [])];
  return profiles.some((p) => p === "coding" || p === "full") || allows.some((a) => RISKY_TOOLS.includes(a));
}

type Access = {
  dmPolicy: string;
  groupPolicy: string;
  allowFrom: string[];
  groups: Record<string, { allowFrom?: string[] }>;
};

function channelAccounts(config: Readonly<Config>): [string, [string, Access][]][] {
  const out: [string, [string, Access][]][] = [];
  if (config.channels.telegram) out.push(["telegram", Object.entries(config.channels.telegram.accounts)]);
  if (config.channels.discord) out.push(["discord", Object.entries(config.channels.discord.accounts)]);
  return out;
}

async function tokenFindings({ config, paths }: AuditInput): Promise<Finding[]> {
  const out: Finding[] = [];
  let token = config.gateway.auth.token;
  let source = "gateway.auth.token";
  if (!token) {
    try {
      token = (await Deno.readTextFile(paths.tokenFile)).trim();
      source = "the generated token file";
    } catch {
      // No token yet: one is generated on first start.
    }
  }
  if (token !== undefined && token.length < MIN_TOKEN_CHARS) {
    out.push({
      id: "gateway.auth.token.short",
      severity: "high",
      what: `The gateway token (${source}) has ${token.length} characters`,
      why: `Short tokens can be guessed; Talon's generated tokens have more than ${MIN_TOKEN_CHARS}`,
      fix:
        "Set TALON_TOKEN (or gateway.auth.token) to a random value of 32+ characters, e.g. `openssl rand -hex 24`",
    });
  }
  const hooks = config.hooks.token;
  if (config.hooks.enabled && hooks !== undefined && hooks.length < MIN_TOKEN_CHARS) {
    out.push({
      id: "hooks.token.short",
      severity: "medium",
      what: `hooks.token has ${hooks.length} characters`,
      why: "Anyone who guesses it can make the agent act on webhook calls",
      fix: "Use a random hooks token of 32+ characters",
    });
  }
  return out;
}

/** World- or group-accessible state: the state dir, talon.json(.bak), talon.db, credentials/. */
export async function permissionFindings(paths: TalonPaths): Promise<Finding[]> {
  const out: Finding[] = [];
  const credDir = paths.tokenFile.slice(0, paths.tokenFile.lastIndexOf("/"));
  const targets: [string, boolean][] = [
    [paths.home, true],
    [paths.configFile, false],
    [`${paths.configFile}.bak`, false],
    [paths.dbFile, false],
    [`${paths.dbFile}-wal`, false],
    [credDir, true],
  ];
  try {
    for await (const e of Deno.readDir(credDir)) if (e.isFile) targets.push([`${credDir}/${e.name}`, false]);
  } catch {
    // No credentials dir yet.
  }
  for (const [path, dir] of targets) {
    const mode = await fileMode(path);
    if (mode === undefined || (mode & 0o077) === 0) continue;
    const world = (mode & 0o007) !== 0;
    out.push({
      id: `state.permissions:${path}`,
      severity: world ? "high" : "medium",
      what: `${path} is ${world ? "world" : "group"}-accessible (${octal(mode)})`,
      why: "It holds tokens, API keys or conversations that other users of this machine could read",
      fix: `chmod ${dir ? "700" : "600"} ${path}  (or run \`${talonCommand()} doctor --fix\`)`,
    });
  }
  return out;
}

/** Secret-named keys in the raw config whose value is a literal instead of a `${ENV}` reference. */
export function plaintextSecrets(raw: unknown, path: string[] = []): Finding[] {
  const out: Finding[] = [];
  if (Array.isArray(raw)) raw.forEach((v, i) => out.push(...plaintextSecrets(v, [...path, String(i)])));
  else if (raw && typeof raw === "object") {
    for (const [k, v] of Object.entries(raw)) {
      const p = [...path, k];
      if (
        typeof v === "string" && isSecretKey(k) && v !== "" &&
        !/\$\{[A-Za-z_]\w*\}/.test(v.replaceAll("$${", ""))
      ) {
        const name = p.join(".");
        out.push({
          id: `config.plaintext:${name}`,
          severity: "medium",
          what: `${name} holds a plaintext secret in talon.json`,
          why: "Secrets in the config file end up in backups, screenshots and support requests",
          fix: `Move it to an environment variable and write "\${${envName(p)}}" in talon.json`,
        });
      } else out.push(...plaintextSecrets(v, p));
    }
  }
  return out;
}

function envName(path: string[]): string {
  return path.filter((p) => p !== "accounts" && p !== "auth").join("_").replace(/([a-z])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]/g, "_").toUpperCase();
}
