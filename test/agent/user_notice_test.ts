import assert from "node:assert/strict";
import { harness } from "./helpers.ts";
import { ProviderError } from "../../src/providers/types.ts";
import { aboutWhen, runFailure, userErrorText, userErrorTextForCode } from "../../src/agent/user_notice.ts";
import { TalonError } from "../../src/core/errors.ts";

const VERBOSE = "All models failed:\n  openai/gpt-4.1-mini: rate_limit (429 Too Many Requests, " +
  "req_8f2a1c), cooldown 58234 ms\n  anthropic/claude-x: overload (529 overloaded_error)";

Deno.test("run: a provider failure reaches the chat as one friendly sentence; details stay in the error", async () => {
  const failure = new ProviderError("rate_limit", VERBOSE, {
    provider: "openai",
    status: 429,
    details: { attempts: [{ cooldownMs: 58_234 }, { cooldownMs: 300_000 }] },
  });
  const h = await harness({ steps: [{ error: failure }] });
  try {
    const handle = await h.runtime.start({ agentId: "main", sessionKey: "agent:main:main", text: "hi" });
    const r = await handle.done;
    assert.equal(r.status, "error");
    assert.equal(
      r.text,
      "The model is unavailable right now; I'll be able to answer again in about a minute.",
    );
    assert.doesNotMatch(r.text, /429|openai|ms\b|req_/);
    assert.equal(r.error?.message, VERBOSE, "the details are kept for the log, timeline and Control UI");
    const hist = await h.runtime.history("agent:main:main");
    const notice = hist.entries.find((e) => e.kind === "notice");
    assert.match(JSON.stringify(notice?.content), /rate_limit/, "the transcript notice has the details");
  } finally {
    await h.close();
  }
});

Deno.test("user notice: each failure kind gets a sentence without internals", () => {
  assert.equal(aboutWhen(5_000), "in a few seconds");
  assert.equal(aboutWhen(300_000), "in about 5 minutes");
  const auth = userErrorText(
    new ProviderError("auth", "401 invalid x-api-key sk-…", { provider: "anthropic" }),
  );
  assert.doesNotMatch(auth, /401|anthropic|sk-/);
  assert.match(userErrorText(new ProviderError("context_overflow", "c", { provider: "p" })), /\/new/);
  assert.match(userErrorText(new Error("TypeError: x is undefined")), /something went wrong/);
  assert.match(userErrorTextForCode("TIMEOUT"), /too long/);
});

Deno.test("run failure: a stop is aborted; a TalonError keeps its code; anything else is INTERNAL with one sentence", () => {
  const stop = new TalonError("ABORTED", "Stopped by the owner");
  assert.deepEqual(runFailure(stop, true), {
    status: "aborted",
    error: { code: "ABORTED", message: "Stopped by the owner" },
  });
  const notOurs = runFailure(stop, false);
  assert.equal(notOurs.status, "error", "an ABORTED error the run's own signal did not raise is a failure");
  assert.equal(notOurs.error.code, "ABORTED");
  const timeout = runFailure(
    new TalonError("TIMEOUT", "The run took longer than 600 s and was stopped."),
    true,
  );
  assert.deepEqual(timeout.error, {
    code: "TIMEOUT",
    message: "The run took longer than 600 s and was stopped.",
  });
  assert.equal(timeout.userText, timeout.error.message, "a timeout tells the user exactly that");
  const bug = runFailure(new TypeError("x is undefined at /src/agent/secret_path.ts:12"), false);
  assert.equal(bug.status, "error");
  assert.equal(bug.error.code, "INTERNAL");
  assert.match(bug.error.message, /x is undefined/);
  assert.doesNotMatch(bug.userText!, /secret_path|undefined/, "the user gets a sentence, not the internals");
});
