/**
 * WebSocket frame fuzzer: 100k random and mutated frames over a few authenticated connections (plus
 * hundreds of pre-auth connections that open with garbage). Every frame must be answered or the
 * connection closed with a reason; afterwards the gateway still answers every valid request.
 */
import assert from "node:assert/strict";
import { connectFrame, startTestGateway } from "../helpers/gateway.ts";
import {
  createRng,
  fuzzSeed,
  mutateObject,
  mutateText,
  randomString,
  randomValue,
  type Rng,
} from "./fuzz.ts";

const TOTAL_FRAMES = Number(Deno.env.get("FUZZ_FRAMES") ?? 100_000);
const CONNECTIONS = 4;
const PRE_AUTH_CONNECTIONS = 300;
const WINDOW = 200;
const MAX_FRAME = 64 * 1024;

/** Read methods whose valid frames are mutated (a read-scoped token: nothing can be changed). */
const BASES = [
  { type: "req", id: "r1", method: "health", params: {} },
  { type: "req", id: "r2", method: "status", params: {} },
  { type: "req", id: "r3", method: "config.get", params: {} },
  { type: "req", id: "r4", method: "events.subscribe", params: { events: ["tick"] } },
  { type: "req", id: "r5", method: "events.unsubscribe", params: { events: ["tick"] } },
  { type: "req", id: "r6", method: "agent", params: { message: "hi" } },
];

/** One fuzz frame: random text, a random JSON value, or a mutated valid frame (text or structure). */
function fuzzFrame(rng: Rng, seq: number): string | Uint8Array {
  const r = rng.int(1000);
  if (r === 0) return new Uint8Array([1, 2, 3]); // binary: the server closes
  if (r === 1) return `{"type":"req","id":"big","method":"health","params":"${"x".repeat(MAX_FRAME)}"}`; // oversize
  const base = { ...rng.pick(BASES), id: `f${seq}` };
  switch (r % 5) {
    case 0:
      return randomString(rng, 80);
    case 1:
      return JSON.stringify(randomValue(rng, 4));
    case 2:
      return mutateText(rng, JSON.stringify(base));
    case 3:
      return JSON.stringify(mutateObject(rng, base));
    default:
      return JSON.stringify(rng.chance(0.5) ? base : { ...base, method: randomString(rng, 20) || "x" });
  }
}

interface FuzzSocket {
  ws: WebSocket;
  replies: number;
  closed: Promise<CloseEvent>;
  isClosed: () => boolean;
}

/**
 * Opens and authenticates, retrying (within a deadline) while the pre-auth gate refuses this address: the
 * fuzz's own binary/oversize first frames earn loopback a short penalty (gateway.auth.lockoutMs).
 */
async function openAuthed(url: string, token: string, deadlineMs = 60_000): Promise<FuzzSocket> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await openAuthedOnce(url, token);
    } catch (err) {
      if (!/closed before (open|hello)/.test(String(err)) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function openAuthedOnce(url: string, token: string): Promise<FuzzSocket> {
  const ws = new WebSocket(url);
  const state = { replies: 0, closed: false, greeted: false };
  const closed = Promise.withResolvers<CloseEvent>();
  const hello = Promise.withResolvers<void>();
  hello.promise.catch(() => {}); // awaited below; a refusal before open must not be an unhandled rejection
  ws.onmessage = (ev) => {
    const f = JSON.parse(String(ev.data));
    // Only the first "c1" answer is the connect's: a fuzzed frame may reuse the id later.
    if (!state.greeted && f.type === "res" && f.id === "c1") {
      state.greeted = true;
      return f.ok ? hello.resolve() : hello.reject(new Error(JSON.stringify(f)));
    }
    if (f.type === "res" || (f.type === "event" && f.event === "error")) state.replies++;
  };
  ws.onerror = () => {};
  ws.onclose = (ev) => {
    state.closed = true;
    closed.resolve(ev);
    hello.reject(new Error(`closed before hello: ${ev.code} ${ev.reason}`));
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    closed.promise.then(() => reject(new Error("closed before open")));
  });
  ws.send(JSON.stringify(connectFrame(token)));
  await hello.promise;
  return {
    ws,
    get replies() {
      return state.replies;
    },
    closed: closed.promise,
    isClosed: () => state.closed,
  };
}

async function waitUntil(pred: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

Deno.test("ws fuzz: 100k random and mutated frames; the gateway stays up and answers every valid request", async () => {
  const seed = fuzzSeed();
  await using gw = await startTestGateway({
    providers: { echo: { api: "echo" } },
    agents: { defaults: { model: { primary: "echo/echo" } } },
    // lockoutMs is also the pre-auth penalty: an address whose unauthenticated socket sent a binary or
    // oversize frame gets no new unauthenticated socket for that long (src/gateway/preauth_gate.ts).
    gateway: { auth: { maxFailures: 1_000_000, lockoutMs: 1000 }, limits: { maxFrameBytes: MAX_FRAME } },
  });
  const readToken = "fuzz-read-token-" + crypto.randomUUID();
  await gw.store.credentials.put({ name: "fuzz", kind: "operator", scopes: ["read"], token: readToken });

  let sent = 0;
  let reconnects = 0;
  let refusedPreAuth = 0;
  const worker = async (index: number, frames: number) => {
    const rng = createRng(seed + index);
    let sock = await openAuthed(gw.wsUrl, readToken);
    let sentHere = 0;
    let base = 0;
    while (sentHere < frames) {
      const batch = Math.min(WINDOW, frames - sentHere);
      base = sock.replies;
      let closedByServer = false;
      for (let i = 0; i < batch; i++) {
        const frame = fuzzFrame(rng, sent);
        sock.ws.send(frame);
        sent++;
        sentHere++;
        if (typeof frame !== "string" || frame.length > MAX_FRAME) {
          // The server answers with an error event and closes; start a new connection.
          await sock.closed;
          closedByServer = true;
          break;
        }
      }
      if (closedByServer) {
        reconnects++;
        sock = await openAuthed(gw.wsUrl, readToken);
        continue;
      }
      const want = base + batch;
      await waitUntil(
        () => sock.replies >= want || sock.isClosed(),
        `connection ${index}: ${sock.replies - base}/${batch} replies (seed ${seed})`,
      );
      assert.equal(
        sock.isClosed(),
        false,
        `connection ${index} closed without a binary/oversize frame (seed ${seed})`,
      );
    }
    sock.ws.close();
    await sock.closed;
  };

  // Pre-auth: garbage (or a mutated connect) as the first frame; the server replies or closes, never hangs.
  const preAuth = async () => {
    const rng = createRng(seed + 1000);
    for (let i = 0; i < PRE_AUTH_CONNECTIONS; i++) {
      const ws = new WebSocket(gw.wsUrl);
      const closed = new Promise<void>((resolve) => (ws.onclose = () => resolve()));
      ws.onerror = () => {};
      const reply = Promise.withResolvers<void>();
      ws.onmessage = (ev) => {
        const f = JSON.parse(String(ev.data));
        if (f.type === "res" || (f.type === "event" && f.event !== "connect.challenge")) reply.resolve();
      };
      const opened = await Promise.race([
        new Promise<boolean>((resolve) => (ws.onopen = () => resolve(true))),
        closed.then(() => false),
      ]);
      if (!opened) {
        // Refused by the pre-auth gate (the penalty for an earlier binary/oversize frame): that is an
        // answer too; wait out part of the penalty and go on.
        refusedPreAuth++;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const first = rng.chance(0.5)
        ? JSON.stringify(mutateObject(rng, connectFrame(rng.chance(0.5) ? randomString(rng, 30) : undefined)))
        : fuzzFrame(rng, i);
      ws.send(first);
      sent++;
      await Promise.race([reply.promise, closed]);
      ws.close();
      await closed;
    }
  };

  const perConn = Math.floor((TOTAL_FRAMES - PRE_AUTH_CONNECTIONS) / CONNECTIONS);
  await Promise.all([
    ...Array.from({ length: CONNECTIONS }, (_, i) => worker(i, perConn)),
    preAuth(),
  ]);
  assert.ok(sent + refusedPreAuth >= TOTAL_FRAMES - CONNECTIONS, `sent ${sent} frames`);
  console.log(
    `sent ${sent} frames, ${reconnects} server-closed connections, ${refusedPreAuth} refused pre-auth`,
  );

  // Afterwards: every valid request is answered.
  const ready = await fetch(`${gw.url}/readyz`);
  assert.equal(ready.status, 200);
  await ready.body?.cancel();
  const client = await gw.connect();
  try {
    const answers = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) => client.request<Record<string, unknown>>(i % 2 ? "health" : "status"),
      ),
    );
    assert.equal(answers.length, 200);
    assert.ok(answers.every((a) => a && typeof a === "object"));
    const accepted = await client.request<{ runId: string }>("agent", { message: "still alive?" });
    const run = await client.request("agent.wait", { runId: accepted.runId, timeoutMs: 30_000 }, {
      timeoutMs: 35_000,
    });
    assert.match(
      JSON.stringify(run),
      /still alive\?/,
      `an agent run still completes: ${JSON.stringify(run)}`,
    );
  } finally {
    await client.close();
  }
});
