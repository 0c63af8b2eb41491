/**
 * Shared machinery of the fake model servers (fake_openai.ts, fake_anthropic.ts): the scripted reply
 * queue, request recording, and an SSE writer that can delay, cut, corrupt or stall a stream.
 */

/** A tool call the fake model makes. `arguments` as a string is sent verbatim (may be malformed). */
export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: string | Record<string, unknown>;
}

/** An HTTP error answer, in the provider's own JSON error shape. */
export interface FakeError {
  status: number;
  message?: string;
  /** OpenAI `error.type` / Anthropic `error.type` (defaults per status). */
  type?: string;
  /** OpenAI `error.code`, e.g. `context_length_exceeded`. */
  code?: string;
  headers?: Record<string, string>;
  /** Replaces the whole JSON body. */
  body?: unknown;
}

/** One scripted answer. Streams are made of numbered data chunks (SSE events), counted from 0. */
export interface FakeReply {
  /** Only answer requests for this model; other requests pass this queue entry by. */
  model?: string;
  /** Answer text; a string is split into word chunks, an array is sent chunk by chunk. */
  text?: string | string[];
  /** Thinking / reasoning text (Anthropic thinking blocks, Responses reasoning summaries). */
  thinking?: string | string[];
  toolCalls?: FakeToolCall[];
  /** Fragments each tool call's argument text is split into (default 3). */
  argFragments?: number;
  usage?: { input: number; output: number };
  /** Provider-native stop/finish reason; defaults follow the content. */
  finishReason?: string;
  error?: FakeError;
  /** Wait before answering at all (ms). */
  delayMs?: number;
  /** Wait before every stream chunk (ms). */
  chunkDelayMs?: number;
  /** End the stream after this many chunks (no completion marker). */
  cutAfterChunks?: number;
  /** `eof`: close the body cleanly; `reset`: abort the connection mid-body. */
  cutMode?: "eof" | "reset";
  /** Send an unparseable `data:` line after this many chunks, then end the stream. */
  malformedAfterChunks?: number;
  /** Stop sending after this many chunks but keep the connection open (until the client leaves). */
  hangAfterChunks?: number;
  /** Send the provider's in-stream error event after `afterChunks` chunks, then end the stream. */
  streamError?: { afterChunks: number; type: string; message: string; code?: string };
}

/** A request the fake received. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export type ReplySource = FakeReply | ((req: FakeRequest) => FakeReply);

/** The public face of a fake server. */
export interface FakeServer {
  /** Base URL to hand to an SDK, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  /** The origin without a path, e.g. `http://127.0.0.1:PORT`. */
  origin: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Adds scripted replies, consumed in order (respecting `model` filters). */
  enqueue(...replies: FakeReply[]): void;
  /** Scripted replies not consumed yet. */
  pending(): number;
  /** Resolves once at least `n` requests have arrived. */
  waitForRequests(n: number): Promise<void>;
  /** Stops the server, ending any stalled stream. */
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Answer used when the queue has nothing for a request (e.g. a fixed reply for benchmarks). */
  fallback?: ReplySource;
  /** When set, requests must carry this key (Bearer or x-api-key) or get 401. */
  apiKey?: string;
}

/** Splits text into word chunks ("Hello ", "world"). */
export function splitText(text: string | string[] | undefined): string[] {
  if (text === undefined) return [];
  if (Array.isArray(text)) return text;
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** Splits a string into `n` fragments of roughly equal length. */
export function fragments(text: string, n: number): string[] {
  if (n <= 1 || text.length <= 1) return [text];
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function argsText(call: FakeToolCall): string {
  return typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
}

/** Queue, recording and lifecycle shared by both fakes. */
export function createScript(options: FakeServerOptions) {
  const queue: FakeReply[] = [];
  const requests: FakeRequest[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const live = new Set<() => void>();

  return {
    queue,
    requests,
    live,
    record(req: FakeRequest) {
      requests.push(req);
      for (const w of [...waiters]) {
        if (requests.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    take(req: FakeRequest): FakeReply | undefined {
      const i = queue.findIndex((r) => r.model === undefined || r.model === req.body.model);
      if (i >= 0) return queue.splice(i, 1)[0];
      const fb = options.fallback;
      return typeof fb === "function" ? fb(req) : fb;
    },
    waitForRequests(n: number): Promise<void> {
      if (requests.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts. Never leaves a timer behind. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(id);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const id = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Writes SSE frames (already formatted, `event:`/`data:` lines plus a blank line) honouring the reply's
 * delay, cut, malformed and hang options. `live` tracks stalled streams so `close()` can end them.
 */
export function sseResponse(
  frames: string[],
  reply: FakeReply,
  live: Set<() => void>,
  errorFrame?: (e: NonNullable<FakeReply["streamError"]>) => string,
): Response {
  const enc = new TextEncoder();
  const stop = new AbortController();
  const end = () => stop.abort();
  live.add(end);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const run = async () => {
        try {
          for (let i = 0; i <= frames.length; i++) {
            if (stop.signal.aborted) return controller.close();
            if (reply.cutAfterChunks === i) {
              if (reply.cutMode === "reset") return controller.error(new Error("fake: connection cut"));
              return controller.close();
            }
            if (reply.malformedAfterChunks === i) {
              controller.enqueue(
                enc.encode(`data: {"id":"broken", "choices": [{"delta": {"content": "x"\n\n`),
              );
              return controller.close();
            }
            if (reply.streamError?.afterChunks === i && errorFrame) {
              controller.enqueue(enc.encode(errorFrame(reply.streamError)));
              return controller.close();
            }
            if (reply.hangAfterChunks === i) {
              await new Promise<void>((resolve) => {
                if (stop.signal.aborted) resolve();
                stop.signal.addEventListener("abort", () => resolve(), { once: true });
              });
              return controller.close();
            }
            if (i === frames.length) return controller.close();
            await pause(reply.chunkDelayMs ?? 0, stop.signal);
            if (stop.signal.aborted) return controller.close();
            controller.enqueue(enc.encode(frames[i]));
          }
        } catch {
          // The client went away; nothing left to do.
        } finally {
          live.delete(end);
        }
      };
      void run();
    },
    cancel() {
      stop.abort();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

/** Formats one SSE frame. */
export function frame(data: unknown, event?: string): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`;
}

/** Starts a Deno.serve on 127.0.0.1:0 around `handle`, recording every request. */
export function serveFake(
  options: FakeServerOptions,
  handle: (
    req: FakeRequest,
    reply: FakeReply | undefined,
    script: ReturnType<typeof createScript>,
  ) => Promise<Response> | Response,
): FakeServer {
  const script = createScript(options);
  const closing = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    onError: () => new Response("fake: handler failed", { status: 500 }),
  }, async (request) => {
    const url = new URL(request.url);
    let body: Record<string, unknown> = {};
    if (request.method === "POST") {
      const text = await request.text();
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        body = { _raw: text };
      }
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => headers[k] = v);
    const rec: FakeRequest = { method: request.method, path: url.pathname, headers, body };
    script.record(rec);
    if (options.apiKey) {
      const given = headers["x-api-key"] ?? headers["authorization"]?.replace(/^Bearer\s+/i, "");
      if (given !== options.apiKey) return handle(rec, { error: { status: 401 } }, script);
    }
    const reply = request.method === "POST" ? script.take(rec) : undefined;
    if (reply?.delayMs) await pause(reply.delayMs, closing.signal);
    return handle(rec, reply, script);
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  return {
    url: `${origin}/v1`,
    origin,
    requests: script.requests,
    enqueue: (...replies) => script.queue.push(...replies),
    pending: () => script.queue.length,
    waitForRequests: (n) => script.waitForRequests(n),
    async close() {
      closing.abort();
      for (const end of [...script.live]) end();
      await server.shutdown();
    },
  };
}
