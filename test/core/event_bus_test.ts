import assert from "node:assert/strict";
import { createEventBus, wantsRunStreams } from "../../src/core/event_bus.ts";

Deno.test("event bus: listeners that want run streams are counted in shared memory; others are not", () => {
  const bus = createEventBus();
  assert.equal(wantsRunStreams(bus.streamListeners), false);
  const seen: string[] = [];
  const offQuiet = bus.subscribe((e) => void seen.push(`quiet:${e.event}`), { runStreams: false });
  assert.equal(wantsRunStreams(bus.streamListeners), false);
  const listener = (e: { event: string }) => void seen.push(`loud:${e.event}`);
  const offA = bus.subscribe(listener);
  const offB = bus.subscribe(listener); // the same function twice is two subscriptions
  assert.equal(new Int32Array(bus.streamListeners)[0], 2);
  bus.publish({ event: "chat", payload: {} });
  assert.deepEqual(seen, ["quiet:chat", "loud:chat", "loud:chat"]);
  offA();
  offA(); // idempotent
  assert.equal(new Int32Array(bus.streamListeners)[0], 1);
  offB();
  assert.equal(wantsRunStreams(bus.streamListeners), false);
  offQuiet();
  bus.publish({ event: "chat", payload: {} });
  assert.equal(seen.length, 3);
});

Deno.test("event bus: without a shared counter (a bus of its own) streams are always wanted", () => {
  assert.equal(wantsRunStreams(undefined), true);
});

Deno.test("event bus: a listener keyed by session hears only that session's events, after the unkeyed ones", () => {
  const bus = createEventBus((err) => seen.push(`error:${(err as Error).message}`));
  const seen: string[] = [];
  const offAll = bus.subscribe((e) => void seen.push(`all:${e.sessionKey ?? "-"}`));
  const offA = bus.subscribe((e) => void seen.push(`a:${e.event}`), { sessionKey: "agent:main:a" });
  const offA2 = bus.subscribe(() => {
    throw new Error("boom");
  }, { sessionKey: "agent:main:a", runStreams: false });
  bus.subscribe((e) => void seen.push(`b:${e.event}`), { sessionKey: "agent:main:b" });
  assert.equal(new Int32Array(bus.streamListeners)[0], 3);
  bus.publish({ event: "chat", payload: {}, sessionKey: "agent:main:a" });
  bus.publish({ event: "tick", payload: {} });
  bus.publish({ event: "agent", payload: {}, sessionKey: "agent:main:c" });
  assert.deepEqual(seen, ["all:agent:main:a", "a:chat", "error:boom", "all:-", "all:agent:main:c"]);
  seen.length = 0;
  offA();
  offA2();
  offA(); // idempotent
  bus.publish({ event: "chat", payload: {}, sessionKey: "agent:main:a" });
  bus.publish({ event: "chat", payload: {}, sessionKey: "agent:main:b" });
  assert.deepEqual(seen, ["all:agent:main:a", "all:agent:main:b", "b:chat"]);
  // A key subscribed again after its last listener left is heard again.
  bus.subscribe((e) => void seen.push(`a again:${e.event}`), { sessionKey: "agent:main:a" });
  bus.publish({ event: "x", payload: {}, sessionKey: "agent:main:a" });
  assert.equal(seen.at(-1), "a again:x");
  offAll();
});
