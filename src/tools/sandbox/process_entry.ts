/** Entry of a sandbox child process: one `{op, args}` JSON on stdin, one reply line on stdout. */
import { type OpName, OPS } from "./ops.ts";
import { bytesReplacer, bytesReviver } from "./process_mode.ts";

const input = JSON.parse(await new Response(Deno.stdin.readable).text(), bytesReviver) as {
  op: OpName;
  args: unknown;
};
let reply: unknown;
try {
  const fn = OPS[input.op] as ((a: unknown) => Promise<unknown>) | undefined;
  if (!fn) throw new TypeError(`unknown sandbox operation ${input.op}`);
  reply = { ok: true, value: await fn(input.args) };
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  reply = { ok: false, error: { name: e.name, message: e.message } };
}
console.log(JSON.stringify(reply, bytesReplacer));
