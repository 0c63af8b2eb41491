/** `talon sessions list|show`: the running gateway's sessions and their transcripts. */
import { talonCommand } from "../core/cli_name.ts";
import { parseArgs } from "node:util";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { formatDuration, gatewayClientOptions, withGateway } from "./shared.ts";

const USAGE = `Usage: talon sessions <list|show> [options]

  talon sessions list [--agent <id>] [--limit N]   sessions, most recently active first
  talon sessions show <sessionKey> [--limit N]     the newest N transcript entries (default 50)

Options: --json  machine-readable output; --config <file>  --url ws://host:port/ws  --timeout <ms>
Exit codes: 0 ok, 1 no such session or refused, 2 usage error, 69 gateway unreachable.`;

const LIMIT_MAX = 1000;

/** A session as `sessions.list` / `chat.history` return it. */
export interface SessionView {
  sessionKey: string;
  sessionId: string;
  agentId: string;
  model?: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  lastChannel?: { channel: string };
  createdAt: number;
  updatedAt: number;
}

/** A transcript entry as `chat.history` returns it. */
export interface EntryView {
  seq: number;
  ts: number;
  kind: string;
  runId?: string;
  content: Record<string, unknown>;
}

const clip = (text: string, max: number) => text.length > max ? `${text.slice(0, max - 1)}…` : text;
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ⏎ ");

/** The session table of `talon sessions list`. */
export function renderSessions(sessions: SessionView[], now: number): string {
  if (sessions.length === 0) return "No sessions.";
  const width = Math.max(...sessions.map((s) => s.sessionKey.length));
  return sessions.map((s) =>
    [
      s.sessionKey.padEnd(width),
      `active ${formatDuration(Math.max(0, now - s.updatedAt))} ago`,
      `tokens ${s.inputTokens} in / ${s.outputTokens} out`,
      `$${s.costUsd.toFixed(4)}`,
      ...(s.lastChannel ? [`via ${s.lastChannel.channel}`] : []),
      ...(s.model ? [`model ${s.model}`] : []),
    ].join("  ")
  ).join("\n");
}

/** One transcript entry as a line (or a few) for people. */
export function renderEntry(e: EntryView): string {
  const c = e.content;
  const time = new Date(e.ts).toISOString().slice(0, 19).replace("T", " ");
  const head = `#${e.seq} ${time}`;
  const text = (v: unknown) => typeof v === "string" ? v : JSON.stringify(v);
  switch (e.kind) {
    case "user":
      return `${head}  user${c.steer ? " (steer)" : ""}: ${text(c.text)}`;
    case "assistant":
      return `${head}  assistant${c.model ? ` (${c.model})` : ""}: ${text(c.text)}`;
    case "tool_call":
      return `${head}  → ${text(c.name)} ${clip(JSON.stringify(c.arguments ?? {}), 200)}`;
    case "tool_result":
      return `${head}  ← ${text(c.name)}${c.isError ? " (error)" : ""}: ${
        clip(oneLine(text(c.content)), 200)
      }`;
    case "compaction":
      return `${head}  [earlier entries compacted] ${clip(oneLine(text(c.summary)), 300)}`;
    case "notice":
      return `${head}  notice: ${text(c.text)}`;
    default:
      return `${head}  ${e.kind}: ${clip(JSON.stringify(c), 200)}`;
  }
}

function parseLimit(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  return /^\d+$/.test(value) && n >= 1 && n <= LIMIT_MAX ? n : undefined;
}

/** Runs `talon sessions …`. */
export async function runSessions(argv: string[], io: CliIo, now = Date.now): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...gatewayClientOptions, agent: { type: "string" }, limit: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [sub, key, ...extra] = positionals;
  const usage = (msg: string) => {
    io.err(`talon sessions${sub ? ` ${sub}` : ""}: ${msg}\n\n${USAGE}`);
    return EXIT.usage;
  };
  if (!sub) return usage("expected a subcommand");
  if (sub !== "list" && sub !== "show") return usage(`unknown subcommand "${sub}"`);
  if (extra.length || (sub === "list" && key !== undefined)) {
    return usage(`unexpected argument "${extra[0] ?? key}"`);
  }
  const limit = parseLimit(values.limit, sub === "list" ? 200 : 50);
  if (limit === undefined) {
    return usage(`--limit must be an integer from 1 to ${LIMIT_MAX}, got "${values.limit}"`);
  }

  if (sub === "list") {
    if (values.agent !== undefined && !values.agent.trim()) return usage("--agent is empty");
    return await withGateway(io, "sessions list", values, async (client) => {
      const { sessions } = await client.request<{ sessions: SessionView[] }>("sessions.list", {
        ...(values.agent ? { agentId: values.agent } : {}),
        limit,
      });
      io.out(values.json ? JSON.stringify(sessions, null, 2) : renderSessions(sessions, now()));
      return EXIT.ok;
    });
  }
  if (!key) return usage(`expected a session key (see ${talonCommand()} sessions list)`);
  if (values.agent !== undefined) return usage("--agent only goes with list");
  return await withGateway(io, "sessions show", values, async (client) => {
    const r = await client.request<{ session: SessionView | null; entries: EntryView[] }>("chat.history", {
      sessionKey: key,
      limit,
    });
    if (!r.session) {
      io.err(`talon sessions show: no session ${key}`);
      return EXIT.failure;
    }
    if (values.json) {
      io.out(JSON.stringify(r, null, 2));
      return EXIT.ok;
    }
    const s = r.session;
    io.out(
      [
        `${s.sessionKey}  (agent ${s.agentId}, transcript ${s.sessionId}${
          s.model ? `, model ${s.model}` : ""
        })`,
        `created ${new Date(s.createdAt).toISOString()}, active ${
          formatDuration(Math.max(0, now() - s.updatedAt))
        } ago, ` +
        `tokens ${s.inputTokens} in / ${s.outputTokens} out, $${s.costUsd.toFixed(4)}`,
        "",
        ...(r.entries.length ? r.entries.map(renderEntry) : ["(no entries)"]),
      ].join("\n"),
    );
    return EXIT.ok;
  });
}

export const sessionsCommand: Command = {
  name: "sessions",
  summary: "List sessions and show their transcripts",
  usage: USAGE,
  run: (argv, io) => runSessions(argv, io),
};
