/**
 * Entry of a sandbox child process: one `{op, args, permissions?}` JSON on stdin, one reply line on stdout.
 * With `permissions` (the compiled binary's `talon __sandbox`, whose own permissions are baked in) the
 * operation runs in a Worker holding only those; without, this process's own flags are the grant.
 */
import { type OpName, OPS } from "./ops.ts";
import { bytesReplacer, bytesReviver } from "./process_mode.ts";
import type { ToolPermissions } from "../types.ts";

const input = JSON.parse(await new Response(Deno.stdin.readable).text(), bytesReviver) as {
  op: OpName;
  args: unknown;
  permissions?: ToolPermissions;
  timeoutMs?: number;
};
let reply: unknown;
try {
  if (input.permissions) {
    const { runInWorker } = await import("./worker_mode.ts");
    reply = await runInWorker(input.op, input.args, input.permissions, input.timeoutMs ?? 120_000);
  } else {
    const fn = OPS[input.op] as ((a: unknown) => Promise<unknown>) | undefined;
    if (!fn) throw new TypeError(`unknown sandbox operation ${input.op}`);
    reply = { ok: true, value: await fn(input.args) };
  }
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  reply = { ok: false, error: { name: e.name, message: e.message } };
}
console.log(JSON.stringify(reply, bytesReplacer));
