/** The shared "ask a person and wait" of exec and MCP approvals, on the fake clock. */
import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createEventBus } from "../../src/core/event_bus.ts";
import type { BusEvent } from "../../src/core/types.ts";
import { type ApprovalRecord, createApprovalRepo } from "../../src/tools/approval_repo.ts";
import { expireRequest, type Waiters, waitForDecision } from "../../src/tools/approval_wait.ts";
import { createTestClock } from "../helpers/fake_clock.ts";

async function setup() {
  const store = await openStore({ url: ":memory:" });
  const repo = createApprovalRepo(store.db);
  const clock = createTestClock();
  const record: ApprovalRecord = {
    id: "appr_1",
    runId: "run_1",
    sessionKey: "agent:main:main",
    tool: "exec",
    argv: ["make"],
    cwd: "/ws",
    hash: "h",
    status: "pending",
    createdAt: clock.now(),
    expiresAt: clock.now() + 10_000,
  };
  await repo.insert(record);
  return { store, repo, clock, record };
}

Deno.test("a decision written by another process is seen by polling the store", async () => {
  const { store, repo, clock, record } = await setup();
  try {
    const wait = waitForDecision({ repo, clock, id: record.id, timeoutMs: 10_000, pollMs: 500 });
    await clock.advance(500);
    assert.ok(await repo.transition(record.id, "pending", "denied", "owner"));
    await clock.advance(500);
    assert.equal(await wait, "deny");
    assert.equal(clock.pendingTimers(), 0, "timeout and poll are cleared");
  } finally {
    store.close();
  }
});

Deno.test("an in-process resolver ends the wait at once and is removed", async () => {
  const { store, repo, clock, record } = await setup();
  try {
    const waiters: Waiters = new Map();
    const wait = waitForDecision({ repo, clock, id: record.id, timeoutMs: 10_000, waiters });
    waiters.get(record.id)!("allow");
    assert.equal(await wait, "allow");
    assert.equal(waiters.size, 0);
    assert.equal(clock.pendingTimers(), 0);
  } finally {
    store.close();
  }
});

Deno.test("nobody decides: timeout; an aborted run: aborted, even when aborted before the wait", async () => {
  const { store, repo, clock, record } = await setup();
  try {
    const wait = waitForDecision({ repo, clock, id: record.id, timeoutMs: 10_000 });
    await clock.advance(10_000);
    assert.equal(await wait, "timeout");

    const ctl = new AbortController();
    const aborted = waitForDecision({ repo, clock, id: record.id, timeoutMs: 10_000, signal: ctl.signal });
    ctl.abort();
    assert.equal(await aborted, "aborted");
    assert.equal(
      await waitForDecision({ repo, clock, id: record.id, timeoutMs: 10_000, signal: AbortSignal.abort() }),
      "aborted",
    );
    assert.equal(clock.pendingTimers(), 0);

    const bus = createEventBus();
    const events: BusEvent[] = [];
    bus.subscribe((e) => events.push(e));
    await expireRequest(repo, bus, record, "timeout");
    assert.equal((await repo.get(record.id))?.status, "expired");
    assert.deepEqual(events.map((e) => [e.event, e.payload]), [[
      "approval.resolved",
      { id: "appr_1", decision: "deny", reason: "timeout" },
    ]]);
  } finally {
    store.close();
  }
});
