import assert from "node:assert/strict";
import { harness } from "./harness.ts";

const KEY = "agent:main:main";

Deno.test("handler port: each worker's init gets a fresh port to the main thread, again after a restart", async () => {
  const starts: number[] = [];
  const served: MessagePort[] = [];
  const h = await harness({
    shards: 1,
    pool: {
      handlerPort: (shard) => {
        starts.push(shard);
        const generation = starts.length;
        const channel = new MessageChannel();
        channel.port1.onmessage = (e) =>
          channel.port1.postMessage(`${e.data} from main, shard ${shard}, start ${generation}`);
        served.push(channel.port1);
        return channel.port2;
      },
    },
  });
  try {
    h.scheduler.submit({ sessionKey: KEY, payload: { cmd: "port", text: "hello" } });
    await h.scheduler.idle();
    assert.equal(h.results[0]?.result.viaPort, "hello from main, shard 0, start 1");

    // The worker dies mid-job; its replacement is initialised with a new port.
    h.scheduler.submit({ sessionKey: KEY, payload: { cmd: "crash-once", text: "crashy" } });
    h.scheduler.submit({ sessionKey: KEY, payload: { cmd: "port", text: "again" } });
    await h.waitFor("both after the crash", () => h.results.length === 3);
    assert.equal(h.results[2]?.result.viaPort, "again from main, shard 0, start 2");
    assert.deepEqual(starts, [0, 0], "one replacement worker, not two");
  } finally {
    await h.close();
    for (const p of served) p.close();
  }
});
