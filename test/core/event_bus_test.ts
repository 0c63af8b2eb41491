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
