/**
 * The model router: streams one model call along a chain of `provider/model` refs with bounded,
 * jittered retries, Retry-After, per-model cooldowns, an idle watchdog and failover.
 *
 * Rules, by error kind:
 * - rate_limit, overload, timeout, network: retry the same model up to `maxRetries` times with jittered
 *   exponential backoff (or the server's Retry-After when it is ≤ `maxRetryAfterMs`; a longer one moves
 *   on at once), then cool the model down and fail over to the next ref.
 * - auth: cool down and fail over without retrying. bad_request, unknown: fail over without retrying.
 * - context_overflow, aborted: throw at once (the runtime compacts and retries once).
 * - Once an attempt has yielded any event, its failure is rethrown as is: no retry, no failover.
 */
import { type Clock, sleep } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { classifyError } from "./classify.ts";
import { type Cooldowns, createCooldowns } from "./cooldowns.ts";
import {
  type ModelRequest,
  parseModelRef,
  type Provider,
  ProviderError,
  type ProviderErrorKind,
  type StreamEvent,
} from "./types.ts";

/** One try of one model (or a model skipped because it was cooling down). */
export interface AttemptRecord {
  /** `provider/model`. */
  ref: string;
  provider: string;
  model: string;
  ok: boolean;
  errorKind?: ProviderErrorKind;
  /** The (redacted) error message. */
  error?: string;
  /** Wall time of the attempt on the router's clock. */
  ms: number;
  /** 0 for the first try of a model, then 1, 2… for retries. */
  retry: number;
  /** Retry-After the server asked for, in ms. */
  retryAfterMs?: number;
  /** Cooldown this failure started, in ms. */
  cooldownMs?: number;
  /** True when no request was sent because the model was cooling down. */
  cooldown?: boolean;
}

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 2,
  baseMs: 500,
  maxMs: 8_000,
  maxRetryAfterMs: 30_000,
};

export interface ModelRouterDeps {
  providers: ReadonlyMap<string, Provider>;
  clock: Clock;
  logger: Logger;
  /** Random source in [0, 1) for jitter; Math.random by default. */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Abort an attempt when no event arrives for this long (0/undefined: no watchdog). */
  idleTimeoutMs?: number;
  /** Shared cooldown table; one is created when omitted. */
  cooldowns?: Cooldowns;
  /** Cooldown steps when the router creates its own table. */
  cooldownSteps?: readonly number[];
}

export interface StreamHooks {
  /** Called after every attempt (and every skip), in order. */
  onAttempt?(attempt: AttemptRecord): void;
  /** Overrides the router's idle timeout for this call. */
  idleTimeoutMs?: number;
}

export interface ModelRouter {
  stream(
    chain: readonly string[],
    request: Omit<ModelRequest, "model">,
    hooks?: StreamHooks,
  ): AsyncGenerator<StreamEvent, void, undefined>;
  readonly cooldowns: Cooldowns;
}

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(["rate_limit", "overload", "timeout", "network"]);
const COOLS_DOWN: ReadonlySet<ProviderErrorKind> = new Set([
  "rate_limit",
  "overload",
  "timeout",
  "network",
  "auth",
]);

/** Creates the router. */
export function createModelRouter(deps: ModelRouterDeps): ModelRouter {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const random = deps.random ?? Math.random;
  const cooldowns = deps.cooldowns ?? createCooldowns({ clock: deps.clock, steps: deps.cooldownSteps });
  const { clock, logger } = deps;

  function backoffMs(retry: number): number {
    const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** retry);
    return Math.round(exp * (0.5 + 0.5 * random()));
  }

  /** Runs one provider stream with the idle watchdog; a watchdog abort surfaces as a timeout. */
  async function* attempt(
    provider: Provider,
    request: ModelRequest,
    idleMs: number,
  ): AsyncGenerator<StreamEvent> {
    const outer = request.signal;
    const ctl = new AbortController();
    const forward = () => ctl.abort(outer.reason);
    if (outer.aborted) ctl.abort(outer.reason);
    else outer.addEventListener("abort", forward, { once: true });
    // Built only when the watchdog fires: an error captures a stack, and this runs on every attempt.
    let idleError: ProviderError | undefined;
    let idle = false;
    let done = false;
    const it = provider.stream({ ...request, signal: ctl.signal })[Symbol.asyncIterator]();
    try {
      while (true) {
        const next = it.next();
        const r = idleMs > 0
          ? await new Promise<IteratorResult<StreamEvent>>((resolve, reject) => {
            const id = clock.setTimeout(() => {
              idle = true;
              idleError = new ProviderError(
                "timeout",
                `${provider.id}: no data from the model for ${idleMs} ms (idle timeout)`,
                { provider: provider.id },
              );
              ctl.abort(idleError);
              reject(idleError);
            }, idleMs);
            next.then((v) => {
              clock.clearTimeout(id);
              resolve(v);
            }, (e) => {
              clock.clearTimeout(id);
              reject(e);
            });
          })
          : await next;
        if (r.done) {
          done = true;
          return;
        }
        yield r.value;
      }
    } catch (err) {
      if (idle && idleError && !outer.aborted) throw idleError;
      throw err;
    } finally {
      outer.removeEventListener("abort", forward);
      if (!done) {
        ctl.abort();
        try {
          await it.return?.();
        } catch {
          // The provider failed while closing; the original outcome stands.
        }
      }
    }
  }

  async function* stream(
    chain: readonly string[],
    request: Omit<ModelRequest, "model">,
    hooks: StreamHooks = {},
  ): AsyncGenerator<StreamEvent, void, undefined> {
    const idleMs = hooks.idleTimeoutMs ?? deps.idleTimeoutMs ?? 0;
    const attempts: AttemptRecord[] = [];
    const errors: ProviderError[] = [];
    const record = (a: AttemptRecord) => {
      attempts.push(a);
      hooks.onAttempt?.(a);
    };
    const refs = [...new Set(chain)];
    if (refs.length === 0) {
      throw new ProviderError("bad_request", "No model configured: the model chain is empty", {
        provider: "router",
      });
    }
    const skipped: string[] = [];
    let tried = 0;

    /** Tries one model with retries. Returns true on success; throws when the run must stop. */
    async function* tryModel(
      ref: string,
      provider: Provider,
      model: string,
    ): AsyncGenerator<StreamEvent, boolean> {
      tried++;
      for (let retry = 0;; retry++) {
        const started = clock.now();
        let yielded = false;
        try {
          for await (const ev of attempt(provider, { ...request, model }, idleMs)) {
            yielded = true;
            yield ev;
          }
          cooldowns.succeed(ref);
          record({ ref, provider: provider.id, model, ok: true, ms: clock.now() - started, retry });
          return true;
        } catch (err) {
          const e = classifyError(err, { provider: provider.id, signal: request.signal, now: clock.now() });
          errors.push(e);
          const a: AttemptRecord = {
            ref,
            provider: provider.id,
            model,
            ok: false,
            errorKind: e.kind,
            error: e.message,
            ms: clock.now() - started,
            retry,
            ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
          };
          logger.warn("model attempt failed", {
            provider: provider.id,
            model,
            kind: e.kind,
            retry,
            ms: a.ms,
          });
          const final = yielded || e.kind === "aborted" || e.kind === "context_overflow";
          const ra = e.retryAfterMs;
          const canRetry = !final && RETRYABLE.has(e.kind) && retry < policy.maxRetries &&
            (ra === undefined || ra <= policy.maxRetryAfterMs);
          if (!final && !canRetry && COOLS_DOWN.has(e.kind)) a.cooldownMs = cooldowns.fail(ref, ra ?? 0);
          record(a);
          if (final) {
            throw yielded ? withAttempts(e, attempts) : new ProviderError(e.kind, e.message, {
              provider: e.provider,
              status: e.status,
              cause: e,
              details: { attempts },
            });
          }
          if (!canRetry) return false;
          const wait = ra ?? backoffMs(retry);
          try {
            await sleep(wait, request.signal, clock);
          } catch (abortErr) {
            throw classifyError(abortErr, { provider: provider.id, signal: request.signal });
          }
        }
      }
    }

    for (const ref of refs) {
      let parsed: { provider: string; model: string };
      try {
        parsed = parseModelRef(ref);
      } catch (err) {
        errors.push(new ProviderError("bad_request", (err as Error).message, { provider: "router" }));
        record({
          ref,
          provider: "",
          model: "",
          ok: false,
          errorKind: "bad_request",
          error: (err as Error).message,
          ms: 0,
          retry: 0,
        });
        continue;
      }
      const provider = deps.providers.get(parsed.provider);
      if (!provider) {
        const msg = `Provider "${parsed.provider}" of model ${ref} is not configured`;
        errors.push(new ProviderError("bad_request", msg, { provider: parsed.provider }));
        record({ ...parsed, ref, ok: false, errorKind: "bad_request", error: msg, ms: 0, retry: 0 });
        continue;
      }
      const remaining = cooldowns.remainingMs(ref);
      if (remaining > 0) {
        skipped.push(ref);
        record({
          ...parsed,
          ref,
          ok: false,
          ms: 0,
          retry: 0,
          cooldown: true,
          error: `cooling down for ${remaining} ms`,
        });
        continue;
      }
      if (yield* tryModel(ref, provider, parsed.model)) return;
    }
    if (tried === 0 && skipped.length) {
      const ref = skipped.reduce((a, b) => (cooldowns.remainingMs(b) < cooldowns.remainingMs(a) ? b : a));
      const parsed = parseModelRef(ref);
      const provider = deps.providers.get(parsed.provider)!;
      if (yield* tryModel(ref, provider, parsed.model)) return;
    }
    throw summarise(attempts, errors);
  }

  return { stream, cooldowns };
}

function withAttempts(e: ProviderError, attempts: AttemptRecord[]): ProviderError {
  return new ProviderError(e.kind, e.message, {
    provider: e.provider,
    status: e.status,
    cause: e,
    retryAfterMs: e.retryAfterMs,
    details: { ...e.details, attempts, afterOutput: true },
  });
}

/** One ProviderError describing every attempt; its kind is the last failure's. */
function summarise(attempts: AttemptRecord[], errors: ProviderError[]): ProviderError {
  const last = errors[errors.length - 1];
  const lines = attempts.map((a) =>
    a.cooldown
      ? `${a.ref}: skipped (${a.error})`
      : `${a.ref}${a.retry ? ` retry ${a.retry}` : ""}: ${a.errorKind} (${a.error})`
  );
  const kind = last?.kind ?? "unknown";
  return new ProviderError(kind, `All models failed:\n  ${lines.join("\n  ")}`, {
    provider: last?.provider ?? "router",
    status: last?.status,
    cause: last,
    retryAfterMs: last?.retryAfterMs,
    details: { attempts },
  });
}
