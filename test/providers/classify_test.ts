import assert from "node:assert/strict";
import { classifyError, kindForStatus, retryAfterMs } from "../../src/providers/classify.ts";
import { ProviderError } from "../../src/providers/types.ts";

const classify = (err: unknown, signal?: AbortSignal) => classifyError(err, { provider: "p", signal });

Deno.test("classify: HTTP statuses map to kinds", () => {
  const table: [number, string, string][] = [
    [401, "", "auth"],
    [403, "", "auth"],
    [429, "", "rate_limit"],
    [429, "insufficient_quota", "auth"],
    [529, "", "overload"],
    [503, "", "overload"],
    [500, "", "overload"],
    [408, "", "timeout"],
    [504, "", "timeout"],
    [400, "", "bad_request"],
    [404, "", "bad_request"],
    [400, "context_length_exceeded", "context_overflow"],
    [400, "prompt is too long: 201000 tokens > 200000 maximum", "context_overflow"],
    [413, "input is too long for requested model", "context_overflow"],
  ];
  for (const [status, text, kind] of table) {
    assert.equal(kindForStatus(status, text), kind, `${status} ${text}`);
  }
});

Deno.test("classify: Retry-After in ms, seconds and HTTP date", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  assert.equal(retryAfterMs(new Headers({ "retry-after-ms": "250.4" })), 250);
  assert.equal(retryAfterMs(new Headers({ "retry-after": "3" })), 3000);
  assert.equal(retryAfterMs(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:10 GMT" }), now), 10_000);
  assert.equal(retryAfterMs(new Headers({ "retry-after": "soon" })), undefined);
  assert.equal(retryAfterMs({ "retry-after": "1" }), 1000);
  assert.equal(retryAfterMs(undefined), undefined);
});

Deno.test("classify: aborts, timeouts, network errors, malformed data", () => {
  const ctl = new AbortController();
  ctl.abort();
  assert.equal(classify(new Error("whatever"), ctl.signal).kind, "aborted");
  assert.equal(classify(new DOMException("x", "AbortError")).kind, "aborted");
  assert.equal(
    classify(Object.assign(new Error("Request timed out."), { name: "APIConnectionTimeoutError" })).kind,
    "timeout",
  );
  assert.equal(classify(new Deno.errors.ConnectionRefused("refused")).kind, "network");
  assert.equal(classify(Object.assign(new Error("x"), { cause: { code: "ECONNRESET" } })).kind, "network");
  assert.equal(classify(new TypeError("error reading a body from connection")).kind, "network");
  assert.equal(classify(new SyntaxError("Unexpected token")).kind, "network");
  assert.equal(classify(Object.assign(new Error("connect"), { code: "ETIMEDOUT" })).kind, "timeout");
  assert.equal(classify(new Error("something odd")).kind, "unknown");
});

Deno.test("classify: in-stream API errors without a status use the error type", () => {
  const streamErr = (type: string, message: string) =>
    Object.assign(new Error(message), {
      name: "APIError",
      error: { type: "error", error: { type, message } },
    });
  assert.equal(classify(streamErr("overloaded_error", "Overloaded")).kind, "overload");
  assert.equal(classify(streamErr("rate_limit_error", "slow down")).kind, "rate_limit");
  assert.equal(classify(streamErr("invalid_request_error", "prompt is too long")).kind, "context_overflow");
  assert.equal(classify(streamErr("authentication_error", "bad key")).kind, "auth");
});

Deno.test("classify: status errors keep status and Retry-After; secrets are redacted; ProviderError passes", () => {
  const err = Object.assign(new Error("429 Rate limit for key sk-abcdefghijklmnop"), {
    status: 429,
    headers: new Headers({ "retry-after": "2" }),
  });
  const e = classify(err);
  assert.equal(e.kind, "rate_limit");
  assert.equal(e.status, 429);
  assert.equal(e.retryAfterMs, 2000);
  assert.equal(e.retryable, true);
  assert.doesNotMatch(e.message, /sk-abcdefghijklmnop/);
  const pe = new ProviderError("auth", "x", { provider: "q" });
  assert.equal(classify(pe), pe);
  assert.equal(classify(Object.assign(new Error("400 bad"), { status: 400 })).retryable, false);
});
