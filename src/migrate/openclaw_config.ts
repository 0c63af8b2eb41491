/** Maps an OpenClaw `openclaw.json` (parsed) onto a Talon `talon.json` object. */
import { isObj, type Obj } from "./types.ts";
import { MIN_TOKEN_CHARS } from "../config/sections/gateway.ts";
import {
  type MapContext,
  mapSecret,
  reportRest,
  resolveSourcePath,
  stringList,
  talonId,
} from "./openclaw_values.ts";
import { createModelMapper } from "./openclaw_models.ts";
import { mapHeartbeat } from "./openclaw_heartbeat.ts";
import { mapChannels, type MappedChannels } from "./openclaw_channels.ts";

/** An agent to import, with the OpenClaw workspace its files come from. */
export interface AgentSource {
  id: string;
  /** The OpenClaw agent id as written. */
  sourceId: string;
  workspace: string;
}

export interface MappedConfig {
  config: Obj;
  agents: AgentSource[];
  accountIds: MappedChannels["accountIds"];
}

/** Top-level keys read by the mapper. `meta`, `wizard` and `$schema` are OpenClaw bookkeeping and skipped. */
const HANDLED = ["gateway", "models", "agents", "session", "tools", "hooks", "channels", "env", "cron"];
const IGNORED = ["meta", "wizard", "$schema", "update", "lastTouchedVersion"];
const PROFILES = ["minimal", "messaging", "coding", "full"];
const ASK = ["off", "on-miss", "always"];

/** Maps the whole config. Everything not carried over lands in `ctx.unmapped` with the reason. */
export function mapOpenClawConfig(src: Obj, ctx: MapContext): MappedConfig {
  const config: Obj = {};
  const models = createModelMapper(src, ctx);

  const gateway = mapGateway(src.gateway, ctx);
  if (Object.keys(gateway).length) config.gateway = gateway;

  const { agents, agentsConfig } = mapAgents(src.agents, models, ctx);
  if (Object.keys(models.providers).length) config.providers = models.providers;
  const modelTables: Obj = {};
  if (Object.keys(models.prices).length) modelTables.prices = models.prices;
  if (Object.keys(models.contextWindows).length) modelTables.contextWindows = models.contextWindows;
  for (const [ref, input] of Object.entries(models.inputs)) modelTables[ref] = { input };
  if (Object.keys(modelTables).length) config.models = modelTables;
  config.agents = agentsConfig;

  const session = mapSession(src.session, ctx);
  if (Object.keys(session).length) config.session = session;
  const channels = mapChannels(src.channels, ctx);
  const ch: Obj = {};
  if (channels.telegram) ch.telegram = channels.telegram;
  if (channels.discord) ch.discord = channels.discord;
  if (channels.whatsapp) ch.whatsapp = channels.whatsapp;
  if (Object.keys(ch).length) config.channels = ch;
  const tools = mapTools(src.tools, ctx);
  if (Object.keys(tools).length) config.tools = tools;
  const hooks = mapHooks(src.hooks, ctx);
  if (Object.keys(hooks).length) config.hooks = hooks;

  if (isObj(src.env)) {
    for (const key of Object.keys(src.env)) {
      ctx.unmapped.push({
        path: `env.${key}`,
        reason:
          "Talon does not keep environment values in its config; export it (e.g. in the service's environment file)",
      });
    }
  }
  if (isObj(src.cron)) {
    reportRest(src.cron, ["enabled"], "cron", "no Talon cron setting for it", ctx);
    if (typeof src.cron.enabled === "boolean") config.cron = { enabled: src.cron.enabled };
  }
  for (const key of Object.keys(src)) {
    if (!HANDLED.includes(key) && !IGNORED.includes(key)) {
      ctx.unmapped.push({ path: key, reason: "no Talon equivalent" });
    }
  }
  return { config, agents, accountIds: channels.accountIds };
}

function mapGateway(g: unknown, ctx: MapContext): Obj {
  if (!isObj(g)) return {};
  const out: Obj = {};
  if (typeof g.port === "number" && Number.isInteger(g.port)) out.port = g.port;
  const bind = typeof g.bind === "string" ? g.bind : undefined;
  if (bind === "loopback") out.bind = "127.0.0.1";
  else if (bind === "lan") out.bind = "0.0.0.0";
  else if (bind === "custom" && typeof g.customBindHost === "string") out.bind = g.customBindHost;
  else if (bind && /^[\d.:a-fA-F]+$/.test(bind)) out.bind = bind;
  else if (bind) {
    ctx.unmapped.push({
      path: "gateway.bind",
      reason: `bind mode "${bind}" has no Talon equivalent; Talon stays on loopback`,
    });
  }
  const auth = isObj(g.auth) ? g.auth : {};
  if (auth.mode !== undefined && auth.mode !== "token") {
    ctx.unmapped.push({
      path: "gateway.auth.mode",
      reason: `Talon authenticates with a token only (was "${auth.mode}")`,
    });
  }
  const token = mapSecret(auth.token, "gateway.auth.token", ctx);
  if (token && !token.startsWith("${") && token.length < MIN_TOKEN_CHARS) {
    ctx.unmapped.push({
      path: "gateway.auth.token",
      reason:
        `shorter than the ${MIN_TOKEN_CHARS} characters Talon requires; a new one is generated on first start`,
    });
  } else if (token) out.auth = { token };
  reportRest(
    g,
    ["port", "bind", "customBindHost", "auth", "mode"],
    "gateway",
    "no Talon gateway setting for it",
    ctx,
  );
  return out;
}

function mapAgents(a: unknown, models: ReturnType<typeof createModelMapper>, ctx: MapContext) {
  const src = isObj(a) ? a : {};
  const defaults = isObj(src.defaults) ? src.defaults : {};
  const agentsConfig: Obj = {};
  const d: Obj = {};
  const chain = models.chain(defaults.model, "agents.defaults.model");
  if (chain) d.model = chain;
  const heartbeat = mapHeartbeat(defaults.heartbeat, ctx);
  if (heartbeat) d.heartbeat = heartbeat;
  if (Object.keys(d).length) agentsConfig.defaults = d;
  reportRest(
    defaults,
    ["model", "models", "workspace", "heartbeat"],
    "agents.defaults",
    "no Talon agent default for it",
    ctx,
  );

  // Agents come as `list: [{id, …}]` (older) or `entries: {id: {…}}` (newer).
  const raw: [string, Obj][] = [];
  if (Array.isArray(src.list)) {
    for (const e of src.list) if (isObj(e) && typeof e.id === "string") raw.push([e.id, e]);
  }
  if (isObj(src.entries)) {
    for (const [id, e] of Object.entries(src.entries)) if (isObj(e)) raw.push([id, e]);
  }
  if (raw.length === 0) raw.push(["main", {}]);
  const defaultWorkspace = typeof defaults.workspace === "string"
    ? resolveSourcePath(defaults.workspace, ctx)
    : `${ctx.stateDir}/workspace`;
  const defaultIndex = Math.max(0, raw.findIndex(([, e]) => e.default === true));

  const list: Obj[] = [];
  const agents: AgentSource[] = [];
  raw.forEach(([sourceId, e], i) => {
    const path = `agents.${Array.isArray(src.list) ? "list" : "entries"}.${sourceId}`;
    const id = talonId(sourceId);
    if (!id || list.some((l) => l.id === id)) {
      ctx.unmapped.push({
        path,
        reason: id ? `duplicate agent id "${id}"` : "agent id has no usable characters",
      });
      return;
    }
    const agent: Obj = { id };
    if (typeof e.name === "string") agent.name = e.name;
    const c = models.chain(e.model, `${path}.model`);
    if (c) agent.model = c;
    const tools = mapAgentTools(e.tools, `${path}.tools`, ctx);
    if (tools) agent.tools = tools;
    reportRest(
      e,
      ["id", "name", "model", "workspace", "default", "tools", "agentDir", "identity"],
      path,
      "no Talon agent setting for it",
      ctx,
    );
    list.push(agent);
    const workspace = typeof e.workspace === "string"
      ? resolveSourcePath(e.workspace, ctx)
      : raw.length === 1 || i === defaultIndex
      ? defaultWorkspace
      : `${ctx.stateDir}/workspace-${sourceId}`;
    agents.push({ id, sourceId, workspace });
  });
  agentsConfig.list = list;
  const def = agents[Math.min(defaultIndex, agents.length - 1)];
  if (def) agentsConfig.defaultAgent = def.id;
  return { agents, agentsConfig };
}

function mapAgentTools(t: unknown, path: string, ctx: MapContext): Obj | undefined {
  if (!isObj(t)) return undefined;
  const out: Obj = {};
  if (typeof t.profile === "string" && PROFILES.includes(t.profile)) out.profile = t.profile;
  if (stringList(t.allow).length) out.allow = stringList(t.allow);
  if (stringList(t.deny).length) out.deny = stringList(t.deny);
  reportRest(t, ["profile", "allow", "deny"], path, "no Talon per-agent tool setting for it", ctx);
  return Object.keys(out).length ? out : undefined;
}

function mapSession(s: unknown, ctx: MapContext): Obj {
  if (!isObj(s)) return {};
  const out: Obj = {};
  const scopes = ["main", "per-peer", "per-channel-peer", "per-account-channel-peer"];
  if (typeof s.dmScope === "string" && scopes.includes(s.dmScope)) out.dmScope = s.dmScope;
  if (isObj(s.identityLinks)) {
    const links: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(s.identityLinks)) links[k] = stringList(v);
    out.identityLinks = links;
  }
  reportRest(s, ["dmScope", "identityLinks"], "session", "no Talon session setting for it", ctx);
  return out;
}

function mapTools(t: unknown, ctx: MapContext): Obj {
  if (!isObj(t)) return {};
  const out: Obj = {};
  if (typeof t.profile === "string" && PROFILES.includes(t.profile)) out.profile = t.profile;
  if (stringList(t.allow).length) out.allow = stringList(t.allow);
  if (stringList(t.deny).length) out.deny = stringList(t.deny);
  if (isObj(t.exec)) {
    const exec: Obj = {};
    if (typeof t.exec.ask === "string" && ASK.includes(t.exec.ask)) exec.ask = t.exec.ask;
    if (Object.keys(exec).length) out.exec = exec;
    reportRest(
      t.exec,
      ["ask"],
      "tools.exec",
      "Talon's exec tool is configured differently (allowPrograms, approvals)",
      ctx,
    );
  }
  if (out.allow || out.deny) {
    ctx.warnings.push("tools.allow/deny: tool names were copied as is; check them against Talon's tool list");
  }
  reportRest(t, ["profile", "allow", "deny", "exec"], "tools", "no Talon tool setting for it", ctx);
  return out;
}

function mapHooks(h: unknown, ctx: MapContext): Obj {
  if (!isObj(h)) return {};
  const out: Obj = {};
  if (typeof h.enabled === "boolean") out.enabled = h.enabled;
  const token = mapSecret(h.token, "hooks.token", ctx);
  if (token && !token.startsWith("${") && token.length < 16) {
    ctx.unmapped.push({
      path: "hooks.token",
      reason: "shorter than the 16 characters Talon requires; set a longer one",
    });
  } else if (token) out.token = token;
  reportRest(
    h,
    ["enabled", "token"],
    "hooks",
    "Talon's webhooks have no mappings/presets; only the token is carried over",
    ctx,
  );
  return out;
}
