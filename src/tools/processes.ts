/**
 * Background processes started by `exec` with `background: true`. Each lives in its own worker holding
 * only the run permission for its launch line (the program, or bwrap around it); handles are visible
 * only to the session that started them.
 */
import type { ToolPermissions } from "./types.ts";
import { ToolError } from "./errors.ts";
import { newId } from "../core/ids.ts";
import { narrowPermissions, toToolError, type WorkerReply } from "./sandbox/sandbox.ts";
import type { PermissionBound } from "./sandbox/outer_bound.ts";

export interface ProcessState {
  running: boolean;
  code: number | null;
  signal: string | null;
  stdoutBytes: number;
  stderrBytes: number;
}

export interface ProcessInfo extends ProcessState {
  handle: string;
  argv: string[];
  cwd: string;
  pid: number;
  startedAt: number;
}

export interface ProcessTable {
  start(o: {
    sessionKey: string;
    /** What is started (e.g. bwrap and its arguments around the program). */
    argv: string[];
    /** What people see as the command (default: argv). */
    command?: string[];
    cwd: string;
    env: Record<string, string>;
    maxOutputBytes: number;
    permissions: ToolPermissions;
    stdin?: string;
    /** argv starts bwrap: a kill also reaches the sandbox's init (see `signal` below). */
    confined?: boolean;
  }): Promise<ProcessInfo>;
  list(sessionKey: string): Promise<ProcessInfo[]>;
  poll(sessionKey: string, handle: string): Promise<ProcessInfo>;
  read(
    sessionKey: string,
    handle: string,
    stream: "stdout" | "stderr",
    offset: number,
  ): Promise<{ text: string; next: number; info: ProcessInfo }>;
  kill(sessionKey: string, handle: string): Promise<ProcessInfo>;
  /** Removes finished entries and terminates their workers. */
  prune(sessionKey?: string): Promise<number>;
  /** Kills everything (shutdown). */
  closeAll(): Promise<void>;
}

interface Entry {
  sessionKey: string;
  confined: boolean;
  info: Omit<ProcessInfo, keyof ProcessState>;
  worker: Worker;
  queue: Promise<unknown>;
}

/** How long a killed background process gets to exit after SIGTERM (and after SIGKILL). */
const KILL_GRACE_MS = 5_000;
/** How long a kill waits for a confined process's sandbox init to exist. */
const INIT_WAIT_MS = 2_000;

/** Creates the table of background processes. */
export function createProcessTable(
  options: { maxPerSession?: number; now?: () => number; bound?: PermissionBound } = {},
): ProcessTable {
  const entries = new Map<string, Entry>();
  const max = options.maxPerSession ?? 8;
  const now = options.now ?? Date.now;

  const ask = <T>(e: Entry, msg: unknown): Promise<T> => {
    const next = e.queue.then(() =>
      new Promise<T>((resolve, reject) => {
        e.worker.onmessage = (m: MessageEvent<WorkerReply>) => {
          if (m.data.ok) resolve(m.data.value as T);
          else reject(toToolError(m.data.error, {}, options.bound));
        };
        e.worker.postMessage(msg);
      })
    );
    e.queue = next.catch(() => {});
    return next;
  };
  const find = (sessionKey: string, handle: string) => {
    const e = entries.get(handle);
    if (!e || e.sessionKey !== sessionKey) {
      throw new ToolError("NotFound", `no background process ${handle} in this session`);
    }
    return e;
  };
  // bwrap does not forward signals, and a bwrap killed while it sets up its child can leave that child
  // running (--die-with-parent is armed a moment after the fork). So the sandbox's init, bwrap's child,
  // is found first and killed right after bwrap; killing a PID namespace's init ends all of it.
  const signal = async (e: Entry, sig?: Deno.Signal) => {
    const inner = e.confined ? await sandboxInit(e) : [];
    await ask(e, { type: "kill", ...(sig ? { signal: sig } : {}) });
    for (const pid of inner) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* already gone */ }
    }
  };
  // bwrap forks the sandbox's init while it sets up; a kill that comes before the fork waits for it
  // (bounded), so there is always an init to kill and nothing is left behind in the namespace.
  const sandboxInit = async (e: Entry): Promise<number[]> => {
    const deadline = now() + INIT_WAIT_MS;
    for (;;) {
      const pids = childPids(e.info.pid);
      if (pids.length || now() >= deadline || !(await info(e)).running) return pids;
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const info = async (e: Entry): Promise<ProcessInfo> => ({
    ...e.info,
    ...(await ask<ProcessState>(e, { type: "poll" })),
  });

  return {
    async start(o) {
      const mine = [...entries.values()].filter((e) => e.sessionKey === o.sessionKey);
      if (mine.length >= max) {
        throw new ToolError("Denied", `at most ${max} background processes per session; kill one first`);
      }
      const granted = narrowPermissions(o.permissions, options.bound);
      const list = (l?: string[]) => (l && l.length ? l : false);
      const worker = new Worker(new URL("./sandbox/bg_worker.ts", import.meta.url), {
        type: "module",
        deno: {
          permissions: {
            read: list(granted.read),
            write: list(granted.write),
            net: false,
            run: list(granted.run),
            env: false,
            sys: false,
            ffi: false,
            import: false,
          },
        },
      } as WorkerOptions);
      const handle = newId("proc");
      const e: Entry = {
        sessionKey: o.sessionKey,
        confined: o.confined ?? false,
        worker,
        queue: Promise.resolve(),
        info: { handle, argv: o.command ?? o.argv, cwd: o.cwd, pid: 0, startedAt: now() },
      };
      try {
        const r = await ask<{ pid: number }>(e, {
          type: "start",
          argv: o.argv,
          cwd: o.cwd,
          env: o.env,
          maxOutputBytes: o.maxOutputBytes,
          stdin: o.stdin,
        });
        e.info.pid = r.pid;
      } catch (err) {
        worker.terminate();
        throw err;
      }
      entries.set(handle, e);
      return await info(e);
    },
    async list(sessionKey) {
      const mine = [...entries.values()].filter((e) => e.sessionKey === sessionKey);
      return await Promise.all(mine.map(info));
    },
    poll: (sessionKey, handle) => info(find(sessionKey, handle)),
    async read(sessionKey, handle, stream, offset) {
      const e = find(sessionKey, handle);
      const r = await ask<ProcessState & { text: string; next: number }>(e, { type: "read", stream, offset });
      const { text, next, ...state } = r;
      return { text, next, info: { ...e.info, ...state } };
    },
    async kill(sessionKey, handle) {
      const e = find(sessionKey, handle);
      // SIGTERM, then SIGKILL if it is still running after the grace period; either way the answer says
      // how it ended, waiting (up to a deadline) for the exit to be seen rather than answering "running".
      const exited = async (ms: number) => {
        const deadline = now() + ms;
        for (;;) {
          const s = await info(e);
          if (!s.running || now() >= deadline) return s;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await signal(e);
      const s = await exited(KILL_GRACE_MS);
      if (!s.running) return s;
      await signal(e, "SIGKILL");
      return await exited(KILL_GRACE_MS);
    },
    async prune(sessionKey) {
      let n = 0;
      for (const [handle, e] of entries) {
        if (sessionKey && e.sessionKey !== sessionKey) continue;
        if (!(await info(e)).running) {
          e.worker.terminate();
          entries.delete(handle);
          n++;
        }
      }
      return n;
    },
    async closeAll() {
      for (const [handle, e] of entries) {
        try {
          const s = await info(e);
          if (s.running) await signal(e, "SIGKILL");
          for (let i = 0; i < 50 && (await info(e)).running; i++) await new Promise((r) => setTimeout(r, 10));
        } catch { /* the worker may be gone */ }
        e.worker.terminate();
        entries.delete(handle);
      }
    },
  };
}

/** Pids of the direct children of `pid` (Linux /proc; [] elsewhere or when it is gone). */
function childPids(pid: number): number[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/).filter(Boolean).map(
      Number,
    );
  } catch {
    return [];
  }
}
