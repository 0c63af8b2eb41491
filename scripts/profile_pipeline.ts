/**
 * CPU profiles of the gateway's main thread and every shard worker under real agent turns, for finding
 * where a turn's time goes. Starts `talon gateway` with `--inspect` on 127.0.0.1, attaches to the workers
 * through the inspector (Target.setAutoAttach), drives `/v1/chat/completions` turns against a fake
 * OpenAI provider, and writes one `.cpuprofile` per thread (open them in Chrome DevTools) plus a summary:
 * where each thread's samples went, by module and by function (self time).
 *
 *   deno run -A scripts/profile_pipeline.ts [--sessions 10] [--turns 2000] [--shards 2] [--out dir]
 *     [--new-sessions]   (every turn in a session of its own, like bench_http.ts; default: N sessions reused)
 *
 * The profiler samples wall time: time a thread spends blocked in a native call (e.g. SQLite waiting for
 * a lock) counts under that call, time waiting for work counts as "(idle)".
 */
import { parseArgs } from "node:util";
import { createFakeOpenAI } from "../test/fakes/fake_openai.ts";
import { sendV1Turn, spawnProviderGateway } from "../test/helpers/process.ts";
import { freePort } from "../test/helpers/ports.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

/** Share of samples by module (our src/ directories, npm packages, runtime) and by function. */
export function summarise(
  profile: CpuProfile,
  top = 12,
): { modules: [string, number][]; functions: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const name = frame.functionName || "(anonymous)";
    const module = moduleOf(frame.url) ?? name;
    modules.set(module, (modules.get(module) ?? 0) + 1);
    const where = frame.url ? ` ${frame.url.split("/").pop()}:${frame.lineNumber + 1}` : "";
    functions.set(name + where, (functions.get(name + where) ?? 0) + 1);
  }
  const total = Math.max(1, profile.samples.length);
  const rank = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) =>
      [k, (100 * v) / total] as [string, number]
    );
  return { modules: rank(modules), functions: rank(functions) };
}

function moduleOf(url: string): string | undefined {
  if (!url) return undefined;
  const src = /\/src\/([^/]+)\//.exec(url);
  if (src && !url.includes("registry.npmjs.org")) return `src/${src[1]}`;
  const npm = /registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (npm) return `npm:${npm[1]}`;
  if (url.startsWith("ext:")) return url.split("/")[0];
  return url.slice(0, 60);
}

export interface Inspector {
  send(method: string, params?: unknown, sessionId?: string): Promise<Record<string, unknown>>;
  workers: string[];
  /** The heap snapshot chunks received since the last call, joined. */
  takeChunks(): string;
  close(): void;
}

export async function inspector(port: number): Promise<Inspector> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
    webSocketDebuggerUrl: string;
  }[];
  const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let nextId = 0;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  const workers: string[] = [];
  const chunks: string[] = [];
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data));
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)!(m.result ?? {});
      pending.delete(m.id);
    }
    if (m.method === "Target.attachedToTarget") workers.push(m.params.sessionId);
    if (m.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(m.params.chunk);
  };
  return {
    workers,
    takeChunks: () => chunks.splice(0).join(""),
    send: (method, params = {}, sessionId) =>
      new Promise((resolve) => {
        const id = ++nextId;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      }),
    close: () => ws.close(),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sessions: { type: "string", default: "10" },
      turns: { type: "string", default: "2000" },
      shards: { type: "string", default: "2" },
      out: { type: "string", default: "." },
      "new-sessions": { type: "boolean", default: false },
    },
  });
  const sessions = Number(values.sessions);
  const perSession = Math.max(1, Math.round(Number(values.turns) / sessions));
  const provider = createFakeOpenAI({ fallback: { text: "ok", delayMs: 0 } });
  const inspectPort = freePort();
  await using gw = await spawnProviderGateway({
    providerUrl: provider.url,
    model: "profile",
    prefix: "talon-profile-",
    agents: { maxConcurrent: 8, perShardConcurrent: 8, shards: Number(values.shards) },
    runFlags: [`--inspect=127.0.0.1:${inspectPort}`],
  });
  let fresh = 0;
  const turn = (session: number) =>
    sendV1Turn(
      gw,
      values["new-sessions"] ? `agent:main:profile:new-${fresh++}` : `agent:main:profile:${session}`,
      `hello ${session}`,
    );
  try {
    // Start every shard worker before attaching, so each is profiled from the first timed turn.
    await Promise.all(Array.from({ length: Number(values.shards) * 4 }, (_, i) => turn(-1 - i)));
    const insp = await inspector(inspectPort);
    await insp.send("Target.setAutoAttach", {
      autoAttach: true,
      waitForDebuggerOnStart: false,
      flatten: true,
    });
    await new Promise((r) => setTimeout(r, 300));
    const threads: [string, string | undefined][] = [
      ["main", undefined],
      ...insp.workers.map((id, i) => [`worker-${i + 1}`, id] as [string, string]),
    ];
    for (const [, sid] of threads) {
      await insp.send("Profiler.enable", {}, sid);
      await insp.send("Profiler.setSamplingInterval", { interval: 250 }, sid);
      await insp.send("Profiler.start", {}, sid);
    }
    const started = performance.now();
    await Promise.all(Array.from({ length: sessions }, async (_, s) => {
      for (let t = 0; t < perSession; t++) await turn(s);
    }));
    const seconds = (performance.now() - started) / 1000;
    console.log(`${sessions * perSession} turns in ${seconds.toFixed(2)} s (${values.shards} shards)\n`);
    await Deno.mkdir(values.out!, { recursive: true });
    for (const [name, sid] of threads) {
      const { profile } = await insp.send("Profiler.stop", {}, sid) as { profile: CpuProfile };
      const file = `${values.out}/${name}.cpuprofile`;
      await Deno.writeTextFile(file, JSON.stringify(profile));
      const s = summarise(profile);
      console.log(`${name} (${file})`);
      console.log("  by module:   " + s.modules.map(([k, v]) => `${k} ${v.toFixed(1)}%`).join(", "));
      console.log("  by function: " + s.functions.map(([k, v]) => `${k} ${v.toFixed(1)}%`).join(", ") + "\n");
    }
    insp.close();
  } finally {
    await provider.close();
  }
}
