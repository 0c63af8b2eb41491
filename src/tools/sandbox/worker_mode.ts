/**
 * The worker form of the sandbox: one operation in a fresh Deno `Worker` created with exactly the given
 * permissions (`deno.permissions`, needs `--unstable-worker-options`). Used directly by the sandbox and,
 * inside a compiled binary, by the sandbox child process to narrow its own (baked-in) permissions.
 */
import type { ToolPermissions } from "../types.ts";
import { ToolError } from "../errors.ts";

export type WorkerReply = { ok: true; value: unknown } | {
  ok: false;
  error: { name: string; message: string };
};

/** Runs operation `op` in a Worker holding only `p`. */
export function runInWorker(
  op: string,
  args: unknown,
  p: ToolPermissions,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<WorkerReply> {
  const list = (l?: string[]) => (l && l.length > 0 ? l : false);
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
    deno: {
      permissions: {
        read: list(p.read),
        write: list(p.write),
        net: list(p.net),
        run: list(p.run),
        env: list(p.env),
        sys: false,
        ffi: false,
        import: false,
      },
    },
  } as WorkerOptions);
  return new Promise<WorkerReply>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      worker.terminate();
    };
    const timer = setTimeout(() => {
      done();
      reject(new ToolError("Timeout", `${op} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = () => {
      done();
      reject(new ToolError("Failed", `${op} was aborted`));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      done();
      resolve(e.data);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      done();
      resolve({ ok: false, error: { name: "Error", message: e.message } });
    };
    worker.postMessage({ op, args });
  });
}
