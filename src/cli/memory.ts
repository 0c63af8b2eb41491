/** `talon memory status|index [--force]|search "<query>"`: the running gateway's memory index. */
import { parseArgs } from "node:util";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { gatewayClientOptions, withGateway } from "./shared.ts";

const USAGE = `Usage: talon memory <status|index|search> [options]

  talon memory status                  files, chunks and vectors indexed; keyword-only or hybrid search
  talon memory index [--force]         bring the index up to date (--force: rebuild it)
  talon memory search "<query>" [--k N]   search MEMORY.md and memory/*.md

Options: --agent <id>  (default: the default agent)  --json  machine-readable output
         --config <file>  --url ws://host:port/ws  --timeout <ms>
Needs the owner's (admin) token. Exit codes: 0 ok, 1 refused, 2 usage error, 69 gateway unreachable.`;

interface StatusView {
  agentId: string;
  mode: string;
  note: string;
  files: number;
  chunks: number;
  vectors: number;
  lastSync?: { at: number; ms: number };
  lastError?: string;
}

interface HitView {
  path: string;
  startLine: number;
  endLine: number;
  score: number;
  snippet: string;
}

/** `talon memory status` for people. */
export function renderStatus(s: StatusView): string {
  return [
    `agent ${s.agentId}: ${s.mode} search`,
    s.note,
    `${s.files} files, ${s.chunks} chunks, ${s.vectors} vectors`,
    ...(s.lastSync ? [`last indexed ${new Date(s.lastSync.at).toISOString()} (${s.lastSync.ms} ms)`] : []),
    ...(s.lastError ? [`last error: ${s.lastError}`] : []),
  ].join("\n");
}

/** Search hits for people. */
export function renderHits(r: { mode: string; note?: string; hits: HitView[] }): string {
  if (!r.hits.length) return r.note ? `${r.note}\nNo matches.` : "No matches.";
  const lines = r.hits.map((h) =>
    `${h.score.toFixed(3)}  ${h.path}:${h.startLine}-${h.endLine}\n${h.snippet.replace(/^(?=.)/gm, "    ")}`
  );
  return [...(r.note ? [r.note] : []), ...lines].join("\n\n");
}

/** Runs `talon memory …`. */
export async function runMemory(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...gatewayClientOptions,
      agent: { type: "string" },
      force: { type: "boolean" },
      k: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [sub, ...rest] = positionals;
  const usage = (msg: string) => {
    io.err(`talon memory${sub ? ` ${sub}` : ""}: ${msg}\n\n${USAGE}`);
    return EXIT.usage;
  };
  if (!sub) return usage("expected a subcommand");
  if (!["status", "index", "search"].includes(sub)) return usage(`unknown subcommand "${sub}"`);
  if (values.agent !== undefined && !/^[a-z0-9][a-z0-9_-]*$/.test(values.agent)) {
    return usage(`--agent "${values.agent}" is not an agent id`);
  }
  if (values.force && sub !== "index") return usage("--force only goes with index");
  if (values.k !== undefined && sub !== "search") return usage("--k only goes with search");
  const k = values.k === undefined ? undefined : Number(values.k);
  if (k !== undefined && (!/^\d+$/.test(values.k!) || k < 1 || k > 50)) {
    return usage(`--k must be an integer from 1 to 50, got "${values.k}"`);
  }
  const query = rest.join(" ").trim();
  if (sub === "search" && !query) return usage("expected a query");
  if (sub !== "search" && rest.length) return usage(`unexpected argument "${rest[0]}"`);
  const agent = values.agent ? { agentId: values.agent } : {};
  const show = (payload: unknown, text: string) =>
    io.out(values.json ? JSON.stringify(payload, null, 2) : text);

  return await withGateway(io, `memory ${sub}`, values, async (client) => {
    if (sub === "status") {
      const s = await client.request<StatusView>("memory.status", agent);
      show(s, renderStatus(s));
    } else if (sub === "index") {
      const r = await client.request<Record<string, number | string>>("memory.index", {
        ...agent,
        ...(values.force ? { force: true } : {}),
      });
      show(
        r,
        `${r.files} files (${r.changedFiles} changed, ${r.removedFiles} removed), +${r.chunksAdded}/-${r.chunksRemoved} chunks, ` +
          `${r.embedded} embedded, ${r.cached} from cache, ${r.ms} ms` +
          (r.embedError ? `\nembedding failed: ${r.embedError}` : ""),
      );
    } else {
      const r = await client.request<{ mode: string; note?: string; hits: HitView[] }>("memory.search", {
        ...agent,
        query,
        ...(k ? { k } : {}),
      });
      show(r, renderHits(r));
    }
    return EXIT.ok;
  });
}

export const memoryCommand: Command = {
  name: "memory",
  summary: "Memory index: status, index [--force], search",
  usage: USAGE,
  run: (argv, io) => runMemory(argv, io),
};
