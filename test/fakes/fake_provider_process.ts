/**
 * A fake OpenAI Chat Completions server meant to run as a process of its own (benchmarks: the client,
 * the gateway and the provider each get their own process and CPU accounting). It answers every request
 * with a short text after a delay, and records, per request, its own handling time (arrival → response
 * ready, delay included) under the tag `bench-<id>` found in the request body.
 *
 *   deno run --allow-net test/fakes/fake_provider_process.ts [--delay-ms 0]
 * Prints `fake provider listening on http://127.0.0.1:PORT/v1`. The delay of one request is taken from
 * `delay=<ms>` in its body when present (so one fake serves cases of several latencies), else --delay-ms.
 * `GET /_records` returns `[[tag, handlingMs, arrivedAt], …]` recorded since the previous call and forgets
 * them; `arrivedAt` is the arrival time in epoch ms (performance.timeOrigin + now, sub-millisecond), so a
 * client on the same machine can split its latency into before and after the provider call.
 */
import { parseArgs } from "node:util";

const TAG = /bench-(\d+)/;
const DELAY = /delay=(\d+)/;

/** Starts the server; `delayMs` is the default latency of an answer. */
export function serveFakeProvider(opts: { delayMs: number; port?: number }) {
  let records: [string, number, number][] = [];
  const enc = new TextEncoder();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: opts.port ?? 0, onListen: () => {} },
    async (req) => {
      const t0 = performance.now();
      const url = new URL(req.url);
      if (req.method === "GET" && url.pathname === "/_records") {
        const out = records;
        records = [];
        return Response.json(out);
      }
      if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions")) {
        return Response.json({ error: { message: "not found", type: "invalid_request_error" } }, {
          status: 404,
        });
      }
      const raw = await req.text();
      const delay = Number(DELAY.exec(raw)?.[1] ?? opts.delayMs);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const stream = raw.includes('"stream":true');
      const model = /"model":"([^"]+)"/.exec(raw)?.[1] ?? "fake";
      const base = { id: "chatcmpl-fake", created: 1_700_000_000, model };
      let res: Response;
      if (stream) {
        const chunk = (delta: unknown, finish: string | null = null) =>
          `data: ${
            JSON.stringify({
              ...base,
              object: "chat.completion.chunk",
              choices: [{ index: 0, delta, finish_reason: finish }],
            })
          }\n\n`;
        const usage = `data: ${
          JSON.stringify({
            ...base,
            object: "chat.completion.chunk",
            choices: [],
            usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
          })
        }\n\n`;
        const body = chunk({ role: "assistant", content: "" }) + chunk({ content: "ok" }) +
          chunk({}, "stop") + usage + "data: [DONE]\n\n";
        res = new Response(enc.encode(body), { headers: { "content-type": "text/event-stream" } });
      } else {
        res = Response.json({
          ...base,
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
        });
      }
      const tag = TAG.exec(raw)?.[0];
      if (tag) records.push([tag, performance.now() - t0, performance.timeOrigin + t0]);
      return res;
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    close: () => server.shutdown(),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { "delay-ms": { type: "string", default: "0" }, port: { type: "string", default: "0" } },
  });
  const fake = serveFakeProvider({ delayMs: Number(values["delay-ms"]), port: Number(values.port) });
  console.log(`fake provider listening on ${fake.url}`);
}
