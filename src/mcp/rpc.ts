/**
 * How shard workers reach the main thread's MCP hub: requests and answers over a BroadcastChannel whose
 * name is private to one gateway (a random id handed to its workers), so gateways in one process never
 * cross. Every request has a deadline; a cancelled call is aborted on the hub too.
 */
import type { McpHub } from "./hub.ts";
import type { McpCallResult, McpServerStatus, McpTool } from "./types.ts";

type Request =
  | { type: "req"; id: string; op: "tools" }
  | { type: "req"; id: string; op: "status" }
  | { type: "req"; id: string; op: "call"; name: string; args: Record<string, unknown> }
  | { type: "cancel"; id: string };
type Response = { type: "res"; id: string; ok: true; value: unknown } | {
  type: "res";
  id: string;
  ok: false;
  error: string;
};

/** Serves `hub` on `channel`; returns a function that stops serving. */
export function serveMcpRpc(hub: McpHub, channel: string): () => void {
  const ch = new BroadcastChannel(channel);
  const running = new Map<string, AbortController>();
  ch.onmessage = async (e: MessageEvent<Request>) => {
    const m = e.data;
    if (!m || typeof m !== "object" || typeof m.id !== "string") return;
    if (m.type === "cancel") return running.get(m.id)?.abort();
    if (m.type !== "req") return;
    const ac = new AbortController();
    running.set(m.id, ac);
    let res: Response;
    try {
      const value = m.op === "tools"
        ? await hub.tools()
        : m.op === "status"
        ? hub.status()
        : m.op === "call" && typeof m.name === "string"
        ? await hub.call(m.name, m.args ?? {}, ac.signal)
        : (() => {
          throw new Error("bad MCP request");
        })();
      res = { type: "res", id: m.id, ok: true, value };
    } catch (err) {
      res = { type: "res", id: m.id, ok: false, error: (err as Error).message };
    } finally {
      running.delete(m.id);
    }
    ch.postMessage(res);
  };
  return () => {
    for (const ac of running.values()) ac.abort();
    ch.close();
  };
}

export interface McpRpcClient {
  tools(timeoutMs: number): Promise<McpTool[]>;
  status(timeoutMs: number): Promise<McpServerStatus[]>;
  call(
    name: string,
    args: Record<string, unknown>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<McpCallResult>;
  close(): void;
}

/** The worker side. */
export function createMcpRpcClient(channel: string): McpRpcClient {
  const ch = new BroadcastChannel(channel);
  const pending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>();
  ch.onmessage = (e: MessageEvent<Response>) => {
    const m = e.data;
    if (m?.type !== "res") return;
    const p = pending.get(m.id);
    if (!p) return; // another worker's answer
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error));
  };
  type Body = { op: "tools" } | { op: "status" } | {
    op: "call";
    name: string;
    args: Record<string, unknown>;
  };
  const ask = <T>(
    req: Body,
    timeoutMs: number,
    signal?: AbortSignal,
  ) =>
    new Promise<T>((resolve, reject) => {
      const id = crypto.randomUUID();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        pending.delete(id);
      };
      const timer = setTimeout(() => {
        done();
        ch.postMessage({ type: "cancel", id });
        reject(new Error(`the MCP hub did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = () => {
        done();
        ch.postMessage({ type: "cancel", id });
        reject(new Error("the call was aborted"));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      pending.set(id, {
        resolve: (v) => (done(), resolve(v as T)),
        reject: (e) => (done(), reject(e)),
      });
      ch.postMessage({ type: "req", id, ...req });
    });
  return {
    tools: (t) => ask<McpTool[]>({ op: "tools" }, t),
    status: (t) => ask<McpServerStatus[]>({ op: "status" }, t),
    call: (name, args, t, signal) => ask<McpCallResult>({ op: "call", name, args }, t, signal),
    close() {
      for (const p of pending.values()) p.reject(new Error("closed"));
      pending.clear();
      ch.close();
    },
  };
}
