/**
 * Figures of a process tree from Linux /proc, for the benchmarks and the soak: the pids of a process and
 * its descendants, their summed RSS and their summed CPU time (user + system, all threads).
 */

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** `pid` and every live descendant (through /proc/<pid>/task/<tid>/children). */
export function treePids(pid: number): number[] {
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    out.push(p);
    let tasks: string[] = [];
    try {
      tasks = [...Deno.readDirSync(`/proc/${p}/task`)].map((e) => e.name);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const children = read(`/proc/${p}/task/${tid}/children`);
      for (const c of children?.trim().split(/\s+/) ?? []) if (c) todo.push(Number(c));
    }
  }
  return out;
}

/** A status field (`VmRSS`, `VmHWM`) of one process, MiB; 0 when the process is gone. */
export function statusMiB(pid: number, field: "VmRSS" | "VmHWM" | "RssAnon" | "RssFile"): number {
  const status = read(`/proc/${pid}/status`);
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status ?? "")?.[1] ?? 0) / 1024;
}

/** Summed RSS of the process tree, MiB. */
export function treeRssMiB(pid: number): number {
  return treePids(pid).reduce((sum, p) => sum + statusMiB(p, "VmRSS"), 0);
}

/** CPU time (user + system, all threads) of one process, ms; 0 when it is gone. */
export function cpuMs(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  // Fields after the command name (which may contain spaces) start at field 3; utime/stime are 14/15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Summed CPU time of the live process tree, ms. */
export function treeCpuMs(pid: number): number {
  return treePids(pid).reduce((sum, p) => sum + cpuMs(p), 0);
}

/** Samples the tree's RSS every `everyMs` and keeps the peak; `stop()` returns it (MiB). */
export function peakRssSampler(pid: number, everyMs = 100): { peak(): number; stop(): number } {
  let peak = treeRssMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssMiB(pid));
  }, everyMs);
  return {
    peak: () => peak,
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, treeRssMiB(pid));
      return peak;
    },
  };
}
