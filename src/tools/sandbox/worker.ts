/**
 * Entry of a sandbox worker: receives `{op, args}`, runs the operation with the worker's (narrow)
 * permissions and posts back `{ok, value}` or `{ok: false, error: {name, message}}`.
 */
import { type OpName, OPS } from "./ops.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ op: OpName; args: unknown }>) => void) | null;
  postMessage(data: unknown): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = async (e) => {
  const { op, args } = e.data;
  try {
    const fn = OPS[op] as ((a: unknown) => Promise<unknown>) | undefined;
    if (!fn) throw new TypeError(`unknown sandbox operation ${op}`);
    scope.postMessage({ ok: true, value: await fn(args) });
  } catch (err) {
    const e2 = err instanceof Error ? err : new Error(String(err));
    scope.postMessage({ ok: false, error: { name: e2.name, message: e2.message } });
  }
};
