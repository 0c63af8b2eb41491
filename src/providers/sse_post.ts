/**
 * A streaming model request without an SDK: POST a JSON body, then read the server-sent events of the
 * answer. openai_chat.ts and anthropic.ts speak their APIs through it, so a request in flight holds one
 * fetch and one generator instead of an SDK's request machinery (~15 KiB of live objects per request
 * through the `openai` SDK), and a shard worker does not load the SDKs at all.
 *
 * - Errors keep the SDKs' shape, so classify.ts treats them alike: a non-2xx answer throws an
 *   `HttpStatusError` (`status`, `error` = the body's `error` object, `headers`, message "<status> <text>");
 *   a provider's in-stream error is the caller's to throw as a `StreamEventError`.
 * - `timeoutMs` bounds the wait for the response head (as the SDKs' `timeout` does); the caller's signal
 *   aborts the request at any point.
 * - Once the caller has the event `isLast` marks, the rest of the body (normally just the end of its
 *   chunked framing) is read in the background, ≤ 64 KiB and ≤ 2 s, so a kept-alive connection serves the
 *   next request. A stream the caller stops early is aborted: its connection is closed, not read on.
 */
import { type SseEvent, sseEvents } from "./sse.ts";

/** Error bodies and what is left after the last event are read up to this many bytes. */
const MAX_TAIL_BYTES = 64 * 1024;

/** A non-2xx response, shaped like the SDKs' APIError. */
export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly error: unknown, readonly headers: Headers, message: string) {
    super(message);
    this.name = "APIError";
  }
}

/** An `error` object a provider sent inside the stream (no HTTP status), as the SDKs report it. */
export class StreamEventError extends Error {
  constructor(readonly error: Record<string, unknown>) {
    super(typeof error.message === "string" ? error.message : JSON.stringify(error));
    this.name = "APIError";
  }
}

export interface SsePost {
  fetch: typeof fetch;
  url: string;
  headers: Record<string, string>;
  /** Builds the JSON body; called once, so no caller frame holds the params while the model thinks. */
  body: () => string;
  signal: AbortSignal;
  /** The longest wait for the response head. */
  timeoutMs: number;
  /** The event after which the answer is complete. */
  isLast: (event: SseEvent) => boolean;
}

/** POSTs the request and yields its events (see the module comment for errors, timeout and the tail). */
export async function* postForEvents(o: SsePost): AsyncGenerator<SseEvent> {
  // One controller for the caller's signal and the timeout; aborting it also stops the body's reads.
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(o.signal.reason);
  if (o.signal.aborted) onAbort();
  else o.signal.addEventListener("abort", onAbort, { once: true });
  let body: ReadableStream<Uint8Array> | undefined;
  let complete = false;
  try {
    body = await send(o, ctl);
    for await (const event of sseEvents(body)) {
      complete = o.isLast(event);
      yield event;
      if (complete) return;
    }
  } finally {
    o.signal.removeEventListener("abort", onAbort);
    if (complete && body) void drain(body, ctl);
    else ctl.abort();
  }
}

/** Sends the request; resolves with the body of a 2xx answer whose head came within the timeout. */
async function send(o: SsePost, ctl: AbortController): Promise<ReadableStream<Uint8Array>> {
  const timer = setTimeout(
    () => ctl.abort(new DOMException(`no response within ${o.timeoutMs} ms`, "TimeoutError")),
    o.timeoutMs,
  );
  try {
    const res = await o.fetch(o.url, {
      method: "POST",
      headers: o.headers,
      body: o.body(),
      signal: ctl.signal,
    });
    if (!res.ok) throw await statusError(res);
    if (!res.body) throw new SyntaxError("malformed stream: a response without a body");
    return res.body;
  } finally {
    clearTimeout(timer);
  }
}

/** The start of an error response's body as text (its message is all that is used). */
async function readErrorBody(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (let size = 0; size < MAX_TAIL_BYTES;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text;
}

async function statusError(res: Response): Promise<HttpStatusError> {
  const text = await readErrorBody(res);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON: the text is the message */ }
  const inner = body && typeof body === "object" && "error" in body
    ? (body as { error: unknown }).error
    : body;
  const detail =
    inner && typeof inner === "object" && typeof (inner as { message?: unknown }).message === "string"
      ? (inner as { message: string }).message
      : text.trim().slice(0, 1000) || "status code (no body)";
  return new HttpStatusError(res.status, inner ?? undefined, res.headers, `${res.status} ${detail}`);
}

/** Reads what is left of a finished answer, up to 64 KiB and 2 s, then lets the connection go. */
async function drain(body: ReadableStream<Uint8Array>, ctl: AbortController): Promise<void> {
  const timer = setTimeout(() => ctl.abort(), 2000);
  const reader = body.getReader();
  try {
    for (let size = 0; size <= MAX_TAIL_BYTES;) {
      const { value, done } = await reader.read();
      if (done) return;
      size += value.byteLength;
    }
    await reader.cancel();
  } catch {
    /* cut or aborted: the connection is closed either way */
  } finally {
    clearTimeout(timer);
  }
}
