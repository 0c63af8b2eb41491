import assert from "node:assert/strict";
import { ALICE, dmChat, telegramHarness } from "./telegram_helpers.ts";

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("telegram: a polling account shows connected as soon as getUpdates succeeds, after start and after recovery", async () => {
  // Long polls are held 30 s, as by the real Bot API.
  const h = await telegramHarness({ pollTimeoutSec: 30, maxPollSec: 30 });
  try {
    await waitFor("connected after start", () => h.adapter.status().connected);
    const polls = () => h.fake.calls.filter((c) => c.method === "getUpdates");
    assert.equal(polls()[0]!.params.timeout, 0, "the first poll after start returns at once");
    await waitFor("a long poll in flight", () => polls().length >= 2);
    assert.equal(polls().at(-1)!.params.timeout, 30, "then polls are long again");

    h.fake.failNext("getUpdates", { status: 400, description: "Bad Request: scripted failure" });
    h.fake.pushMessage({ chat: dmChat(), from: ALICE, text: "wake the poll" });
    await h.waitReceived(1);
    await waitFor("the failed poll", () => h.adapter.status().lastError !== undefined);
    await waitFor("connected again after the failure", () => h.adapter.status().connected);
  } finally {
    await h.close();
  }
});
