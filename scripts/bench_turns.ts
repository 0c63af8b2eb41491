/**
 * Turn-overhead benchmark (issue 3): a real `talon gateway` process with a fake OpenAI provider that answers
 * at once; N sequential turns through POST /v1/chat/completions. Per turn:
 *   overhead = client-measured latency − provider handling time (measured inside the fake)
 * reported as p50/p99, plus the bytes Talon sends to the provider per turn and the size of the default
 * system prompt + tool schemas in those requests.
 *
 *   deno run -A --unstable-worker-options scripts/bench_turns.ts [--turns 200] [--warmup 10] [--stream] [--json]
 * Targets: overhead p50 ≤ 5 ms; prompt + tool schemas ≤ 12 KB.
 */
import { parseArgs } from "node:util";
import { chatChunks } from "../test/fakes/fake_openai.ts";
import { spawnProviderGateway } from "../test/helpers/process.ts";
import { percentile } from "../src/lanes/wait_stats.ts";

export interface TurnsResult {
  turns: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  providerP50Ms: number;
  overheadP50Ms: number;
  overheadP99Ms: number;
  /** Request body bytes the provider received per turn (median). */
  bytesToProviderPerTurn: number;
  /** System prompt + tool schemas as sent (JSON), bytes. */
  promptAndToolsBytes: number;
  systemPromptBytes: number;
  toolSchemasBytes: number;
  toolCount: number;
  /** The gateway process's peak RSS (VmHWM), MiB. */
  peakRssMiB: number;
}

interface ProviderSample {
  bytes: number;
  handlingMs: number;
  body: Record<string, unknown>;
}

/** A minimal OpenAI-wire fake that times its own handling of every request (arrival → last byte queued). */
function timedProvider(text: string) {
  const samples: ProviderSample[] = [];
  const enc = new TextEncoder();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const t0 = performance.now();
    const raw = await req.text();
    const body = raw ? JSON.parse(raw) : {};
    const model = String(body.model ?? "gpt-bench");
    let res: Response;
    if (body.stream === true) {
      const frames = chatChunks({ text }, model, body.stream_options?.include_usage === true);
      res = new Response(enc.encode(frames.join("")), { headers: { "content-type": "text/event-stream" } });
    } else {
      const out = chatChunks({ text }, model, false);
      res = Response.json({
        id: "chatcmpl-bench",
        object: "chat.completion",
        created: 1_700_000_000,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: { prompt_tokens: 10, completion_tokens: out.length, total_tokens: 10 + out.length },
      });
    }
    samples.push({ bytes: enc.encode(raw).length, handlingMs: performance.now() - t0, body });
    return res;
  });
  return { url: `http://127.0.0.1:${server.addr.port}/v1`, samples, close: () => server.shutdown() };
}

function peakRssMiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return NaN;
  }
}

/** Runs the benchmark once and returns its figures. */
export async function benchTurns(
  opts: { turns?: number; warmup?: number; stream?: boolean } = {},
): Promise<TurnsResult> {
  const turns = opts.turns ?? 200;
  const warmup = opts.warmup ?? 10;
  const provider = timedProvider("ok");
  try {
    await using gw = await spawnProviderGateway({
      providerUrl: provider.url,
      model: "gpt-bench",
      prefix: "talon-bench-turns-",
    });
    const { token } = gw;
    const url = `${gw.url}/v1/chat/completions`;
    const turn = async (i: number) => {
      const t0 = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "talon/main",
          messages: [{ role: "user", content: `turn ${i}` }],
          ...(opts.stream ? { stream: true } : {}),
        }),
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(`turn ${i}: HTTP ${res.status}: ${text.slice(0, 300)}`);
      return ms;
    };
    for (let i = 0; i < warmup; i++) await turn(-1 - i);
    const before = provider.samples.length;
    const latencies: number[] = [];
    const overheads: number[] = [];
    const providerMs: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < turns; i++) {
      const seen = provider.samples.length;
      const ms = await turn(i);
      const calls = provider.samples.slice(seen);
      if (calls.length === 0) throw new Error(`turn ${i} never reached the provider`);
      const handling = calls.reduce((s, c) => s + c.handlingMs, 0);
      latencies.push(ms);
      providerMs.push(handling);
      overheads.push(ms - handling);
      bytes.push(calls.reduce((s, c) => s + c.bytes, 0));
    }
    const first = provider.samples[before]!.body;
    const messages = (first.messages ?? []) as Array<{ role: string; content: unknown }>;
    const system = messages.filter((m) => m.role === "system" || m.role === "developer");
    const enc = new TextEncoder();
    const systemPromptBytes = enc.encode(JSON.stringify(system.map((m) => m.content))).length;
    const tools = (first.tools ?? []) as unknown[];
    const toolSchemasBytes = tools.length ? enc.encode(JSON.stringify(tools)).length : 0;
    const rss = peakRssMiB(gw.child.pid);
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    return {
      turns,
      latencyP50Ms: percentile(sorted(latencies), 0.5),
      latencyP99Ms: percentile(sorted(latencies), 0.99),
      providerP50Ms: percentile(sorted(providerMs), 0.5),
      overheadP50Ms: percentile(sorted(overheads), 0.5),
      overheadP99Ms: percentile(sorted(overheads), 0.99),
      bytesToProviderPerTurn: percentile(sorted(bytes), 0.5),
      promptAndToolsBytes: systemPromptBytes + toolSchemasBytes,
      systemPromptBytes,
      toolSchemasBytes,
      toolCount: tools.length,
      peakRssMiB: rss,
    };
  } finally {
    await provider.close();
  }
}

/** The table rows of one result, with the targets. */
export function formatTurns(r: TurnsResult): string[] {
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  return [
    `| turns | latency p50 / p99 | provider p50 | overhead p50 / p99 | sent to provider / turn | prompt + ${r.toolCount} tool schemas |`,
    "|---|---|---|---|---|---|",
    `| ${r.turns} | ${r.latencyP50Ms.toFixed(2)} / ${r.latencyP99Ms.toFixed(2)} ms | ${
      r.providerP50Ms.toFixed(2)
    } ms | ${r.overheadP50Ms.toFixed(2)} / ${r.overheadP99Ms.toFixed(2)} ms | ${
      kb(r.bytesToProviderPerTurn)
    } | ${kb(r.promptAndToolsBytes)} (${kb(r.systemPromptBytes)} + ${kb(r.toolSchemasBytes)}) |`,
    `targets: overhead p50 ≤ 5 ms: ${r.overheadP50Ms <= 5 ? "met" : "NOT met"}; prompt + schemas ≤ 12 KB: ${
      r.promptAndToolsBytes <= 12 * 1024 ? "met" : "NOT met"
    }; gateway peak RSS ${r.peakRssMiB.toFixed(0)} MiB`,
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      turns: { type: "string", default: "200" },
      warmup: { type: "string", default: "10" },
      stream: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const r = await benchTurns({
    turns: Number(values.turns),
    warmup: Number(values.warmup),
    stream: values.stream,
  });
  if (values.json) console.log(JSON.stringify(r));
  else {
    console.log(
      `turn overhead benchmark: ${r.turns} sequential turns via /v1/chat/completions, provider at 0 ms`,
    );
    for (const l of formatTurns(r)) console.log(l);
  }
}
