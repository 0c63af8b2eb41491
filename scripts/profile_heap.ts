/**
 * What the gateway's memory holds while many runs wait on the provider: starts `talon gateway` with
 * `--inspect` on 127.0.0.1, sends `--sessions` parallel `/v1/chat/completions` turns (each a new session)
 * to a fake OpenAI provider that answers after `--delay-ms`, and once every request has reached the
 * provider reports, for the main thread and every shard worker, the V8 heap before and after a full GC and
 * the largest kinds of live objects (a heap snapshot, summarised by constructor), plus the process's RSS
 * split (V8 heaps vs the rest: sockets, buffers, SQLite, code).
 *
 *   deno run -A scripts/profile_heap.ts [--sessions 1000] [--delay-ms 20000] [--top 15] [--no-snapshot]
 *     [--save DIR]
 *
 * `--save DIR` also writes each thread's snapshot to DIR/<thread>.heapsnapshot (for DevTools, or to diff
 * two runs with different `--sessions`).
 */
import { parseArgs } from "node:util";
import { createFakeOpenAI } from "../test/fakes/fake_openai.ts";
import { sendV1Turn, spawnProviderGateway } from "../test/helpers/process.ts";
import { freePort } from "../test/helpers/ports.ts";
import { type Inspector, inspector } from "./profile_pipeline.ts";
import { statusMiB } from "./proc_stats.ts";

export interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count by (type, name) over a heap snapshot, largest first. */
export function summariseSnapshot(
  snap: Snapshot,
  top = 15,
): { kind: string; count: number; bytes: number }[] {
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const types = snap.snapshot.meta.node_types[0];
  const by = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!] ?? "?";
    let name = snap.strings[snap.nodes[i + nameAt]!] ?? "?";
    // Strings and code are grouped by type only; objects and closures by constructor or function name.
    if (type === "string" || type === "concatenated string" || type === "sliced string") name = "";
    if (type === "code" || type === "hidden" || type === "number") name = "";
    if (name.length > 60) name = name.slice(0, 60) + "…";
    const key = `${type}${name ? ` ${name}` : ""}`;
    const e = by.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += snap.nodes[i + sizeAt]!;
    by.set(key, e);
  }
  return [...by].map(([kind, e]) => ({ kind, ...e })).sort((a, b) => b.bytes - a.bytes).slice(0, top);
}

/** The strings that take the most bytes, grouped by their first 50 characters. */
export function largestStrings(snap: Snapshot, top = 10): { kind: string; count: number; bytes: number }[] {
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const by = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    if (types[snap.nodes[i + typeAt]!] !== "string") continue;
    const key = JSON.stringify((snap.strings[snap.nodes[i + nameAt]!] ?? "").slice(0, 50));
    const e = by.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += snap.nodes[i + sizeAt]!;
    by.set(key, e);
  }
  return [...by].map(([kind, e]) => ({ kind: `string ${kind}`, ...e })).sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

async function heapOf(
  insp: Inspector,
  sid: string | undefined,
  snapshot: boolean,
  top: number,
  savePath?: string,
) {
  const mib = (n: number) => n / 1048576;
  const before = await insp.send("Runtime.getHeapUsage", {}, sid) as { usedSize: number; totalSize: number };
  await insp.send("HeapProfiler.enable", {}, sid);
  await insp.send("HeapProfiler.collectGarbage", {}, sid);
  const after = await insp.send("Runtime.getHeapUsage", {}, sid) as { usedSize: number; totalSize: number };
  let kinds: { kind: string; count: number; bytes: number }[] = [];
  if (snapshot) {
    insp.takeChunks();
    await insp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false }, sid);
    const text = insp.takeChunks();
    if (savePath) await Deno.writeTextFile(savePath, text);
    const snap = JSON.parse(text) as Snapshot;
    kinds = [...summariseSnapshot(snap, top), ...largestStrings(snap, top)];
  }
  return {
    usedMiB: mib(before.usedSize),
    totalMiB: mib(before.totalSize),
    liveMiB: mib(after.usedSize),
    kinds,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sessions: { type: "string", default: "1000" },
      "delay-ms": { type: "string", default: "20000" },
      top: { type: "string", default: "15" },
      "no-snapshot": { type: "boolean", default: false },
      save: { type: "string" },
    },
  });
  const sessions = Number(values.sessions);
  const top = Number(values.top);
  const provider = createFakeOpenAI({ fallback: { text: "ok", delayMs: Number(values["delay-ms"]) } });
  const inspectPort = freePort();
  await using gw = await spawnProviderGateway({
    providerUrl: provider.url,
    model: "heap",
    prefix: "talon-heap-",
    runFlags: [`--inspect=127.0.0.1:${inspectPort}`],
  });
  try {
    const insp = await inspector(inspectPort);
    await insp.send("Target.setAutoAttach", {
      autoAttach: true,
      waitForDebuggerOnStart: false,
      flatten: true,
    });
    const rss = () => ({
      rss: statusMiB(gw.child.pid, "VmRSS"),
      anon: statusMiB(gw.child.pid, "RssAnon"),
      file: statusMiB(gw.child.pid, "RssFile"),
    });
    const idle = rss();
    const turns = Array.from(
      { length: sessions },
      (_, i) => sendV1Turn(gw, `agent:main:heap:${i}`, `hello ${i}`),
    );
    const deadline = Date.now() + 120_000;
    while (provider.requests.length < sessions) {
      if (Date.now() > deadline) {
        throw new Error(`only ${provider.requests.length} of ${sessions} reached the provider`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const loaded = rss();
    const threads: [string, string | undefined][] = [
      ["main", undefined],
      ...insp.workers.map((id, i) => [`worker-${i + 1}`, id] as [string, string]),
    ];
    let heapTotal = 0;
    const reports: string[] = [];
    if (values.save) await Deno.mkdir(values.save, { recursive: true });
    for (const [name, sid] of threads) {
      const savePath = values.save ? `${values.save}/${name}.heapsnapshot` : undefined;
      const h = await heapOf(insp, sid, !values["no-snapshot"], top, savePath);
      heapTotal += h.totalMiB;
      reports.push(
        `${name}: heap ${h.usedMiB.toFixed(1)} MiB used of ${h.totalMiB.toFixed(1)}; live after a full GC ` +
          `${h.liveMiB.toFixed(1)} MiB (${
            ((h.liveMiB * 1048576) / sessions / 1024).toFixed(1)
          } KiB per waiting run)`,
        ...h.kinds.map((k) =>
          `  ${(k.bytes / 1048576).toFixed(2).padStart(7)} MiB ${String(k.count).padStart(8)}  ${k.kind}`
        ),
      );
    }
    const f = (n: number) => n.toFixed(0);
    console.log(
      `${sessions} runs waiting on the provider. Gateway RSS ${f(idle.rss)} MiB idle -> ${
        f(loaded.rss)
      } MiB ` +
        `(anonymous ${f(loaded.anon)}, file ${f(loaded.file)}); V8 heaps ${
          heapTotal.toFixed(0)
        } MiB of it, ` +
        `the rest ${f(loaded.anon - heapTotal)} MiB (sockets, buffers, SQLite, code)\n`,
    );
    console.log(reports.join("\n"));
    insp.close();
    await Promise.allSettled(turns);
  } finally {
    await provider.close();
  }
}
