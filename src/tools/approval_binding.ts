/**
 * What an exec approval binds: the whole effect of the call, not only its words. The hash covers argv
 * with argv[0] resolved to the program's real path, the cwd, the stdin (by hash), the names of the
 * environment variables passed, whether the call has the network and whether it runs confined. The
 * request shows all of that plus the files the agent changed that the program reads.
 */
import { sha256Hex } from "../core/ids.ts";

/** A summary of a call's standard input: enough to recognise it, never the whole text. */
export interface StdinSummary {
  sha256: string;
  bytes: number;
  /** The first characters, control characters escaped. */
  preview: string;
}

/** The effect an approval is bound to. */
export interface ExecBinding {
  /** argv with argv[0] the real absolute path of the program. */
  argv: readonly string[];
  cwd: string;
  stdin?: StdinSummary;
  /** Names (not values) of the environment variables passed. */
  envNames?: readonly string[];
  network?: boolean;
  /** Whether the program runs inside the OS sandbox; false means "unconfined". */
  confined?: boolean;
}

/** What a request shows beyond the binding. */
export interface ApprovalContext {
  /** argv as the model wrote it (argv[0] possibly a bare name). */
  requested?: readonly string[];
  /** Workspace-relative files the agent's tools wrote that this program is known to read. */
  changedByAgent?: readonly string[];
}

/** Stored with an approval record (the `binding` column). */
export type StoredBinding = Omit<ExecBinding, "argv" | "cwd"> & ApprovalContext;

const PREVIEW_CHARS = 200;
/** Control characters are shown escaped, so a preview is one line that cannot fake other lines. */
const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Summarises stdin text. */
export async function summarizeStdin(text: string): Promise<StdinSummary> {
  const bytes = new TextEncoder().encode(text).length;
  const head = text.slice(0, PREVIEW_CHARS);
  const preview = oneLine(head) + (text.length > PREVIEW_CHARS ? "…" : "");
  return { sha256: await sha256Hex(text), bytes, preview };
}

/** The hash an approval is bound to. Any difference in the effect gives a different hash. */
export function bindingHash(b: ExecBinding): Promise<string> {
  return sha256Hex(JSON.stringify({
    argv: b.argv,
    cwd: b.cwd,
    stdin: b.stdin ? { sha256: b.stdin.sha256, bytes: b.stdin.bytes } : null,
    env: [...(b.envNames ?? [])].sort(),
    network: b.network ?? false,
    confined: b.confined ?? false,
  }));
}

/** The request as lines for people (chat, CLI, Control UI). */
export function describeRequest(b: ExecBinding & ApprovalContext): string[] {
  const lines = [`run: ${b.argv.map(quote).join(" ")}`];
  if (b.requested && b.requested[0] !== b.argv[0]) lines.push(`  (asked for as ${quote(b.requested[0]!)})`);
  lines.push(`in: ${b.cwd}`);
  lines.push(
    b.confined
      ? `confined by bubblewrap; network: ${b.network ? "yes" : "no"}`
      : `UNCONFINED: the program runs with the gateway user's full access${
        b.network ? " (network: yes)" : ""
      }`,
  );
  if (b.envNames?.length) lines.push(`env: ${b.envNames.join(", ")}`);
  if (b.stdin) {
    lines.push(`stdin: ${b.stdin.bytes} bytes, sha256 ${b.stdin.sha256.slice(0, 16)}…: ${b.stdin.preview}`);
  }
  for (const f of b.changedByAgent ?? []) {
    lines.push(`reads ${oneLine(f)} — changed by the agent in this session`);
  }
  return lines;
}

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${oneLine(a).replaceAll("'", `'\\''`)}'`;
}

/** `text` with control characters escaped: one line that cannot fake the lines after it. */
function oneLine(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f]/g,
    (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
