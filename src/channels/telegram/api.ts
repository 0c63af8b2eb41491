/** grammY's Api with bounded retries on 429 (honouring `retry_after`) and 5xx / network failures. */
import { Api, HttpError } from "grammy";
import { type Clock, sleep, systemClock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";

export interface TelegramApiOptions {
  token: string;
  apiRoot?: string;
  clock?: Clock;
  logger?: Logger;
  /** Attempts after the first one. Default 3. */
  maxRetries?: number;
  /** Base backoff for 5xx / network failures. Default 500 ms, doubling. */
  backoffMs?: number;
  /** Longest `retry_after` honoured; longer ones fail at once. Default 60 s. */
  maxRetryAfterMs?: number;
}

/** Creates a grammY Api that retries 429 and 5xx answers and network errors a bounded number of times. */
export function createTelegramApi(options: TelegramApiOptions): Api {
  const api = new Api(options.token, {
    apiRoot: options.apiRoot,
    fetch: denoFetch as never,
  });
  const clock = options.clock ?? systemClock;
  const maxRetries = options.maxRetries ?? 3;
  const backoff = options.backoffMs ?? 500;
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
  api.config.use(async (prev, method, payload, signal) => {
    for (let attempt = 0;; attempt++) {
      let wait: number;
      try {
        const res = await prev(method, payload, signal);
        if (res.ok || attempt >= maxRetries) return res;
        if (res.error_code === 429) {
          wait = (res.parameters?.retry_after ?? 1) * 1000;
          if (wait > maxRetryAfter) return res;
        } else if (res.error_code >= 500) {
          wait = backoff * 2 ** attempt;
        } else return res;
        options.logger?.warn("Telegram call failed; retrying", {
          method,
          code: res.error_code,
          waitMs: wait,
        });
      } catch (err) {
        if (!(err instanceof HttpError) || attempt >= maxRetries || signal?.aborted) throw err;
        wait = backoff * 2 ** attempt;
        options.logger?.warn("Telegram unreachable; retrying", { method, waitMs: wait });
      }
      await sleep(wait, signal as AbortSignal | undefined, clock);
    }
  });
  return api;
}

/**
 * grammY's Node build hands fetch an AbortSignal from its own shim, which Deno's fetch refuses; this
 * bridges it to a native signal.
 */
function denoFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const given = init?.signal as unknown as
    | { aborted: boolean; addEventListener(t: "abort", f: () => void): void }
    | null
    | undefined;
  if (given && !(given instanceof AbortSignal)) {
    const native = new AbortController();
    if (given.aborted) native.abort();
    else given.addEventListener("abort", () => native.abort());
    init = { ...init, signal: native.signal };
  }
  // File uploads: grammY streams multipart bodies as a Node stream (an async iterable), which Deno's
  // fetch does not take as a body; hand it over as a web ReadableStream.
  const body = init?.body as unknown;
  if (
    body && typeof body === "object" && Symbol.asyncIterator in body && !(body instanceof ReadableStream)
  ) {
    init = {
      ...init,
      body: ReadableStream.from(body as AsyncIterable<Uint8Array>),
      duplex: "half",
    } as RequestInit;
  }
  return fetch(input, init);
}
