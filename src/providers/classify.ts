/**
 * Error classification: turns whatever an SDK, fetch or the network threw into a ProviderError whose
 * `kind` decides retry and failover (see failover.ts). Works on duck-typed shapes so it covers the
 * `openai` and `@anthropic-ai/sdk` error classes, Deno's network errors and plain HTTP statuses alike.
 */
import { redactText } from "../core/redact.ts";
import { ProviderError, type ProviderErrorKind } from "./types.ts";

/** Messages that mean "the prompt does not fit the model's context window". */
const CONTEXT_OVERFLOW =
  /context[_ ]length[_ ]exceeded|maximum context length|context window|prompt is too long|too many (input )?tokens|input is too long|exceeds the context/i;

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);
const NETWORK_NAMES = new Set([
  "ConnectionRefused",
  "ConnectionReset",
  "ConnectionAborted",
  "BrokenPipe",
  "UnexpectedEof",
  "NotConnected",
  "Http",
]);

/** Maps an HTTP status (and optional error body fields) to a kind. */
export function kindForStatus(status: number, text = ""): ProviderErrorKind {
  if (CONTEXT_OVERFLOW.test(text) && (status === 400 || status === 413 || status === 422)) {
    return "context_overflow";
  }
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return /insufficient_quota/.test(text) ? "auth" : "rate_limit";
  if (status === 408 || status === 504) return "timeout";
  if (status >= 500) return "overload";
  if (status === 409) return "rate_limit";
  if (status >= 400) return "bad_request";
  return "unknown";
}

/** Maps an in-stream error type/code (no HTTP status) to a kind. */
function kindForType(type: string, text: string): ProviderErrorKind {
  if (CONTEXT_OVERFLOW.test(text) || CONTEXT_OVERFLOW.test(type)) return "context_overflow";
  if (/overloaded|server_error|api_error|service_unavailable/.test(type)) return "overload";
  if (/insufficient_quota|billing/.test(type)) return "auth";
  if (/rate_limit/.test(type)) return "rate_limit";
  if (/authentication|permission|invalid_api_key/.test(type)) return "auth";
  if (/timeout/.test(type)) return "timeout";
  if (/invalid_request|not_found|invalid_prompt/.test(type)) return "bad_request";
  return "unknown";
}

/**
 * Reads the retry delay a server asked for: `retry-after-ms` (milliseconds), then `retry-after`
 * (seconds or an HTTP date). Returns undefined when absent or unreadable.
 */
export function retryAfterMs(headers: unknown, now: number = Date.now()): number | undefined {
  const get = (name: string): string | null | undefined => {
    if (!headers || typeof headers !== "object") return undefined;
    const h = headers as { get?: (n: string) => string | null };
    if (typeof h.get === "function") return h.get(name);
    const rec = headers as Record<string, unknown>;
    const v = rec[name] ?? rec[name.toLowerCase()];
    return typeof v === "string" ? v : undefined;
  };
  const ms = get("retry-after-ms");
  if (ms) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return Math.round(n);
  }
  const ra = get("retry-after");
  if (!ra) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const date = Date.parse(ra);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

/** True for an AbortError / SDK user-abort error. */
export function isAbortLike(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const name = (err as { name?: unknown }).name;
  return name === "AbortError" || name === "APIUserAbortError" ||
    err.constructor?.name === "APIUserAbortError";
}

function errorCodeChain(err: unknown): { codes: string[]; names: string[]; messages: string[] } {
  const codes: string[] = [];
  const names: string[] = [];
  const messages: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && typeof cur === "object" && depth < 6; depth++) {
    const e = cur as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === "string") codes.push(e.code);
    if (typeof e.name === "string") names.push(e.name);
    if (typeof e.message === "string") messages.push(e.message);
    names.push(cur.constructor?.name ?? "");
    cur = e.cause;
  }
  return { codes, names, messages };
}

export interface ClassifyOptions {
  /** Provider id the error came from (goes into the ProviderError). */
  provider: string;
  /** The request's signal: when it is aborted, the error is `aborted` whatever was thrown. */
  signal?: AbortSignal;
  now?: number;
}

/**
 * Classifies any thrown value. A ProviderError passes through unchanged. The message names the
 * provider, the status and the server's explanation; secrets are redacted from it.
 */
export function classifyError(err: unknown, options: ClassifyOptions): ProviderError {
  if (err instanceof ProviderError) return err;
  const { provider } = options;
  const make = (
    kind: ProviderErrorKind,
    detail: string,
    extra: { status?: number; retryAfterMs?: number } = {},
  ) => new ProviderError(kind, redactText(`${provider}: ${detail}`), { provider, cause: err, ...extra });

  if (options.signal?.aborted || isAbortLike(err)) return make("aborted", "request aborted");

  const chain = errorCodeChain(err);
  const message = chain.messages[0] ?? String(err);
  const e = (err && typeof err === "object" ? err : {}) as Record<string, unknown>;
  const status = typeof e.status === "number" ? e.status : undefined;

  if (chain.names.some((n) => n === "APIConnectionTimeoutError" || n === "TimeoutError")) {
    return make("timeout", `request timed out (${message})`);
  }
  if (status !== undefined) {
    const body = e.error as Record<string, unknown> | undefined;
    const inner = (body?.error ?? body ?? {}) as Record<string, unknown>;
    const fields = [e.code, e.type, inner.code, inner.type, message].filter((v) => typeof v === "string")
      .join(" ");
    const kind = kindForStatus(status, fields);
    const ra = status === 429 || status === 503 || status === 529 || status === 408
      ? retryAfterMs(e.headers, options.now)
      : undefined;
    const detail = typeof inner.message === "string" ? inner.message : message;
    return make(kind, describeKind(kind, status, detail), { status, retryAfterMs: ra });
  }
  // An API error without an HTTP status: an error event inside the SSE stream.
  if (chain.names.includes("APIError") || "error" in e && e.error && typeof e.error === "object") {
    const body = (e.error ?? {}) as Record<string, unknown>;
    const inner = (body.error ?? body) as Record<string, unknown>;
    const type = [e.type, e.code, inner.type, inner.code].filter((v) => typeof v === "string").join(" ");
    const kind = kindForType(type, message);
    const detail = typeof inner.message === "string" ? inner.message : message;
    if (kind !== "unknown") return make(kind, `stream error: ${detail}`);
  }
  if (err instanceof SyntaxError || /malformed|Unexpected token|JSON/.test(message) && err instanceof Error) {
    return make("network", `malformed stream data: ${message}`);
  }
  if (
    chain.codes.some((c) => NETWORK_CODES.has(c)) || chain.names.some((n) => NETWORK_NAMES.has(n)) ||
    chain.names.includes("APIConnectionError") ||
    /connection (refused|reset|closed|error)|error reading a body|socket|network|fetch failed|broken pipe/i
      .test(
        chain.messages.join(" "),
      )
  ) {
    return make("network", `connection failed: ${message}`);
  }
  if (chain.codes.includes("ETIMEDOUT")) return make("timeout", `request timed out (${message})`);
  return make("unknown", message);
}

function describeKind(kind: ProviderErrorKind, status: number, message: string): string {
  const what: Record<ProviderErrorKind, string> = {
    auth: "authentication failed",
    rate_limit: "rate limited",
    overload: "server overloaded or failing",
    timeout: "server timed out",
    network: "network error",
    bad_request: "request rejected",
    context_overflow: "prompt exceeds the model's context window",
    aborted: "request aborted",
    unknown: "request failed",
  };
  const detail = message.startsWith(String(status)) ? message.slice(String(status).length).trim() : message;
  return `${what[kind]} (HTTP ${status}): ${detail}`;
}
