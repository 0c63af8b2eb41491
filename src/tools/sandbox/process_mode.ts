/**
 * The child-process form of the sandbox: one operation in a child process; arguments go in on stdin and
 * the reply comes back on stdout, as JSON.
 * - From source, the child is `deno run` with exactly the granted `--allow-*` flags.
 * - Inside a compiled binary, Deno.execPath() is `talon` itself and its permissions are baked in, so the
 *   child is `talon __sandbox`: it receives the granted permissions with the operation and runs the
 *   operation in a Worker holding only those (the same narrowing as worker mode, in its own process).
 */
import type { ToolPermissions } from "../types.ts";
import { ToolError } from "../errors.ts";
import type { WorkerReply } from "./worker_mode.ts";

/** The hidden subcommand a compiled binary runs for a sandbox child (see main.ts). */
export const SANDBOX_SUBCOMMAND = "__sandbox";

/** How to start the sandbox child: argv for Deno.execPath(), and whether the child must narrow itself. */
export function sandboxChildArgs(
  p: ToolPermissions,
  o: { standalone: boolean; entry: string },
): { args: string[]; narrowInChild: boolean } {
  if (o.standalone) return { args: [SANDBOX_SUBCOMMAND], narrowInChild: true };
  return {
    args: ["run", "--quiet", "--no-prompt", "--no-config", "--no-lock", ...permissionFlags(p), o.entry],
    narrowInChild: false,
  };
}

/** The `--allow-*` flags for a permission set (nothing for empty lists). */
export function permissionFlags(p: ToolPermissions): string[] {
  const flags: string[] = [];
  const add = (name: string, list?: string[]) => {
    if (list && list.length > 0) flags.push(`--allow-${name}=${list.join(",")}`);
  };
  add("read", p.read);
  add("write", p.write);
  add("net", p.net);
  add("run", p.run);
  add("env", p.env);
  return flags;
}

/** Runs one operation in a child `deno run` holding only `p`. */
export async function runInProcess(
  op: string,
  args: unknown,
  p: ToolPermissions,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<WorkerReply> {
  const entry = new URL("./process_entry.ts", import.meta.url).href;
  const how = sandboxChildArgs(p, { standalone: Deno.build.standalone === true, entry });
  const child = new Deno.Command(Deno.execPath(), {
    args: how.args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, timeoutMs);
  signal?.addEventListener("abort", kill, { once: true });
  const w = child.stdin.getWriter();
  const request = how.narrowInChild ? { op, args, permissions: p, timeoutMs } : { op, args };
  await w.write(new TextEncoder().encode(JSON.stringify(request, bytesReplacer)));
  await w.close();
  const out = await child.output();
  clearTimeout(timer);
  signal?.removeEventListener("abort", kill);
  if (timedOut) throw new ToolError("Timeout", `${op} did not finish within ${timeoutMs} ms`);
  if (signal?.aborted) throw new ToolError("Failed", `${op} was aborted`);
  const text = new TextDecoder().decode(out.stdout).trim();
  try {
    return JSON.parse(text.split("\n").pop() ?? "", bytesReviver) as WorkerReply;
  } catch {
    const stderr = new TextDecoder().decode(out.stderr).trim().slice(0, 500);
    return {
      ok: false,
      error: { name: "Error", message: `sandbox process failed: ${stderr || "no output"}` },
    };
  }
}

/** JSON replacer carrying Uint8Array as `{__bytes: base64}`. */
export function bytesReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) {
    let s = "";
    for (const b of value) s += String.fromCharCode(b);
    return { __bytes: btoa(s) };
  }
  return value;
}

/** JSON reviver undoing `bytesReplacer`. */
export function bytesReviver(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && "__bytes" in value && typeof value.__bytes === "string") {
    return Uint8Array.from(atob(value.__bytes), (c) => c.charCodeAt(0));
  }
  return value;
}
