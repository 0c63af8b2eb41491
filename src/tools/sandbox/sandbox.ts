/**
 * The permission-scoped sandbox. Each operation runs in a fresh Deno `Worker` created with exactly the
 * permissions granted to the tool call (`deno.permissions`, needs `--unstable-worker-options`), or in a
 * child `deno run` with exactly those `--allow-*` flags (mode "process"). The process's own permissions
 * and the configured outer bound (`talon gateway --allow-*`, `sandbox.outerBound`; see outer_bound.ts)
 * bound every call: what either does not allow is dropped before the worker is created.
 */
import type { ToolPermissions, ToolSandbox } from "../types.ts";
import type { WorkerReply } from "./worker_mode.ts";
import { ToolError } from "../errors.ts";
import type { OpName } from "./ops.ts";
import { runInProcess } from "./process_mode.ts";
import { runInWorker } from "./worker_mode.ts";
import {
  type BoundKind,
  describeBound,
  droppedByBound,
  narrowToBound,
  type PermissionBound,
} from "./outer_bound.ts";

export type SandboxMode = "worker" | "process";

export interface SandboxOptions {
  mode?: SandboxMode;
  /** Upper bound on one operation (the operation may have its own shorter limit). */
  timeoutMs?: number;
  /** The configured outer bound of every call (flags and config); undefined: only the process's own. */
  bound?: PermissionBound;
}

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface Sandbox {
  /** Runs `op` with `permissions` (intersected with the process's own). Throws ToolError. */
  run<T = unknown>(op: OpName, args: unknown, permissions: ToolPermissions, options?: RunOptions): Promise<T>;
  /** A ToolSandbox bound to one call's permissions and abort signal. */
  bind(permissions: ToolPermissions, signal?: AbortSignal): ToolSandbox;
}

/** Creates a sandbox. */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const mode = options.mode ?? "worker";
  const defaultTimeout = options.timeoutMs ?? 120_000;
  const sandbox: Sandbox = {
    async run<T>(op: OpName, args: unknown, permissions: ToolPermissions, opts: RunOptions = {}) {
      const granted = narrowPermissions(permissions, options.bound);
      const timeoutMs = opts.timeoutMs ?? defaultTimeout;
      let reply: WorkerReply;
      try {
        reply = mode === "worker"
          ? await runInWorker(op, args, granted, timeoutMs, opts.signal)
          : await runInProcess(op, args, granted, timeoutMs, opts.signal);
      } catch (err) {
        if (err instanceof ToolError) throw err;
        throw new ToolError("Failed", `sandbox ${op} failed: ${(err as Error).message}`, { cause: err });
      }
      if (reply.ok) return reply.value as T;
      throw toToolError(reply.error, granted, options.bound);
    },
    bind(permissions, signal) {
      return {
        permissions,
        run: <T>(op: string, args: unknown) => sandbox.run<T>(op as OpName, args, permissions, { signal }),
      };
    },
  };
  return sandbox;
}

export type { WorkerReply } from "./worker_mode.ts";

/** Narrows a call's permissions to the configured bound, then to what the process itself holds. */
export function narrowPermissions(p: ToolPermissions, bound: PermissionBound | undefined): ToolPermissions {
  return intersectWithProcess(narrowToBound(p, bound));
}

/** Drops every requested permission the process itself does not hold. */
export function intersectWithProcess(p: ToolPermissions): ToolPermissions {
  const keep = (desc: (v: string) => Deno.PermissionDescriptor, list?: string[]) =>
    (list ?? []).filter((v) => {
      try {
        return Deno.permissions.querySync(desc(v)).state === "granted";
      } catch {
        return false;
      }
    });
  return {
    read: keep((path) => ({ name: "read", path }), p.read),
    write: keep((path) => ({ name: "write", path }), p.write),
    net: keep((host) => ({ name: "net", host }), p.net),
    run: keep((command) => ({ name: "run", command }), p.run),
    env: keep((variable) => ({ name: "env", variable }), p.env),
  };
}

const DENIAL = /Requires (\w+) access to "?([^",]*)"?/;

/** Maps an error from inside the sandbox to a ToolError the model can understand. */
export function toToolError(
  error: { name: string; message: string },
  granted: ToolPermissions,
  bound?: PermissionBound,
): ToolError {
  if (error.name === "NotCapable" || error.name === "PermissionDenied") {
    const m = DENIAL.exec(error.message);
    if (m) {
      const kind = m[1] as keyof ToolPermissions;
      if (droppedByBound(kind as BoundKind, m[2]!, bound)) {
        return new ToolError(
          "NotCapable",
          `${kind} ${m[2]} is outside the gateway's outer bound for tools (${describeBound(bound)}); ` +
            "widen talon gateway's --allow-* flags or sandbox.outerBound to allow it",
        );
      }
      const allowed = granted[kind] ?? [];
      const scope = allowed.length ? `only ${allowed.join(", ")}` : "none";
      return new ToolError(
        "NotCapable",
        `${kind} ${m[2]} is outside this tool call's permissions (${kind}: ${scope})`,
      );
    }
    return new ToolError("NotCapable", error.message);
  }
  if (error.name === "NotFound") return new ToolError("NotFound", error.message);
  return new ToolError("Failed", error.message);
}
