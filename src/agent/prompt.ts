/**
 * Prompt assembly: the system prompt is built from the agent's workspace files (AGENTS.md, SOUL.md,
 * USER.md, MEMORY.md), each capped in size with a visible truncation notice, plus the current date and
 * time and, after a compaction, the summary of the earlier conversation. Kept lean on purpose: the
 * default prompt plus the default tool schemas stay well under 12 KB.
 */
import type { ModelRequest } from "../providers/types.ts";
import { toolSpecsSize, utf8Length } from "./request_size.ts";

/** Workspace files read into the system prompt, in this order. */
export const WORKSPACE_FILES = ["AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md"] as const;
export type WorkspaceFileName = typeof WORKSPACE_FILES[number];

/** Per-file cap in bytes (UTF-8) unless the caller sets another. */
export const DEFAULT_FILE_CAP_BYTES = 8_000;

/** Short defaults written when an agent's workspace is created. */
export const DEFAULT_WORKSPACE_FILES: Record<WorkspaceFileName, string> = {
  "AGENTS.md": "# Instructions\n" +
    "- Be concise and concrete. Answer in the user's language.\n" +
    "- Use tools when they help, and say briefly what you did.\n" +
    "- Ask before anything destructive or irreversible.\n" +
    "- Keep lasting notes about the user in USER.md and MEMORY.md when asked to remember something.\n",
  "SOUL.md": "# Soul\nFriendly, direct and honest. Say when you are unsure; never invent facts.\n",
  "USER.md": "# User\n(Name, preferences, time zone. Edit this file to tell the agent about you.)\n",
  "MEMORY.md": "# Memory\n(Long-term notes. Nothing yet.)\n",
};

export interface WorkspaceFile {
  name: WorkspaceFileName;
  text: string;
  /** Size of the file on disk. */
  bytes: number;
  truncated: boolean;
}

/**
 * Creates the workspace directory with the default files when it does not exist yet. Returns true
 * when it was created. An existing directory is left alone (deleted files stay deleted).
 */
export async function ensureWorkspace(dir: string): Promise<boolean> {
  try {
    await Deno.stat(dir);
    return false;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of WORKSPACE_FILES) {
    try {
      await Deno.writeTextFile(`${dir}/${name}`, DEFAULT_WORKSPACE_FILES[name], {
        createNew: true,
        mode: 0o600,
      });
    } catch (err) {
      // Another shard worker created it at the same moment: theirs is as good as ours.
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
  }
  return true;
}

/** Reads the workspace files that exist and are not blank, each capped to `capBytes`. */
export async function readWorkspaceFiles(
  dir: string,
  capBytes = DEFAULT_FILE_CAP_BYTES,
): Promise<WorkspaceFile[]> {
  const out: WorkspaceFile[] = [];
  for (const name of WORKSPACE_FILES) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(`${dir}/${name}`);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    const truncated = bytes.length > capBytes;
    const text = decodePrefix(bytes, capBytes).trim();
    if (!text) continue;
    out.push({ name, text, bytes: bytes.length, truncated });
  }
  return out;
}

/** Decodes at most `max` bytes of UTF-8 without cutting a character in half. */
function decodePrefix(bytes: Uint8Array, max: number): string {
  if (bytes.length <= max) return new TextDecoder().decode(bytes);
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back up to a character boundary
  return new TextDecoder().decode(bytes.subarray(0, end));
}

export interface SystemPromptInput {
  agentId: string;
  agentName?: string;
  files: readonly WorkspaceFile[];
  /** Epoch ms, from the Clock. */
  now: number;
  /** The latest compaction summary, when any. */
  summary?: string;
  capBytes?: number;
  /** The run may call memory_search/memory_get: say when to. */
  memoryTools?: boolean;
  /** More sections after the workspace files (e.g. the skills list). */
  sections?: readonly string[];
}

/** The memory paragraph of the system prompt (only when the memory tools are offered). */
export const MEMORY_GUIDE =
  "## Memory\nLong-term notes live in MEMORY.md and memory/YYYY-MM-DD.md (daily notes). " +
  "Before answering about earlier conversations, decisions, people, dates, preferences or to-dos, call " +
  "memory_search; read more with memory_get. Append lasting facts to today's daily note.";

/** Builds the system prompt. */
export function buildSystemPrompt(input: SystemPromptInput): string {
  const cap = input.capBytes ?? DEFAULT_FILE_CAP_BYTES;
  const name = input.agentName ? `${input.agentName} (agent "${input.agentId}")` : `agent "${input.agentId}"`;
  const parts = [
    `You are ${name}, an AI assistant running in Talon, a self-hosted agent gateway.`,
    `Current date and time: ${formatNow(input.now)}.`,
  ];
  for (const f of input.files) {
    let section = `## ${f.name}\n${f.text}`;
    if (f.truncated) {
      section +=
        `\n[… ${f.name} truncated: the file is ${f.bytes} bytes and only the first ${cap} are included. ` +
        `Shorten it to include all of it.]`;
    }
    parts.push(section);
  }
  if (input.memoryTools) parts.push(MEMORY_GUIDE);
  for (const section of input.sections ?? []) if (section) parts.push(section);
  if (input.summary) parts.push(`## Summary of the earlier conversation\n${input.summary}`);
  return parts.join("\n\n");
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** `2025-05-06 12:34 UTC (Tuesday)` — minute precision keeps the prompt stable for provider caches. */
export function formatNow(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC (${DAYS[d.getUTCDay()]})`;
}

/**
 * Bytes (UTF-8 JSON) of what a model call sends: system prompt, messages and tool schemas; the length of
 * `JSON.stringify({ system, messages, tools })` encoded, without encoding it or serialising the tools again.
 */
export function measureRequestBytes(req: Pick<ModelRequest, "system" | "messages" | "tools">): number {
  const head = utf8Length(JSON.stringify({ system: req.system, messages: req.messages }));
  // `,"tools":` + the list goes before the closing brace.
  return head + 9 + toolSpecsSize(req.tools).bytes;
}

export interface WorkspaceReader {
  /** The workspace files of `dir` (created with defaults on first use), at most `maxAgeMs` old. */
  read(dir: string): Promise<WorkspaceFile[]>;
}

/**
 * Reads workspace files for the runs of one runtime, creating a workspace once and re-reading its files at
 * most every `maxAgeMs` (default 1 s): a person editing AGENTS.md sees the change on the next message, and
 * a busy session does not read four files per turn.
 */
export function createWorkspaceReader(
  opts: { now?: () => number; maxAgeMs?: number; capBytes?: number } = {},
): WorkspaceReader {
  const now = opts.now ?? Date.now;
  const maxAge = opts.maxAgeMs ?? 1000;
  const ensured = new Set<string>();
  const cache = new Map<string, { at: number; files: WorkspaceFile[] }>();
  return {
    async read(dir) {
      const hit = cache.get(dir);
      if (hit && now() - hit.at < maxAge) return hit.files;
      if (!ensured.has(dir)) {
        await ensureWorkspace(dir);
        ensured.add(dir);
      }
      const files = await readWorkspaceFiles(dir, opts.capBytes);
      cache.set(dir, { at: now(), files });
      return files;
    },
  };
}
