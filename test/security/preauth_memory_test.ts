// Attack: many unauthenticated sockets each send one ~63 MB frame. Deno reassembles a whole message
// (up to 64 MiB) before our size check runs, so before the fix 32 such sockets took the gateway to 1.43 GB.
// Now unauthenticated sockets are capped per address and in total, and only a few of them are upgraded
// (able to send frames) at once. The memory figure itself is measured by scripts/measure_preauth_memory.ts.
import assert from "node:assert/strict";
import { createPreAuthGate } from "../../src/gateway/preauth_gate.ts";
import { manualClock } from "../fakes/tools_clock.ts";
import { connectFrame, startTestGateway } from "../helpers/gateway.ts";
import { rawWs } from "../helpers/raw_ws.ts";

Deno.test("one address gets at most 4 unauthenticated sockets, upgraded one at a time", async () => {
  await using gw = await startTestGateway();
  const first = rawWs({ port: gw.port, localAddress: "127.0.0.1" });
  assert.equal(await first.status, 101);
  // Rotating loopback addresses does not help: all of 127.0.0.0/8 is one address.
  const waiting = [2, 3, 4].map((i) => rawWs({ port: gw.port, localAddress: `127.0.1.${i}` }));
  const fifth = rawWs({ port: gw.port, localAddress: "127.0.1.5" });
  assert.equal(await fifth.status, 429, "the fifth unauthenticated socket is refused at once");
  const settled = waiting.map((w, i) => w.status.then((s) => ({ i, s })));
  // The waiting ones get their upgrade only when the socket ahead of them authenticates.
  await first.nextText(); // connect.challenge
  await first.sendText(JSON.stringify(connectFrame(gw.token.token)));
  const hello = JSON.parse(await first.nextText());
  assert.equal(hello.payload.type, "hello-ok");
  const next = await Promise.race(settled);
  assert.equal(next.s, 101);
  // ... or closes.
  waiting[next.i]!.destroy();
  const after = await Promise.race(settled.filter((_, i) => i !== next.i));
  assert.equal(after.s, 101);
  for (const w of [first, fifth, ...waiting]) w.destroy();
  await Promise.all([first, fifth, ...waiting].map((w) => w.closed));
});

Deno.test("an oversize frame before auth is refused (1009) and its address gets no new socket", async () => {
  await using gw = await startTestGateway({ gateway: { limits: { maxFrameBytes: 4096 } } });
  const ws = rawWs({ port: gw.port });
  assert.equal(await ws.status, 101);
  await ws.nextText(); // challenge
  await ws.sendText("x".repeat(10_000));
  const err = JSON.parse(await ws.nextText());
  assert.equal(err.payload.code, "PAYLOAD_TOO_LARGE");
  await ws.closed;
  assert.equal(ws.closeCode(), 1009);
  // Sending frame after frame (each held in memory until a later GC) is stopped: the address waits.
  const again = rawWs({ port: gw.port, localAddress: "127.0.1.9" });
  assert.equal(await again.status, 429);
  again.destroy();
  await again.closed;
});

Deno.test("pre-auth gate: caps per address and in total, waits its turn, gives up after waitMs", async () => {
  const clock = manualClock();
  const gate = createPreAuthGate(
    { perAddress: 2, total: 3, openPerAddress: 1, openTotal: 2, waitMs: 1000, penaltyMs: 5000 },
    clock,
  );
  const a1 = await gate.enter("a");
  assert.ok(a1.ok);
  const a2 = gate.enter("a"); // waits: a has one open already
  assert.deepEqual(await gate.enter("a"), {
    ok: false,
    status: 429,
    reason: "too many unauthenticated connections from this address",
  });
  const b1 = await gate.enter("b");
  assert.ok(b1.ok);
  const c1 = await gate.enter("c");
  assert.equal(c1.ok, false, "the total of 3 is reached");
  assert.equal(!c1.ok && c1.status, 503);
  assert.deepEqual(gate.stats(), { unauthenticated: 3, open: 2, waiting: 1 });
  a1.ticket.release();
  a1.ticket.release(); // idempotent
  const a2r = await a2;
  assert.ok(a2r.ok, "the waiting socket gets its turn");
  // openTotal: with a2 and b1 open, a socket of a fresh address waits even though its address is free.
  b1.ticket.release();
  const d1 = await gate.enter("d");
  assert.ok(d1.ok);
  const e1 = gate.enter("e");
  await clock.advance(1000);
  const e1r = await e1;
  assert.equal(e1r.ok, false, "gave up after waitMs");
  assert.deepEqual(gate.stats(), { unauthenticated: 2, open: 2, waiting: 0 });
  if (a2r.ok) a2r.ticket.release();
  if (d1.ok) d1.ticket.release();
  assert.deepEqual(gate.stats(), { unauthenticated: 0, open: 0, waiting: 0 });
});

Deno.test("pre-auth gate: a penalized address is refused, also its waiting sockets, until the penalty ends", async () => {
  const clock = manualClock();
  const gate = createPreAuthGate(
    { perAddress: 4, total: 16, openPerAddress: 1, openTotal: 3, waitMs: 10_000, penaltyMs: 5000 },
    clock,
  );
  const first = await gate.enter("a");
  const waiting = gate.enter("a");
  gate.penalize("a");
  if (first.ok) first.ticket.release();
  const w = await waiting;
  assert.equal(w.ok, false);
  assert.equal(!w.ok && w.status, 429);
  assert.equal((await gate.enter("a")).ok, false);
  assert.equal((await gate.enter("b")).ok, true, "other addresses are unaffected");
  await clock.advance(5000);
  const later = await gate.enter("a");
  assert.equal(later.ok, true, "the penalty ends");
});
